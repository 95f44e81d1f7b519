import { mkdirSync } from "node:fs";
import { type FileHandle, open, rename } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/**
 * The S3 bench's reference: a bare node:http server that stores each PUT body with the built-in
 * store's durability (temp file written while the body arrives, renamed, fdatasync'd, folder
 * fsync'd before the 200) and answers a GET of that key with the file read into reused memory
 * (one read of the known size, as the store does), and nothing else: no SigV4, no hashing, no
 * index, no audit record. It shows what node:http plus the disk allow on this machine in this
 * run, which the raw file write and read alone do not: the bytes have to cross a socket.
 */
export interface BareS3Server {
  url: string;
  close(): Promise<void>;
}

export async function startBareS3Server(dir: string): Promise<BareS3Server> {
  const tmp = join(dir, "tmp");
  const objects = join(dir, "objects");
  mkdirSync(tmp, { recursive: true });
  mkdirSync(objects, { recursive: true });
  let next = 0;
  const stored = new Map<string, { path: string; size: number }>();
  const spare: Buffer[] = [];
  const server = createServer((req, res) => {
    const key = req.url ?? "/";
    if (req.method === "GET") {
      const object = stored.get(key);
      if (!object) return void res.writeHead(404).end();
      let buf = spare.pop();
      if (!buf || buf.length !== object.size) buf = Buffer.allocUnsafe(object.size);
      const lent = buf;
      readFileInto(object.path, lent).then(
        () => {
          res.writeHead(200, { "content-length": String(object.size) });
          res.end(lent, () => spare.push(lent));
        },
        (e: unknown) => res.writeHead(500).end(String(e)),
      );
      return;
    }
    const name = String(next++);
    const final = join(objects, name);
    store(req, join(tmp, name), final, objects).then(
      (size) => {
        stored.set(key, { path: final, size });
        res.writeHead(200, { "content-length": "0" }).end();
      },
      (e: unknown) => res.writeHead(500).end(String(e)),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Reads a whole file of known size into `buf` (one read, as the store does): also the bench's raw read. */
export async function readFileInto(path: string, buf: Buffer): Promise<void> {
  const fh = await open(path, "r");
  try {
    for (let filled = 0; filled < buf.length; ) {
      const { bytesRead } = await fh.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) throw new Error("short read");
      filled += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** Stores a body durably; resolves to its size. */
async function store(
  body: AsyncIterable<Buffer>,
  tmp: string,
  final: string,
  folder: string,
): Promise<number> {
  const fh: FileHandle = await open(tmp, "w");
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.length;
      for (let done = 0; done < chunk.length; )
        done += (await fh.write(chunk, done, chunk.length - done)).bytesWritten;
    }
    await rename(tmp, final);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  const dirHandle = await open(folder, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
  return size;
}
