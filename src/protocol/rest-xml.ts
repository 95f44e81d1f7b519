import { XMLParser, XMLValidator } from "fast-xml-parser";

/**
 * S3's REST-XML wire format: a small escaping builder for response documents, the `<Error>`
 * document, and a parser for request bodies. No S3 rules live here, only the encoding.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** A child value: text, a nested element, a list of repeated elements, or absent (skipped). */
export type XmlValue = string | number | boolean | Date | XmlElement | XmlValue[] | undefined | null;
export interface XmlElement {
  [tag: string]: XmlValue;
}

// XML 1.0 allows neither C0 controls (except tab, LF, CR) nor lone surrogates in text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching the characters XML forbids is the point
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    .replace(/\r/g, "&#13;")
    .replace(INVALID_CHARS, (c) => `&#${c.charCodeAt(0)};`);
}

function textOf(value: string | number | boolean | Date): string {
  return value instanceof Date ? value.toISOString() : String(value);
}

/** Under this key, a list of elements is written inline, in order (e.g. interleaved Version/DeleteMarker). */
export const XML_INLINE = "#inline";

function writeChildren(element: XmlElement, out: string[]): void {
  for (const [tag, value] of Object.entries(element)) {
    if (tag === XML_INLINE && Array.isArray(value)) {
      for (const child of value)
        if (child && typeof child === "object" && !Array.isArray(child) && !(child instanceof Date))
          writeChildren(child, out);
    } else writeValue(tag, value, out);
  }
}

function writeValue(tag: string, value: XmlValue, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) writeValue(tag, item, out);
    return;
  }
  if (typeof value === "object" && !(value instanceof Date)) {
    out.push(`<${tag}>`);
    writeChildren(value, out);
    out.push(`</${tag}>`);
    return;
  }
  out.push(`<${tag}>${escapeXml(textOf(value))}</${tag}>`);
}

/**
 * Serialises `{Root: {...}}` as an XML document. Object key order is element order; arrays
 * repeat the element; `undefined`/`null` children are left out; Dates are ISO 8601 with ms.
 */
export function buildXml(root: string, body: XmlElement, xmlns: string | null = S3_XMLNS): Buffer {
  const out: string[] = [XML_DECLARATION, xmlns ? `<${root} xmlns="${xmlns}">` : `<${root}>`];
  writeChildren(body, out);
  out.push(`</${root}>`);
  return Buffer.from(out.join(""), "utf8");
}

/** S3's error document: Code, Message, any operation-specific fields, Resource, RequestId, HostId. */
export function buildXmlError(
  code: string,
  message: string,
  fields: Record<string, string | undefined>,
  ids: { resource?: string; requestId: string; hostId?: string },
): Buffer {
  return buildXml(
    "Error",
    {
      Code: code,
      Message: message,
      ...fields,
      Resource: ids.resource,
      RequestId: ids.requestId,
      HostId: ids.hostId,
    },
    null,
  );
}

export class XmlSyntaxError extends Error {}

export type ParsedXml = { [tag: string]: ParsedXmlValue };
export type ParsedXmlValue = string | ParsedXml | ParsedXmlValue[];

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  processEntities: true,
  htmlEntities: false,
});

/**
 * Parses a request body. Every leaf is a string (no number coercion); a repeated element
 * becomes an array. Throws XmlSyntaxError on anything that is not well-formed XML.
 */
export function parseXml(body: Buffer | string): ParsedXml {
  const text = typeof body === "string" ? body : body.toString("utf8");
  if (text.trim() === "") throw new XmlSyntaxError("empty document");
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  const doc = parser.parse(text) as unknown;
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new XmlSyntaxError("no root element");
  return doc as ParsedXml;
}

/** The element(s) under `tag` as a list, whatever the parser made of them. */
export function xmlList(node: ParsedXmlValue | undefined): ParsedXmlValue[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/** The text of a leaf; `""` for an empty element, undefined for a missing or nested one. */
export function xmlText(node: ParsedXmlValue | undefined): string | undefined {
  return typeof node === "string" ? node : undefined;
}

/** A child element as an object, or undefined. */
export function xmlChild(node: ParsedXmlValue | undefined, tag: string): ParsedXmlValue | undefined {
  if (!node || typeof node !== "object" || Array.isArray(node)) return undefined;
  return node[tag];
}
