/**
 * What QEMU does to launch a TD (tdx-reference.md §9.2–§9.3, §10): create the VM, settle the
 * per-VM max vCPUs for the KVM generation, KVM_TDX_INIT_VM, create and init the vCPUs, load the
 * TDVF sections in metadata order (PAGE_AUG sections are left for TDH.MEM.PAGE.AUG after
 * finalize, so they are never added), then raw payload regions (td-shim style), then finalize.
 *
 * Page order: QEMU ≥ 9 issues one KVM_TDX_INIT_MEM_REGION with the measure flag per section
 * (per page: PAGE.ADD then its 16 MR.EXTEND). QEMU 8.x with the v19-era KVM added all pages of a
 * section first and measured them afterwards (KVM_TDX_EXTEND_MEMORY): the per-section two-pass
 * order. The version → order mapping comes from dstack-mr only (§9.3, UNCONFIRMED).
 */
import { ConfigError, SimulationError } from "../errors.js";
import {
  TDVF_ATTR_MR_EXTEND,
  TDVF_ATTR_PAGE_AUG,
  type TdvfMetadata,
  type TdvfSection,
} from "../firmware/tdvf.js";
import type { VpInfo } from "../module/guest.js";
import type { Kvm } from "./kvm.js";
import {
  KVM_CAP_MAX_VCPUS,
  KVM_CAP_SPLIT_IRQCHIP,
  KVM_TDX_MEASURE_MEMORY_REGION,
  KVM_X86_TDX_VM,
  type KvmCpuidEntry,
  type KvmResult,
  type PageProvider,
  type RegionSource,
} from "./kvm-types.js";
import type { KvmVcpu } from "./kvm-vcpu.js";
import type { KvmVm } from "./kvm-vm.js";

const PAGE = 4096;

export type PageOrder = "single-pass" | "two-pass";

/** A raw binary loaded at a GPA (td-shim style), measured or not. */
export interface PayloadRegion {
  readonly name?: string;
  readonly gpa: number;
  /** Contents; zero-extended to `size` when shorter. */
  readonly data: RegionSource;
  /** Bytes of guest memory (page multiple); default `data.byteLength` rounded up to a page. */
  readonly size?: number;
  readonly measure: boolean;
}

export interface QemuTdOptions {
  readonly firmware?: Uint8Array;
  /** Parsed metadata of `firmware` (required with it). */
  readonly tdvf?: TdvfMetadata;
  /** Selects the page order (< 9 → two-pass). Default "10.1". */
  readonly qemuVersion?: string;
  readonly vcpus: number;
  /** QEMU -smp maxcpus (6.16) / the KVM_ENABLE_CAP value (v19). Default `vcpus`. */
  readonly maxVcpus?: number;
  readonly attributes: bigint;
  readonly xfam: bigint;
  readonly mrConfigId?: Uint8Array;
  readonly mrOwner?: Uint8Array;
  readonly mrOwnerConfig?: Uint8Array;
  readonly tscKhz?: number;
  readonly gpaw?: 48 | 52;
  readonly payloads?: readonly PayloadRegion[];
  /** Contents of the TD_HOB section (does not affect MRTD: the section is added, not extended). */
  readonly tdHob?: Uint8Array;
}

export interface QemuTdResult {
  readonly vm: KvmVm;
  readonly vcpus: readonly KvmVcpu[];
  readonly mrTd: Uint8Array;
  readonly tdParams: Uint8Array;
  /** TD_PARAMS.MAX_VCPUS as KVM set it. */
  readonly maxVcpus: number;
  readonly maxVcpusSource: string;
  readonly pageOrder: PageOrder;
  /** TDG.VP.INFO as vCPU 0 sees it after finalize. */
  readonly guestView: VpInfo;
}

/** Page order QEMU uses for a version string like "8.2" or "9.0.1". */
export function pageOrderFor(qemuVersion: string): PageOrder {
  const major = Number.parseInt(qemuVersion, 10);
  if (!Number.isInteger(major) || major <= 0)
    throw new SimulationError("ERR_SIMULATION", `qemuVersion: cannot read "${qemuVersion}"`);
  return major < 9 ? "two-pass" : "single-pass";
}

function must<T extends object>(r: KvmResult<T>, what: string): T {
  if (!r.ok) {
    const hw = r.hwError !== undefined ? ` (hw_error 0x${r.hwError.toString(16)})` : "";
    throw new SimulationError("ERR_KVM", `${what} failed with -${r.errno}: ${r.reason}${hw}`);
  }
  return r;
}

