/**
 * Typed field readers for Intel's collateral JSON (TCB info v3, QE identity v2;
 * tdx-reference.md sections 15.2 and 15.4). Every mismatch is a CollateralError naming the path.
 */
import { fromHex } from "../bytes.js";
import { CollateralError, ParseError } from "../errors.js";

export type Json = Record<string, unknown>;

export function formatError(path: string, why: string): CollateralError {
  return new CollateralError("ERR_COLLATERAL_FORMAT", `${path}: ${why}`, { field: path });
}

export function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ParseError("ERR_BAD_JSON", `${field}: invalid JSON (${(e as Error).message})`, { field });
  }
}

export function obj(v: unknown, path: string): Json {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw formatError(path, "expected an object");
  return v as Json;
}

export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw formatError(path, "expected an array");
  return v;
}

export function str(o: Json, key: string, path: string): string {
  const v = o[key];
  if (typeof v !== "string") throw formatError(`${path}.${key}`, "expected a string");
  return v;
}

export function int(o: Json, key: string, path: string, max = 0xffffffff): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    throw formatError(`${path}.${key}`, `expected an integer in 0..${max}`);
  }
  return v;
}

/** Fixed-size hex (either case). */
export function hex(o: Json, key: string, path: string, size: number): Uint8Array {
  const s = str(o, key, path);
  if (s.length !== size * 2 || !/^[0-9a-fA-F]*$/.test(s))
    throw formatError(`${path}.${key}`, `expected ${size} bytes of hex`);
  return fromHex(s, `${path}.${key}`, size);
}

const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(\.\d+)?(?:([Zz])|([+-])(\d\d):(\d\d))$/;

/**
 * RFC 3339 date-time → ms since epoch, or NaN. Calendar fields are range-checked (Date.parse
 * would roll 2025-02-30 over to March 2 and accept 24:00); `t`/`z` may be lowercase and the
 * offset numeric (RFC 3339 5.6, as chrono's parser used by dcap-qvl accepts). A leap second 60
 * counts as the end of that minute's 59th second.
 */
export function parseRfc3339(s: string): number {
  const m = RFC3339.exec(s);
  if (!m) return Number.NaN;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const dim = new Date(Date.UTC(y, mo, 0)).getUTCDate(); // days in month `mo` (1-based)
  const oh = Number(m[10] ?? 0);
  const om = Number(m[11] ?? 0);
  if (
    y < 100 ||
    mo < 1 ||
    mo > 12 ||
    d < 1 ||
    d > dim ||
    h > 23 ||
    mi > 59 ||
    se > 60 ||
    oh > 23 ||
    om > 59
  ) {
    return Number.NaN;
  }
  const frac = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const sign = m[9] === "-" ? -1 : 1;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(se, 59)) + (se === 60 ? 999 : frac);
  return t - (m[8] ? 0 : sign * (oh * 60 + om) * 60_000);
}

/** RFC 3339 timestamp field ("2025-06-19T10:16:03Z", optional fraction) → ms since epoch. */
export function date(o: Json, key: string, path: string): number {
  const s = str(o, key, path);
  const t = parseRfc3339(s);
  if (Number.isNaN(t)) throw formatError(`${path}.${key}`, `expected an RFC 3339 date-time, got "${s}"`);
  return t;
}

export function strings(o: Json, key: string, path: string): string[] {
  const v = o[key];
  if (v === undefined) return [];
  return arr(v, `${path}.${key}`).map((x, i) => {
    if (typeof x !== "string") throw formatError(`${path}.${key}[${i}]`, "expected a string");
    return x;
  });
}

/**
 * The exact text of the value of top-level `key` in a JSON object text (tdx-reference.md 15.1:
 * the PCS signature covers these bytes as they appear in the body, never a re-serialization).
 */
export function topLevelValueText(text: string, key: string, field: string): string {
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      i++;
      while (i < n && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
      i++;
      if (depth === 1 && text.slice(start + 1, i - 1) === key) {
        let j = i;
        while (j < n && /\s/.test(text[j] as string)) j++;
        if (text[j] === ":") return valueAt(text, j + 1, field);
      }
      continue;
    }
    if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    i++;
  }
  throw formatError(field, `no top-level "${key}" member`);
}

function valueAt(text: string, from: number, field: string): string {
  let i = from;
  while (/\s/.test(text[i] ?? "")) i++;
  if (text[i] !== "{") throw formatError(field, "expected an object value");
  const start = i;
  let depth = 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  throw formatError(field, "unterminated object");
}
