/**
 * Strict DER reader for exactly what DCAP needs: X.509 certificates, CRLs, the SGX extension and
 * ECDSA signatures (noble-curves `der.ts` strictness, style.md): definite minimal lengths only,
 * low tag numbers only, minimal INTEGERs, no trailing bytes. Every element keeps a view of its
 * original encoding (`raw`) so signatures are checked over the bytes as received, never over a
 * re-encoding (tdx-reference.md section 14.2).
 */
import { hexOffset, ParseError } from "../errors.js";

/** Universal tags used here. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * One decoded TLV: positions inside `buf`. `content` and `raw` are views created on demand
 * (most elements are only walked through, and a cold verification decodes about a thousand).
 */
export class DerElement {
  constructor(
    readonly tag: number,
    /** The buffer the element lies in. */
    readonly buf: Uint8Array,
    /** Index of the tag byte in `buf`. */
    readonly start: number,
    /** Index of the first content byte in `buf`. */
    readonly contentStart: number,
    /** Index after the last content byte in `buf`. */
    readonly end: number,
    /** Absolute offset of `buf[0]` (for messages). */
    readonly base: number,
  ) {}

  /** Content octets. */
  get content(): Uint8Array {
    return this.buf.subarray(this.contentStart, this.end);
  }

  /** Tag, length and content octets as found. */
  get raw(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Absolute offset of the tag byte. */
  get offset(): number {
    return this.base + this.start;
  }

  get length(): number {
    return this.end - this.start;
  }
}

function fail(context: string, offset: number, why: string): never {
  throw new ParseError("ERR_BAD_DER", `${context}: ${why} at ${hexOffset(offset)}`, {
    field: context,
    offset,
  });
}

/**
 * Reads one TLV at `pos` of `buf`, within `buf[..limit)`; `base` is the absolute offset of
 * `buf[0]`.
 */
export function readTlv(
  buf: Uint8Array,
  pos: number,
  context: string,
  base = 0,
  limit = buf.length,
): DerElement {
  const at = base + pos;
  if (pos + 2 > limit) fail(context, at, "truncated header");
  const tag = buf[pos] as number;
  if ((tag & 0x1f) === 0x1f) fail(context, at, "high tag numbers are not supported");
  let len = buf[pos + 1] as number;
  let hdr = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) fail(context, at, "indefinite length is not DER");
    if (n > 3) fail(context, at, "length too large");
    if (pos + 2 + n > limit) fail(context, at, "truncated length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + 2 + i] as number);
    if (buf[pos + 2] === 0 || len < 0x80) fail(context, at, "non-minimal length");
    hdr += n;
  }
  const end = pos + hdr + len;
  if (end > limit) fail(context, at, `declares ${len} content bytes, ${limit - pos - hdr} remain`);
  return new DerElement(tag, buf, pos, pos + hdr, end, base);
}

/** Decodes a buffer that must hold exactly one element of `tag`. */
export function decodeDer(buf: Uint8Array, tag: number, context: string): DerElement {
  const el = readTlv(buf, 0, context);
  if (el.end !== buf.length) fail(context, el.end, "trailing bytes after element");
  return expectTag(el, tag, context);
}

export function expectTag(el: DerElement, tag: number, context: string): DerElement {
  if (el.tag !== tag)
    fail(context, el.offset, `expected tag 0x${tag.toString(16)}, found 0x${el.tag.toString(16)}`);
  return el;
}

/** The child elements of a constructed element (SEQUENCE, SET, [n] EXPLICIT). */
export function children(el: DerElement, context: string): DerElement[] {
  if ((el.tag & 0x20) === 0) fail(context, el.offset, "expected a constructed element");
  const out: DerElement[] = [];
  let pos = el.contentStart;
  while (pos < el.end) {
    const c = readTlv(el.buf, pos, context, el.base, el.end);
    out.push(c);
    pos = c.end;
  }
  return out;
}

/** Children with an exact tag sequence check on the first `tags.length` entries. */
export function sequence(el: DerElement, context: string, min: number, max = min): DerElement[] {
  const cs = children(expectTag(el, TAG.SEQUENCE, context), context);
  if (cs.length < min || cs.length > max)
    fail(context, el.offset, `expected ${min}..${max} items, found ${cs.length}`);
  return cs;
}

/** Unsigned magnitude of a strictly minimal, non-negative INTEGER (leading 0x00 stripped). */
export function readUnsigned(el: DerElement, context: string, tag: number = TAG.INTEGER): Uint8Array {
  const c = expectTag(el, tag, context).content;
  if (c.length === 0) fail(context, el.offset, "empty INTEGER");
  if ((c[0] as number) & 0x80) fail(context, el.offset, "negative INTEGER");
  if (c.length > 1 && c[0] === 0 && ((c[1] as number) & 0x80) === 0)
    fail(context, el.offset, "non-minimal INTEGER");
  return c[0] === 0 && c.length > 1 ? c.subarray(1) : c;
}

