/**
 * An operation's input and output as plain values keyed by member name, read off the wire by
 * the model: JSON bodies, query parameters, REST URI labels, query strings, headers and
 * bodies, and XML documents (query, EC2 and REST-XML responses). audit-shape.ts then renders
 * them for the record. Parse failures yield what could be read: the upstream, not the
 * gateway, answers malformed input.
 */
import { toNestedInput } from "../protocol/aws-query.js";
import { type ParsedXmlValue, parseXml, xmlList } from "../protocol/rest-xml.js";
import type { Recognized } from "./recognize.js";
import { type MinShape, resolveShape, shapeType } from "./shapes.js";

type Shapes = Record<string, MinShape>;
type Values = Record<string, unknown>;

function parseJson(body: Buffer): Values {
  if (body.length === 0) return {};
  try {
    const v = JSON.parse(body.toString("utf8")) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Values) : {};
  } catch {
    return {};
  }
}

function parseXmlSafe(body: Buffer): Record<string, ParsedXmlValue> | undefined {
  try {
    return body.length > 0 ? parseXml(body) : undefined;
  } catch {
    return undefined;
  }
}

function firstChild(doc: Record<string, ParsedXmlValue> | undefined): ParsedXmlValue | undefined {
  return doc ? Object.values(doc)[0] : undefined;
}

/** A parsed XML element as a value of the given shape. */
export function fromXml(shapes: Shapes, ref: MinShape, node: ParsedXmlValue | undefined): unknown {
  if (node === undefined) return undefined;
  const shape = resolveShape(shapes, ref);
  const type = shapeType(shape);
  if (type === "structure") {
    if (typeof node !== "object" || Array.isArray(node)) return undefined;
    const out: Values = {};
    for (const [name, member] of Object.entries(shape.members ?? {})) {
      if (member.location) continue;
      const m = resolveShape(shapes, member);
      const tag = member.locationName ?? name;
      const child = m.flattened ? xmlList(node[tag]) : node[tag];
      const v = fromXml(shapes, member, Array.isArray(child) && !m.flattened ? child[0] : child);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }
  if (type === "list" && shape.member) {
    const member = shape.member;
    const items = Array.isArray(node)
      ? node
      : typeof node === "object"
        ? xmlList(node[member.locationName ?? "member"])
        : [];
    return items.map((i) => fromXml(shapes, member, i));
  }
  if (type === "map" && shape.key && shape.value) {
    const entries = Array.isArray(node) ? node : typeof node === "object" ? xmlList(node.entry) : [];
    const out: Values = {};
    for (const e of entries) {
      if (typeof e !== "object" || Array.isArray(e)) continue;
      const k = e[shape.key.locationName ?? "key"];
      if (typeof k === "string")
        out[k] = fromXml(shapes, shape.value, e[shape.value.locationName ?? "value"]);
    }
    return out;
  }
  return typeof node === "string" ? node : undefined;
}

function restInput(
  rec: Recognized,
  shapes: Shapes,
  query: URLSearchParams,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Values {
  const input = rec.op.input;
  const out: Values = {};
  for (const [name, member] of Object.entries(input?.members ?? {})) {
    const wire = member.locationName ?? name;
    if (member.location === "uri") {
      const v = rec.labels[wire] ?? (wire === "Bucket" ? rec.hostBucket : undefined);
      if (v !== undefined) out[name] = v;
    } else if (member.location === "querystring") {
      const type = shapeType(resolveShape(shapes, member));
      if (query.has(wire)) out[name] = type === "list" ? query.getAll(wire) : query.get(wire);
    } else if (member.location === "header") {
      const v = headers[wire.toLowerCase()];
      if (v !== undefined) out[name] = v;
    } else if (member.location === "headers") {
      const prefix = wire.toLowerCase();
      const map: Record<string, string> = {};
      for (const [h, v] of Object.entries(headers)) if (h.startsWith(prefix)) map[h.slice(prefix.length)] = v;
      if (Object.keys(map).length > 0) out[name] = map;
    }
  }
  if (!body || body.length === 0 || !input) return out;
  const json = rec.model.metadata.protocol === "rest-json";
  if (input.payload) {
    const member = input.members?.[input.payload];
    if (!member) return out;
    const v = json ? parseJson(body) : fromXml(shapes, member, firstChild(parseXmlSafe(body)));
    if (v !== undefined) out[input.payload] = v;
    return out;
  }
  if (json) for (const [k, v] of Object.entries(parseJson(body))) if (!(k in out)) out[k] = v;
  return out;
}

const SIGNING = /^X-Amz-/i;

/** How this call's response is encoded: a query call to a JSON service (SQS) answers in XML. */
export function wireProtocol(rec: Recognized): string {
  if (rec.protocol === "rest") return rec.model.metadata.protocol;
  if (rec.protocol === "json") return "json";
  return rec.model.metadata.protocol === "ec2" ? "ec2" : "query";
}

/** The call's input by member name; `body` is undefined when it streamed past unread. */
export function readInput(
  rec: Recognized,
  query: URLSearchParams,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Values {
  const shapes = rec.model.shapes;
  if (rec.protocol === "json") return parseJson(body ?? Buffer.alloc(0));
  if (rec.protocol === "query") {
    const params = new Map(
      [...(rec.params ?? [])].filter(([k]) => k !== "Action" && k !== "Version" && !SIGNING.test(k)),
    );
    return toNestedInput(params);
  }
  return restInput(rec, shapes, query, headers, body);
}

/** A successful response's output by member name, from its headers and (buffered) body. */
export function readOutput(
  rec: Recognized,
  headers: Record<string, string>,
  body: Buffer | undefined,
): Values {
  const shapes = rec.model.shapes;
  const output = rec.op.output;
  if (!output) return {};
  const protocol = wireProtocol(rec);
  if (protocol === "json") return parseJson(body ?? Buffer.alloc(0));
  const out: Values = {};
  for (const [name, member] of Object.entries(output.members ?? {})) {
    const wire = (member.locationName ?? name).toLowerCase();
    if (member.location === "header" && headers[wire] !== undefined) out[name] = headers[wire];
  }
  if (!body || body.length === 0) return out;
  if (protocol === "rest-json") {
    if (output.payload) out[output.payload] = parseJson(body);
    else Object.assign(out, parseJson(body));
    return out;
  }
  const root = firstChild(parseXmlSafe(body));
  if (output.payload) {
    const member = output.members?.[output.payload];
    if (member) out[output.payload] = fromXml(shapes, member, root);
    return out;
  }
  // Query responses wrap the output in <OpResult>; EC2 and REST-XML put members at the root.
  const result =
    protocol === "query" && root && typeof root === "object" && !Array.isArray(root)
      ? root[`${rec.operation}Result`]
      : root;
  const parsed = fromXml(shapes, { ...output, payload: undefined }, result);
  return { ...out, ...(parsed as Values | undefined) };
}
