/**
 * TDX module completion status codes and operand IDs (tdx-reference.md §1.2–§1.4), returned as
 * data by the simulated SEAMCALLs exactly as RAX carries them on hardware: the class/code in bits
 * 63:32 and, for operand errors, the operand ID in the low 32 bits.
 */

export const TDX_SUCCESS = 0x0000000000000000n;
export const TDX_OPERAND_INVALID = 0xc000010000000000n;
export const TDX_OPERAND_BUSY = 0x8000020000000000n;
export const TDX_TD_FATAL = 0xe000060400000000n;
export const TDX_TD_KEYS_NOT_CONFIGURED = 0x8000081000000000n;
export const TDX_TDCS_NOT_ALLOCATED = 0xc000060600000000n;
export const TDX_OP_STATE_INCORRECT = 0xc000060800000000n;
export const TDX_NO_VCPUS = 0xc000060900000000n;
export const TDX_TDCX_NUM_INCORRECT = 0xc000061000000000n;
export const TDX_VCPU_STATE_INCORRECT = 0xc000070000000000n;
export const TDX_MAX_VCPUS_EXCEEDED = 0xc000070500000000n;
export const TDX_EPT_WALK_FAILED = 0xc0000b0000000000n;
export const TDX_EPT_ENTRY_NOT_FREE = 0xc0000b0200000000n;
export const TDX_EPT_ENTRY_NOT_PRESENT = 0xc0000b0300000000n;
export const TDX_EPT_ENTRY_STATE_INCORRECT = 0xc0000b0d00000000n;
/** 1.0-only state codes (replaced by TDX_OP_STATE_INCORRECT in 1.5, §18 item 5). */
export const TDX_TD_NOT_INITIALIZED = 0xc000060000000000n;
export const TDX_TD_INITIALIZED = 0xc000060100000000n;
export const TDX_TD_NOT_FINALIZED = 0xc000060200000000n;
export const TDX_TD_FINALIZED = 0xc000060300000000n;
export const TDX_TDVPX_NUM_INCORRECT = 0xc000070300000000n;

/** Operand IDs (§1.4). */
export const OPERAND = {
  RAX: 0,
  RCX: 1,
  RDX: 2,
  R8: 8,
  R9: 9,
  ATTRIBUTES: 64,
  XFAM: 65,
  EXEC_CONTROLS: 66,
  EPTP_CONTROLS: 67,
  MAX_VCPUS: 68,
  CPUID_CONFIG: 69,
  TSC_FREQUENCY: 70,
  NUM_L2_VMS: 71,
  IA32_ARCH_CAPABILITIES_CONFIG: 72,
  TDR: 128,
  TDCX: 129,
  TDVPR: 130,
  TDCS: 144,
  RTMR: 168,
  OP_STATE: 172,
} as const;

/** `code | operand` as `api_error_with_operand_id` builds it (§1.2). */
export function withOperand(code: bigint, operand: number): bigint {
  return code | BigInt(operand >>> 0);
}

const NAMES: ReadonlyMap<bigint, string> = new Map([
  [TDX_SUCCESS, "TDX_SUCCESS"],
  [TDX_OPERAND_INVALID, "TDX_OPERAND_INVALID"],
  [TDX_OPERAND_BUSY, "TDX_OPERAND_BUSY"],
  [TDX_TD_FATAL, "TDX_TD_FATAL"],
  [TDX_TD_KEYS_NOT_CONFIGURED, "TDX_TD_KEYS_NOT_CONFIGURED"],
  [TDX_TDCS_NOT_ALLOCATED, "TDX_TDCS_NOT_ALLOCATED"],
  [TDX_OP_STATE_INCORRECT, "TDX_OP_STATE_INCORRECT"],
  [TDX_NO_VCPUS, "TDX_NO_VCPUS"],
  [TDX_TDCX_NUM_INCORRECT, "TDX_TDCX_NUM_INCORRECT"],
  [TDX_VCPU_STATE_INCORRECT, "TDX_VCPU_STATE_INCORRECT"],
  [TDX_MAX_VCPUS_EXCEEDED, "TDX_MAX_VCPUS_EXCEEDED"],
  [TDX_EPT_WALK_FAILED, "TDX_EPT_WALK_FAILED"],
  [TDX_EPT_ENTRY_NOT_FREE, "TDX_EPT_ENTRY_NOT_FREE"],
  [TDX_EPT_ENTRY_NOT_PRESENT, "TDX_EPT_ENTRY_NOT_PRESENT"],
  [TDX_EPT_ENTRY_STATE_INCORRECT, "TDX_EPT_ENTRY_STATE_INCORRECT"],
  [TDX_TD_NOT_INITIALIZED, "TDX_TD_NOT_INITIALIZED"],
  [TDX_TD_INITIALIZED, "TDX_TD_INITIALIZED"],
  [TDX_TD_NOT_FINALIZED, "TDX_TD_NOT_FINALIZED"],
  [TDX_TD_FINALIZED, "TDX_TD_FINALIZED"],
  [TDX_TDVPX_NUM_INCORRECT, "TDX_TDVPX_NUM_INCORRECT"],
]);

const OPERAND_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(OPERAND).map(([k, v]) => [v, k]));

/** Human form, e.g. `TDX_OPERAND_INVALID + MAX_VCPUS (68)`. */
export function statusName(status: bigint): string {
  const code = status & 0xffffffff00000000n;
  const detail = Number(status & 0xffffffffn);
  const name = NAMES.get(code) ?? `0x${code.toString(16).padStart(16, "0")}`;
  if (detail === 0) return name;
  return `${name} + ${OPERAND_NAMES.get(detail) ?? "detail"} (${detail})`;
}

export function isError(status: bigint): boolean {
  return status >> 63n === 1n;
}
