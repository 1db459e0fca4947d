/**
 * The MRTD accumulator (tdx-reference.md §5): one running SHA-384 opened by TDH.MNG.INIT, fed one
 * 128-byte block per TDH.MEM.PAGE.ADD and a 128-byte header plus 256 bytes of page data per
 * TDH.MR.EXTEND, closed by TDH.MR.FINALIZE.
 *
 * Why a staging buffer: a 4 KiB page costs 1 + 16×2 tiny `update` calls if fed directly, and the
 * per-call overhead dominates the hash itself. Blocks are copied into one reusable buffer
 * (≈ 122 KiB by default) that is handed to the hash when full, so the hashed byte stream is
 * exactly the spec's and the number of backend calls drops ~340-fold.
 */

import type { CryptoBackend, HashContext } from "../crypto/index.js";
import { defaultCrypto } from "../crypto/index.js";
import { acquireKernel, type MrtdKernel, releaseKernel } from "./mrtd-kernel.js";
import type { PageSource } from "./td-state.js";

export const MRTD_BLOCK_SIZE = 128;
export const MR_EXTEND_CHUNK = 256;
export const MRTD_SIZE = 48;

const TAG_PAGE_ADD = "MEM.PAGE.ADD";
const TAG_MR_EXTEND = "MR.EXTEND";

/** The 128-byte block `tag ‖ zero pad to 16 ‖ u64le(gpa) ‖ 104 zero bytes` (§5.4). */
export function mrtdBlock(tag: string, gpa: number): Uint8Array {
  const b = new Uint8Array(MRTD_BLOCK_SIZE);
  for (let i = 0; i < tag.length; i++) b[i] = tag.charCodeAt(i);
  writeU64(new DataView(b.buffer), 16, gpa);
  return b;
}

function writeU64(view: DataView, off: number, v: number): void {
  const lo = v >>> 0; // exact low word for any safe integer (no float modulo)
  view.setUint32(off, lo, true);
  view.setUint32(off + 4, (v - lo) / 0x1_0000_0000, true);
}

/** The tags as little-endian u32 words (headers are written field by field, see `flush`). */
const tagWords = (tag: string): number[] => {
  const b = mrtdBlock(tag, 0);
  const v = new DataView(b.buffer);
  return [v.getUint32(0, true), v.getUint32(4, true), v.getUint32(8, true)];
};
const [PA0, PA1, PA2] = tagWords(TAG_PAGE_ADD) as [number, number, number];
const [EX0, EX1, EX2] = tagWords(TAG_MR_EXTEND) as [number, number, number];

const PAGE_CACHE = 4096;
/** What a 128-byte unit of the stage holds now (`dirty`): zeros, chunk data or a header. */
const UNIT_ZERO = 0;
const UNIT_DATA = 1;
const UNIT_PAGE_ADD = 2;
const UNIT_EXTEND = 3;

/** Twenty single-pass page records (128 + 16 × 384 bytes each): 125,440 bytes. */
const DEFAULT_STAGING = 20 * (MRTD_BLOCK_SIZE + 16 * (MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK));

export interface MrtdOptions {
  /** Staging buffer size in bytes (multiple of 128, ≥ 384). Default 125,440 (≈ 122 KiB). */
  stagingSize?: number;
  /**
   * "wasm" (default): the staging kernel of mrtd-kernel.ts when WebAssembly is available, else
   * JavaScript; "js": always the JavaScript path. Both produce the same byte stream.
   */
  kernel?: "wasm" | "js";
}

/** Streaming MRTD: `pageAdd`/`extend` in call order, then `finalize()` once. */
export class MrtdAccumulator {
  private readonly main: HashContext;
  /** The WebAssembly staging kernel (its memory holds `stage`), or undefined for the JS path. */
  private kernel: MrtdKernel | undefined;
  private readonly stage: Uint8Array;
  private readonly view: DataView;
  /**
   * One UNIT_* tag per 128-byte unit of `stage` (see `header`). With the default staging size (a
   * multiple of the 6272-byte single-pass page record) headers keep landing on units that hold
   * a header of the same kind, so a header costs one u64 store.
   */
  private readonly dirty: Uint8Array;
  private fill = 0;
  private done = false;
  /** End of the hashed area of `stage` (the page cache follows it). */
  private readonly limit: number;
  private cachedSrc: PageSource | undefined;
  /** The page cache behind the stage (a provider's `readPage` target). */
  private readonly cache: Uint8Array;
  private cachedOff = -1;
  /** Total bytes fed to SHA-384 so far (the MRTD byte stream length). */
  bytesHashed = 0;

