export { IdentitiesFileError, type ParseIdentitiesOptions, parseIdentities } from "./identities-file.js";
export type {
  AccessKeyRecord,
  AccessKeyStatus,
  AccountRecord,
  IdentitiesDocument,
  RoleRecord,
  UserRecord,
} from "./identity-model.js";
export {
  type AccessKeyLookup,
  type AdminCredentials,
  IdentityStore,
  type IdentityStoreOptions,
  type NewSession,
  type RoleLookup,
  readAdminCredentials,
} from "./identity-store.js";
export type { Principal, PrincipalType } from "./principal.js";
export type { SessionRecord } from "./session-store.js";
export { stsAudit } from "./sts-audit.js";
export {
  createStsService,
  STS_PROTOCOL,
  type StsHandlers,
  type StsIdentities,
  type StsService,
} from "./sts-service.js";
export { toUserIdentity } from "./user-identity.js";
