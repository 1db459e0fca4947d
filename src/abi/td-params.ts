/**
 * TD_PARAMS (1024 bytes), the input of TDH.MNG.INIT: decode, encode (byte-exact, reserved areas
 * included) and report non-zero reserved areas. Layout: tdx-reference.md §2.1; 1.0 reserved
 * bytes that 1.5 gave names to (NUM_L2_VMS, MSR_CONFIG_CTLS, IA32_ARCH_CAPABILITIES_CONFIG) are
 * decoded under their 1.5 names so that one structure round-trips for both module versions.
 */
import { ByteReader } from "../bytes.js";
import { ParseError } from "../errors.js";
import { expectSize, nonZero, type ReservedFinding, StructWriter } from "./codec.js";
import type { CpuidConfigValues, TdParams } from "./types.js";

export const TD_PARAMS_SIZE = 1024;
/** MAX_NUM_CPUID_CONFIG of the 1.5.01 module source (§2.1); 1.0 uses 6. */
export const DEFAULT_NUM_CPUID_CONFIG = 12;
export const CPUID_CONFIG_ENTRY_SIZE = 16;
/** The CPUID_CONFIG array plus the reserved tail always span 768 bytes (§2.1). */
export const CPUID_CONFIG_AREA_SIZE = 768;
export const MAX_NUM_CPUID_CONFIG = CPUID_CONFIG_AREA_SIZE / CPUID_CONFIG_ENTRY_SIZE;

/** Field offsets and sizes (§2.1 table). */
export const TD_PARAMS_LAYOUT = {
  attributes: { offset: 0, size: 8 },
  xfam: { offset: 8, size: 8 },
  maxVcpus: { offset: 16, size: 2 },
  numL2Vms: { offset: 18, size: 1 },
  msrConfigCtls: { offset: 19, size: 1 },
  reserved20: { offset: 20, size: 4 },
  eptpControls: { offset: 24, size: 8 },
  configFlags: { offset: 32, size: 8 },
  tscFrequency: { offset: 40, size: 2 },
  reserved42: { offset: 42, size: 38 },
  mrConfigId: { offset: 80, size: 48 },
  mrOwner: { offset: 128, size: 48 },
  mrOwnerConfig: { offset: 176, size: 48 },
  ia32ArchCapabilitiesConfig: { offset: 224, size: 8 },
  reserved232: { offset: 232, size: 24 },
  cpuidConfig: { offset: 256, size: CPUID_CONFIG_AREA_SIZE },
} as const;

export interface TdParamsOptions {
  /** Number of CPUID_CONFIG entries (the module's MAX_NUM_CPUID_CONFIG); default 12. */
  numCpuidConfig?: number;
}

function checkN(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > MAX_NUM_CPUID_CONFIG) {
    throw new ParseError("ERR_BAD_VALUE", `TdParams.cpuidConfig: entry count ${n} is not in 0..48`, {
      field: "TdParams.cpuidConfig",
    });
  }
  return n;
}

/** Decodes a 1024-byte TD_PARAMS. Fields are copies (the structure is small). */
export function parseTdParams(bytes: Uint8Array, opts: TdParamsOptions = {}): TdParams {
  const n = checkN(opts.numCpuidConfig ?? DEFAULT_NUM_CPUID_CONFIG);
  expectSize(bytes, TD_PARAMS_SIZE, "TdParams");
  const r = new ByteReader(bytes, "TdParams");
  const attributes = r.u64("attributes");
  const xfam = r.u64("xfam");
  const maxVcpus = r.u16("maxVcpus");
  const numL2Vms = r.u8("numL2Vms");
  const msrConfigCtls = r.u8("msrConfigCtls");
  const r20 = r.take(4, "reserved.r20");
  const eptpControls = r.u64("eptpControls");
  const configFlags = r.u64("configFlags");
  const tscFrequency = r.u16("tscFrequency");
  const r42 = r.take(38, "reserved.r42");
  const mrConfigId = r.take(48, "mrConfigId");
  const mrOwner = r.take(48, "mrOwner");
  const mrOwnerConfig = r.take(48, "mrOwnerConfig");
  const ia32ArchCapabilitiesConfig = r.u64("ia32ArchCapabilitiesConfig");
  const r232 = r.take(24, "reserved.r232");
  const cpuidConfig: CpuidConfigValues[] = [];
  for (let i = 0; i < n; i++) {
    const f = `cpuidConfig[${i}]`;
    cpuidConfig.push({
      eax: r.u32(`${f}.eax`),
      ebx: r.u32(`${f}.ebx`),
      ecx: r.u32(`${f}.ecx`),
      edx: r.u32(`${f}.edx`),
    });
  }
  const tail = r.take(r.remaining, "reserved.tail");
  return {
    attributes,
    xfam,
    maxVcpus,
    numL2Vms,
    msrConfigCtls,
    eptpControls,
    configFlags,
    tscFrequency,
    mrConfigId,
    mrOwner,
    mrOwnerConfig,
    ia32ArchCapabilitiesConfig,
    cpuidConfig,
    reserved: { r20, r42, r232, tail },
  };
}

