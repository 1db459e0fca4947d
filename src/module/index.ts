/** Simulated TDX module (tdx-reference.md §1–§7): SEAMCALL/TDCALL state machine and MRTD. */
export type { Reg } from "./build-state.js";
export { hmacSha256, type VpInfo } from "./guest.js";
export { MR_EXTEND_CHUNK, MRTD_BLOCK_SIZE, MrtdAccumulator, type MrtdOptions, mrtdBlock } from "./mrtd.js";
export {
  type CpuidConfigLeaf,
  createPlatform,
  defaultPlatform,
  type ModuleVersion,
  type Platform,
  type TdSysInfo,
} from "./platform.js";
export * as status from "./status.js";
export { isError, OPERAND, statusName, withOperand } from "./status.js";
export type { PageProvider, PageSource } from "./td-state.js";
export {
  SEAMCALL_OK,
  type SeamcallResult,
  type TdSnapshot,
  TdxModule,
  type TdxModuleOptions,
} from "./tdx-module.js";
