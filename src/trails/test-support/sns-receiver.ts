import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedNotification {
  headers: IncomingHttpHeaders;
  body: Record<string, string>;
}

export interface SnsReceiver {
  url: string;
  received: ReceivedNotification[];
  /** Statuses to answer next, in order (then 200); e.g. [500, 500] for two failures. */
  failNext: number[];
  /** Requests seen, successful or not. */
  attempts: number;
  /** x-amz-sns-message-id of every request, successful or not. */
  messageIds: string[];
  close(): Promise<void>;
}

/** A real HTTP endpoint subscribed to a "topic": records each POST it answers 200 to. */
export async function startSnsReceiver(): Promise<SnsReceiver> {
  const state: Omit<SnsReceiver, "url" | "close"> = {
    received: [],
    failNext: [],
    attempts: 0,
    messageIds: [],
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.attempts++;
      state.messageIds.push(String(req.headers["x-amz-sns-message-id"]));
      const status = state.failNext.shift() ?? 200;
      if (status === 200)
        state.received.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
        });
      res.writeHead(status).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}/cloudtrail-notifications`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
