/**
 * A KVM VM fd (tdx-reference.md §8.2–§8.4, §8.7): per-VM KVM_CAP_MAX_VCPUS in both generations,
 * KVM_TDX_CAPABILITIES, KVM_TDX_INIT_VM (TDH.MNG.CREATE/KEY.CONFIG/ADDCX/INIT), KVM_CREATE_VCPU
 * and KVM_TDX_FINALIZE_VM.
 */
import { statusName, TDX_OPERAND_INVALID, TDX_SUCCESS } from "../module/status.js";
import type { Kvm } from "./kvm.js";
import { setupTdParams } from "./kvm-tdparams.js";
import {
  capName,
  fail,
  KVM_CAP_MAX_VCPUS,
  KVM_CAP_SPLIT_IRQCHIP,
  type KvmFailure,
  type KvmResult,
  type KvmTdxInitVm,
} from "./kvm-types.js";
import { KvmVcpu } from "./kvm-vcpu.js";

/** KVM_MAX_VCPU_IDS on x86 (vCPU ids must be below it). */
const KVM_MAX_VCPU_IDS = 4096 * 4;

export class KvmVm {
  maxVcpus: number;
  /** Where `maxVcpus` came from, for traces and the `measure` explanation. */
  maxVcpusOrigin: string;
  createdVcpus = 0;
  splitIrqchip = false;
  tscKhz = 2_000_000;
  tdr: number | undefined;
  /** The TD_PARAMS bytes KVM gave TDH.MNG.INIT. */
  tdParams: Uint8Array | undefined;
  initialized = false;
  finalized = false;
  /** Guest physical address width chosen at KVM_TDX_INIT_VM (CPUID 0x80000008). */
  gpaw = 48;
  /** 2 MiB regions KVM already mapped with TDH.MEM.SEPT.ADD. */
  readonly septMapped = new Set<number>();
  readonly vcpus: KvmVcpu[] = [];

  constructor(
    readonly kvm: Kvm,
    readonly isTd: boolean,
  ) {
    const per = kvm.module.platform.maxVcpusPerTd;
    if (!isTd) {
      this.maxVcpus = kvm.kvmMaxVcpus;
      this.maxVcpusOrigin = `plain VM: global KVM_MAX_VCPUS ${kvm.kvmMaxVcpus}`;
    } else if (kvm.generation === "6.16") {
      this.maxVcpus = Math.min(kvm.kvmMaxVcpus, kvm.hostCpus);
      this.maxVcpusOrigin = `kvm 6.16 tdx_vm_init: min(KVM_MAX_VCPUS ${kvm.kvmMaxVcpus}, present host CPUs ${kvm.hostCpus})`;
    } else {
      this.maxVcpus = Math.min(kvm.kvmMaxVcpus, per);
      this.maxVcpusOrigin = `kvm v19 default: min(KVM_MAX_VCPUS ${kvm.kvmMaxVcpus}, MAX_VCPUS_PER_TD ${per})`;
    }
  }

  get module() {
    return this.kvm.module;
  }

  /** Ends the current trace event with the result (and the running MRTD when tracked). */
  finish<T extends object>(r: KvmResult<T>, note?: string): KvmResult<T> {
    const mrtd = this.kvm.runningMrtd && this.tdr !== undefined ? this.module.peekMrtd(this.tdr) : undefined;
    if (r.ok) this.kvm.trace.end("0", { mrtd, ...(note ? { note } : {}) });
    else
      this.kvm.trace.end(`-${r.errno}`, {
        mrtd,
        note: r.reason,
        ...(r.hwError !== undefined ? { hwError: r.hwError } : {}),
      });
    return r;
  }

  /** KVM_CHECK_EXTENSION on the VM fd: the VM's own maximum (x86.c returns kvm->max_vcpus). */
  checkExtension(cap: number): number {
    this.kvm.trace.begin("vm", "KVM_CHECK_EXTENSION", { cap: capName(cap) });
    const v = cap === KVM_CAP_MAX_VCPUS ? this.maxVcpus : cap === KVM_CAP_SPLIT_IRQCHIP ? 1 : 0;
    this.kvm.trace.end(String(v), cap === KVM_CAP_MAX_VCPUS ? { note: this.maxVcpusOrigin } : {});
    return v;
  }

