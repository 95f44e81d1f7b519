import type { RawRequest, RawResponse } from "./raw-http.js";
import type { RequestContext } from "./request-context.js";
import type { WireFormat } from "./wire-errors.js";

/**
 * One service on the shared port, chosen by the signing name in the request's SigV4
 * credential scope (`cloudtrail`, `sts`, `s3`, ...).
 */
export interface ServiceEndpoint {
  format: WireFormat;
  maxBodyBytes: number;
  /** SigV4 canonical URI rule: every service but S3 encodes the path twice. */
  uriEscapePath: boolean;
  /** SigV4 clock-skew window: AWS allows 15 minutes for S3 and STS, 5 for the JSON services. */
  clockSkewSeconds: number;
  handle(req: RawRequest, ctx: RequestContext): Promise<RawResponse>;
}