/** Bytes zero-extended to `size`, served page by page without copying the whole range. */
export function zeroExtended(data: RegionSource, size: number): PageProvider {
  return {
    byteLength: size,
    readPage(offset, out) {
      out.fill(0);
      if (offset >= data.byteLength) return;
      if (data instanceof Uint8Array)
        out.set(data.subarray(offset, Math.min(offset + PAGE, data.byteLength)));
      else if (offset + PAGE <= data.byteLength) data.readPage(offset, out);
      else {
        const tmp = new Uint8Array(PAGE);
        data.readPage(offset, tmp);
        out.set(tmp.subarray(0, data.byteLength - offset));
      }
    },
  };
}

/**
 * Source of a TDVF section's guest pages (§9.2 step 2): TD_HOB the HOB, other memory-only sections
 * zero pages, sections with raw data MemoryDataSize bytes of the file from DataOffset.
 */
function sectionSource(s: TdvfSection, fw: Uint8Array, tdHob: Uint8Array | undefined): RegionSource {
  if (s.type === "TD_HOB") {
    if (tdHob && tdHob.length > s.memoryDataSize)
      throw new SimulationError(
        "ERR_SIMULATION",
        `tdHob: ${tdHob.length} bytes exceed the TD_HOB section (${s.memoryDataSize})`,
      );
    return zeroExtended(tdHob ?? new Uint8Array(0), s.memoryDataSize);
  }
  if (s.rawDataSize === 0) return zeroExtended(new Uint8Array(0), s.memoryDataSize);
  // QEMU points the source at `firmware + DataOffset` and copies MemoryDataSize bytes: a tail
  // beyond RawDataSize is the file bytes that follow, not zeros (dstack-mr reads the same).
  const end = s.dataOffset + s.memoryDataSize;
  if (end > fw.length)
    throw new ConfigError(
      "ERR_CONFIG",
      `firmware: section[${s.index}] ${s.type}: QEMU copies MemoryDataSize 0x${s.memoryDataSize.toString(16)} bytes from DataOffset 0x${s.dataOffset.toString(16)}, past the end of the 0x${fw.length.toString(16)}-byte firmware file`,
      { field: "firmware" },
    );
  return fw.subarray(s.dataOffset, end);
}

/** Runs the whole launch; a failing ioctl throws SimulationError(ERR_KVM) naming it. */
export function launchTd(kvm: Kvm, o: QemuTdOptions): QemuTdResult {
  const order = pageOrderFor(o.qemuVersion ?? "10.1");
  const maxcpus = o.maxVcpus ?? o.vcpus;
  const t = kvm.trace;
  t.note(
    "qemu-config",
    `QEMU ${o.qemuVersion ?? "10.1"} (${order}), KVM ${kvm.generation}, -smp ${o.vcpus},maxcpus=${maxcpus}`,
  );
  kvm.checkExtension(KVM_CAP_MAX_VCPUS);
  const { vm } = must(kvm.createVm(KVM_X86_TDX_VM), "KVM_CREATE_VM");
  must(vm.enableCap(KVM_CAP_SPLIT_IRQCHIP, 24), "KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP)");
  if (kvm.generation === "v19")
    must(vm.enableCap(KVM_CAP_MAX_VCPUS, maxcpus), "KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS)");
  const vmMax = vm.checkExtension(KVM_CAP_MAX_VCPUS);
  if (maxcpus > vmMax)
    throw new SimulationError(
      "ERR_KVM",
      `QEMU: -smp maxcpus=${maxcpus} exceeds the VM's KVM_CAP_MAX_VCPUS ${vmMax} (${vm.maxVcpusOrigin})`,
    );
  if (o.tscKhz !== undefined) must(vm.setTscKhz(o.tscKhz), "KVM_SET_TSC_KHZ");
  must(vm.tdxCapabilities(), "KVM_TDX_CAPABILITIES");
  const cpuid: KvmCpuidEntry[] = [
    { function: 0x80000008, index: 0, eax: ((o.gpaw ?? 48) << 16) | (48 << 8) | 52, ebx: 0, ecx: 0, edx: 0 },
  ];
  const init = must(
    vm.tdxInitVm({
      attributes: o.attributes,
      xfam: o.xfam,
      cpuid,
      ...(o.mrConfigId ? { mrConfigId: o.mrConfigId } : {}),
      ...(o.mrOwner ? { mrOwner: o.mrOwner } : {}),
      ...(o.mrOwnerConfig ? { mrOwnerConfig: o.mrOwnerConfig } : {}),
      ...(kvm.generation === "v19" ? { maxVcpus: maxcpus } : {}),
    }),
    "KVM_TDX_INIT_VM",
  );
  const hob = o.tdvf?.sections.find((s) => s.type === "TD_HOB");
  const vcpus: KvmVcpu[] = [];
  for (let id = 0; id < o.vcpus; id++) vcpus.push(must(vm.createVcpu(id), `KVM_CREATE_VCPU(${id})`).vcpu);
  for (const v of vcpus) must(v.tdxInitVcpu(BigInt(hob?.memoryAddress ?? 0)), `KVM_TDX_INIT_VCPU(${v.id})`);
  const loader = vcpus[0];
  if (!loader)
    throw new SimulationError("ERR_SIMULATION", "vcpus: at least one vCPU is needed to load memory");
  if (o.firmware && o.tdvf) loadTdvf(loader, o.firmware, o.tdvf, order, o.tdHob);
  for (const p of o.payloads ?? [])
    loadRegion(loader, p.name ?? "payload", p.gpa, p.data, p.size, p.measure, order);
  const { mrTd } = must(vm.tdxFinalizeVm(), "KVM_TDX_FINALIZE_VM");
  const guestView = vm.module.tdgVpInfo(loader.tdvpr as number);
  return {
    vm,
    vcpus,
    mrTd,
    tdParams: init.tdParams,
    maxVcpus: vm.maxVcpus,
    maxVcpusSource: vm.maxVcpusOrigin,
    pageOrder: order,
    guestView,
  };
}

