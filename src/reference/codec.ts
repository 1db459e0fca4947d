/**
 * Reference-value files: strict validation, JSON form and deterministic CBOR form.
 *
 * Both forms carry the same document `{type, version, sets: [...]}`; JSON writes bytes as
 * lowercase hex and u64 flag words as the 8 bytes in quote order, CBOR writes byte strings and
 * unsigned integers (RFC 8949 section 4.2.1 deterministic encoding, see cbor.ts). Converting
 * JSON -> CBOR -> JSON gives back the same document. Any problem throws
 * AppraisalError('ERR_REFERENCE_FORMAT') naming the field.
 */
import { toHex, u64le } from "../bytes.js";
import { AppraisalError } from "../errors.js";
import { type CborValue, decodeDeterministic, encodeDeterministic } from "./cbor.js";
import { cborToPlain, type DocMode, FieldReader, type Obj } from "./fields.js";
import {
  FLAG_FIELDS,
  HASH_FIELDS,
  type JsonValue,
  REFERENCE_TYPE,
  REFERENCE_VERSION,
  type ReferenceEvent,
  type ReferenceInputFile,
  type ReferenceLaunchConfig,
  type ReferenceValueSet,
  type ReferenceValues,
} from "./types.js";

const SET_KEYS = [
  "name",
  ...HASH_FIELDS,
  ...FLAG_FIELDS,
  "maxVcpus",
  "launchConfig",
  "toolVersion",
  "events",
] as const;

function readInput(r: FieldReader, v: unknown, field: string): ReferenceInputFile {
  const o = r.object(v, field);
  r.onlyKeys(o, field, ["name", "path", "sha384"]);
  const path = o["path"] === undefined ? {} : { path: r.string(o["path"], `${field}.path`) };
  return {
    name: r.string(o["name"], `${field}.name`, 256),
    ...path,
    sha384: r.bytes(o["sha384"], `${field}.sha384`, 48),
  };
}

function readLaunchConfig(r: FieldReader, v: unknown, field: string): ReferenceLaunchConfig {
  const o = r.object(v, field);
  r.onlyKeys(o, field, ["config", "inputs"]);
  const inputs = r
    .array(o["inputs"] ?? [], `${field}.inputs`, 256)
    .map((x, i) => readInput(r, x, `${field}.inputs[${i}]`));
  return { config: r.json(o["config"], `${field}.config`), inputs };
}

function readEvent(r: FieldReader, v: unknown, field: string): ReferenceEvent {
  const o = r.object(v, field);
  r.onlyKeys(o, field, ["rtmr", "type", "digest", "label"]);
  const label = o["label"] === undefined ? {} : { label: r.string(o["label"], `${field}.label`, 256) };
  return {
    rtmr: r.int(o["rtmr"], `${field}.rtmr`, 0, 3) as 0 | 1 | 2 | 3,
    type: r.int(o["type"], `${field}.type`, 0, 0xffffffff),
    digest: r.bytes(o["digest"], `${field}.digest`, 48),
    ...label,
  };
}

function readSet(r: FieldReader, v: unknown, field: string): ReferenceValueSet {
  const o = r.object(v, field);
  r.onlyKeys(o, field, SET_KEYS);
  const set: Record<string, unknown> = { name: r.string(o["name"], `${field}.name`, 256) };
  for (const k of HASH_FIELDS) if (o[k] !== undefined) set[k] = r.bytes(o[k], `${field}.${k}`, 48);
  for (const k of FLAG_FIELDS) if (o[k] !== undefined) set[k] = r.u64(o[k], `${field}.${k}`);
  if (o["maxVcpus"] !== undefined) set["maxVcpus"] = r.int(o["maxVcpus"], `${field}.maxVcpus`, 1, 0xffff);
  if (o["launchConfig"] !== undefined)
    set["launchConfig"] = readLaunchConfig(r, o["launchConfig"], `${field}.launchConfig`);
  if (o["toolVersion"] !== undefined)
    set["toolVersion"] = r.string(o["toolVersion"], `${field}.toolVersion`, 256);
  if (o["events"] !== undefined) {
    set["events"] = r
      .array(o["events"], `${field}.events`)
      .map((x, i) => readEvent(r, x, `${field}.events[${i}]`));
  }
  return set as unknown as ReferenceValueSet;
}

