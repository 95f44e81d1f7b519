import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  X509Certificate,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { selfSignedCertificate } from "./self-signed-cert.js";

interface SignerFile {
  privateKey: string;
  certificate: string;
}

const CERT_YEARS = 30;

/**
 * The key pair OpenTrail signs SNS notifications with, and its self-signed certificate, kept in
 * `<dir>/sns-signing.json` (mode 0600) so that SigningCertURL stays the same across restarts.
 * The certificate is served at `/SimpleNotificationService-<md5 of its DER>.pem`, the path
 * shape of SNS's own SigningCertURL.
 */
export class SnsSigner {
  readonly certificatePem: string;
  /** Path of the certificate on OpenTrail's port. */
  readonly certificatePath: string;
  private readonly privateKey: KeyObject;

  private constructor(file: SignerFile) {
    this.privateKey = createPrivateKey(file.privateKey);
    this.certificatePem = file.certificate;
    const der = new X509Certificate(file.certificate).raw;
    this.certificatePath = `/SimpleNotificationService-${createHash("md5").update(der).digest("hex")}.pem`;
  }

  /** Loads the key pair, creating it on first use (synchronously: once, at start-up). */
  static open(dir: string, now = new Date()): SnsSigner {
    const path = join(dir, "sns-signing.json");
    if (existsSync(path)) return new SnsSigner(JSON.parse(readFileSync(path, "utf8")) as SignerFile);
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const until = new Date(now);
    until.setUTCFullYear(until.getUTCFullYear() + CERT_YEARS);
    const file: SignerFile = {
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
      certificate: selfSignedCertificate(privateKey, "sns.opentrail.local", now, until),
    };
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(`${path}.tmp`, JSON.stringify(file), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    return new SnsSigner(file);
  }

  /** Base64 SHA256withRSA signature (SNS SignatureVersion 2). */
  sign(stringToSign: string): string {
    return sign("sha256", Buffer.from(stringToSign, "utf8"), this.privateKey).toString("base64");
  }
}
