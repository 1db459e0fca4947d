/**
 * Byte helpers shared by every layer: bounds-checked little-endian reading and writing,
 * hex/base64 conversion, comparison and concatenation. Runtime-agnostic (no Buffer).
 *
 * All TDX structures are little-endian (tdx-reference.md section 0.1); the few big-endian
 * values (ECDSA r/s/x/y) are byte strings here and are never read as integers.
 */
import { hexOffset, ParseError } from "./errors.js";

export type Bytes = Uint8Array;

/**
 * A cursor over a byte range that checks bounds before every read. Errors name the structure
 * (`context`), the field and the absolute offset in the outermost buffer (`base` + position).
 */
export class ByteReader {
  private readonly view: DataView;
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    readonly context: string,
    /** Absolute offset of `bytes[0]` in the caller's outermost buffer (for messages). */
    readonly base = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  get absolute(): number {
    return this.base + this.pos;
  }

  /** Throws ERR_TRUNCATED unless `n` more bytes are available for `field`. */
  need(n: number, field: string): void {
    if (n < 0 || !Number.isSafeInteger(n) || this.pos + n > this.bytes.length) {
      throw new ParseError(
        "ERR_TRUNCATED",
        `${this.context}.${field}: needs ${n} bytes at ${hexOffset(this.absolute)}, ${this.remaining} remain`,
        { field: `${this.context}.${field}`, offset: this.absolute },
      );
    }
  }

  u8(field: string): number {
    this.need(1, field);
    const v = this.view.getUint8(this.pos);
    this.pos += 1;
    return v;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** A zero-copy view of the next `n` bytes. */
  subarray(n: number, field: string): Uint8Array {
    this.need(n, field);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** An owned copy of the next `n` bytes. */
  take(n: number, field: string): Uint8Array {
    return this.subarray(n, field).slice();
  }

  skip(n: number, field: string): void {
    this.need(n, field);
    this.pos += n;
  }

  /** A reader over the next `n` bytes (advancing this one), for nested length-prefixed data. */
  sub(n: number, field: string, context = `${this.context}.${field}`): ByteReader {
    const start = this.absolute;
    return new ByteReader(this.subarray(n, field), context, start);
  }

  /** Throws ERR_TRAILING_BYTES if anything is left. */
  end(): void {
    if (this.remaining !== 0) {
      throw new ParseError(
        "ERR_TRAILING_BYTES",
        `${this.context}: ${this.remaining} unexpected bytes at ${hexOffset(this.absolute)}`,
        { field: this.context, offset: this.absolute },
      );
    }
  }
}

/** Fixed-size little-endian writer; writing past the end is a bug, so it throws RangeError. */
export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  private room(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new RangeError(`ByteWriter: write of ${n} bytes at ${this.pos} exceeds ${this.bytes.length}`);
    }
  }

  u8(v: number): this {
    this.room(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  u64(v: bigint): this {
    this.room(8);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** Writes `b`; if `size` is given, `b` must have exactly that length. */
  raw(b: Uint8Array, size?: number): this {
    if (size !== undefined && b.length !== size) {
      throw new RangeError(`ByteWriter: expected ${size} bytes, got ${b.length}`);
    }
    this.room(b.length);
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.pos += n;
    return this;
  }
}

// ---------------------------------------------------------------------------------------------
// Integers

export function readU16(b: Uint8Array, off: number): number {
  return (b[off] ?? 0) | ((b[off + 1] ?? 0) << 8);
}

export function readU32(b: Uint8Array, off: number): number {
  return (
    ((b[off] ?? 0) | ((b[off + 1] ?? 0) << 8) | ((b[off + 2] ?? 0) << 16) | ((b[off + 3] ?? 0) << 24)) >>> 0
  );
}

export function readU64(b: Uint8Array, off: number): bigint {
  return BigInt(readU32(b, off)) | (BigInt(readU32(b, off + 4)) << 32n);
}

export function u64le(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return out;
}

export function u32le(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0, true);
  return out;
}

export function u16le(v: number): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, v & 0xffff, true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hex and base64

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i] as number];
  return s;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Decodes hex (either case, optional `0x` prefix). `field` names the value in errors.
 * If `size` is given the decoded value must have exactly that many bytes.
 */
export function fromHex(hex: string, field = "hex", size?: number): Uint8Array {
  let s = hex.trim();
  if (s.startsWith("0x") || s.startsWith("0X")) s = s.slice(2);
  if (s.length % 2 !== 0) {
    throw new ParseError("ERR_BAD_ENCODING", `${field}: hex string has odd length ${s.length}`, { field });
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(s.charCodeAt(2 * i));
    const lo = hexNibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new ParseError("ERR_BAD_ENCODING", `${field}: invalid hex character at position ${2 * i}`, {
        field,
        offset: i,
      });
    }
    out[i] = (hi << 4) | lo;
  }
  if (size !== undefined && out.length !== size) {
    throw new ParseError("ERR_BAD_LENGTH", `${field}: expected ${size} bytes of hex, got ${out.length}`, {
      field,
    });
  }
  return out;
}

export function isHexText(s: string): boolean {
  const t = s.trim().replace(/^0x/i, "");
  return t.length > 0 && t.length % 2 === 0 && /^[0-9a-fA-F]+$/.test(t);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  t["-".charCodeAt(0)] = 62; // base64url
  t["_".charCodeAt(0)] = 63;
  return t;
})();

export function toBase64(b: Uint8Array): string {
  let s = "";
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    s += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = b.length - i;
  if (rest === 1) {
    const n = (b[i] as number) << 16;
    s += `${B64[(n >> 18) & 63]}${B64[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8);
    s += `${B64[(n >> 18) & 63]}${B64[(n >> 12) & 63]}${B64[(n >> 6) & 63]}=`;
  }
  return s;
}

/** Decodes standard or URL-safe base64, ignoring whitespace; padding optional. */
export function fromBase64(text: string, field = "base64"): Uint8Array {
  const s = text.replace(/\s+/g, "").replace(/=+$/, "");
  if (s.length % 4 === 1) {
    throw new ParseError("ERR_BAD_ENCODING", `${field}: base64 length ${s.length} is impossible`, { field });
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? (B64_INDEX[c] as number) : -1;
    if (v < 0) {
      throw new ParseError("ERR_BAD_ENCODING", `${field}: invalid base64 character at position ${i}`, {
        field,
        offset: i,
      });
    }
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, o);
}

export function isBase64Text(s: string): boolean {
  const t = s.replace(/\s+/g, "");
  return t.length > 0 && /^[A-Za-z0-9+/_-]+={0,2}$/.test(t);
}

// ---------------------------------------------------------------------------------------------
// Misc

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function isAllZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** ASCII (or Latin-1) string to bytes; throws RangeError for code points above 0xFF (a bug). */
export function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`asciiBytes: non-Latin-1 character at ${i}`);
    out[i] = c;
  }
  return out;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });
const utf8Encoder = new TextEncoder();

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

export function fromUtf8(b: Uint8Array): string {
  return utf8Decoder.decode(b);
}

/** UTF-16LE encoding of a JS string (UEFI strings, kernel command lines). */
export function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i] = c & 0xff;
    out[2 * i + 1] = c >> 8;
  }
  return out;
}

export function fromUtf16le(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i + 1 < b.length; i += 2)
    s += String.fromCharCode((b[i] as number) | ((b[i + 1] as number) << 8));
  return s;
}
