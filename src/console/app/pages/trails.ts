import { cloudtrail } from "../api.js";
import { clear, h } from "../dom.js";
import { ago, attempt, button, fmtTime, table } from "../ui.js";
import { trailForm } from "./trail-form.js";

export interface TrailInfo {
  Name?: string;
  TrailARN?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  HomeRegion?: string;
  IsMultiRegionTrail?: boolean;
  LogFileValidationEnabled?: boolean;
}

export interface TrailStatus {
  IsLogging?: boolean;
  LatestDeliveryTime?: number;
  LatestDigestDeliveryTime?: number;
  LatestDeliveryError?: string;
  LatestDigestDeliveryError?: string;
  LatestNotificationError?: string;
}

export type TrailRow = TrailInfo & { status: TrailStatus };

/** DescribeTrails with each trail's GetTrailStatus. */
export async function trailsWithStatus(): Promise<TrailRow[]> {
  const { trailList = [] } = await cloudtrail<{ trailList?: TrailInfo[] }>("DescribeTrails", {
    includeShadowTrails: false,
  });
  return Promise.all(
    trailList.map(async (t) =>
      Object.assign({}, t, {
        status: await cloudtrail<TrailStatus>("GetTrailStatus", { Name: t.TrailARN ?? t.Name }),
      }),
    ),
  );
}

export function lastError(s: TrailStatus): string | undefined {
  return s.LatestDeliveryError || s.LatestDigestDeliveryError || s.LatestNotificationError || undefined;
}

let refresh: number | undefined;

/** Trails: status with errors up front, create/edit, start/stop, delete with confirmation. */
export async function trailsPage(main: HTMLElement): Promise<void> {
  const errors = h("div");
  const list = h("div", { "aria-live": "polite" });
  const formBox = h("div");
  const dialog = h("dialog", { "aria-labelledby": "delete-title" });
  const load = async () => {
    const rows = await attempt(trailsWithStatus, list);
    if (!rows) return;
    const failing = rows.filter((r) => lastError(r.status));
    clear(
      errors,
      failing.length
        ? h(
            "div",
            { class: "error", role: "alert" },
            h("strong", null, "Delivery errors"),
            h(
              "ul",
              { class: "error-list" },
              failing.map((r) =>
                h("li", null, h("strong", null, r.Name ?? ""), ": ", lastError(r.status) ?? ""),
              ),
            ),
          )
        : null,
    );
    clear(
      list,
      table(
        "Trails",
        [
          { title: "Name", cell: (r) => r.Name ?? "" },
          {
            title: "S3 bucket / prefix",
            cell: (r) => `${r.S3BucketName ?? ""}${r.S3KeyPrefix ? `/${r.S3KeyPrefix}` : ""}`,
          },
          {
            title: "Region",
            cell: (r) => `${r.HomeRegion ?? ""}${r.IsMultiRegionTrail ? " (all Regions)" : ""}`,
          },
          {
            title: "Status",
            cell: (r) =>
              h(
                "span",
                { class: `badge ${r.status.IsLogging ? "ok" : "warn"}` },
                r.status.IsLogging ? "Logging" : "Stopped",
              ),
          },
          {
            title: "Last delivery",
            cell: (r) =>
              h(
                "span",
                { title: fmtTime(r.status.LatestDeliveryTime), class: "last-delivery" },
                ago(r.status.LatestDeliveryTime),
              ),
          },
          {
            title: "Last digest",
            cell: (r) =>
              r.LogFileValidationEnabled
                ? h(
                    "span",
                    { title: fmtTime(r.status.LatestDigestDeliveryTime) },
                    ago(r.status.LatestDigestDeliveryTime),
                  )
                : "validation off",
          },
          {
            title: "Last error",
            cell: (r) =>
              lastError(r.status) ? h("span", { class: "bad" }, lastError(r.status) ?? "") : "none",
          },
          {
            title: "Actions",
            cell: (r) =>
              h(
                "span",
                { class: "row" },
                button(
                  r.status.IsLogging ? "Stop logging" : "Start logging",
                  () => void act(r.status.IsLogging ? "StopLogging" : "StartLogging", r),
                  { "aria-label": `${r.status.IsLogging ? "Stop" : "Start"} logging ${r.Name}` },
                ),
                button("Edit", () => void edit(r.Name), { "aria-label": `Edit ${r.Name}` }),
                button("Delete", () => confirmDelete(r), {
                  "aria-label": `Delete ${r.Name}`,
                  class: "danger",
                }),
              ),
          },
        ],
        rows,
        "No trails yet. A trail delivers your events to an S3 bucket as CloudTrail log files.",
        (r) => ({ "data-trail": r.Name ?? "" }),
      ),
    );
  };
  const act = async (op: string, r: TrailRow) => {
    await attempt(() => cloudtrail(op, { Name: r.TrailARN ?? r.Name }));
    await load();
  };
  const edit = async (name?: string) => {
    const form = await attempt(() =>
      trailForm(name, () => {
        clear(formBox);
        void load();
      }),
    );
    if (form) {
      clear(formBox, form);
      (form.querySelector("input:not([disabled])") as HTMLElement | null)?.focus();
    }
  };
  const confirmDelete = (r: TrailRow) => {
    clear(
      dialog,
      h("h2", { id: "delete-title" }, `Delete trail ${r.Name}?`),
      h("p", null, "The trail stops delivering at once. Log files already in the bucket stay there."),
      h(
        "div",
        { class: "row" },
        button("Cancel", () => dialog.close()),
        button(
          "Delete trail",
          () => {
            dialog.close();
            void attempt(() => cloudtrail("DeleteTrail", { Name: r.TrailARN ?? r.Name })).then(load);
          },
          { class: "danger" },
        ),
      ),
    );
    dialog.showModal();
  };
  clear(
    main,
    h(
      "div",
      { class: "row spread" },
      h("h1", null, "Trails"),
      h(
        "span",
        { class: "row" },
        button("Refresh", () => void load()),
        button("Create trail", () => void edit(undefined), { class: "primary" }),
      ),
    ),
    errors,
    formBox,
    list,
    dialog,
  );
  await load();
  // Delivery status moves on its own: refresh while the page is shown.
  window.clearInterval(refresh);
  refresh = window.setInterval(() => {
    if (!location.hash.startsWith("#/trails")) window.clearInterval(refresh);
    else if (!formBox.hasChildNodes() && !dialog.open) void load();
  }, 5000);
}
