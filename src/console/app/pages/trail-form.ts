import { ApiError, cloudtrail, s3 } from "../api.js";
import { clear, field, h } from "../dom.js";
import { loadSession } from "../session.js";
import { button } from "../ui.js";

interface Trail {
  Name?: string;
  S3BucketName?: string;
  S3KeyPrefix?: string;
  IsMultiRegionTrail?: boolean;
  LogFileValidationEnabled?: boolean;
  IncludeGlobalServiceEvents?: boolean;
  TrailARN?: string;
}

interface Selectors {
  EventSelectors?: Array<{
    ReadWriteType?: string;
    IncludeManagementEvents?: boolean;
    DataResources?: Array<{ Type?: string; Values?: string[] }>;
    ExcludeManagementEventSources?: string[];
  }>;
  AdvancedEventSelectors?: unknown[];
}

/** Which form control an API error code is about (CloudTrail's codes, its own messages shown). */
const ERROR_FIELD: Record<string, string> = {
  InvalidTrailNameException: "name",
  TrailAlreadyExistsException: "name",
  S3BucketDoesNotExistException: "bucket",
  InsufficientS3BucketPolicyException: "bucket",
  InvalidS3BucketNameException: "bucket",
  InvalidBucketName: "bucket",
  InvalidS3PrefixException: "prefix",
  InvalidEventSelectorsException: "selectors",
  InvalidAdvancedEventSelectorsException: "selectors",
};

const ADVANCED_TEMPLATE = JSON.stringify(
  [
    { Name: "Management events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
    {
      Name: "S3 object writes",
      FieldSelectors: [
        { Field: "eventCategory", Equals: ["Data"] },
        { Field: "resources.type", Equals: ["AWS::S3::Object"] },
        { Field: "readOnly", Equals: ["false"] },
      ],
    },
  ],
  null,
  2,
);

/** CloudTrail's documented bucket policy for a trail's bucket (README, "A trail into the built-in S3 store"). */
function bucketPolicy(bucket: string, prefix: string, account: string): string {
  const keys = `${prefix ? `${prefix}/` : ""}AWSLogs/${account}/*`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: `arn:aws:s3:::${bucket}`,
      },
      {
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucket}/${keys}`,
        Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control" } },
      },
    ],
  });
}

async function createBucket(bucket: string, prefix: string): Promise<void> {
  const account = loadSession()?.arn?.split(":")[4] ?? "";
  try {
    await s3("PUT", `/${encodeURIComponent(bucket)}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === "BucketAlreadyOwnedByYou")) throw e;
  }
  await s3("PUT", `/${encodeURIComponent(bucket)}`, { policy: "" }, bucketPolicy(bucket, prefix, account));
}

/**
 * Create or edit a trail: CreateTrail/UpdateTrail, then PutEventSelectors, then (new trails)
 * StartLogging. Validation is the API's own: its error message is shown next to the field the
 * error code is about, so the console never disagrees with the CLI.
 */
