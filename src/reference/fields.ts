/**
 * Strict field readers shared by the reference-value and policy validators (noble-style
 * strictness: every bad field is named, unknown fields are errors, nothing is guessed).
 *
 * The same validators read JSON documents (bytes as hex text, u64 as 16 hex digits in quote
 * byte order) and decoded CBOR documents (bytes as byte strings, u64 as integers): `mode`
 * selects the representation.
 */
import { fromHex, readU64 } from "../bytes.js";
import { AppraisalError, type AppraisalErrorCode } from "../errors.js";
import type { JsonValue } from "./types.js";

export type DocMode = "json" | "cbor";

export type Obj = { readonly [key: string]: unknown };

export class FieldReader {
  constructor(
    readonly code: AppraisalErrorCode,
    readonly mode: DocMode,
  ) {}

  fail(field: string, why: string): never {
    throw new AppraisalError(this.code, `${field}: ${why}`, { field });
  }

  object(v: unknown, field: string): Obj {
    if (typeof v !== "object" || v === null || Array.isArray(v) || v instanceof Uint8Array) {
      this.fail(field, "must be an object");
    }
    return v as Obj;
  }

  /** Rejects members other than `allowed` (typos must not silently weaken a check). */
  onlyKeys(o: Obj, field: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (!allowed.includes(k)) this.fail(`${field}.${k}`, `unknown field (allowed: ${allowed.join(", ")})`);
    }
  }

  array(v: unknown, field: string, max = 10_000): readonly unknown[] {
    if (!Array.isArray(v)) this.fail(field, "must be an array");
    if (v.length > max) this.fail(field, `has ${v.length} entries, at most ${max} allowed`);
    return v;
  }

  string(v: unknown, field: string, max = 4096): string {
    if (typeof v !== "string") this.fail(field, "must be a string");
    if (v.length > max) this.fail(field, `longer than ${max} characters`);
    return v;
  }

  boolean(v: unknown, field: string): boolean {
    if (typeof v !== "boolean") this.fail(field, "must be true or false");
    return v;
  }

  int(v: unknown, field: string, min: number, max: number): number {
    const n = typeof v === "bigint" && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isSafeInteger(n)) this.fail(field, "must be an integer");
    if (n < min || n > max) this.fail(field, `must be between ${min} and ${max} (got ${n})`);
    return n;
  }

  /** Fixed-size bytes: lowercase/uppercase hex in JSON, a byte string in CBOR. */
  bytes(v: unknown, field: string, size: number): Uint8Array {
    if (this.mode === "cbor") {
      if (!(v instanceof Uint8Array)) this.fail(field, `must be a byte string of ${size} bytes`);
      if (v.length !== size) this.fail(field, `must be ${size} bytes (got ${v.length})`);
      return v;
    }
    if (typeof v !== "string" || !/^[0-9a-fA-F]*$/.test(v))
      this.fail(field, `must be ${size * 2} hex digits`);
    if (v.length !== size * 2) this.fail(field, `must be ${size * 2} hex digits (got ${v.length})`);
    return fromHex(v, field, size);
  }

  /**
   * A u64 flag word. JSON: 16 hex digits of the 8 bytes in quote order (little-endian, as
   * `quote show` prints them), or `0x`-prefixed big-endian number text; CBOR: an unsigned int.
   */
  u64(v: unknown, field: string): bigint {
    if (this.mode === "cbor") {
      if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
      if (typeof v === "bigint" && v >= 0n && v < 2n ** 64n) return v;
      this.fail(field, "must be an unsigned 64-bit integer");
    }
    if (typeof v !== "string") this.fail(field, "must be a hex string (16 hex digits, quote byte order)");
    if (/^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
    if (!/^[0-9a-fA-F]{16}$/.test(v))
      this.fail(field, "must be 16 hex digits (quote byte order) or 0x<number>");
    return readU64(fromHex(v, field, 8), 0);
  }

  /** An arbitrary JSON value without floats, depth-limited. */
  json(v: unknown, field: string, depth = 0): JsonValue {
    if (depth > 32) this.fail(field, "nested deeper than 32 levels");
    if (v === null || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number" || typeof v === "bigint")
      return this.int(v, field, -(2 ** 53) + 1, 2 ** 53 - 1);
    if (Array.isArray(v)) return v.map((x, i) => this.json(x, `${field}[${i}]`, depth + 1));
    const o = this.object(v, field);
    const out: { [key: string]: JsonValue } = {};
    for (const k of Object.keys(o).sort()) out[k] = this.json(o[k], `${field}.${k}`, depth + 1);
    return out;
  }
}

/**
 * Turns a decoded CBOR value (Maps with text keys) into plain objects so the same validator
 * reads both forms. Non-text map keys are a format error.
 */
export function cborToPlain(v: unknown, r: FieldReader, field = "cbor"): unknown {
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) {
      if (typeof k !== "string") r.fail(field, "map keys must be text strings");
      out[k] = cborToPlain(x, r, `${field}.${k}`);
    }
    return out;
  }
  if (Array.isArray(v)) return v.map((x, i) => cborToPlain(x, r, `${field}[${i}]`));
  return v;
}
