/**
 * Shared helpers for the fixed-layout ABI codecs: a checked struct writer (bad field values from
 * callers become ParseError ERR_BAD_VALUE / ERR_BAD_LENGTH naming the field, never RangeError),
 * exact-size checks for decoders, and reserved-area findings.
 */
import { hexOffset, ParseError } from "../errors.js";

/** A non-zero reserved area found while decoding (reported, not rejected, by the decoders). */
export interface ReservedFinding {
  /** Dotted field path, e.g. `TdParams.reserved.r42`. */
  readonly field: string;
  /** Offset of the area in the structure. */
  readonly offset: number;
  readonly length: number;
}

/** Throws ERR_TRUNCATED / ERR_BAD_LENGTH unless `bytes` has exactly `size` bytes. */
export function expectSize(bytes: Uint8Array, size: number, what: string): void {
  if (bytes.length < size) {
    throw new ParseError("ERR_TRUNCATED", `${what}: needs ${size} bytes at 0x0, ${bytes.length} given`, {
      field: what,
      offset: bytes.length,
    });
  }
  if (bytes.length > size) {
    throw new ParseError("ERR_BAD_LENGTH", `${what}: must be exactly ${size} bytes, got ${bytes.length}`, {
      field: what,
      offset: size,
    });
  }
}

export function nonZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return true;
  return false;
}

/** Fixed-size little-endian struct writer that validates every value against its field width. */
export class StructWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(
    size: number,
    private readonly context: string,
  ) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  private bad(field: string, what: string): never {
    throw new ParseError("ERR_BAD_VALUE", `${this.context}.${field}: ${what} (at ${hexOffset(this.pos)})`, {
      field: `${this.context}.${field}`,
      offset: this.pos,
    });
  }

  private room(n: number, field: string): void {
    if (this.pos + n > this.bytes.length) this.bad(field, `does not fit in ${this.bytes.length} bytes`);
  }

  private uint(v: number, bits: number, field: string): void {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) this.bad(field, `${String(v)} is not a u${bits}`);
  }

  u8(v: number, field: string): this {
    this.uint(v, 8, field);
    this.room(1, field);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number, field: string): this {
    this.uint(v, 16, field);
    this.room(2, field);
    this.view.setUint16(this.pos, v, true);
    this.pos += 2;
    return this;
  }

  u32(v: number, field: string): this {
    this.uint(v, 32, field);
    this.room(4, field);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  u64(v: bigint, field: string): this {
    if (typeof v !== "bigint" || v < 0n || v >= 1n << 64n) this.bad(field, `${String(v)} is not a u64`);
    this.room(8, field);
    this.view.setBigUint64(this.pos, v, true);
    this.pos += 8;
    return this;
  }

  /** Writes `b`, which must have exactly `size` bytes (ERR_BAD_LENGTH otherwise). */
  fixed(b: Uint8Array, size: number, field: string): this {
    if (!(b instanceof Uint8Array) || b.length !== size) {
      throw new ParseError(
        "ERR_BAD_LENGTH",
        `${this.context}.${field}: must be ${size} bytes, got ${b instanceof Uint8Array ? b.length : typeof b}`,
        { field: `${this.context}.${field}`, offset: this.pos },
      );
    }
    this.room(size, field);
    this.bytes.set(b, this.pos);
    this.pos += size;
    return this;
  }

  /** Returns the bytes; the layout must have filled the struct exactly. */
  finish(): Uint8Array {
    if (this.pos !== this.bytes.length)
      this.bad("(end)", `layout wrote ${this.pos} of ${this.bytes.length} bytes`);
    return this.bytes;
  }
}