  /** KVM_ENABLE_CAP on the VM fd. */
  enableCap(cap: number, arg0: number, flags = 0): KvmResult {
    this.kvm.trace.begin("vm", "KVM_ENABLE_CAP", { cap: capName(cap), arg0 });
    if (cap === KVM_CAP_SPLIT_IRQCHIP) {
      if (this.createdVcpus > 0) return this.finish(fail("EINVAL", "split irqchip after vCPU creation"));
      this.splitIrqchip = true;
      return this.finish({ ok: true });
    }
    if (cap !== KVM_CAP_MAX_VCPUS)
      return this.finish(fail("EINVAL", `capability ${capName(cap)} not modelled`));
    if (!this.isTd || this.kvm.generation === "6.16") {
      return this.finish(
        fail(
          "EINVAL",
          "no KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS) in this KVM (6.16 reports the per-VM value only)",
        ),
      );
    }
    const per = this.module.platform.maxVcpusPerTd;
    if (flags !== 0 || !Number.isInteger(arg0) || arg0 <= 0)
      return this.finish(fail("EINVAL", "flags must be 0 and max_vcpus > 0"));
    if (arg0 > this.kvm.kvmMaxVcpus)
      return this.finish(fail("E2BIG", `${arg0} > KVM_MAX_VCPUS ${this.kvm.kvmMaxVcpus}`));
    if (arg0 > per) return this.finish(fail("E2BIG", `${arg0} > module MAX_VCPUS_PER_TD ${per}`));
    if (this.createdVcpus > 0) return this.finish(fail("EBUSY", "vCPUs already created"));
    if (this.initialized) return this.finish(fail("EINVAL", "TD already initialized"));
    this.maxVcpus = arg0;
    this.maxVcpusOrigin = `kvm v19 KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS, ${arg0}) from user space`;
    return this.finish({ ok: true });
  }

  /** KVM_SET_TSC_KHZ on the VM fd (before vCPUs exist). */
  setTscKhz(khz: number): KvmResult {
    this.kvm.trace.begin("vm", "KVM_SET_TSC_KHZ", { khz });
    if (!Number.isInteger(khz) || khz <= 0) return this.finish(fail("EINVAL", "bad TSC frequency"));
    if (this.createdVcpus > 0) return this.finish(fail("EINVAL", "vCPUs already created"));
    this.tscKhz = khz;
    return this.finish({ ok: true });
  }

  /** KVM_TDX_CAPABILITIES (§8.3). */
  tdxCapabilities(): KvmResult<{ supportedAttrs: bigint; supportedXfam: bigint }> {
    this.kvm.trace.begin("vm", "KVM_TDX_CAPABILITIES");
    if (!this.isTd) return this.finish(fail("EINVAL", "not a TD"));
    return this.finish({ ok: true, ...this.supported() });
  }

  private supported(): { supportedAttrs: bigint; supportedXfam: bigint } {
    const s = this.module.sysInfo();
    const covers = (s.attributesFixed1 & this.kvm.supportedAttributes) === s.attributesFixed1;
    return {
      supportedAttrs: covers ? this.kvm.supportedAttributes & s.attributesFixed0 : 0n,
      supportedXfam: s.xfamFixed0,
    };
  }

  /** KVM_TDX_INIT_VM (§8.4): validates, builds TD_PARAMS, runs the TD creation SEAMCALLs. */
  tdxInitVm(req: KvmTdxInitVm): KvmResult<{ tdParams: Uint8Array }> {
    const t = this.kvm.trace;
    t.begin("vm", "KVM_TDX_INIT_VM", {
      attributes: `0x${req.attributes.toString(16)}`,
      xfam: `0x${req.xfam.toString(16)}`,
      max_vcpus: this.maxVcpus,
    });
    if (!this.isTd) return this.finish(fail("EINVAL", "not a TD"));
    if (this.initialized) return this.finish(fail("EINVAL", "already initialized"));
    if (this.createdVcpus > 0) return this.finish(fail("EBUSY", "vCPUs already created"));
    if (req.maxVcpus !== undefined && (this.kvm.generation !== "v19" || req.maxVcpus !== this.maxVcpus)) {
      return this.finish(
        fail("EINVAL", `init request max_vcpus ${req.maxVcpus} != recorded ${this.maxVcpus}`),
      );
    }
    const built = setupTdParams({
      request: req,
      sys: this.module.sysInfo(),
      ...this.supported(),
      maxVcpus: this.maxVcpus,
      tscKhz: this.tscKhz,
    });
    if (!built.ok) return this.finish(built);
    const r = this.createTd(built.bytes);
    if (!r.ok) return this.finish(r);
    this.initialized = true;
    this.tdParams = built.bytes;
    this.gpaw = (built.params.configFlags & 1n) === 1n ? 52 : 48;
    return this.finish(
      { ok: true, tdParams: built.bytes },
      `TD_PARAMS.MAX_VCPUS = ${this.maxVcpus} (${this.maxVcpusOrigin})`,
    );
  }