function loadTdvf(
  vcpu: KvmVcpu,
  fw: Uint8Array,
  tdvf: TdvfMetadata,
  order: PageOrder,
  tdHob: Uint8Array | undefined,
): void {
  if (tdHob && !tdvf.sections.some((s) => s.type === "TD_HOB"))
    throw new ConfigError("ERR_CONFIG", "tdHob: the firmware has no TD_HOB section to hold it", {
      field: "tdHob",
    });
  for (const s of tdvf.sections) {
    const name = `section[${s.index}] ${s.type}`;
    if (s.memoryDataSize === 0) {
      // td-shim's TdInfo: file bytes inside the BFV (already measured with it), no guest memory.
      vcpu.vm.kvm.trace.note("tdvf-skip", `${name}: file-only section, no guest memory (not added)`, {
        gpa: s.memoryAddress,
        size: 0,
      });
      continue;
    }
    if ((s.attributes & TDVF_ATTR_PAGE_AUG) !== 0) {
      vcpu.vm.kvm.trace.note(
        "tdvf-skip",
        `${name}: PAGE_AUG, accepted by the guest after finalize (not added, not measured)`,
        { gpa: s.memoryAddress, size: s.memoryDataSize },
      );
      continue;
    }
    const measure = (s.attributes & TDVF_ATTR_MR_EXTEND) !== 0;
    loadRegion(vcpu, name, s.memoryAddress, sectionSource(s, fw, tdHob), s.memoryDataSize, measure, order);
  }
}

function loadRegion(
  vcpu: KvmVcpu,
  name: string,
  gpa: number,
  data: RegionSource,
  size: number | undefined,
  measure: boolean,
  order: PageOrder,
): void {
  const bytes = size ?? Math.ceil(data.byteLength / PAGE) * PAGE;
  if (bytes % PAGE !== 0 || bytes === 0)
    throw new SimulationError("ERR_SIMULATION", `${name}: size ${bytes} is not a non-zero page multiple`);
  const source = data.byteLength === bytes ? data : zeroExtended(data, bytes);
  const nrPages = bytes / PAGE;
  if (order === "single-pass" || !measure) {
    must(
      vcpu.tdxInitMemRegion({ source, gpa, nrPages }, measure ? KVM_TDX_MEASURE_MEMORY_REGION : 0),
      `KVM_TDX_INIT_MEM_REGION(${name})`,
    );
    return;
  }
  must(vcpu.tdxInitMemRegion({ source, gpa, nrPages }, 0), `KVM_TDX_INIT_MEM_REGION(${name})`);
  must(vcpu.tdxExtendMemory(gpa, nrPages), `KVM_TDX_EXTEND_MEMORY(${name})`);
}
