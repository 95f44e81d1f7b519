import type { RawResponse } from "./raw-http.js";

type StaticFiles = (path: string, headers: Record<string, string>) => RawResponse | undefined;

/**
 * Serves the certificate SNS notifications are signed with (their SigningCertURL) to unsigned
 * GETs, in front of the other static files; receivers fetch it to verify signatures.
 */
export function withSnsCertificate(
  cert: { path: string; pem: string } | undefined,
  next: StaticFiles,
): StaticFiles {
  if (!cert) return next;
  const body = Buffer.from(cert.pem);
  return (path, headers) =>
    path === cert.path
      ? { status: 200, headers: { "content-type": "application/x-x509-ca-cert" }, body }
      : next(path, headers);
}
