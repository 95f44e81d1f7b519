import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Fixed identities so tests can sign requests with known keys (the `--identities` file form). */
export const ADMIN = {
  accountId: "123456789012",
  userName: "ci",
  accessKeyId: "AKIAOPENTRAILCI00001",
  secretAccessKey: "ci-secret-key-0000000000000000000000000000",
};
export const OTHER = {
  accountId: "210987654321",
  userName: "outsider",
  accessKeyId: "AKIAOPENTRAILOTHER01",
  secretAccessKey: "other-secret-key-00000000000000000000000000",
};
export const ROLE_NAME = "Auditor";
/** A role of ADMIN's account that OTHER's account may assume. */
export const PARTNER_ROLE_NAME = "PartnerAuditor";

export const IDENTITIES = {
  accounts: [
    {
      id: ADMIN.accountId,
      users: [
        {
          name: ADMIN.userName,
          admin: true,
          accessKeys: [{ accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey }],
        },
      ],
      roles: [{ name: ROLE_NAME }, { name: PARTNER_ROLE_NAME, trust: { accounts: [OTHER.accountId] } }],
    },
    {
      id: OTHER.accountId,
      users: [
        {
          name: OTHER.userName,
          admin: true,
          accessKeys: [{ accessKeyId: OTHER.accessKeyId, secretAccessKey: OTHER.secretAccessKey }],
        },
      ],
    },
  ],
};

export interface TempDir {
  path: string;
  remove(): void;
}

export function tempDir(prefix = "opentrail-test-"): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeIdentitiesFile(dir: string, content: unknown = IDENTITIES): string {
  const file = join(dir, "identities.test.json");
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}