/** A small non-negative INTEGER or ENUMERATED (below 2^48). */
export function readSmallInt(el: DerElement, context: string, tag: number = TAG.INTEGER): number {
  const mag = readUnsigned(el, context, tag);
  if (mag.length > 6) fail(context, el.offset, "integer too large");
  let v = 0;
  for (const b of mag) v = v * 256 + b;
  return v;
}

const OID_CACHE = new Map<string, string>();

/** Dotted form of an OBJECT IDENTIFIER (memoized: certificates repeat the same few OIDs). */
export function readOid(el: DerElement, context: string): string {
  const c = expectTag(el, TAG.OID, context).content;
  let key = "";
  for (let i = 0; i < c.length; i++) key += String.fromCharCode(c[i] as number);
  const hit = OID_CACHE.get(key);
  if (hit !== undefined) return hit;
  const dotted = decodeOid(c, el, context);
  if (OID_CACHE.size < 1024) OID_CACHE.set(key, dotted);
  return dotted;
}

function decodeOid(c: Uint8Array, el: DerElement, context: string): string {
  if (c.length === 0 || (c[c.length - 1] as number) & 0x80) fail(context, el.offset, "malformed OID");
  const arcs: number[] = [];
  let v = 0;
  let first = true;
  for (let i = 0; i < c.length; i++) {
    const b = c[i] as number;
    if (v === 0 && b === 0x80) fail(context, el.offset, "non-minimal OID arc");
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) fail(context, el.offset, "OID arc too large");
    if (b & 0x80) continue;
    if (first) {
      const x = v < 80 ? Math.floor(v / 40) : 2;
      arcs.push(x, v - 40 * x);
      first = false;
    } else arcs.push(v);
    v = 0;
  }
  return arcs.join(".");
}

/** BIT STRING content with zero unused bits. */
export function readBitString(el: DerElement, context: string): Uint8Array {
  const c = expectTag(el, TAG.BIT_STRING, context).content;
  if (c.length === 0 || c[0] !== 0) fail(context, el.offset, "BIT STRING must have 0 unused bits");
  return c.subarray(1);
}

export function readOctets(el: DerElement, context: string): Uint8Array {
  return expectTag(el, TAG.OCTET_STRING, context).content;
}

export function readBoolean(el: DerElement, context: string): boolean {
  const c = expectTag(el, TAG.BOOLEAN, context).content;
  if (c.length !== 1 || (c[0] !== 0 && c[0] !== 0xff))
    fail(context, el.offset, "BOOLEAN must be 0x00 or 0xFF");
  return c[0] === 0xff;
}

function digits(c: Uint8Array, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const d = (c[i] as number) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** UTCTime (YYMMDDHHMMSSZ, RFC 5280 4.1.2.5.1) or GeneralizedTime (YYYYMMDDHHMMSSZ) → ms since epoch. */
export function readTime(el: DerElement, context: string): number {
  const c = el.content;
  const utc = el.tag === TAG.UTC_TIME && c.length === 13;
  const gen = el.tag === TAG.GENERALIZED_TIME && c.length === 15;
  if ((!utc && !gen) || c[c.length - 1] !== 0x5a) fail(context, el.offset, "bad time value");
  const y0 = digits(c, 0, utc ? 2 : 4);
  const o = utc ? 2 : 4;
  const [mo, d, h, mi, se] = [0, 2, 4, 6, 8].map((k) => digits(c, o + k, 2)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  if (y0 < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) {
    fail(context, el.offset, "bad time value");
  }
  // RFC 5280 4.1.2.5.1: two-digit years 50..99 are 19xx, 00..49 are 20xx.
  const year = utc ? (y0 >= 50 ? 1900 + y0 : 2000 + y0) : y0;
  const t = Date.UTC(year, mo - 1, d, h, mi, se);
  if (new Date(t).getUTCDate() !== d) fail(context, el.offset, "invalid day of month");
  return t;
}

/** A string type (UTF8String, PrintableString, IA5String) as text. */
export function readString(el: DerElement, context: string): string {
  if (el.tag !== TAG.UTF8_STRING && el.tag !== TAG.PRINTABLE_STRING && el.tag !== TAG.IA5_STRING) {
    fail(context, el.offset, `expected a string, found tag 0x${el.tag.toString(16)}`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(el.content);
  } catch {
    return fail(context, el.offset, "invalid UTF-8");
  }
}

/**
 * ECDSA-Sig-Value `SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480) → raw 64-byte r || s, as the
 * CryptoBackend expects. Strict: minimal integers, each at most 32 bytes, nothing trailing.
 */
export function ecdsaDerToRaw(sig: Uint8Array, context: string): Uint8Array {
  const [r, s] = sequence(decodeDer(sig, TAG.SEQUENCE, context), context, 2) as [DerElement, DerElement];
  const out = new Uint8Array(64);
  for (const [i, el] of [r, s].entries()) {
    const mag = readUnsigned(el, context);
    if (mag.length > 32) fail(context, el.offset, "ECDSA integer longer than 32 bytes");
    out.set(mag, 32 * (i + 1) - mag.length);
  }
  return out;
}
