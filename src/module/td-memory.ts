/**
 * The memory SEAMCALLs of the simulated module (tdx-reference.md §5.1–§5.2, §17): TDH.MEM.SEPT.ADD,
 * TDH.MEM.PAGE.ADD, TDH.MEM.PAGE.AUG and TDH.MR.EXTEND, with their checks in the module's order,
 * acting on one TD's state. TdxModule resolves the TDR handle and delegates here.
 *
 * The Secure EPT is modelled at one level: a 2 MiB region exists once TDH.MEM.SEPT.ADD (level 1)
 * created its 4 KiB table; without it the walk "stops above 4K".
 */
import { buildStateStatus, isPrivateGpa, type Reg, regNum } from "./build-state.js";
import type { ModuleVersion } from "./platform.js";
import * as S from "./status.js";
import {
  LEAF_FREE,
  LEAF_MAPPED,
  LEAF_PENDING,
  type PageSource,
  type SeptRegion,
  type TdState,
} from "./td-state.js";

export interface SeamcallResult {
  readonly status: bigint;
}

/**
 * The one success result every SEAMCALL returns (frozen): hot loops may test `r === SEAMCALL_OK`
 * before comparing bigints.
 */
export const SEAMCALL_OK: SeamcallResult = Object.freeze({ status: S.TDX_SUCCESS });

export const err = (code: bigint, operand = 0): SeamcallResult => ({ status: S.withOperand(code, operand) });

const PAGE = 4096;
const PAGE_2M = 2 * 1024 * 1024;
const CHUNK = 256;
/**
 * Low-bit masks. `x & mask` is exact for any non-negative safe integer (ToInt32 keeps the value
 * modulo 2^32), and avoids floating-point `%` for GPAs above 2^31 on the MR.EXTEND hot path.
 */
const LOW_4K = PAGE - 1;
const LOW_2M = PAGE_2M - 1;
const BUILD = ["INITIALIZED"] as const;
const BUILD_OR_RUNNABLE = ["INITIALIZED", "RUNNABLE"] as const;

export interface MemoryContext {
  readonly version: ModuleVersion;
  readonly retention: "copy" | "reference";
  /** Status of PAGE.ADD/AUG/SEPT.ADD on an entry that is not FREE (1.5 vs 1.0 name, §18.4). */
  readonly leafNotFree: bigint;
  /** Whole-buffer view cache for "reference" retention. */
  lastView: Uint8Array | undefined;
}

export function memoryContext(version: ModuleVersion, retention: "copy" | "reference"): MemoryContext {
  const leafNotFree = version === "1.5" ? S.TDX_EPT_ENTRY_STATE_INCORRECT : S.TDX_EPT_ENTRY_NOT_FREE;
  return { version, retention, leafNotFree, lastView: undefined };
}

/** Keys configured and OP_STATE INITIALIZED: the state every build SEAMCALL needs (§4.2). */
export function inBuild(td: TdState): boolean {
  return td.keysConfigured && td.opState === "INITIALIZED";
}

/** The SEPT region of `gpa`, remembering the last one (consecutive calls hit the same region). */
function regionOf(td: TdState, gpa: number): SeptRegion | undefined {
  const key = (gpa - (gpa & LOW_2M)) / PAGE_2M;
  if (td.lastRegionKey === key && td.lastRegion) return td.lastRegion;
  const r = td.sept.get(key);
  td.lastRegionKey = key;
  td.lastRegion = r;
  return r;
}

/** A GPA register that is a private, `mask`-aligned address of this TD, or undefined. */
function privateGpa(td: TdState, gpa: Reg, mask: number): number | undefined {
  const g = regNum(gpa);
  return g !== undefined && (g & mask) === 0 && isPrivateGpa(g, td.gpaw) ? g : undefined;
}

/** TDH.MEM.SEPT.ADD (leaf 3), level 1 only. */
export function septAdd(td: TdState, gpa: Reg, level: number, ctx: MemoryContext): SeamcallResult {
  const st = buildStateStatus(td, BUILD_OR_RUNNABLE, ctx.version);
  if (st !== S.TDX_SUCCESS) return { status: st };
  const g = privateGpa(td, gpa, LOW_2M);
  if (level !== 1 || g === undefined) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
  if (td.sept.has(g / PAGE_2M)) return err(ctx.leafNotFree, S.OPERAND.RCX);
  td.sept.set(g / PAGE_2M, {
    leaf: new Uint8Array(PAGE_2M / PAGE),
    data: undefined,
    refSources: undefined,
    refOffsets: undefined,
  });
  return SEAMCALL_OK;
}

