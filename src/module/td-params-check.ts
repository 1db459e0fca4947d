/**
 * TDH.MNG.INIT's TD_PARAMS validation, in the order of tdx-reference.md §3.1 (1.5.01
 * `tdh_mng_init.c`): the first failing check decides the status, so the order is part of the
 * ABI a simulator must reproduce. Returns TDX_SUCCESS or the completion status with its
 * operand ID; on CPUID_CONFIG errors (1.5) also the leaf/subleaf the module puts in RCX.
 */
import type { TdParams } from "../abi/types.js";
import type { Platform } from "./platform.js";
import { OPERAND, TDX_OPERAND_INVALID, TDX_SUCCESS, withOperand } from "./status.js";

const ATTR_DEBUG = 1n;
const ATTR_MIGRATABLE = 1n << 29n;
const ATTR_PERFMON = 1n << 63n;
/** XFAM bits the module knows at all (§2.3). */
const XFAM_KNOWN = 0x0006dbe7n;
const XFAM_AVX = 1n << 2n;
const XFAM_AVX512 = 0b111n << 5n;
const XFAM_CET = 0b11n << 11n;
const XFAM_AMX = 0b11n << 17n;
/** CONFIG_FLAGS bits accepted: 1.0 only GPAW, 1.5.01 GPAW | FLEXIBLE_PENDING_VE | NO_RBP_MOD (§2.5). */
const CONFIG_FIXED0 = { "1.0": 0x1n, "1.5": 0x7n } as const;
const CONFIG_GPAW = 1n;
const EPTP_4LEVEL = 0x1en;
const EPTP_5LEVEL = 0x26n;
const TSC_MIN = 4;
const TSC_MAX = 400;
const MAX_L2_VMS = 3;

export interface TdParamsCheck {
  readonly status: bigint;
  /** 1.5 CPUID_CONFIG failures: `leaf | subleaf << 32` as the module reports it in RCX. */
  readonly rcx?: bigint;
}

const invalid = (operand: number): TdParamsCheck => ({ status: withOperand(TDX_OPERAND_INVALID, operand) });
function nonZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return true;
  return false;
}

/** Validates a decoded TD_PARAMS against the platform (§3.1 steps 8–24). */
export function checkTdParams(p: TdParams, platform: Platform): TdParamsCheck {
  const v10 = platform.version === "1.0";
  if (!attributesOk(p.attributes, platform)) return invalid(OPERAND.ATTRIBUTES);
  if (!xfamOk(p.xfam, platform)) return invalid(OPERAND.XFAM);
  if (p.maxVcpus === 0) return invalid(OPERAND.MAX_VCPUS);
  if (platform.checkMaxVcpusAtInit && p.maxVcpus > platform.maxVcpusPerTd) return invalid(OPERAND.MAX_VCPUS);
  if (v10) {
    // 1.0: bytes 18..23 are all reserved (§2.1).
    if (p.numL2Vms !== 0 || p.msrConfigCtls !== 0 || nonZero(p.reserved.r20)) return invalid(OPERAND.RDX);
  } else {
    if (p.numL2Vms > MAX_L2_VMS) return invalid(OPERAND.NUM_L2_VMS);
    if (nonZero(p.reserved.r20)) return invalid(OPERAND.RDX);
  }
  if (!configFlagsOk(p, platform)) return invalid(OPERAND.EXEC_CONTROLS);
  if (!eptpOk(p.eptpControls, platform)) return invalid(OPERAND.EPTP_CONTROLS);
  if (p.tscFrequency < TSC_MIN || p.tscFrequency > TSC_MAX) return invalid(OPERAND.TSC_FREQUENCY);
  if (nonZero(p.reserved.r42)) return invalid(OPERAND.RDX);
  if (!v10 && (p.msrConfigCtls & ~1) !== 0) return invalid(OPERAND.RDX);
  if (nonZero(p.reserved.r232) || (v10 && p.ia32ArchCapabilitiesConfig !== 0n)) return invalid(OPERAND.RDX);
  const cpuid = checkCpuid(p, platform);
  if (cpuid) return cpuid;
  if (nonZero(p.reserved.tail)) return invalid(OPERAND.RDX);
  // IA32_ARCH_CAPABILITIES_CONFIG is only consumed with MSR_CONFIG_CTLS bit 0; the simulated
  // platform allows no configurable bits, so any non-zero value is invalid (simplification).
  if (!v10 && p.ia32ArchCapabilitiesConfig !== 0n) return invalid(OPERAND.IA32_ARCH_CAPABILITIES_CONFIG);
  return { status: TDX_SUCCESS };
}

/** §2.2: within FIXED0, covering FIXED1; 1.5 MIGRATABLE excludes DEBUG and PERFMON. */
function attributesOk(a: bigint, p: Platform): boolean {
  if ((a & ~p.attributesFixed0) !== 0n || (a & p.attributesFixed1) !== p.attributesFixed1) return false;
  if ((a & ATTR_MIGRATABLE) !== 0n && (a & (ATTR_DEBUG | ATTR_PERFMON)) !== 0n) return false;
  return true;
}

/** §2.3: fixed bits, known/supported bits, AVX-512 all-or-none (needing AVX), CET and AMX pairs. */
function xfamOk(x: bigint, p: Platform): boolean {
  if ((x & p.xfamFixed1) !== p.xfamFixed1) return false;
  if ((x & ~(p.xfamFixed0 & XFAM_KNOWN)) !== 0n) return false;
  const avx512 = x & XFAM_AVX512;
  if (avx512 !== 0n && (avx512 !== XFAM_AVX512 || (x & XFAM_AVX) === 0n)) return false;
  const cet = x & XFAM_CET;
  if (cet !== 0n && cet !== XFAM_CET) return false;
  const amx = x & XFAM_AMX;
  return amx === 0n || amx === XFAM_AMX;
}

/** §2.5 plus the GPAW consistency rules (MAX_PA > 48, 5-level EPT). */
function configFlagsOk(p: TdParams, platform: Platform): boolean {
  if ((p.configFlags & ~CONFIG_FIXED0[platform.version]) !== 0n) return false;
  if ((p.configFlags & CONFIG_GPAW) === 0n) return true;
  return platform.maxPa > 48 && p.eptpControls === EPTP_5LEVEL;
}

/** §2.4: exactly 0x1E, or 0x26 when the CPU has 5-level EPT and MAX_PA ≥ 49. */
function eptpOk(e: bigint, p: Platform): boolean {
  if (e === EPTP_4LEVEL) return true;
  return e === EPTP_5LEVEL && p.pml5 && p.maxPa >= 49;
}

/** §2.7: every entry ⊆ the configurable bits of the i-th leaf. */
function checkCpuid(p: TdParams, platform: Platform): TdParamsCheck | undefined {
  for (let i = 0; i < p.cpuidConfig.length; i++) {
    const c = p.cpuidConfig[i];
    const allowed = platform.cpuidConfig[i];
    if (!c || !allowed) return invalid(OPERAND.CPUID_CONFIG);
    const outside =
      (c.eax & ~allowed.eax) | (c.ebx & ~allowed.ebx) | (c.ecx & ~allowed.ecx) | (c.edx & ~allowed.edx);
    if (outside !== 0) {
      const r = invalid(OPERAND.CPUID_CONFIG);
      if (platform.version === "1.0") return r;
      return { ...r, rcx: BigInt(allowed.leaf >>> 0) | (BigInt(allowed.subleaf >>> 0) << 32n) };
    }
  }
  return undefined;
}