export async function trailForm(existing: string | undefined, done: () => void): Promise<HTMLElement> {
  const trail: Trail = existing
    ? ((await cloudtrail<{ Trail?: Trail }>("GetTrail", { Name: existing })).Trail ?? {})
    : { IncludeGlobalServiceEvents: true };
  const sel: Selectors = existing
    ? await cloudtrail<Selectors>("GetEventSelectors", { TrailName: existing })
    : {};
  const basic = sel.EventSelectors?.[0];
  const name = h("input", {
    name: "name",
    value: trail.Name ?? "",
    required: true,
    disabled: Boolean(existing),
    "data-field": "name",
  });
  const bucket = h("input", {
    name: "bucket",
    value: trail.S3BucketName ?? "",
    required: true,
    "data-field": "bucket",
  });
  const createIt = h("input", { type: "checkbox", name: "createBucket" });
  const prefix = h("input", { name: "prefix", value: trail.S3KeyPrefix ?? "", "data-field": "prefix" });
  const multi = h("input", {
    type: "checkbox",
    name: "multiRegion",
    checked: trail.IsMultiRegionTrail ?? !existing,
  });
  const validation = h("input", {
    type: "checkbox",
    name: "validation",
    checked: trail.LogFileValidationEnabled ?? !existing,
  });
  const global = h("input", {
    type: "checkbox",
    name: "global",
    checked: trail.IncludeGlobalServiceEvents ?? true,
  });
  const startNow = h("input", { type: "checkbox", name: "start", checked: !existing });
  const mode = h(
    "select",
    { name: "mode", "data-field": "selectors" },
    h("option", { value: "basic" }, "Basic event selectors"),
    h(
      "option",
      { value: "advanced", selected: Boolean(sel.AdvancedEventSelectors?.length) },
      "Advanced event selectors",
    ),
  );
  const rw = h(
    "select",
    { name: "readWrite" },
    ["All", "ReadOnly", "WriteOnly"].map((v) =>
      h("option", { value: v, selected: basic?.ReadWriteType === v }, v),
    ),
    h(
      "option",
      { value: "None", selected: basic?.IncludeManagementEvents === false },
      "No management events",
    ),
  );
  const exclude = h("input", {
    name: "exclude",
    value: (basic?.ExcludeManagementEventSources ?? []).join(", "),
    placeholder: "kms.amazonaws.com, rdsdata.amazonaws.com",
  });
  const dataType = h(
    "select",
    { name: "dataType" },
    ["AWS::S3::Object", "AWS::Lambda::Function", "AWS::DynamoDB::Table"].map((t) =>
      h("option", { value: t, selected: basic?.DataResources?.[0]?.Type === t }, t),
    ),
  );
  const dataValues = h("textarea", {
    name: "dataValues",
    rows: "3",
    placeholder: "arn:aws:s3:::my-bucket/ (one per line)",
  });
  dataValues.value = (basic?.DataResources?.[0]?.Values ?? []).join("\n");
  const advanced = h("textarea", { name: "advanced", rows: "10", "data-field": "selectors" });
  advanced.value = sel.AdvancedEventSelectors?.length
    ? JSON.stringify(sel.AdvancedEventSelectors, null, 2)
    : ADVANCED_TEMPLATE;
  const basicBox = h(
    "fieldset",
    null,
    h("legend", null, "Basic event selectors"),
    field("Management events", rw),
    field("Exclude management event sources", exclude, "Comma-separated event sources"),
    field("Data event resource type", dataType),
    field("Data event resources", dataValues, "ARNs or prefixes, one per line; empty: no data events"),
  );
  const advancedBox = h(
    "fieldset",
    null,
    h("legend", null, "Advanced event selectors"),
    field("Advanced event selectors (JSON)", advanced, "AdvancedEventSelectors as the API takes them"),
  );
  const syncMode = () => {
    basicBox.hidden = mode.value !== "basic";
    advancedBox.hidden = mode.value === "basic";
  };
  mode.addEventListener("change", syncMode);
  syncMode();
  const errors = h("div", { role: "alert", class: "form-errors" });
  const form = h(
    "form",
    { class: "card", "aria-label": existing ? `Edit trail ${existing}` : "Create trail" },
    h("h2", null, existing ? `Edit trail ${existing}` : "Create trail"),
    h(
      "div",
      { class: "row" },
      field("Trail name", name, "3–128 letters, digits, . _ -; starts with a letter or digit"),
      field("S3 bucket", bucket),
      field("S3 key prefix", prefix),
    ),
    h(
      "div",
      { class: "row" },
      h("label", null, createIt, " Create this bucket with CloudTrail's bucket policy"),
      h("label", null, multi, " Multi-region trail"),
      h("label", null, validation, " Log file validation"),
      h("label", null, global, " Include global service events"),
      existing ? null : h("label", null, startNow, " Start logging"),
    ),
    field("Event selectors", mode),
    basicBox,
    advancedBox,
    errors,
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, existing ? "Save trail" : "Create trail"),
      button("Cancel", done),
    ),
  );
  const fail = (e: unknown) => {
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
    const api = e instanceof ApiError ? e : undefined;
    const target = api ? ERROR_FIELD[api.code] : undefined;
    const control = target
      ? (form.querySelector(`[data-field=${target}]:not([hidden])`) as HTMLElement | null)
      : null;
    control?.setAttribute("aria-invalid", "true");
    clear(errors, h("p", { class: "error" }, api ? `${api.code}: ${api.message}` : String(e)));
    control?.focus();
  };
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clear(errors);
    void (async () => {
      try {
        const trailName = existing ?? name.value.trim();
        if (createIt.checked) await createBucket(bucket.value.trim(), prefix.value.trim());
        const settings = {
          Name: trailName,
          S3BucketName: bucket.value.trim(),
          S3KeyPrefix: prefix.value.trim() || undefined,
          IsMultiRegionTrail: multi.checked,
          EnableLogFileValidation: validation.checked,
          IncludeGlobalServiceEvents: global.checked,
        };
        await cloudtrail(existing ? "UpdateTrail" : "CreateTrail", settings);
        await cloudtrail("PutEventSelectors", selectorsInput(trailName));
        if (!existing && startNow.checked) await cloudtrail("StartLogging", { Name: trailName });
        done();
      } catch (e) {
        fail(e);
      }
    })();
  });

  function selectorsInput(trailName: string): object {
    if (mode.value === "advanced") {
      let parsed: unknown;
      try {
        parsed = JSON.parse(advanced.value);
      } catch (e) {
        throw new ApiError(
          "api",
          "InvalidAdvancedEventSelectorsException",
          `The advanced event selectors are not valid JSON: ${(e as Error).message}`,
        );
      }
      return { TrailName: trailName, AdvancedEventSelectors: parsed };
    }
    const values = dataValues.value
      .split("\n")
      .map((v) => v.trim())
      .filter(Boolean);
    const sources = exclude.value
      .split(",")
      .map((v) => v.trim())
      .filter(Boolean);
    return {
      TrailName: trailName,
      EventSelectors: [
        {
          ReadWriteType: rw.value === "None" ? "All" : rw.value,
          IncludeManagementEvents: rw.value !== "None",
          DataResources: values.length ? [{ Type: dataType.value, Values: values }] : [],
          ExcludeManagementEventSources: sources,
        },
      ],
    };
  }
  return form;
}
