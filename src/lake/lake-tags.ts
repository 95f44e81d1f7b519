import type { TaggableKind } from "../trails/index.js";
import { LakeErrors } from "./lake-errors.js";
import type { LakeRuntime } from "./lake-runtime.js";

/**
 * Event data stores and channels for AddTags/RemoveTags/ListTags (their tags can also be given
 * at creation). A store pending deletion takes no tag changes, as CloudTrail's
 * InactiveEventDataStoreException says.
 */
export function lakeTags(rt: LakeRuntime): TaggableKind[] {
  return [
    {
      resourceType: "eventdatastore",
      find(arn, ctx) {
        const entry = rt.findStore(ctx.principal.accountId, arn);
        if (entry.record.status === "PENDING_DELETION") throw LakeErrors.inactiveStore(entry.record.arn);
        return {
          tags: entry.record.tags,
          saveTags(tags) {
            entry.record.tags = tags;
            rt.saveStore(entry);
          },
        };
      },
    },
    {
      resourceType: "channel",
      find(arn, ctx) {
        const channel = rt.findChannel(ctx.principal.accountId, arn);
        return {
          tags: channel.tags,
          saveTags(tags) {
            channel.tags = tags;
            rt.db.putRecord("channels", channel.id, channel);
          },
        };
      },
    },
  ];
}
