import { type ParsedXml, type ParsedXmlValue, parseXml, XmlSyntaxError } from "../../protocol/rest-xml.js";
import type { S3Call } from "../call.js";
import { S3Errors } from "../errors.js";

/** The request body's root element `root` (MalformedXML when absent or not well-formed). */
export function xmlBody(call: S3Call, root: string): ParsedXml {
  let doc: ParsedXml;
  try {
    doc = parseXml(call.body);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw S3Errors.malformedXml();
    throw e;
  }
  const node: ParsedXmlValue | undefined = doc[root];
  if (node === "") return {};
  if (!node || typeof node !== "object" || Array.isArray(node)) throw S3Errors.malformedXml();
  return node;
}

/** A leaf's text, or MalformedXML when it is missing and required. */
export function textField(node: ParsedXml, tag: string, required: true): string;
export function textField(node: ParsedXml, tag: string, required?: false): string | undefined;
export function textField(node: ParsedXml, tag: string, required = false): string | undefined {
  const v = node[tag];
  if (typeof v === "string") return v;
  if (v === undefined && !required) return undefined;
  throw S3Errors.malformedXml();
}