/** TDH.MEM.PAGE.ADD (leaf 2): §5.1 check order, then keep the page and extend MRTD with its GPA. */
export function pageAdd(
  td: TdState,
  gpa: Reg,
  source: PageSource | undefined,
  offset: number,
  ctx: MemoryContext,
): SeamcallResult {
  if (!inBuild(td)) return { status: buildStateStatus(td, BUILD, ctx.version) };
  const g = privateGpa(td, gpa, LOW_4K);
  if (g === undefined) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
  const region = regionOf(td, g);
  if (!region) return err(S.TDX_EPT_WALK_FAILED, S.OPERAND.RCX);
  const idx = (g & LOW_2M) >>> 12;
  if (region.leaf[idx] !== LEAF_FREE) return err(ctx.leafNotFree, S.OPERAND.RCX);
  if (!validSource(source, offset)) return err(S.TDX_OPERAND_INVALID, S.OPERAND.R9);
  if (ctx.retention === "reference") {
    region.refSources ??= [];
    region.refOffsets ??= new Float64Array(PAGE_2M / PAGE);
    if (source instanceof Uint8Array) {
      if (ctx.lastView?.buffer !== source.buffer) ctx.lastView = new Uint8Array(source.buffer);
      region.refSources[idx] = ctx.lastView;
      region.refOffsets[idx] = source.byteOffset + offset;
    } else {
      region.refSources[idx] = source;
      region.refOffsets[idx] = offset;
    }
  } else {
    region.data ??= new Uint8Array(PAGE_2M);
    if (source instanceof Uint8Array) region.data.set(source.subarray(offset, offset + PAGE), idx * PAGE);
    else source.readPage(offset, region.data.subarray(idx * PAGE, idx * PAGE + PAGE));
  }
  region.leaf[idx] = LEAF_MAPPED;
  td.mrtd?.pageAdd(g);
  return SEAMCALL_OK;
}

/** A buffer or page provider with 4096 bytes at `offset`. */
function validSource(source: PageSource | undefined, offset: number): source is PageSource {
  if (!Number.isSafeInteger(offset) || offset < 0) return false;
  if (source instanceof Uint8Array) return offset + PAGE <= source.length;
  return (
    typeof source === "object" &&
    source !== null &&
    typeof source.readPage === "function" &&
    offset + PAGE <= source.byteLength
  );
}

/** TDH.MEM.PAGE.AUG (leaf 6): a PENDING leaf, never measured. */
export function pageAug(td: TdState, gpa: Reg, ctx: MemoryContext): SeamcallResult {
  const st = buildStateStatus(td, BUILD_OR_RUNNABLE, ctx.version);
  if (st !== S.TDX_SUCCESS) return { status: st };
  const g = privateGpa(td, gpa, LOW_4K);
  if (g === undefined) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
  const region = regionOf(td, g);
  if (!region) return err(S.TDX_EPT_WALK_FAILED, S.OPERAND.RCX);
  const idx = (g & LOW_2M) >>> 12;
  if (region.leaf[idx] !== LEAF_FREE) return err(ctx.leafNotFree, S.OPERAND.RCX);
  region.leaf[idx] = LEAF_PENDING;
  return SEAMCALL_OK;
}

/**
 * `n` TDH.MR.EXTEND calls on consecutive chunks of one page (n = 1: the SEAMCALL itself), §5.2
 * check order: state, alignment/private (+RCX), SEPT walk (NOT_PRESENT + RCX), leaf MAPPED
 * (NOT_PRESENT, no operand).
 */
export function extendChunks(td: TdState, gpa: Reg, n: number, ctx: MemoryContext): SeamcallResult {
  if (!inBuild(td)) return { status: buildStateStatus(td, BUILD, ctx.version) };
  const g = privateGpa(td, gpa, CHUNK - 1);
  if (g === undefined) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
  const region = regionOf(td, g);
  if (!region) return err(S.TDX_EPT_ENTRY_NOT_PRESENT, S.OPERAND.RCX);
  const off = g & LOW_2M;
  const idx = off >>> 12;
  if (region.leaf[idx] !== LEAF_MAPPED) return err(S.TDX_EPT_ENTRY_NOT_PRESENT);
  const ref = region.refSources?.[idx];
  const buf = ref ?? region.data;
  if (!buf || !td.mrtd) return err(S.TDX_EPT_ENTRY_NOT_PRESENT);
  const pageOff = ref ? (region.refOffsets?.[idx] ?? 0) : off - (off & LOW_4K);
  // TD pages never change after PAGE.ADD, so the accumulator may cache the page.
  td.mrtd.extendFromPage(g, buf, pageOff, off & LOW_4K, n);
  return SEAMCALL_OK;
}
