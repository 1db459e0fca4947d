/**
 * Launch configuration for golden measurements: what the user writes (JSON or CLI flags, with
 * bytes already loaded) and its validated, defaulted form. Every problem is a
 * ConfigError("ERR_CONFIG") naming the field. Defaults mirror QEMU's (`sept-ve-disable=on`,
 * §9.1) and a current SPR/EMR host.
 */
import { parseAttributeNames, parseXfamNames } from "../abi/flags.js";
import { ConfigError } from "../errors.js";
import type { ModuleVersion } from "../module/platform.js";
import type { KvmGeneration, PageProvider } from "../vmm/kvm-types.js";
import { pageOrderFor } from "../vmm/qemu.js";

/** A raw region as written in a config (bytes loaded by the caller). */
export interface PayloadRegionInput {
  readonly name?: string;
  readonly gpa: number | string;
  readonly data: Uint8Array | PageProvider;
  readonly size?: number | string;
  /** Default true. */
  readonly measure?: boolean;
}

/** What a caller may write; everything but the firmware or a payload is optional. */
export interface LaunchConfigInput {
  readonly firmware?: Uint8Array;
  readonly memory?: string | number;
  readonly vcpus?: number;
  readonly maxVcpus?: number;
  readonly kvm?: string;
  readonly hostCpus?: number;
  readonly attributes?: string | readonly string[] | bigint | number;
  readonly xfam?: string | readonly string[] | bigint | number;
  readonly mrConfigId?: string | Uint8Array;
  readonly mrOwner?: string | Uint8Array;
  readonly mrOwnerConfig?: string | Uint8Array;
  readonly tscFrequencyMHz?: number;
  readonly qemuVersion?: string;
  readonly gpaw?: number;
  readonly moduleVersion?: string;
  readonly payloads?: readonly PayloadRegionInput[];
  /** Passed through for the RTMR computation (not used for MRTD). */
  readonly kernel?: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline?: string;
  readonly acpiTables?: Uint8Array;
  readonly referenceEventLog?: Uint8Array;
  /** Optional TD HOB contents (does not change MRTD). */
  readonly tdHob?: Uint8Array;
}

export interface LaunchConfig {
  readonly firmware: Uint8Array | undefined;
  readonly memory: bigint;
  readonly vcpus: number;
  readonly maxVcpus: number;
  /** True when `maxVcpus` was not given and defaulted to `vcpus`. */
  readonly maxVcpusDefaulted: boolean;
  readonly kvm: KvmGeneration;
  readonly hostCpus: number;
  readonly attributes: bigint;
  readonly xfam: bigint;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly tscFrequencyMHz: number | undefined;
  readonly qemuVersion: string;
  readonly gpaw: 48 | 52;
  readonly moduleVersion: ModuleVersion;
  readonly payloads: readonly {
    name: string;
    gpa: number;
    data: Uint8Array | PageProvider;
    size: number;
    measure: boolean;
  }[];
  readonly kernel: Uint8Array | undefined;
  readonly initrd: Uint8Array | undefined;
  readonly cmdline: string | undefined;
  readonly acpiTables: Uint8Array | undefined;
  readonly referenceEventLog: Uint8Array | undefined;
  readonly tdHob: Uint8Array | undefined;
}

export const DEFAULT_ATTRIBUTES = 1n << 28n; // SEPT_VE_DISABLE (QEMU default)
/** x87, SSE, AVX, AVX-512 ×3, PKRU, AMX ×2 (what SPR/EMR quotes commonly show, §2.3). */
export const DEFAULT_XFAM = 0x602e7n;
export const DEFAULT_QEMU_VERSION = "10.1";
export const DEFAULT_HOST_CPUS = 64;

const KNOWN_KEYS = new Set([
  "firmware",
  "memory",
  "vcpus",
  "maxVcpus",
  "kvm",
  "hostCpus",
  "attributes",
  "xfam",
  "mrConfigId",
  "mrOwner",
  "mrOwnerConfig",
  "tscFrequencyMHz",
  "qemuVersion",
  "gpaw",
  "moduleVersion",
  "payloads",
  "kernel",
  "initrd",
  "cmdline",
  "acpiTables",
  "referenceEventLog",
  "tdHob",
]);