  /** TDH.MNG.CREATE, KEY.CONFIG, ADDCX×n, MNG.INIT; on failure KVM tears the TD down. */
  private createTd(tdParams: Uint8Array): KvmResult {
    const m = this.module;
    const t = this.kvm.trace;
    const c = m.mngCreate();
    t.seamcall("TDH.MNG.CREATE", c.status);
    const seq: [string, () => { status: bigint }][] = [["TDH.MNG.KEY.CONFIG", () => m.mngKeyConfig(c.tdr)]];
    for (let i = 0; i < m.platform.tdcsPages; i++) seq.push(["TDH.MNG.ADDCX", () => m.mngAddCx(c.tdr)]);
    seq.push(["TDH.MNG.INIT", () => m.mngInit(c.tdr, tdParams)]);
    for (const [name, call] of seq) {
      const s = call().status;
      t.seamcall(name, s);
      if (s !== TDX_SUCCESS) {
        const errno = (s & 0xffffffff00000000n) === TDX_OPERAND_INVALID ? "EINVAL" : "EIO";
        return fail(errno, `${name} failed: ${statusName(s)}`, s);
      }
    }
    this.tdr = c.tdr;
    return { ok: true };
  }

  /** KVM_CREATE_VCPU(id): capped by the VM's maximum (-EINVAL), as KVM x86 does. */
  createVcpu(id: number): KvmResult<{ vcpu: KvmVcpu }> {
    this.kvm.trace.begin("vm", "KVM_CREATE_VCPU", { id });
    if (!Number.isInteger(id) || id < 0 || id >= KVM_MAX_VCPU_IDS)
      return this.finish(fail("EINVAL", `vcpu id ${id} out of range`));
    if (this.createdVcpus >= this.maxVcpus) {
      return this.finish(
        fail("EINVAL", `created_vcpus ${this.createdVcpus} >= kvm->max_vcpus ${this.maxVcpus}`),
      );
    }
    if (this.vcpus.some((v) => v.id === id)) return this.finish(fail("EEXIST", `vcpu id ${id} exists`));
    if (this.isTd) {
      if (!this.initialized) return this.finish(fail("EIO", "KVM_TDX_INIT_VM has not run"));
      if (!this.splitIrqchip) return this.finish(fail("EINVAL", "TDX needs KVM_CAP_SPLIT_IRQCHIP"));
      if (this.finalized) return this.finish(fail("EINVAL", "TD finalized"));
    }
    const vcpu = new KvmVcpu(this, id);
    this.vcpus.push(vcpu);
    this.createdVcpus++;
    return this.finish({ ok: true, vcpu });
  }

  /** KVM_TDX_FINALIZE_VM (§8.7): TDH.MR.FINALIZE. */
  tdxFinalizeVm(): KvmResult<{ mrTd: Uint8Array }> {
    this.kvm.trace.begin("vm", "KVM_TDX_FINALIZE_VM");
    if (!this.isTd || !this.initialized || this.finalized || this.tdr === undefined)
      return this.finish(fail("EINVAL", "TD not initialized or already finalized"));
    const s = this.module.mrFinalize(this.tdr).status;
    this.kvm.trace.seamcall("TDH.MR.FINALIZE", s);
    if (s !== TDX_SUCCESS) return this.finish(this.seamFail("TDH.MR.FINALIZE", s));
    this.finalized = true;
    const mrTd = this.module.peekMrtd(this.tdr) ?? new Uint8Array(48);
    return this.finish({ ok: true, mrTd });
  }

  seamFail(name: string, s: bigint): KvmFailure {
    return fail("EIO", `${name} failed: ${statusName(s)}`, s);
  }
}
