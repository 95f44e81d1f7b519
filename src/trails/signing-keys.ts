import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, open, rename } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { keyFingerprint, type PublicKeyEntry, publicKeyDer } from "./public-keys.js";

const generateKeyPairAsync = promisify(generateKeyPair);

/** AWS's published keys are valid for 30 days (reference §4.5). */
export const DEFAULT_KEY_VALIDITY_MS = 30 * 24 * 3600 * 1000;

export interface SigningKey extends PublicKeyEntry {
  region: string;
  privateKey: KeyObject;
}

interface KeyFile {
  region: string;
  validFrom: number;
  validTo: number;
  privateKey: string;
}

/**
 * One RSA-2048 key pair per Region signs that Region's digests. A key is used while now is in
 * its validity window; the next signature after it ends generates a new one (rotation). Keys
 * live in `<dir>/<region>/<validFrom>.json` (mode 0600, folder 0700), written atomically, and
 * are never deleted: ListPublicKeys must still return the keys of old digests.
 */
export class SigningKeyStore {
  private readonly byRegion = new Map<string, SigningKey[]>();
  private readonly generating = new Map<string, Promise<SigningKey>>();

  private constructor(
    private readonly dir: string,
    private readonly validityMs: number,
  ) {}

  /** Loads the persisted keys (synchronously: a few small files, read once at start-up). */
  static open(dir: string, validityMs = DEFAULT_KEY_VALIDITY_MS): SigningKeyStore {
    const store = new SigningKeyStore(dir, validityMs);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const region of readdirSync(dir)) {
      const folder = join(dir, region);
      if (!existsSync(folder)) continue;
      for (const file of readdirSync(folder)) {
        if (!file.endsWith(".json")) continue;
        store.remember(toSigningKey(JSON.parse(readFileSync(join(folder, file), "utf8")) as KeyFile));
      }
    }
    return store;
  }

  /** Public keys of a Region, oldest first. */
  list(region: string): readonly SigningKey[] {
    return this.byRegion.get(region) ?? [];
  }

  /** The key valid at `now` in the Region, generating (and persisting) one if none is. */
  current(region: string, now: number): Promise<SigningKey> {
    const valid = this.list(region).findLast((k) => k.validFrom <= now && now < k.validTo);
    if (valid) return Promise.resolve(valid);
    const pending = this.generating.get(region);
    if (pending) return pending;
    const created = this.generate(region, now).finally(() => this.generating.delete(region));
    this.generating.set(region, created);
    return created;
  }

  private async generate(region: string, now: number): Promise<SigningKey> {
    const { privateKey } = await generateKeyPairAsync("rsa", { modulusLength: 2048 });
    const file: KeyFile = {
      region,
      validFrom: now,
      validTo: now + this.validityMs,
      privateKey: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
    };
    const folder = join(this.dir, region);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const path = join(folder, `${now}.json`);
    const handle = await open(`${path}.tmp`, "w", 0o600);
    try {
      await handle.writeFile(JSON.stringify(file));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${path}.tmp`, path);
    const key = toSigningKey(file);
    this.remember(key);
    return key;
  }

  private remember(key: SigningKey): void {
    const list = [...this.list(key.region), key].sort((a, b) => a.validFrom - b.validFrom);
    this.byRegion.set(key.region, list);
  }
}

function toSigningKey(file: KeyFile): SigningKey {
  const privateKey = createPrivateKey(file.privateKey);
  const der = publicKeyDer(createPublicKey(privateKey));
  return {
    region: file.region,
    privateKey,
    der,
    fingerprint: keyFingerprint(der),
    validFrom: file.validFrom,
    validTo: file.validTo,
  };
}
