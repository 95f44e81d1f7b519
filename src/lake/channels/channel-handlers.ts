import { randomUUID } from "node:crypto";
import type {
  CreateChannelRequest,
  CreateChannelResponse,
  DeleteChannelRequest,
  Destination,
  GetChannelRequest,
  GetChannelResponse,
  ListChannelsRequest,
  ListChannelsResponse,
  UpdateChannelRequest,
  UpdateChannelResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../../server/request-context.js";
import { validateTags } from "../../trails/index.js";
import { LakeErrors } from "../lake-errors.js";
import type { LakeRuntime } from "../lake-runtime.js";
import { pageOf } from "../paging.js";
import {
  type ChannelRecord,
  channelArn,
  MAX_CHANNELS,
  toIngestionStatus,
  validateChannelName,
  validateDestinations,
} from "./channel-model.js";

/**
 * Channels with the Custom source (reference §1.3): Create/Get/Update/Delete/ListChannels. A
 * destination must be an active event data store of the caller's account whose selectors take
 * ActivityAuditLog events. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateChannel.html
 */
export function channelHandlers(rt: LakeRuntime) {
  const account = (ctx: RequestContext) => ctx.principal.accountId;
  const mine = (ctx: RequestContext) =>
    [...rt.channels.values()].filter((c) => c.accountId === account(ctx) && c.region === ctx.region);
  const find = (ref: string, ctx: RequestContext): ChannelRecord => rt.findChannel(account(ctx), ref);
  const resolveDestinations = (destinations: Destination[], ctx: RequestContext): string[] => {
    validateDestinations(destinations);
    return destinations.map((d) => {
      const entry = rt.findStore(account(ctx), d.Location ?? "");
      if (entry.record.status === "PENDING_DELETION") throw LakeErrors.inactiveStore(entry.record.arn);
      const takesActivity = entry.record.selectors.some((s) =>
        s.FieldSelectors?.some((f) => f.Field === "eventCategory" && f.Equals?.includes("ActivityAuditLog")),
      );
      if (!takesActivity)
        throw LakeErrors.invalidStoreCategory(
          `Event data store ${entry.record.arn} does not collect ActivityAuditLog events; a channel needs one that does.`,
        );
      return entry.record.arn;
    });
  };
  const view = (c: ChannelRecord) => ({
    ChannelArn: c.arn,
    Name: c.name,
    Source: c.source,
    Destinations: c.destinations.map((Location) => ({ Type: "EVENT_DATA_STORE" as const, Location })),
  });

  return {
    async CreateChannel(input: CreateChannelRequest, ctx: RequestContext): Promise<CreateChannelResponse> {
      const name = input.Name ?? "";
      validateChannelName(name);
      if (input.Source !== "Custom") throw LakeErrors.invalidSource(String(input.Source));
      const tags = validateTags([], input.Tags ?? []);
      const destinations = resolveDestinations(input.Destinations ?? [], ctx);
      if (mine(ctx).some((c) => c.name === name)) throw LakeErrors.channelAlreadyExists(name);
      if (mine(ctx).length >= MAX_CHANNELS) throw LakeErrors.channelMaxLimit(MAX_CHANNELS);
      const id = randomUUID();
      const record: ChannelRecord = {
        id,
        arn: channelArn(ctx.region, account(ctx), id),
        name,
        accountId: account(ctx),
        region: ctx.region,
        source: "Custom",
        destinations,
        tags,
        createdAt: rt.now(),
        ingestion: {},
      };
      rt.channels.set(id, record);
      rt.db.putRecord("channels", id, record);
      return { ...view(record), Tags: tags };
    },

    async GetChannel(input: GetChannelRequest, ctx: RequestContext): Promise<GetChannelResponse> {
      const c = find(input.Channel ?? "", ctx);
      return { ...view(c), SourceConfig: {}, IngestionStatus: toIngestionStatus(c.ingestion) };
    },

    async UpdateChannel(input: UpdateChannelRequest, ctx: RequestContext): Promise<UpdateChannelResponse> {
      const c = find(input.Channel ?? "", ctx);
      if (input.Name !== undefined && input.Name !== c.name) {
        validateChannelName(input.Name);
        if (mine(ctx).some((o) => o.name === input.Name)) throw LakeErrors.channelAlreadyExists(input.Name);
        c.name = input.Name;
      }
      if (input.Destinations) c.destinations = resolveDestinations(input.Destinations, ctx);
      rt.db.putRecord("channels", c.id, c);
      return view(c);
    },

    async DeleteChannel(input: DeleteChannelRequest, ctx: RequestContext): Promise<object> {
      const c = find(input.Channel ?? "", ctx);
      rt.channels.delete(c.id);
      rt.db.deleteRecord("channels", c.id);
      return {};
    },

    async ListChannels(input: ListChannelsRequest, ctx: RequestContext): Promise<ListChannelsResponse> {
      const all = mine(ctx).sort((a, b) => a.createdAt - b.createdAt);
      const page = pageOf(all, input.NextToken, input.MaxResults, 1000, "channels");
      return {
        Channels: page.items.map((c) => ({ ChannelArn: c.arn, Name: c.name })),
        NextToken: page.nextToken,
      };
    },
  };
}
