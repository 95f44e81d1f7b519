import { crc32 } from "node:zlib";

/** The payload the crash writer stores for `id`; its size (20 B to 4 KB) and bytes follow from the id. */
export function crashPayload(id: string): Buffer {
  const seed = crc32(id);
  const buf = Buffer.alloc(20 + (seed % 4000), seed & 0xff);
  buf.write(`${id}|`);
  return buf;
}
