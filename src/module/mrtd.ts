/**
 * The MRTD accumulator (tdx-reference.md §5): one running SHA-384 opened by TDH.MNG.INIT, fed one
 * 128-byte block per TDH.MEM.PAGE.ADD and a 128-byte header plus 256 bytes of page data per
 * TDH.MR.EXTEND, closed by TDH.MR.FINALIZE.
 *
 * Why a staging buffer: a 4 KiB page costs 1 + 16×2 tiny `update` calls if fed directly, and the
 * per-call overhead dominates the hash itself. Blocks are copied into one reusable buffer
 * (64 KiB by default) that is handed to the hash when full, so the hashed byte stream is
 * exactly the spec's and the number of backend calls drops ~170-fold.
 */

import { sha384 } from "@noble/hashes/sha2.js";
import type { CryptoBackend, HashContext } from "../crypto/index.js";
import { defaultCrypto } from "../crypto/index.js";

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
  view.setUint32(off, v % 0x1_0000_0000, true);
  view.setUint32(off + 4, Math.floor(v / 0x1_0000_0000), true);
}

const PAGE_ADD_TEMPLATE = mrtdBlock(TAG_PAGE_ADD, 0);
const MR_EXTEND_TEMPLATE = mrtdBlock(TAG_MR_EXTEND, 0);

/** A hash context that can also report the digest of its current prefix without closing. */
interface ForkableHash {
  update(data: Uint8Array): void;
  digest(): Uint8Array;
  peek(): Uint8Array | undefined;
}

/** Wraps a backend context; `peek()` works when the context exposes `clone()` or `copy()`. */
function forkable(ctx: HashContext): ForkableHash {
  const c = ctx as HashContext & { clone?: () => HashContext; copy?: () => HashContext };
  return {
    update: (d) => void ctx.update(d),
    digest: () => ctx.digest(),
    peek: () =>
      typeof c.clone === "function"
        ? c.clone().digest()
        : typeof c.copy === "function"
          ? c.copy().digest()
          : undefined,
  };
}

function nobleForkable(): ForkableHash {
  const h = sha384.create();
  return { update: (d) => void h.update(d), digest: () => h.digest(), peek: () => h.clone().digest() };
}

export interface MrtdOptions {
  /** Staging buffer size in bytes (multiple of 128, ≥ 384). Default 64 KiB. */
  stagingSize?: number;
  /**
   * Also feed a cloneable @noble/hashes SHA-384 so `peek()` can report running MRTD values
   * (launch traces). The backend's contexts are not cloneable through `HashContext`; the
   * final MRTD always comes from the backend. Costs a second (slower) hash. Default false.
   */
  running?: boolean;
}

/** Streaming MRTD: `pageAdd`/`extend` in call order, then `finalize()` once. */
export class MrtdAccumulator {
  private readonly main: ForkableHash;
  private readonly shadow: ForkableHash | undefined;
  private readonly stage: Uint8Array;
  private readonly view: DataView;
  private fill = 0;
  private done = false;
  /** Total bytes fed to SHA-384 so far (the MRTD byte stream length). */
  bytesHashed = 0;

  constructor(crypto: CryptoBackend = defaultCrypto(), opts: MrtdOptions = {}) {
    const size = opts.stagingSize ?? 64 * 1024;
    if (size % MRTD_BLOCK_SIZE !== 0 || size < 3 * MRTD_BLOCK_SIZE)
      throw new RangeError(`MrtdAccumulator: bad staging size ${size}`);
    this.main = forkable(crypto.createHash("sha384"));
    this.shadow = opts.running ? nobleForkable() : undefined;
    this.stage = new Uint8Array(size);
    this.view = new DataView(this.stage.buffer);
  }

  /** TDH.MEM.PAGE.ADD contribution (§5.1): the GPA only, never the page contents. */
  pageAdd(gpa: number): void {
    this.room(MRTD_BLOCK_SIZE);
    this.stage.set(PAGE_ADD_TEMPLATE, this.fill);
    writeU64(this.view, this.fill + 16, gpa);
    this.fill += MRTD_BLOCK_SIZE;
  }

  /** TDH.MR.EXTEND contribution (§5.2): header block then the 256 plaintext bytes at `gpa`. */
  extend(gpa: number, chunk: Uint8Array): void {
    if (chunk.length !== MR_EXTEND_CHUNK)
      throw new RangeError(`MrtdAccumulator.extend: chunk is ${chunk.length} bytes`);
    this.room(MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK);
    const at = this.fill;
    this.stage.set(MR_EXTEND_TEMPLATE, at);
    writeU64(this.view, at + 16, gpa);
    this.stage.set(chunk, at + MRTD_BLOCK_SIZE);
    this.fill = at + MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK;
  }

  /** `extend` with the chunk at `buf[off .. off + 256)` (a chunk of a page slab). */
  extendFrom(gpa: number, buf: Uint8Array, off: number): void {
    if (off < 0 || off + MR_EXTEND_CHUNK > buf.length)
      throw new RangeError("MrtdAccumulator.extendFrom: chunk outside buffer");
    this.room(MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK);
    const at = this.fill;
    this.stage.set(MR_EXTEND_TEMPLATE, at);
    writeU64(this.view, at + 16, gpa);
    this.stage.set(buf.subarray(off, off + MR_EXTEND_CHUNK), at + MRTD_BLOCK_SIZE);
    this.fill = at + MRTD_BLOCK_SIZE + MR_EXTEND_CHUNK;
  }

  /** The MRTD the TD would get if TDH.MR.FINALIZE ran now, or undefined if no backend can fork. */
  peek(): Uint8Array | undefined {
    this.flush();
    return this.main.peek() ?? this.shadow?.peek();
  }

  /** TDH.MR.FINALIZE (§5.3): the 48-byte MRTD. */
  finalize(): Uint8Array {
    if (this.done) throw new Error("MrtdAccumulator.finalize called twice");
    this.flush();
    this.done = true;
    return this.main.digest();
  }

  private room(n: number): void {
    if (this.done) throw new Error("MrtdAccumulator used after finalize");
    if (this.fill + n > this.stage.length) this.flush();
  }

  private flush(): void {
    if (this.fill === 0) return;
    const part = this.stage.subarray(0, this.fill);
    this.main.update(part);
    this.shadow?.update(part);
    this.bytesHashed += this.fill;
    this.fill = 0;
  }
}