/**
 * Encodes TD_PARAMS to 1024 bytes. The number of CPUID_CONFIG entries is `p.cpuidConfig.length`
 * and `p.reserved.tail` must have 768 − 16·N bytes. Bad widths → ERR_BAD_VALUE / ERR_BAD_LENGTH.
 */
export function encodeTdParams(p: TdParams): Uint8Array {
  const n = checkN(p.cpuidConfig.length);
  const w = new StructWriter(TD_PARAMS_SIZE, "TdParams");
  w.u64(p.attributes, "attributes").u64(p.xfam, "xfam").u16(p.maxVcpus, "maxVcpus");
  w.u8(p.numL2Vms, "numL2Vms").u8(p.msrConfigCtls, "msrConfigCtls").fixed(p.reserved.r20, 4, "reserved.r20");
  w.u64(p.eptpControls, "eptpControls").u64(p.configFlags, "configFlags").u16(p.tscFrequency, "tscFrequency");
  w.fixed(p.reserved.r42, 38, "reserved.r42");
  w.fixed(p.mrConfigId, 48, "mrConfigId")
    .fixed(p.mrOwner, 48, "mrOwner")
    .fixed(p.mrOwnerConfig, 48, "mrOwnerConfig");
  w.u64(p.ia32ArchCapabilitiesConfig, "ia32ArchCapabilitiesConfig").fixed(
    p.reserved.r232,
    24,
    "reserved.r232",
  );
  p.cpuidConfig.forEach((c, i) => {
    const f = `cpuidConfig[${i}]`;
    w.u32(c.eax, `${f}.eax`).u32(c.ebx, `${f}.ebx`).u32(c.ecx, `${f}.ecx`).u32(c.edx, `${f}.edx`);
  });
  w.fixed(p.reserved.tail, CPUID_CONFIG_AREA_SIZE - CPUID_CONFIG_ENTRY_SIZE * n, "reserved.tail");
  return w.finish();
}

/** An all-zero TD_PARAMS value with `n` CPUID_CONFIG entries (a starting point for builders). */
export function emptyTdParams(numCpuidConfig = DEFAULT_NUM_CPUID_CONFIG): TdParams {
  return parseTdParams(new Uint8Array(TD_PARAMS_SIZE), { numCpuidConfig });
}

/** Non-zero reserved areas of a decoded TD_PARAMS (the module rejects such a structure). */
export function tdParamsReservedFindings(p: TdParams): ReservedFinding[] {
  const tailOffset = 256 + CPUID_CONFIG_ENTRY_SIZE * p.cpuidConfig.length;
  const areas: [string, number, Uint8Array][] = [
    ["TdParams.reserved.r20", 20, p.reserved.r20],
    ["TdParams.reserved.r42", 42, p.reserved.r42],
    ["TdParams.reserved.r232", 232, p.reserved.r232],
    ["TdParams.reserved.tail", tailOffset, p.reserved.tail],
  ];
  return areas
    .filter(([, , b]) => nonZero(b))
    .map(([field, offset, b]) => ({ field, offset, length: b.length }));
}
