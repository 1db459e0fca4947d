/**
 * The build-state checks every host SEAMCALL starts with, for both module generations
 * (tdx-reference.md §4.2): 1.5 answers TDX_OP_STATE_INCORRECT for any call outside its allowed
 * OP_STATEs; 1.0 has two flags (`init`, `finalized`) and four distinct codes (§18 item 5).
 */
import type { ModuleVersion } from "./platform.js";
import {
  TDX_OP_STATE_INCORRECT,
  TDX_SUCCESS,
  TDX_TD_FINALIZED,
  TDX_TD_INITIALIZED,
  TDX_TD_KEYS_NOT_CONFIGURED,
  TDX_TD_NOT_INITIALIZED,
} from "./status.js";
import type { OpState, TdState } from "./td-state.js";

/** A SEAMCALL register value: u64 as bigint, or a number for convenience. */
export type Reg = bigint | number;

/** The register as a safe non-negative integer, or undefined (then the operand is invalid). */
export function regNum(r: Reg): number | undefined {
  if (typeof r === "number") return Number.isSafeInteger(r) && r >= 0 ? r : undefined;
  return r >= 0n && r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : undefined;
}

const SHARED_BIT_48 = 2 ** 47;

/** A GPA the TD may map privately: below the shared bit (GPAW − 1) (§5.1, §2.5). */
export function isPrivateGpa(gpa: number, gpaw: number): boolean {
  return gpa < (gpaw === 48 ? SHARED_BIT_48 : 2 ** (gpaw - 1));
}

/**
 * Status of the lifecycle + OP_STATE check for a call allowed in `allowed`, or TDX_SUCCESS.
 * Key configuration is checked first (§3.1 step 4, §4.2 `check_td_in_correct_build_state`).
 */
export function buildStateStatus(td: TdState, allowed: readonly OpState[], version: ModuleVersion): bigint {
  if (td.keysConfigured && td.opState === allowed[0]) return TDX_SUCCESS; // the common case
  if (!td.keysConfigured) return TDX_TD_KEYS_NOT_CONFIGURED;
  if (allowed.includes(td.opState)) return TDX_SUCCESS;
  if (version === "1.5") return TDX_OP_STATE_INCORRECT;
  // 1.0: map the (init, finalized) flags to the 1.0-only codes.
  if (td.opState === "UNINITIALIZED") return TDX_TD_NOT_INITIALIZED;
  if (allowed.includes("UNINITIALIZED")) return TDX_TD_INITIALIZED;
  return TDX_TD_FINALIZED;
}
