/**
 * A KVM vCPU fd of a TD (tdx-reference.md §8.5–§8.6): KVM_TDX_INIT_VCPU (TDH.VP.CREATE/ADDCX/
 * INIT) and KVM_TDX_INIT_MEM_REGION (TDH.MEM.SEPT.ADD as needed, TDH.MEM.PAGE.ADD per page and,
 * with KVM_TDX_MEASURE_MEMORY_REGION, 16 TDH.MR.EXTEND right after each page: the single-pass
 * order). The v19-era KVM_TDX_EXTEND_MEMORY (MR.EXTEND only) lets QEMU 8.x measure a region
 * after adding all its pages (the per-section two-pass order, §9.3).
 */
import { TDX_SUCCESS } from "../module/status.js";
import { SEAMCALL_OK } from "../module/tdx-module.js";
import {
  fail,
  KVM_TDX_MEASURE_MEMORY_REGION,
  type KvmResult,
  type KvmTdxInitMemRegion,
  type RegionSource,
} from "./kvm-types.js";
import type { KvmVm } from "./kvm-vm.js";

const PAGE = 4096;
const PAGE_2M = 2 * 1024 * 1024;
const CHUNK = 256;
/** The one success result of the per-page helpers (hot loop: no allocation, identity test). */
const OK: KvmResult = Object.freeze({ ok: true });

export class KvmVcpu {
  tdvpr: number | undefined;
  initialized = false;

  constructor(
    readonly vm: KvmVm,
    readonly id: number,
  ) {}

  private get trace() {
    return this.vm.kvm.trace;
  }

  /** KVM_TDX_INIT_VCPU: `data` becomes the vCPU's RCX at reset (QEMU: the TD HOB GPA). */
  tdxInitVcpu(data: bigint): KvmResult {
    this.trace.begin("vcpu", "KVM_TDX_INIT_VCPU", { id: this.id, data: `0x${data.toString(16)}` });
    const vm = this.vm;
    if (!vm.isTd || !vm.initialized || vm.finalized || vm.tdr === undefined)
      return vm.finish(fail("EINVAL", "TD not in build state"));
    if (this.initialized) return vm.finish(fail("EINVAL", "vCPU already initialized"));
    const m = vm.module;
    if (this.tdvpr === undefined) {
      const c = m.vpCreate(vm.tdr);
      this.trace.seamcall("TDH.VP.CREATE", c.status);
      if (c.status !== TDX_SUCCESS || c.tdvpr === undefined)
        return vm.finish(vm.seamFail("TDH.VP.CREATE", c.status));
      this.tdvpr = c.tdvpr;
      for (let i = 0; i < m.platform.tdcxPages; i++) {
        const s = m.vpAddCx(this.tdvpr).status;
        this.trace.seamcall("TDH.VP.ADDCX", s);
        if (s !== TDX_SUCCESS) return vm.finish(vm.seamFail("TDH.VP.ADDCX", s));
      }
    }
    // The x2APIC ID of vCPU n is its KVM vcpu_id (§8.5).
    const s = m.vpInit(this.tdvpr, data, this.id).status;
    this.trace.seamcall("TDH.VP.INIT", s, undefined, 0, {
      rcx: `0x${data.toString(16)}`,
      x2apic_id: this.id,
    });
    if (s !== TDX_SUCCESS) return vm.finish(vm.seamFail("TDH.VP.INIT", s));
    this.initialized = true;
    return vm.finish({ ok: true });
  }

  /** KVM_TDX_INIT_MEM_REGION (§8.6). */
  tdxInitMemRegion(region: KvmTdxInitMemRegion, flags = 0): KvmResult {
    const measure = (flags & KVM_TDX_MEASURE_MEMORY_REGION) !== 0;
    this.trace.begin("vcpu", "KVM_TDX_INIT_MEM_REGION", {
      gpa: region.gpa,
      nr_pages: region.nrPages,
      measure,
    });
    const bad = this.checkRegion(region, flags, ~KVM_TDX_MEASURE_MEMORY_REGION);
    if (bad) return this.vm.finish(bad);
    const base = region.sourceOffset ?? 0;
    for (let p = 0; p < region.nrPages; p++) {
      const gpa = region.gpa + p * PAGE;
      const r = this.addPage(gpa, region.source, base + p * PAGE);
      if (r !== OK) return this.vm.finish(r);
      if (measure) {
        const e = this.extendPage(gpa);
        if (e !== OK) return this.vm.finish(e);
      }
      this.vm.kvm.pageDone();
    }
    return this.vm.finish({ ok: true });
  }

