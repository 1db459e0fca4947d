/**
 * A model of Linux KVM's TDX uAPI on top of the simulated module (tdx-reference.md §8), in two
 * ABI generations (§8.2):
 * - "6.16" (merged): a TD's maximum is min(KVM_MAX_VCPUS, present host CPUs), reported by
 *   KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS) on the VM fd; no KVM_ENABLE_CAP for it; TDX is off
 *   when the module's MAX_VCPUS_PER_TD is below the present CPUs.
 * - "v19" (series proposal, "KVM: TDX: Make KVM_CAP_MAX_VCPUS backend specific"): user space
 *   records the TD's maximum with KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS, n) before KVM_TDX_INIT_VM
 *   (flags or n = 0 → EINVAL; n above KVM_MAX_VCPUS or MAX_VCPUS_PER_TD → E2BIG; a vCPU exists →
 *   EBUSY; TD initialized → EINVAL), and KVM_TDX_EXTEND_MEMORY measures pages separately.
 * In both, the system fd reports the global KVM_MAX_VCPUS and a plain VM keeps it.
 */
import { TdxModule } from "../module/tdx-module.js";
import {
  capName,
  DEFAULT_KVM_MAX_VCPUS,
  fail,
  KVM_CAP_MAX_VCPUS,
  KVM_CAP_NR_VCPUS,
  KVM_CAP_SPLIT_IRQCHIP,
  KVM_CAP_VM_TYPES,
  KVM_X86_DEFAULT_VM,
  KVM_X86_TDX_VM,
  type KvmGeneration,
  type KvmResult,
} from "./kvm-types.js";
import { KvmVm } from "./kvm-vm.js";
import { LaunchTrace } from "./trace.js";

export interface KvmOptions {
  generation?: KvmGeneration;
  /** num_present_cpus() of the host. Default 64. */
  hostCpus?: number;
  /** Global KVM_MAX_VCPUS. Default 4096. */
  kvmMaxVcpus?: number;
  /**
   * KVM's supported TD ATTRIBUTES before masking with the module's FIXED0. Default: 6.16 →
   * SEPT_VE_DISABLE only (KVM_SUPPORTED_TD_ATTRS, §8.3); v19 → everything the module allows
   * (vendor-tree behaviour, where DEBUG/PERFMON TDs were possible).
   */
  supportedAttributes?: bigint;
  trace?: LaunchTrace;
  /** Record the running MRTD after each ioctl in the trace. */
  runningMrtd?: boolean;
  /**
   * Called with the number of pages KVM_TDX_INIT_MEM_REGION / KVM_TDX_EXTEND_MEMORY have
   * processed so far, every PROGRESS_PAGES pages (progress display for large payloads).
   */
  onPages?: (pages: number) => void;
}

/** Pages between two `onPages` calls (4 MiB: cheap, frequent enough for a display). */
export const PROGRESS_PAGES = 1024;

const SEPT_VE_DISABLE = 1n << 28n;

/** /dev/kvm: the system fd. */
export class Kvm {
  readonly generation: KvmGeneration;
  readonly hostCpus: number;
  readonly kvmMaxVcpus: number;
  readonly supportedAttributes: bigint;
  readonly trace: LaunchTrace;
  readonly runningMrtd: boolean;
  readonly onPages: ((pages: number) => void) | undefined;
  /** Pages added or measured so far by memory ioctls (for `onPages`). */
  pagesDone = 0;

  constructor(
    readonly module: TdxModule = new TdxModule(),
    opts: KvmOptions = {},
  ) {
    this.generation = opts.generation ?? "6.16";
    this.hostCpus = opts.hostCpus ?? 64;
    this.kvmMaxVcpus = opts.kvmMaxVcpus ?? DEFAULT_KVM_MAX_VCPUS;
    this.supportedAttributes =
      opts.supportedAttributes ?? (this.generation === "6.16" ? SEPT_VE_DISABLE : 0xffffffffffffffffn);
    this.trace = opts.trace ?? new LaunchTrace();
    this.runningMrtd = opts.runningMrtd ?? false;
    this.onPages = opts.onPages;
  }

  /** Counts one processed page; reports every PROGRESS_PAGES pages. */
  pageDone(): void {
    if (++this.pagesDone % PROGRESS_PAGES === 0) this.onPages?.(this.pagesDone);
  }

  /** Whether KVM enabled TDX at load: 6.16 refuses when MAX_VCPUS_PER_TD < present CPUs. */
  get tdxEnabled(): boolean {
    return this.generation !== "6.16" || this.module.platform.maxVcpusPerTd >= this.hostCpus;
  }

  /** KVM_CHECK_EXTENSION on the system fd: global values (no VM involved). */
  checkExtension(cap: number): number {
    this.trace.begin("system", "KVM_CHECK_EXTENSION", { cap: capName(cap) });
    let v = 0;
    if (cap === KVM_CAP_MAX_VCPUS) v = this.kvmMaxVcpus;
    else if (cap === KVM_CAP_NR_VCPUS) v = Math.min(this.hostCpus, this.kvmMaxVcpus);
    else if (cap === KVM_CAP_VM_TYPES)
      v = (1 << KVM_X86_DEFAULT_VM) | (this.tdxEnabled ? 1 << KVM_X86_TDX_VM : 0);
    else if (cap === KVM_CAP_SPLIT_IRQCHIP) v = 1;
    this.trace.end(String(v));
    return v;
  }

  /** KVM_CREATE_VM(type). */
  createVm(type: number): KvmResult<{ vm: KvmVm }> {
    this.trace.begin("system", "KVM_CREATE_VM", { type: type === KVM_X86_TDX_VM ? "KVM_X86_TDX_VM" : type });
    if (type !== KVM_X86_DEFAULT_VM && !(type === KVM_X86_TDX_VM && this.tdxEnabled)) {
      const why =
        type === KVM_X86_TDX_VM
          ? `TDX disabled: module MAX_VCPUS_PER_TD ${this.module.platform.maxVcpusPerTd} < ${this.hostCpus} present CPUs`
          : `unsupported VM type ${type}`;
      this.trace.end("-EINVAL", { note: why });
      return fail("EINVAL", why);
    }
    const vm = new KvmVm(this, type === KVM_X86_TDX_VM);
    this.trace.end("0", { note: `VM max_vcpus ${vm.maxVcpus} (${vm.maxVcpusOrigin})` });
    return { ok: true, vm };
  }
}
