import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

// A DynamoDB emulator for the gateway bench, in its own process like the server under test.
const server = dynalite({ createTableMs: 0 });
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
