import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { verifySigV4 } from "./sigv4.js";
import { ChunkSignatureChain, type ChunkSigning, chunkSigning } from "./sigv4-chunks.js";
import { signed, verify } from "./sigv4-test-kit.js";

/**
 * The examples of the S3 documentation (66,560 bytes of "a" in chunks of 65,536, 1,024 and 0
 * bytes, signed at 20130524T000000Z in us-east-1 with AWS's example key), checked signature by
 * signature: they pin the strings to sign independently of our composing them.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
const DOC_KEY = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const DOC_SCOPE = {
  ...DOC_KEY,
  shortDate: "20130524",
  longDate: "20130524T000000Z",
  region: "us-east-1",
  service: "s3",
};
const DATA = Buffer.alloc(66_560, "a");
const PIECES = [DATA.subarray(0, 65_536), DATA.subarray(65_536), Buffer.alloc(0)];

const SIGNED = {
  seed: "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
  chunks: [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
  ],
};
const TRAILING = {
  seed: "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e",
  chunks: [
    "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2",
    "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7",
    "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992",
  ],
  trailer: [["x-amz-checksum-crc32c", "sOO8/Q=="]] as const,
  trailerSignature: "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435",
};

function verifyPieces(chain: ChunkSignatureChain, signatures: readonly string[]): void {
  for (const [i, piece] of PIECES.entries()) assert.ok(chain.chunk(piece, signatures[i]), `chunk ${i}`);
}

function docSigning(seed: string, payloadHash: string): Promise<ChunkSigning> {
  return chunkSigning(DOC_SCOPE, seed, payloadHash);
}

describe("SigV4 chunk signatures", () => {
  test("the documented chunk-signed upload verifies chunk by chunk", async () => {
    const chain = new ChunkSignatureChain(
      await docSigning(SIGNED.seed, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
    );
    verifyPieces(chain, SIGNED.chunks);
  });

  test("the documented upload with a trailing checksum verifies, trailer included", async () => {
    const signing = await docSigning(TRAILING.seed, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
    assert.equal(signing.trailer, true);
    const chain = new ChunkSignatureChain(signing);
    verifyPieces(chain, TRAILING.chunks);
    assert.ok(chain.trailer(TRAILING.trailer, TRAILING.trailerSignature));
  });

  test("the documented seed request hands on its signing context", async () => {
    const verified = await verifySigV4(
      {
        method: "PUT",
        rawPath: "/examplebucket/chunkObject.txt",
        query: "",
        headers: {
          host: "s3.amazonaws.com",
          "x-amz-date": "20130524T000000Z",
          "x-amz-storage-class": "REDUCED_REDUNDANCY",
          authorization: `AWS4-HMAC-SHA256 Credential=${DOC_KEY.accessKeyId}/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=${SIGNED.seed}`,
          "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
          "content-encoding": "aws-chunked",
          "x-amz-decoded-content-length": "66560",
          "content-length": "66824",
        },
        body: Buffer.alloc(0),
      },
      (id) => (id === DOC_KEY.accessKeyId ? { secretAccessKey: DOC_KEY.secretAccessKey } : undefined),
      { now: new Date("2013-05-24T00:00:00Z"), deferPayloadCheck: true },
    );
    const signing = verified.chunkSigning;
    assert.ok(signing);
    assert.equal(signing.seedSignature, SIGNED.seed);
    assert.equal(signing.scope, "20130524/us-east-1/s3/aws4_request");
    assert.equal(signing.trailer, false);
    const chain = new ChunkSignatureChain(signing);
    verifyPieces(chain, SIGNED.chunks);
  });

  test("only a request that streams signed chunks carries a signing context", async () => {
    const expected: Record<string, boolean | undefined> = {
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": true,
      "STREAMING-AWS4-HMAC-SHA256-PAYLOAD": false,
      "STREAMING-UNSIGNED-PAYLOAD-TRAILER": undefined,
      "UNSIGNED-PAYLOAD": undefined,
    };
    for (const [declared, trailer] of Object.entries(expected)) {
      const req = await signed({
        method: "PUT",
        path: "/bucket/key",
        service: "s3",
        headers: { "x-amz-content-sha256": declared, "content-encoding": "aws-chunked" },
      });
      const verified = await verify(req, { deferPayloadCheck: true });
      assert.equal(verified.chunkSigning?.trailer, trailer, declared);
      if (trailer !== undefined)
        assert.match(
          req.headers.authorization ?? "",
          new RegExp(`Signature=${verified.chunkSigning?.seedSignature}$`),
        );
    }
  });

  test("altered, reordered, foreign and malformed signatures fail and do not move the chain", async () => {
    const signing = await docSigning(SIGNED.seed, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
    const chain = new ChunkSignatureChain(signing);
    const altered = Buffer.from(PIECES[0] as Buffer);
    altered[100] = 0x62;
    assert.equal(chain.chunk(altered, SIGNED.chunks[0]), false, "altered bytes");
    assert.equal(chain.chunk(PIECES[1] as Buffer, SIGNED.chunks[1]), false, "second chunk first");
    assert.equal(chain.chunk(PIECES[0] as Buffer, undefined), false, "no signature");
    assert.equal(chain.chunk(PIECES[0] as Buffer, SIGNED.chunks[0]?.toUpperCase()), false, "upper-case hex");
    assert.equal(chain.chunk(PIECES[0] as Buffer, SIGNED.chunks[0]?.slice(2)), false, "short");
    assert.equal(chain.chunk(PIECES[0] as Buffer, TRAILING.chunks[0]), false, "another request's chain");
    // Still at the seed: the right first chunk passes, then the chain runs on.
    assert.ok(chain.chunk(PIECES[0] as Buffer, SIGNED.chunks[0]));
    assert.equal(chain.chunk(Buffer.alloc(0), SIGNED.chunks[2]), false, "middle chunk dropped");
    assert.ok(chain.chunk(PIECES[1] as Buffer, SIGNED.chunks[1]));
    assert.ok(chain.chunk(Buffer.alloc(0), SIGNED.chunks[2]));
  });

  test("a trailer with another value or signature fails", async () => {
    const signing = await docSigning(TRAILING.seed, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
    const chain = new ChunkSignatureChain(signing);
    verifyPieces(chain, TRAILING.chunks);
    assert.equal(chain.trailer([["x-amz-checksum-crc32c", "AAAAAA=="]], TRAILING.trailerSignature), false);
    assert.equal(chain.trailer(TRAILING.trailer, TRAILING.chunks[2]), false);
    assert.equal(chain.trailer(TRAILING.trailer, undefined), false);
    assert.ok(chain.trailer(TRAILING.trailer, TRAILING.trailerSignature));
  });
});
