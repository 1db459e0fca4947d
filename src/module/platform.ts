/**
 * The simulated platform a TdxModule runs on: the module build (1.0 or 1.5), its identity as
 * the CPU reports it in TEE_TCB_INFO (tdx-reference.md §7.4), and the limits TDH.SYS.INFO
 * reports (§2.1–§2.7, §3.1). Defaults look like a current Sapphire/Emerald Rapids host running a
 * 1.5.x module; every value is illustrative, not a claim about a specific machine.
 */
import { ConfigError } from "../errors.js";

export type ModuleVersion = "1.0" | "1.5";

/** One configurable CPUID leaf (TDSYSINFO CPUID_CONFIG): which bits the host may set (§2.7). */
export interface CpuidConfigLeaf {
  readonly leaf: number;
  /** 0xFFFFFFFF when the leaf has no sub-leaves. */
  readonly subleaf: number;
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

export interface Platform {
  readonly version: ModuleVersion;
  /** TEE_TCB_SVN (16 bytes): [0] module SVN, [1] major version (0 on 1.0, 1 on 1.5) (§7.4). */
  readonly teeTcbSvn: Uint8Array;
  /** TEE_TCB_SVN2 (16 bytes, 1.5 with SEAMDB; zero on 1.0). */
  readonly teeTcbSvn2: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: bigint;
  /** CPUSVN reported in REPORTMACSTRUCT (16 bytes). */
  readonly cpuSvn: Uint8Array;
  /** TEE_TCB_INFO.VALID: 0x301FF with SEAMDB (TD-preserving updates), else 0x1FF (§7.4). */
  readonly seamdb: boolean;
  readonly maxVcpusPerTd: number;
  /** "Newer" module behaviour: TDH.MNG.INIT also rejects MAX_VCPUS > MAX_VCPUS_PER_TD (§3.1, §18.3). */
  readonly checkMaxVcpusAtInit: boolean;
  /** ATTRIBUTES bits that may be 1 / must be 1 (§2.2). */
  readonly attributesFixed0: bigint;
  readonly attributesFixed1: bigint;
  /** XFAM bits that may be 1 / must be 1 (§2.3). */
  readonly xfamFixed0: bigint;
  readonly xfamFixed1: bigint;
  /** MAX_NUM_CPUID_CONFIG: 6 in 1.0, 12 in 1.5.01 (§2.1). */
  readonly numCpuidConfig: number;
  readonly cpuidConfig: readonly CpuidConfigLeaf[];
  /** Host physical address width (GPAW 52 needs > 48, 5-level EPT needs ≥ 49, §2.4–§2.5). */
  readonly maxPa: number;
  /** CPU supports 5-level EPT. */
  readonly pml5: boolean;
  /** TDCS pages TDH.MNG.ADDCX must add before TDH.MNG.INIT, TDCX pages per VCPU before VP.INIT. */
  readonly tdcsPages: number;
  readonly tdcxPages: number;
  /**
   * SIMULATED platform MAC key for TDREPORT (HMAC-SHA-256). Real CPUs use a key no software
   * sees (§7.3.1); only `TdxModule.verifyReport` on the same simulated platform can check it.
   */
  readonly reportMacKey: Uint8Array;
}

/** Illustrative 1.5.16 identity (values seen in tdx-reference.md §7.4 / fixture case F). */
const MRSEAM_1_5 =
  "7bf063280e94fb051f5dd7b1fc59ce9aac42bb961df8d44b709c9b0ff87a7b4df648657ba6d1189589feab1d5a3c9a9d";

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from({ length: hex.length / 2 }, (_, i) =>
    Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
}

function svn(...bytes: number[]): Uint8Array {
  const b = new Uint8Array(16);
  b.set(bytes);
  return b;
}

const MRSEAM_1_5_BYTES = hexBytes(MRSEAM_1_5);
const ALL = 0xffffffff;
const leaf = (l: number, s = 0): CpuidConfigLeaf => ({
  leaf: l,
  subleaf: s,
  eax: ALL,
  ebx: ALL,
  ecx: ALL,
  edx: ALL,
});

/**
 * Configurable CPUID leaves. The real lists and masks come from TDH.SYS.INFO and are not
 * in the reference (UNCONFIRMED); these lists have the right lengths, include 0x80000008 (KVM
 * reads the guest PA width from it, §8.4), and allow every bit. Tests narrow the masks.
 */
const CPUID_1_5 = [0x1, 0x7, 0xd, 0xd, 0x14, 0x19, 0x1c, 0x1d, 0x1e, 0x24, 0x80000001, 0x80000008].map(
  (l, i) => leaf(l, i === 3 ? 1 : 0),
);
const CPUID_1_0 = [0x1, 0x7, 0xd, 0xd, 0x80000001, 0x80000008].map((l, i) => leaf(l, i === 3 ? 1 : 0));

/** Fixed simulated MAC key (documented as simulated; never a real secret). */
const SIM_MAC_KEY = Uint8Array.from({ length: 32 }, (_, i) => (0x5a + 7 * i) & 0xff);

export function defaultPlatform(version: ModuleVersion = "1.5"): Platform {
  const v15 = version === "1.5";
  return {
    version,
    teeTcbSvn: v15 ? svn(0x0d, 0x01, 0x04) : svn(0x03, 0x00, 0x00),
    teeTcbSvn2: v15 ? svn(0x0d, 0x01, 0x04) : svn(),
    // 1.0 has no MRSEAM in the reference: a recognisable placeholder pattern.
    mrSeam: v15 ? MRSEAM_1_5_BYTES.slice() : new Uint8Array(48).fill(0x10),
    mrSignerSeam: new Uint8Array(48),
    seamAttributes: 0n,
    cpuSvn: svn(0x0b, 0x0b, 0x02, 0x02, 0xff, 0x03),
    seamdb: v15,
    maxVcpusPerTd: 576,
    checkMaxVcpusAtInit: v15,
    attributesFixed0: v15 ? 0x8000000070000001n : 0x8000000050000001n,
    attributesFixed1: 0n,
    xfamFixed0: 0x0006dbe7n,
    xfamFixed1: 0x3n,
    numCpuidConfig: v15 ? 12 : 6,
    cpuidConfig: v15 ? CPUID_1_5 : CPUID_1_0,
    maxPa: 52,
    pml5: true,
    tdcsPages: v15 ? 6 : 4,
    tdcxPages: v15 ? 5 : 6,
    reportMacKey: SIM_MAC_KEY,
  };
}

/** A platform from defaults plus overrides, checked for internal consistency. */
export function createPlatform(overrides: Partial<Platform> = {}): Platform {
  const p: Platform = { ...defaultPlatform(overrides.version ?? "1.5"), ...overrides };
  const bad = (field: string, why: string): never => {
    throw new ConfigError("ERR_CONFIG", `Platform.${field}: ${why}`, { field: `Platform.${field}` });
  };
  for (const [f, n] of [
    ["teeTcbSvn", 16],
    ["teeTcbSvn2", 16],
    ["mrSeam", 48],
    ["mrSignerSeam", 48],
    ["cpuSvn", 16],
  ] as const) {
    if (p[f].length !== n) bad(f, `must be ${n} bytes, got ${p[f].length}`);
  }
  if (!Number.isInteger(p.maxVcpusPerTd) || p.maxVcpusPerTd < 1 || p.maxVcpusPerTd > 0xffff)
    bad("maxVcpusPerTd", "must be 1..65535");
  if (p.cpuidConfig.length !== p.numCpuidConfig)
    bad("cpuidConfig", `has ${p.cpuidConfig.length} leaves, numCpuidConfig is ${p.numCpuidConfig}`);
  if (p.numCpuidConfig < 0 || p.numCpuidConfig > 48) bad("numCpuidConfig", "must be 0..48");
  if (p.reportMacKey.length === 0) bad("reportMacKey", "must not be empty");
  return p;
}

/** TDH.SYS.INFO: what a VMM learns about the module before building TD_PARAMS. */
export interface TdSysInfo {
  readonly version: ModuleVersion;
  readonly attributesFixed0: bigint;
  readonly attributesFixed1: bigint;
  readonly xfamFixed0: bigint;
  readonly xfamFixed1: bigint;
  readonly maxVcpusPerTd: number;
  readonly numCpuidConfig: number;
  readonly cpuidConfig: readonly CpuidConfigLeaf[];
  readonly tdcsPages: number;
  readonly tdcxPages: number;
}

export function sysInfo(p: Platform): TdSysInfo {
  const {
    version,
    attributesFixed0,
    attributesFixed1,
    xfamFixed0,
    xfamFixed1,
    maxVcpusPerTd,
    numCpuidConfig,
  } = p;
  return {
    version,
    attributesFixed0,
    attributesFixed1,
    xfamFixed0,
    xfamFixed1,
    maxVcpusPerTd,
    numCpuidConfig,
    cpuidConfig: p.cpuidConfig,
    tdcsPages: p.tdcsPages,
    tdcxPages: p.tdcxPages,
  };
}