  constructor(crypto: CryptoBackend = defaultCrypto(), opts: MrtdOptions = {}) {
    const size = opts.stagingSize ?? DEFAULT_STAGING;
    if (size % MRTD_BLOCK_SIZE !== 0 || size < 3 * MRTD_BLOCK_SIZE)
      throw new RangeError(`MrtdAccumulator: bad staging size ${size}`);
    this.main = crypto.createHash("sha384");
    // The stage is followed by a 4 KiB page cache (never hashed) for `extendFromPage`.
    this.kernel = opts.kernel === "js" ? undefined : acquireKernel(size + PAGE_CACHE);
    this.stage = this.kernel
      ? this.kernel.memory.subarray(0, size + PAGE_CACHE)
      : new Uint8Array(size + PAGE_CACHE);
    this.limit = size;
    this.view = new DataView(this.stage.buffer);
    this.dirty = new Uint8Array(size / MRTD_BLOCK_SIZE).fill(UNIT_ZERO);
    this.cache = this.stage.subarray(size);
  }

  /** TDH.MEM.PAGE.ADD contribution (§5.1): the GPA only, never the page contents. */
  pageAdd(gpa: number): void {
    this.room(MRTD_BLOCK_SIZE);
    const at = this.fill;
    if (this.kernel) {
      const lo = gpa >>> 0;
      this.kernel.pageAdd(at, lo, (gpa - lo) / 0x1_0000_0000);
    } else this.header(at, gpa, PA0, PA1, PA2);
    this.fill = at + MRTD_BLOCK_SIZE;
  }

  /** TDH.MR.EXTEND contribution (§5.2): header block then the 256 plaintext bytes at `gpa`. */
  extend(gpa: number, chunk: Uint8Array): void {
    if (chunk.length !== MR_EXTEND_CHUNK)
      throw new RangeError(`MrtdAccumulator.extend: chunk is ${chunk.length} bytes`);
    this.extendFrom(gpa, chunk, 0);
  }

  /** `extend` with the chunk at `buf[off .. off + 256)` (a chunk of a page slab or source). */
  extendFrom(gpa: number, buf: Uint8Array, off: number): void {
    if (off < 0 || off + MR_EXTEND_CHUNK > buf.length)
      throw new RangeError("MrtdAccumulator.extendFrom: chunk outside buffer");
    this.room(MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK);
    const at = this.fill;
    if (this.kernel) {
      // The chunk goes through the page cache (which then no longer holds a cached page).
      this.stage.set(buf.subarray(off, off + MR_EXTEND_CHUNK), this.limit);
      this.cachedSrc = undefined;
      const lo = gpa >>> 0;
      this.kernel.extend(at, this.limit, lo, (gpa - lo) / 0x1_0000_0000, 1);
      this.fill = at + MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK;
      return;
    }
    this.header(at, gpa, EX0, EX1, EX2);
    const data = at + MRTD_BLOCK_SIZE;
    this.stage.set(buf.subarray(off, off + MR_EXTEND_CHUNK), data);
    const u = data >>> 7;
    this.dirty[u] = UNIT_DATA;
    this.dirty[u + 1] = UNIT_DATA;
    this.fill = data + MR_EXTEND_CHUNK;
  }