export function configError(field: string, message: string): never {
  throw new ConfigError("ERR_CONFIG", `LaunchConfig.${field}: ${message}`, {
    field: `LaunchConfig.${field}`,
  });
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    configError(field, `must be an integer in ${min}..${max} (got ${String(v)})`);
  return v;
}

function bytesField(v: unknown, field: string): Uint8Array | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof Uint8Array)) configError(field, "must be bytes (a file path in JSON/CLI)");
  return v;
}

/** "2G", "512M", "4096K", a byte count, or a number of bytes. */
export function parseMemory(v: unknown, field = "memory"): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return BigInt(v);
  const m = typeof v === "string" ? /^\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(v) : null;
  if (!m) return configError(field, `cannot read size ${JSON.stringify(v)} (use e.g. "2G")`);
  const shift = { "": 0n, K: 10n, M: 20n, G: 30n, T: 40n }[
    (m[2] ?? "").toUpperCase() as "" | "K" | "M" | "G" | "T"
  ];
  const n = BigInt(m[1] as string) << shift;
  if (n === 0n) configError(field, "must be > 0");
  return n;
}

/** A u64 flag word from hex/decimal text, a name or list of names, or a number. */
function flagWord(v: unknown, field: string, names: (n: readonly string[]) => bigint): bigint {
  if (typeof v === "bigint") return BigInt.asUintN(64, v) === v ? v : configError(field, "out of u64 range");
  if (typeof v === "number")
    return Number.isSafeInteger(v) && v >= 0
      ? BigInt(v)
      : configError(field, "must be a non-negative integer");
  const list =
    typeof v === "string"
      ? v.split(/[,\s|+]+/).filter(Boolean)
      : Array.isArray(v)
        ? v
        : configError(field, "must be hex, a number or flag names");
  if (list.length === 1 && /^(0x[0-9a-f]+|\d+)$/i.test(String(list[0]))) {
    const n = BigInt(String(list[0]));
    return BigInt.asUintN(64, n) === n ? n : configError(field, "out of u64 range");
  }
  try {
    return names(list.map((s) => String(s).replaceAll("-", "_")));
  } catch (e) {
    return configError(field, e instanceof Error ? e.message : String(e));
  }
}

/** 48 bytes from hex text (or bytes); default all zero. */
function mr48(v: unknown, field: string): Uint8Array {
  if (v === undefined) return new Uint8Array(48);
  if (v instanceof Uint8Array)
    return v.length === 48 ? v.slice() : configError(field, `must be 48 bytes, got ${v.length}`);
  if (typeof v !== "string") return configError(field, "must be 96 hex digits");
  const s = v.trim().replace(/^0x/i, "");
  if (!/^[0-9a-f]*$/i.test(s) || s.length !== 96)
    configError(field, `must be exactly 96 hex digits (48 bytes), got ${s.length}`);
  return Uint8Array.from({ length: 48 }, (_, i) => Number.parseInt(s.slice(2 * i, 2 * i + 2), 16));
}

function gpaOf(v: unknown, field: string): number {
  const n = typeof v === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(v.trim()) ? Number(BigInt(v.trim())) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0 || n % 4096 !== 0)
    configError(field, `must be a 4 KiB-aligned address (got ${String(v)})`);
  return n;
}

function payloads(v: unknown): LaunchConfig["payloads"] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return configError("payloads", "must be an array");
  return v.map((p: unknown, i) => {
    const f = `payloads[${i}]`;
    if (typeof p !== "object" || p === null) configError(f, "must be an object");
    const r = p as Record<string, unknown>;
    const data = r["data"];
    if (!(data instanceof Uint8Array) && !(typeof data === "object" && data !== null && "readPage" in data))
      configError(`${f}.data`, 'must be bytes (use "file" in JSON)');
    const dataLen = (data as Uint8Array | PageProvider).byteLength;
    const size =
      r["size"] === undefined
        ? Math.ceil(dataLen / 4096) * 4096
        : Number(parseMemory(r["size"], `${f}.size`));
    if (size % 4096 !== 0 || size === 0 || size < dataLen)
      configError(`${f}.size`, `must be a non-zero page multiple ≥ the data length (${dataLen})`);
    if (r["measure"] !== undefined && typeof r["measure"] !== "boolean")
      configError(`${f}.measure`, "must be true or false");
    const name = r["name"] === undefined ? `payload${i}` : String(r["name"]);
    return {
      name,
      gpa: gpaOf(r["gpa"], `${f}.gpa`),
      data: data as Uint8Array | PageProvider,
      size,
      measure: r["measure"] !== false,
    };
  });
}

