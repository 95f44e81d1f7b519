import { readFileSync } from "node:fs";

/** The subset of AWS's service-2.json that the codecs read. */
export interface ShapeRef {
  shape: string;
  locationName?: string;
  location?: string;
  idempotencyToken?: boolean;
}

export interface Shape {
  type:
    | "structure"
    | "list"
    | "map"
    | "string"
    | "integer"
    | "long"
    | "boolean"
    | "timestamp"
    | "blob"
    | "double"
    | "float";
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  exception?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}

export interface OperationModel {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
}

export interface ServiceModel {
  metadata: {
    apiVersion: string;
    endpointPrefix: string;
    protocol: string;
    jsonVersion?: string;
    targetPrefix?: string;
    signingName?: string;
    serviceId: string;
    xmlNamespace?: string;
  };
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

const cache = new Map<string, ServiceModel>();

/** Loads a model vendored in ./models (see its README). */
export function loadServiceModel(file: string): ServiceModel {
  let model = cache.get(file);
  if (!model) {
    const url = new URL(`./models/${file}.json`, import.meta.url);
    model = JSON.parse(readFileSync(url, "utf8")) as ServiceModel;
    cache.set(file, model);
  }
  return model;
}

export function shapeOf(model: ServiceModel, ref: ShapeRef): Shape {
  const s = model.shapes[ref.shape];
  if (!s) throw new Error(`model ${model.metadata.serviceId} has no shape ${ref.shape}`);
  return s;
}