/** Validates a parsed document (JSON object or plain-converted CBOR) into ReferenceValues. */
export function readReferenceDocument(doc: unknown, mode: DocMode): ReferenceValues {
  const r = new FieldReader("ERR_REFERENCE_FORMAT", mode);
  const o: Obj = r.object(doc, "reference");
  r.onlyKeys(o, "reference", ["type", "version", "sets"]);
  if (o["type"] !== REFERENCE_TYPE) r.fail("reference.type", `must be "${REFERENCE_TYPE}"`);
  if (o["version"] !== REFERENCE_VERSION) {
    r.fail(
      "reference.version",
      `unsupported version ${String(o["version"])} (this tool reads ${REFERENCE_VERSION})`,
    );
  }
  const sets = r
    .array(o["sets"], "reference.sets", 4096)
    .map((x, i) => readSet(r, x, `reference.sets[${i}]`));
  if (sets.length === 0) r.fail("reference.sets", "must hold at least one set");
  const seen = new Set<string>();
  sets.forEach((s, i) => {
    if (seen.has(s.name)) r.fail(`reference.sets[${i}].name`, `duplicate set name "${s.name}"`);
    seen.add(s.name);
  });
  return { version: REFERENCE_VERSION, sets };
}

/** Parses reference values from JSON text or an already-parsed JSON value. */
export function parseReferenceValuesJson(input: string | unknown): ReferenceValues {
  let doc: unknown = input;
  if (typeof input === "string") {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new AppraisalError(
        "ERR_REFERENCE_FORMAT",
        `reference: not valid JSON (${(e as Error).message})`,
        {
          field: "reference",
        },
      );
    }
  }
  return readReferenceDocument(doc, "json");
}

/** Decodes deterministic CBOR reference values (the payload of a signed file). */
export function decodeReferenceValuesCbor(bytes: Uint8Array): ReferenceValues {
  const value = decodeDeterministic(bytes, "ERR_REFERENCE_FORMAT");
  const r = new FieldReader("ERR_REFERENCE_FORMAT", "cbor");
  return readReferenceDocument(cborToPlain(value, r), "cbor");
}

/** Field order used for JSON output (stable, human-friendly). */
function setEntries(s: ReferenceValueSet, mode: DocMode): [string, unknown][] {
  const bytes = (b: Uint8Array) => (mode === "json" ? toHex(b) : b);
  const out: [string, unknown][] = [["name", s.name]];
  for (const k of HASH_FIELDS) {
    const v = s[k];
    if (v !== undefined) out.push([k, bytes(v)]);
  }
  for (const k of FLAG_FIELDS) {
    const v = s[k];
    if (v !== undefined) out.push([k, mode === "json" ? toHex(u64le(v)) : v]);
  }
  if (s.maxVcpus !== undefined) out.push(["maxVcpus", s.maxVcpus]);
  if (s.launchConfig) {
    const inputs = s.launchConfig.inputs.map((f) => ({
      name: f.name,
      ...(f.path !== undefined ? { path: f.path } : {}),
      sha384: bytes(f.sha384),
    }));
    out.push(["launchConfig", { config: s.launchConfig.config, inputs }]);
  }
  if (s.toolVersion !== undefined) out.push(["toolVersion", s.toolVersion]);
  if (s.events) {
    const ev = s.events.map((e) => ({
      rtmr: e.rtmr,
      type: e.type,
      digest: bytes(e.digest),
      ...(e.label !== undefined ? { label: e.label } : {}),
    }));
    out.push(["events", ev]);
  }
  return out;
}

function documentOf(rv: ReferenceValues, mode: DocMode): Record<string, unknown> {
  return {
    type: REFERENCE_TYPE,
    version: rv.version,
    sets: rv.sets.map((s) => Object.fromEntries(setEntries(s, mode))),
  };
}

/** The JSON document (plain object, hex strings) of reference values. */
export function referenceValuesToJsonValue(rv: ReferenceValues): JsonValue {
  return documentOf(rv, "json") as JsonValue;
}

/** Pretty JSON text of reference values (stable field order, trailing newline). */
export function encodeReferenceValuesJson(rv: ReferenceValues): string {
  return `${JSON.stringify(referenceValuesToJsonValue(rv), null, 2)}\n`;
}

/** Deterministic CBOR of reference values: the same values always give the same bytes. */
export function encodeReferenceValuesCbor(rv: ReferenceValues): Uint8Array {
  // Validate first so that what we write is always readable back.
  readReferenceDocument(documentOf(rv, "cbor"), "cbor");
  return encodeDeterministic(documentOf(rv, "cbor") as CborValue, "ERR_REFERENCE_FORMAT");
}

/** Combines several files or sets into one file; set names must stay unique. */
export function combineReferenceValues(
  parts: readonly (ReferenceValues | ReferenceValueSet)[],
): ReferenceValues {
  const sets = parts.flatMap((p) => ("sets" in p ? p.sets : [p]));
  return readReferenceDocument(documentOf({ version: REFERENCE_VERSION, sets }, "cbor"), "cbor");
}