/** Validates and defaults a launch configuration. */
export function resolveLaunchConfig(input: LaunchConfigInput): LaunchConfig {
  if (typeof input !== "object" || input === null) configError("(root)", "must be an object");
  for (const k of Object.keys(input)) if (!KNOWN_KEYS.has(k)) configError(k, "unknown field");
  const firmware = bytesField(input.firmware, "firmware");
  const pl = payloads(input.payloads);
  if (!firmware && pl.length === 0)
    configError("firmware", "a firmware image or at least one payload region is required");
  const vcpus = int(input.vcpus ?? 1, "vcpus", 1, 0xffff);
  const maxVcpus = int(input.maxVcpus ?? vcpus, "maxVcpus", 1, 0xffff);
  if (maxVcpus < vcpus) configError("maxVcpus", `${maxVcpus} is below vcpus ${vcpus}`);
  const qemuVersion = input.qemuVersion ?? DEFAULT_QEMU_VERSION;
  if (typeof qemuVersion !== "string" || !/^\d+(\.\d+){0,2}$/.test(qemuVersion))
    configError("qemuVersion", `must look like "9.0" (got ${String(qemuVersion)})`);
  const twoPass = pageOrderFor(qemuVersion) === "two-pass";
  const kvm = input.kvm ?? (twoPass ? "v19" : "6.16");
  if (kvm !== "6.16" && kvm !== "v19") configError("kvm", `must be "6.16" or "v19" (got ${String(kvm)})`);
  if (twoPass && kvm === "6.16")
    configError("qemuVersion", `QEMU ${qemuVersion} (two-pass) used the pre-merge KVM API: set kvm to "v19"`);
  const tsc = input.tscFrequencyMHz;
  if (tsc !== undefined && int(tsc, "tscFrequencyMHz", 100, 10000) % 25 !== 0)
    configError("tscFrequencyMHz", "must be a multiple of 25 MHz (QEMU rule)");
  const gpaw = input.gpaw ?? 48;
  if (gpaw !== 48 && gpaw !== 52) configError("gpaw", "must be 48 or 52");
  const moduleVersion = input.moduleVersion ?? "1.5";
  if (moduleVersion !== "1.0" && moduleVersion !== "1.5")
    configError("moduleVersion", `must be "1.0" or "1.5"`);
  if (input.cmdline !== undefined && typeof input.cmdline !== "string")
    configError("cmdline", "must be a string");
  return {
    firmware,
    memory: parseMemory(input.memory ?? "2G"),
    vcpus,
    maxVcpus,
    maxVcpusDefaulted: input.maxVcpus === undefined,
    kvm,
    hostCpus: int(input.hostCpus ?? DEFAULT_HOST_CPUS, "hostCpus", 1, 0xffff),
    attributes:
      input.attributes === undefined
        ? DEFAULT_ATTRIBUTES
        : flagWord(input.attributes, "attributes", parseAttributeNames),
    xfam: input.xfam === undefined ? DEFAULT_XFAM : flagWord(input.xfam, "xfam", parseXfamNames),
    mrConfigId: mr48(input.mrConfigId, "mrConfigId"),
    mrOwner: mr48(input.mrOwner, "mrOwner"),
    mrOwnerConfig: mr48(input.mrOwnerConfig, "mrOwnerConfig"),
    tscFrequencyMHz: tsc,
    qemuVersion,
    gpaw,
    moduleVersion,
    payloads: pl,
    kernel: bytesField(input.kernel, "kernel"),
    initrd: bytesField(input.initrd, "initrd"),
    cmdline: input.cmdline,
    acpiTables: bytesField(input.acpiTables, "acpiTables"),
    referenceEventLog: bytesField(input.referenceEventLog, "referenceEventLog"),
    tdHob: bytesField(input.tdHob, "tdHob"),
  };
}
