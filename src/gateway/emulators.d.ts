// The npm emulators the gateway's tests forward to; they ship no types.
declare module "dynalite" {
  import type { Server } from "node:http";
  export default function dynalite(options?: {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    path?: string;
  }): Server;
}
declare module "kinesalite" {
  import type { Server } from "node:http";
  export default function kinesalite(options?: {
    createStreamMs?: number;
    deleteStreamMs?: number;
    updateStreamMs?: number;
    shardLimit?: number;
    path?: string;
  }): Server;
}
declare module "sqslite" {
  interface Fastify {
    listen(port: number, host: string): Promise<string>;
    close(): Promise<void>;
  }
  export default function sqslite(options?: { logger?: boolean }): Fastify;
}
