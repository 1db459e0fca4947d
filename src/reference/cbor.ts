/**
 * Deterministic CBOR (RFC 8949 section 4.2.1, "core deterministic encoding") on top of cbor-x.
 *
 * What cbor-x gives by itself (checked in test/reference/cbor.test.ts): shortest heads for
 * lengths and for integers below 2^32, definite lengths, byte strings without tag 64 when
 * `tagUint8Array: false`. What it does not give: map keys are written in insertion order, a
 * `number` of 2^32 or more becomes a float64, and a `bigint` always takes the 8-byte form. So
 * every value is first canonicalized here: integers are narrowed to the type cbor-x writes in
 * shortest form, and maps become `Map`s whose entries are sorted by the bytes of their encoded
 * keys. Floats are not part of our data model and are refused (no float rule to get wrong).
 *
 * Decoding is strict: after decoding, the value is re-encoded and must give the same bytes, so
 * non-deterministic input (unsorted keys, long heads, indefinite lengths) is rejected.
 */
import { Encoder, Tag } from "cbor-x";
import { AppraisalError, type AppraisalErrorCode } from "../errors.js";

/** The values our CBOR documents are made of. Plain objects are maps with text keys. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | readonly CborValue[]
  | ReadonlyMap<CborValue, CborValue>
  | CborTagged
  | { readonly [key: string]: CborValue };

/** A tagged item (e.g. COSE_Sign1 is tag 18). */
export class CborTagged {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

const encoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  variableMapSize: true,
  tagUint8Array: false,
  pack: false,
  structuredClone: false,
});

const decoder = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  structuredClone: false,
});

const TWO_32 = 2n ** 32n;
const U64_MAX = 2n ** 64n - 1n;
/** cbor-x writes negative bigints below -2^63 as tag-3 bignums, so the model stops there. */
const I64_MIN = -(2n ** 63n);

function fail(code: AppraisalErrorCode, field: string, why: string): never {
  throw new AppraisalError(code, `${field}: ${why}`, { field });
}

/** Integers in [-2^32, 2^32) as numbers (cbor-x writes those shortest), others as bigints. */
function canonicalInt(v: bigint, field: string, code: AppraisalErrorCode): number | bigint {
  if (v > U64_MAX || v < I64_MIN) fail(code, field, "integer outside -2^63 .. 2^64-1");
  if (v < TWO_32 && v >= -TWO_32) return Number(v);
  return v;
}

function toBytes(b: Uint8Array): Uint8Array {
  // cbor-x decodes byte strings as Buffer in Node; hand out plain Uint8Arrays only.
  return b.constructor === Uint8Array
    ? b
    : new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

function isPlainObject(v: unknown): v is { readonly [key: string]: CborValue } {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Converts a value into what cbor-x encodes deterministically (see the file comment). */
function canonicalize(v: unknown, field: string, code: AppraisalErrorCode, depth: number): unknown {
  if (depth > 64) fail(code, field, "nesting deeper than 64 levels");
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v))
      fail(code, field, `number ${v} is not a safe integer (floats are not allowed)`);
    return canonicalInt(BigInt(v), field, code);
  }
  if (typeof v === "bigint") return canonicalInt(v, field, code);
  if (v instanceof Uint8Array) return toBytes(v);
  if (Array.isArray(v)) return v.map((x, i) => canonicalize(x, `${field}[${i}]`, code, depth + 1));
  if (v instanceof CborTagged) return new Tag(canonicalize(v.value, field, code, depth + 1), v.tag);
  const entries: [unknown, unknown][] =
    v instanceof Map
      ? [...v.entries()]
      : isPlainObject(v)
        ? Object.entries(v)
        : fail(code, field, "unsupported value");
  const keyed = entries.map(([k, x]) => {
    const key = canonicalize(k, `${field}.<key>`, code, depth + 1);
    const keyBytes = encoder.encode(key) as Uint8Array;
    return { key, keyBytes, value: canonicalize(x, `${field}.${String(k)}`, code, depth + 1) };
  });
  keyed.sort((a, b) => compareBytes(a.keyBytes, b.keyBytes));
  for (let i = 1; i < keyed.length; i++) {
    if (compareBytes(keyed[i - 1]!.keyBytes, keyed[i]!.keyBytes) === 0)
      fail(code, field, "duplicate map key");
  }
  return new Map(keyed.map((e) => [e.key, e.value]));
}

/** Bytewise lexicographic order (RFC 8949 section 4.2.1 key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/**
 * Encodes `value` in RFC 8949 core deterministic form. Equal values give equal bytes whatever
 * the key insertion order. `code` is the error code for values outside the data model.
 */
export function encodeDeterministic(
  value: CborValue,
  code: AppraisalErrorCode = "ERR_REFERENCE_FORMAT",
): Uint8Array {
  const out = encoder.encode(canonicalize(value, "cbor", code, 0)) as Uint8Array;
  return toBytes(out);
}

/** Turns what cbor-x decoded into our value model (Buffers -> Uint8Array, Tag -> CborTagged). */
function normalizeDecoded(v: unknown, code: AppraisalErrorCode, depth: number): CborValue {
  if (depth > 64) fail(code, "cbor", "nesting deeper than 64 levels");
  if (v === null || typeof v === "boolean" || typeof v === "string" || typeof v === "bigint") return v;
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) fail(code, "cbor", "floating-point values are not allowed");
    return v;
  }
  if (v instanceof Uint8Array) return toBytes(v);
  if (Array.isArray(v)) return v.map((x) => normalizeDecoded(x, code, depth + 1));
  if (v instanceof Tag) return new CborTagged(v.tag, normalizeDecoded(v.value, code, depth + 1));
  if (v instanceof Map) {
    const m = new Map<CborValue, CborValue>();
    for (const [k, x] of v) m.set(normalizeDecoded(k, code, depth + 1), normalizeDecoded(x, code, depth + 1));
    return m;
  }
  return fail(code, "cbor", `unsupported CBOR item (${typeof v})`);
}

/**
 * Decodes one deterministic CBOR item. Rejects malformed CBOR, trailing bytes, undefined,
 * floats, and any input that is not already in deterministic form.
 */
export function decodeDeterministic(
  bytes: Uint8Array,
  code: AppraisalErrorCode = "ERR_REFERENCE_FORMAT",
): CborValue {
  let raw: unknown;
  try {
    raw = decoder.decode(bytes);
  } catch (e) {
    return fail(code, "cbor", `malformed CBOR (${e instanceof Error ? e.message : String(e)})`);
  }
  const value = normalizeDecoded(raw, code, 0);
  const again = encodeDeterministic(value, code);
  if (compareBytes(again, bytes) !== 0) {
    fail(code, "cbor", "not in deterministic encoding (RFC 8949 section 4.2.1) or has trailing bytes");
  }
  return value;
}

/** Reads a map entry with a text or integer key from a decoded map. */
export function mapGet(m: ReadonlyMap<CborValue, CborValue>, key: string | number): CborValue | undefined {
  return m.get(key);
}
