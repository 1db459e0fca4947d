/**
 * Minimal DER encoder for the test PKI (certificates, CRLs, the SGX extension): definite
 * minimal lengths and minimal INTEGERs, the exact inverse of der.ts for the types it handles.
 * Only the simulator uses it; verification never re-encodes anything.
 */
import { TAG } from "./der.js";

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/** One TLV with the given tag and content. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of content) n += c.length;
  const len = lengthBytes(n);
  const out = new Uint8Array(1 + len.length + n);
  out[0] = tag;
  out.set(len, 1);
  let o = 1 + len.length;
  for (const c of content) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export const seq = (...items: Uint8Array[]) => tlv(TAG.SEQUENCE, ...items);
export const set = (...items: Uint8Array[]) => tlv(TAG.SET, ...items);
export const octets = (b: Uint8Array) => tlv(TAG.OCTET_STRING, b);
export const bitString = (b: Uint8Array) => tlv(TAG.BIT_STRING, Uint8Array.of(0), b);
export const utf8String = (s: string) => tlv(TAG.UTF8_STRING, new TextEncoder().encode(s));
export const printableString = (s: string) => tlv(TAG.PRINTABLE_STRING, new TextEncoder().encode(s));
export const bool = (v: boolean) => tlv(TAG.BOOLEAN, Uint8Array.of(v ? 0xff : 0));
export const nullValue = () => tlv(TAG.NULL);
/** [n] EXPLICIT wrapper (constructed, context-specific). */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

/** Unsigned magnitude → minimal INTEGER (or ENUMERATED with `tag`). */
export function uintBytes(mag: Uint8Array, tag: number = TAG.INTEGER): Uint8Array {
  let i = 0;
  while (i < mag.length - 1 && mag[i] === 0) i++;
  const m = mag.subarray(i);
  const body = m.length === 0 ? Uint8Array.of(0) : (m[0] as number) & 0x80 ? Uint8Array.of(0, ...m) : m;
  return tlv(tag, body);
}

export function uint(v: number, tag: number = TAG.INTEGER): Uint8Array {
  const bytes: number[] = [];
  let x = v;
  do {
    bytes.unshift(x & 0xff);
    x = Math.floor(x / 256);
  } while (x > 0);
  return uintBytes(Uint8Array.from(bytes), tag);
}

export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  const out: number[] = [];
  const push = (v: number) => {
    const tmp = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) tmp.unshift(0x80 | (x & 0x7f));
    out.push(...tmp);
  };
  push((arcs[0] as number) * 40 + (arcs[1] as number));
  for (const a of arcs.slice(2)) push(a);
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** UTCTime for 1950-2049 (RFC 5280 4.1.2.5), GeneralizedTime otherwise. */
export function time(ms: number): Uint8Array {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  if (y >= 1950 && y < 2050) return tlv(TAG.UTC_TIME, new TextEncoder().encode(`${p(y % 100)}${rest}`));
  return tlv(TAG.GENERALIZED_TIME, new TextEncoder().encode(`${y}${rest}`));
}

/** Raw r || s (64 bytes) → DER ECDSA-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  return seq(uintBytes(raw.subarray(0, 32)), uintBytes(raw.subarray(32, 64)));
}