  /**
   * `extendFrom` for `count` consecutive chunks of an immutable 4 KiB page (the 4096 bytes at
   * `pageOff` of a buffer or page provider never change once added, as TD pages do not): the
   * page is copied (or read) once into a cache after the stage; the WebAssembly kernel then
   * writes all its records in one call (the JS path moves each chunk with `copyWithin`), so the
   * 16 extends of a page make no per-chunk allocation or backend call.
   */
  extendFromPage(gpa: number, src: PageSource, pageOff: number, chunkOff: number, count = 1): void {
    const last = chunkOff + count * MR_EXTEND_CHUNK;
    if (
      pageOff < 0 ||
      pageOff + PAGE_CACHE > src.byteLength ||
      chunkOff < 0 ||
      count < 0 ||
      last > PAGE_CACHE
    )
      throw new RangeError("MrtdAccumulator.extendFromPage: chunk outside buffer");
    if (this.done) throw new Error("MrtdAccumulator used after finalize");
    const stage = this.stage;
    const cache = this.limit;
    if (this.cachedSrc !== src || this.cachedOff !== pageOff) {
      if (src instanceof Uint8Array) stage.set(src.subarray(pageOff, pageOff + PAGE_CACHE), cache);
      else src.readPage(pageOff, this.cache);
      this.cachedSrc = src;
      this.cachedOff = pageOff;
    }
    if (this.kernel) {
      this.kernelExtend(this.kernel, gpa, chunkOff, count);
      return;
    }
    const dirty = this.dirty;
    for (let c = chunkOff, g = gpa; c < last; c += MR_EXTEND_CHUNK, g += MR_EXTEND_CHUNK) {
      if (this.fill + MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK > cache) this.flush();
      const at = this.fill;
      this.header(at, g, EX0, EX1, EX2);
      const data = at + MRTD_BLOCK_SIZE;
      stage.copyWithin(data, cache + c, cache + c + MR_EXTEND_CHUNK);
      dirty[data >>> 7] = UNIT_DATA;
      dirty[(data >>> 7) + 1] = UNIT_DATA;
      this.fill = data + MR_EXTEND_CHUNK;
    }
  }

  /** Chunks `chunkOff ..` of the cached page through the kernel, as many per call as fit. */
  private kernelExtend(k: MrtdKernel, gpa: number, chunkOff: number, count: number): void {
    const record = MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK;
    let left = count;
    let g = gpa;
    let c = chunkOff;
    while (left > 0) {
      let n = Math.min(left, Math.floor((this.limit - this.fill) / record));
      if (n === 0) {
        this.flush();
        n = Math.min(left, Math.floor(this.limit / record));
      }
      const lo = g >>> 0;
      k.extend(this.fill, this.limit + c, lo, (g - lo) / 0x1_0000_0000, n);
      this.fill += n * record;
      left -= n;
      g += n * MR_EXTEND_CHUNK;
      c += n * MR_EXTEND_CHUNK;
    }
  }

  /** The MRTD the TD would get if TDH.MR.FINALIZE ran now (a clone of the running hash). */
  peek(): Uint8Array {
    if (this.done) throw new Error("MrtdAccumulator used after finalize");
    this.flush();
    return this.main.clone().digest();
  }

  /** TDH.MR.FINALIZE (§5.3): the 48-byte MRTD. */
  finalize(): Uint8Array {
    if (this.done) throw new Error("MrtdAccumulator.finalize called twice");
    this.flush();
    this.done = true;
    if (this.kernel) releaseKernel(this.kernel);
    this.kernel = undefined;
    return this.main.digest();
  }

  private room(n: number): void {
    if (this.done) throw new Error("MrtdAccumulator used after finalize");
    if (this.fill + n > this.limit) this.flush();
  }

  /**
   * A 128-byte header block at `at`: tag words, zero pad, u64 GPA, zeros (§5.4). The unit's
   * previous content decides what must be written: after chunk data the whole block, after a
   * header of the other kind the tag and GPA, after a header of the same kind only the GPA (the
   * steady state of a single-pass stream, whose page records keep landing on the same units).
   */
  private header(at: number, gpa: number, w0: number, w1: number, w2: number): void {
    const u = at >>> 7;
    const kind = w0 === PA0 ? UNIT_PAGE_ADD : UNIT_EXTEND;
    const was = this.dirty[u];
    const v = this.view;
    if (was !== kind) {
      if (was === UNIT_DATA) this.stage.fill(0, at + 12, at + MRTD_BLOCK_SIZE);
      v.setUint32(at, w0, true);
      v.setUint32(at + 4, w1, true);
      v.setUint32(at + 8, w2, true);
      this.dirty[u] = kind;
    }
    writeU64(v, at + 16, gpa);
  }

  /** Hands the staged bytes to the hash (the stage is then reused from its start). */
  private flush(): void {
    if (this.fill === 0) return;
    const part = this.stage.subarray(0, this.fill);
    this.main.update(part);
    this.bytesHashed += this.fill;
    this.fill = 0;
  }
}
