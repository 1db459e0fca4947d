/** KVM/QEMU launch replay on the simulated TDX module (tdx-reference.md §8–§10). */
export { Kvm, type KvmOptions } from "./kvm.js";
export { setupTdParams } from "./kvm-tdparams.js";
export * from "./kvm-types.js";
export { KvmVcpu } from "./kvm-vcpu.js";
export { KvmVm } from "./kvm-vm.js";
export {
  launchTd,
  type PageOrder,
  type PayloadRegion,
  pageOrderFor,
  type QemuTdOptions,
  type QemuTdResult,
  zeroExtended,
} from "./qemu.js";
export { LaunchTrace, type SeamcallRun, type TraceEvent } from "./trace.js";
