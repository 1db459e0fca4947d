/**
 * An optional WebAssembly kernel for the MRTD staging buffer (tdx-reference.md §5.4): it writes
 * the 128-byte TDH.MEM.PAGE.ADD / TDH.MR.EXTEND blocks and places each 256-byte chunk after its
 * block, a page (16 chunks) per call. In JavaScript the same work is 16 `copyWithin` calls and
 * 16 header writes per page, whose per-call cost is most of the replay's overhead over the hash.
 * WebAssembly is little-endian on every host, so the blocks are the spec's bytes everywhere.
 *
 * The module (233 bytes, assembled from the text below; the stage lives in its memory):
 *
 *   (module (import "e" "m" (memory 1))
 *     ;; x: n MR.EXTEND records at $at: block(gpa), then 256 bytes from $src; gpa, src += 256
 *     (func (export "x") (param $at i32) (param $src i32) (param $lo i32) (param $hi i32)
 *                        (param $n i32) (local $g i64)
 *       (local.set $g (i64.or (i64.extend_i32_u $lo) (i64.shl (i64.extend_i32_u $hi) (i64.const 32))))
 *       (block (loop
 *         (br_if 1 (i32.eqz $n))
 *         (i64.store $at (i64.const "MR.EXTEN")) (i64.store offset=8 $at (i64.const "D\0\0\0\0\0\0\0"))
 *         (i64.store offset=16 $at $g) (memory.fill (i32.add $at 24) 0 104)
 *         (memory.copy (i32.add $at 128) $src 256)
 *         $at += 384, $src += 256, $g += 256, $n -= 1, (br 0))))
 *     ;; p: one MEM.PAGE.ADD block at $at
 *     (func (export "p") (param $at i32) (param $lo i32) (param $hi i32)
 *       (i64.store $at (i64.const "MEM.PAGE")) (i64.store offset=8 $at (i64.const ".ADD\0\0\0\0"))
 *       (i64.store offset=16 $at (gpa from $lo, $hi)) (memory.fill (i32.add $at 24) 0 104)))
 *
 * Where WebAssembly is missing or refused (a strict CSP), `acquireKernel` returns undefined and
 * the accumulator uses its JavaScript path; tests check that both give the same bytes.
 */

// biome-ignore format: the module bytes, kept compact
const WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0f, 0x02, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, 0x02, 0x08, 0x01, 0x01, 0x65, 0x01, 0x6d, 0x02, 0x00, 0x01, 0x03, 0x03, 0x02, 0x00, 0x01, 0x07, 0x09, 0x02, 0x01, 0x78, 0x00, 0x00, 0x01, 0x70, 0x00, 0x01, 0x0a, 0xb3, 0x01, 0x02, 0x77, 0x01, 0x01, 0x7e, 0x20, 0x02, 0xad, 0x20, 0x03, 0xad, 0x42, 0x20, 0x86, 0x84, 0x21, 0x05, 0x02, 0x40, 0x03, 0x40, 0x20, 0x04, 0x45, 0x0d, 0x01, 0x20, 0x00, 0x42, 0xcd, 0xa4, 0xb9, 0xa9, 0x84, 0x8b, 0xd5, 0xa2, 0xce, 0x00, 0x37, 0x03, 0x00, 0x20, 0x00, 0x42, 0xc4, 0x00, 0x37, 0x03, 0x08, 0x20, 0x00, 0x20, 0x05, 0x37, 0x03, 0x10, 0x20, 0x00, 0x41, 0x18, 0x6a, 0x41, 0x00, 0x41, 0xe8, 0x00, 0xfc, 0x0b, 0x00, 0x20, 0x00, 0x41, 0x80, 0x01, 0x6a, 0x20, 0x01, 0x41, 0x80, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x20, 0x00, 0x41, 0x80, 0x03, 0x6a, 0x21, 0x00, 0x20, 0x01, 0x41, 0x80, 0x02, 0x6a, 0x21, 0x01, 0x20, 0x05, 0x42, 0x80, 0x02, 0x7c, 0x21, 0x05, 0x20, 0x04, 0x41, 0x01, 0x6b, 0x21, 0x04, 0x0c, 0x00, 0x0b, 0x0b, 0x0b, 0x39, 0x00, 0x20, 0x00, 0x42, 0xcd, 0x8a, 0xb5, 0xf2, 0x82, 0xaa, 0xd0, 0xa3, 0xc5, 0x00, 0x37, 0x03, 0x00, 0x20, 0x00, 0x42, 0xae, 0x82, 0x91, 0xa2, 0x04, 0x37, 0x03, 0x08, 0x20, 0x00, 0x20, 0x01, 0xad, 0x20, 0x02, 0xad, 0x42, 0x20, 0x86, 0x84, 0x37, 0x03, 0x10, 0x20, 0x00, 0x41, 0x18, 0x6a, 0x41, 0x00, 0x41, 0xe8, 0x00, 0xfc, 0x0b, 0x00, 0x0b,
]);

/** The WebAssembly API subset used here (typed structurally: the core has no DOM or Node types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (m: object, imports: object) => { readonly exports: Record<string, unknown> };
}

type ExtendFn = (at: number, src: number, lo: number, hi: number, n: number) => void;
type PageAddFn = (at: number, lo: number, hi: number) => void;

export interface MrtdKernel {
  /** The kernel's memory: the stage starts at 0 (at least the requested size). */
  readonly memory: Uint8Array;
  /** `n` MR.EXTEND records at `at`, chunks from `src` (both offsets in `memory`). */
  readonly extend: ExtendFn;
  /** One MEM.PAGE.ADD block at `at`. */
  readonly pageAdd: PageAddFn;
}

let compiled: object | null | undefined;
/** Released kernels, reused by later accumulators (each owns one while it is open). */
const pool: MrtdKernel[] = [];
const POOL_MAX = 8;

function compile(W: WasmApi): object | null {
  if (compiled === undefined) {
    try {
      compiled = new W.Module(WASM);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** A kernel with at least `bytes` of memory, or undefined when WebAssembly is unavailable. */
export function acquireKernel(bytes: number): MrtdKernel | undefined {
  const i = pool.findIndex((k) => k.memory.length >= bytes);
  if (i >= 0) return pool.splice(i, 1)[0];
  const W = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const mod = W ? compile(W) : null;
  if (!W || !mod) return undefined;
  try {
    const mem = new W.Memory({ initial: Math.ceil(bytes / 65536) });
    const ex = new W.Instance(mod, { e: { m: mem } }).exports;
    const extend = ex["x"];
    const pageAdd = ex["p"];
    if (typeof extend !== "function" || typeof pageAdd !== "function") return undefined;
    return {
      memory: new Uint8Array(mem.buffer),
      extend: extend as ExtendFn,
      pageAdd: pageAdd as PageAddFn,
    };
  } catch {
    return undefined;
  }
}

/** Gives a kernel back once its accumulator is finalized. */
export function releaseKernel(k: MrtdKernel): void {
  if (pool.length < POOL_MAX) pool.push(k);
}
