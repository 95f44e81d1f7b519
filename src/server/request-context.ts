import type { Principal } from "../iam/principal.js";

/**
 * Everything a service handler may know about the call besides its typed input. Handlers never
 * see HTTP; this is what the edge extracted from it after SigV4 verification.
 */
export interface RequestContext {
  requestId: string;
  principal: Principal;
  /** Region from the SigV4 credential scope. */
  region: string;
  /** Signing name from the credential scope (`cloudtrail`, `sts`, `s3`, ...). */
  service: string;
  sourceIPAddress: string;
  userAgent: string;
  receivedAt: Date;
  /** The Host header the client sent (CloudTrail's tlsDetails.clientProvidedHostHeader). */
  host?: string;
  /**
   * Set by a handler whose call reached another account's resource (a Lake store shared by its
   * resource policy, say): the call is then recorded for that account too, as CloudTrail
   * delivers a copy to each account involved, the copies linked by sharedEventID.
   */
  resourceAccountId?: string;
}

export type Handler<I, O> = (input: I, ctx: RequestContext) => Promise<O>;
