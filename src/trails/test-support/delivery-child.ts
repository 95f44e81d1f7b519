/**
 * Child process for the kill -9 test: opens the log and the trails service on `dir`, appends
 * events, starts logging, and SIGKILLs itself right after the first log file is written (before
 * the delivery commits). Usage: delivery-child.ts <dir> <count>
 */
import { join } from "node:path";
import { silentLogger } from "../../config/logger.js";
import { serializeEvent } from "../../events/serialize-event.js";
import { EventLog } from "../../log/index.js";
import { createTrailsService } from "../trails-service.js";
import { FileBucketStore } from "./file-bucket-store.js";
import { BUCKET, context, managementEvent } from "./trail-fixture.js";

const [dir, count] = process.argv.slice(2) as [string, string];
const store = new FileBucketStore(join(dir, "s3"), (_bucket, key) => {
  if (key.includes("/CloudTrail/")) process.kill(process.pid, "SIGKILL");
});
store.createBucket(BUCKET);
const log = await EventLog.open({ dir: join(dir, "log") });
const service = createTrailsService({
  dataDir: dir,
  regions: ["us-east-1"],
  store,
  checkBucketPolicy: () => true,
  deliveryIntervalSeconds: 0.1,
  digestIntervalSeconds: 3600,
  logger: silentLogger,
});
service.start(log);
await service.handlers.CreateTrail({ Name: "Crashy", S3BucketName: BUCKET }, context());
await service.handlers.StartLogging({ Name: "Crashy" }, context());
const events = Array.from({ length: Number(count) }, (_, i) => managementEvent({ eventName: `Call${i}` }));
await log.appendBatch(events.map((e) => Buffer.from(serializeEvent(e))));
process.stdout.write("appended\n");
await new Promise((resolve) => setTimeout(resolve, 30_000));
process.exit(3);