  /** v19-era KVM_TDX_EXTEND_MEMORY: 16 TDH.MR.EXTEND per page of an already added range. */
  tdxExtendMemory(gpa: number, nrPages: number): KvmResult {
    this.trace.begin("vcpu", "KVM_TDX_EXTEND_MEMORY", { gpa, nr_pages: nrPages });
    if (this.vm.kvm.generation !== "v19")
      return this.vm.finish(fail("EINVAL", "KVM_TDX_EXTEND_MEMORY exists only in the v19-era ABI"));
    const bad = this.checkRegion({ source: new Uint8Array(nrPages * PAGE), gpa, nrPages }, 0, -1);
    if (bad) return this.vm.finish(bad);
    for (let p = 0; p < nrPages; p++) {
      const e = this.extendPage(gpa + p * PAGE);
      if (e !== OK) return this.vm.finish(e);
      this.vm.kvm.pageDone();
    }
    return this.vm.finish({ ok: true });
  }

  private checkRegion(r: KvmTdxInitMemRegion, flags: number, allowedMask: number) {
    const vm = this.vm;
    if ((flags & allowedMask) !== 0) return fail("EINVAL", `flags 0x${flags.toString(16)} has unknown bits`);
    if (!vm.isTd || !vm.initialized || vm.finalized || vm.tdr === undefined)
      return fail("EINVAL", "TD not in build state");
    const off = r.sourceOffset ?? 0;
    if (!Number.isSafeInteger(r.gpa) || r.gpa < 0 || r.gpa % PAGE !== 0 || off % PAGE !== 0)
      return fail("EINVAL", "gpa/source not page aligned");
    if (!Number.isInteger(r.nrPages) || r.nrPages <= 0) return fail("EINVAL", "nr_pages must be > 0");
    if (r.gpa + r.nrPages * PAGE > 2 ** (vm.gpaw - 1))
      return fail("EINVAL", "range is not private (crosses the shared bit)");
    if (off + r.nrPages * PAGE > r.source.byteLength) return fail("EFAULT", "source shorter than nr_pages");
    return undefined;
  }

  /** TDH.MEM.SEPT.ADD when the 2 MiB region is new, then TDH.MEM.PAGE.ADD from `src` at `offset`. */
  private addPage(gpa: number, src: RegionSource, offset: number): KvmResult {
    const vm = this.vm;
    const tdr = vm.tdr as number;
    const m = vm.module;
    const region = Math.floor(gpa / PAGE_2M);
    if (!vm.septMapped.has(region)) {
      const s = m.memSeptAdd(tdr, region * PAGE_2M, 1).status;
      this.trace.seamcall("TDH.MEM.SEPT.ADD", s, region * PAGE_2M, PAGE_2M);
      if (s !== TDX_SUCCESS) return vm.seamFail("TDH.MEM.SEPT.ADD", s);
      vm.septMapped.add(region);
    }
    // The source is named by (buffer or provider, offset), as R9 names a physical page: no
    // per-page view, and a provider's page is read only when it is measured (or copied).
    const s = m.memPageAddFrom(tdr, gpa, src, offset).status;
    this.trace.seamcall("TDH.MEM.PAGE.ADD", s, gpa, PAGE);
    return s === TDX_SUCCESS ? OK : vm.seamFail("TDH.MEM.PAGE.ADD", s);
  }

  /** 16 × TDH.MR.EXTEND over one page (`mrExtendPage` is the module's exact equivalent). */
  private extendPage(gpa: number): KvmResult {
    const vm = this.vm;
    const r = vm.module.mrExtendPage(vm.tdr as number, gpa);
    if (r !== SEAMCALL_OK && r.status !== TDX_SUCCESS) {
      this.trace.seamcall("TDH.MR.EXTEND", r.status, gpa, CHUNK);
      return vm.seamFail("TDH.MR.EXTEND", r.status);
    }
    // Recorded as one entry of 16 calls (the trace coalesces them anyway).
    this.trace.seamcall("TDH.MR.EXTEND", TDX_SUCCESS, gpa, PAGE, undefined, PAGE / CHUNK);
    return OK;
  }
}
