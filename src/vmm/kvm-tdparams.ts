/**
 * KVM's `setup_tdparams()` (tdx-reference.md §8.4): turns a KVM_TDX_INIT_VM request and the VM's
 * own settings into the 1024-byte TD_PARAMS given to TDH.MNG.INIT. Errors are the errno KVM
 * returns before issuing any SEAMCALL.
 */
import { emptyTdParams, encodeTdParams } from "../abi/td-params.js";
import type { TdParams } from "../abi/types.js";
import type { TdSysInfo } from "../module/platform.js";
import { fail, KVM_MAX_CPUID_ENTRIES, type KvmFailure, type KvmTdxInitVm } from "./kvm-types.js";

const NO_RBP_MOD = 1n << 2n;
const GPAW = 1n;
const EPTP_PWL4 = 0x1en;
const EPTP_PWL5 = 0x26n;

export interface TdParamsInputs {
  readonly request: KvmTdxInitVm;
  readonly sys: TdSysInfo;
  readonly supportedAttrs: bigint;
  readonly supportedXfam: bigint;
  readonly maxVcpus: number;
  readonly tscKhz: number;
}

export interface BuiltTdParams {
  readonly ok: true;
  readonly bytes: Uint8Array;
  readonly params: TdParams;
}

/** Guest physical-address bits KVM reads from CPUID 0x80000008 EAX[23:16]. */
function guestPaBits(req: KvmTdxInitVm): number | undefined {
  const e = req.cpuid.find((c) => c.function === 0x80000008 && c.index === 0);
  return e ? (e.eax >>> 16) & 0xff : undefined;
}

/** Validates the request the way KVM does and builds TD_PARAMS. */
export function setupTdParams(inp: TdParamsInputs): BuiltTdParams | KvmFailure {
  const { request: req, sys } = inp;
  if ((req.flags ?? 0) !== 0) return fail("EINVAL", "kvm_tdx_cmd.flags must be 0");
  if ((req.attributes & ~inp.supportedAttrs) !== 0n) {
    return fail(
      "EINVAL",
      `attributes 0x${req.attributes.toString(16)} not within supported_attrs 0x${inp.supportedAttrs.toString(16)}`,
    );
  }
  if ((req.xfam & ~inp.supportedXfam) !== 0n)
    return fail("EINVAL", `xfam 0x${req.xfam.toString(16)} not within supported_xfam`);
  if (req.cpuid.length > KVM_MAX_CPUID_ENTRIES)
    return fail("E2BIG", `cpuid.nent ${req.cpuid.length} > ${KVM_MAX_CPUID_ENTRIES}`);
  for (const m of [req.mrConfigId, req.mrOwner, req.mrOwnerConfig]) {
    if (m !== undefined && m.length !== 48)
      return fail("EINVAL", "mrconfigid/mrowner/mrownerconfig must be 48 bytes");
  }
  const pa = guestPaBits(req);
  if (pa !== 48 && pa !== 52)
    return fail(
      "EINVAL",
      `CPUID 0x80000008 guest physical address bits ${pa ?? "missing"} (must be 48 or 52)`,
    );
  const p = emptyTdParams(sys.numCpuidConfig);
  for (const e of req.cpuid) {
    const i = sys.cpuidConfig.findIndex(
      (c) => c.leaf === e.function && (c.subleaf === 0xffffffff || c.subleaf === e.index),
    );
    const leaf = sys.cpuidConfig[i];
    if (!leaf)
      return fail("EINVAL", `CPUID leaf 0x${e.function.toString(16)}.${e.index} is not configurable`);
    const eax = e.function === 0x80000008 ? e.eax & 0xff00ffff : e.eax;
    const outside = (eax & ~leaf.eax) | (e.ebx & ~leaf.ebx) | (e.ecx & ~leaf.ecx) | (e.edx & ~leaf.edx);
    if (outside !== 0)
      return fail("EINVAL", `CPUID leaf 0x${e.function.toString(16)}.${e.index} sets non-configurable bits`);
    p.cpuidConfig[i] = { eax: eax >>> 0, ebx: e.ebx >>> 0, ecx: e.ecx >>> 0, edx: e.edx >>> 0 };
  }
  p.attributes = req.attributes | sys.attributesFixed1;
  p.xfam = req.xfam | sys.xfamFixed1;
  p.maxVcpus = inp.maxVcpus;
  // NO_RBP_MOD exists from module 1.5 on (1.0 accepts only GPAW, §2.5).
  p.configFlags = (sys.version === "1.5" ? NO_RBP_MOD : 0n) | (pa === 52 ? GPAW : 0n);
  p.eptpControls = pa === 52 ? EPTP_PWL5 : EPTP_PWL4;
  p.tscFrequency = Math.floor(inp.tscKhz / 25000);
  if (req.mrConfigId) p.mrConfigId = req.mrConfigId.slice();
  if (req.mrOwner) p.mrOwner = req.mrOwner.slice();
  if (req.mrOwnerConfig) p.mrOwnerConfig = req.mrOwnerConfig.slice();
  return { ok: true, bytes: encodeTdParams(p), params: p };
}
