/**
 * Golden build-time measurements: replays a launch configuration through the QEMU and KVM models
 * onto the simulated TDX module (tdx-reference.md §8–§10) and returns what a verifier compares
 * with a quote (MRTD, TDATTRIBUTES, XFAM, MRCONFIGID, MROWNER, MROWNERCONFIG), plus MAX_VCPUS
 * and where it came from — a value no quote carries (§3.2, §8.2).
 */
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { buildTdHob } from "../firmware/td-hob.js";
import {
  parseTdvfMetadata,
  TDVF_ATTR_MR_EXTEND,
  TDVF_ATTR_PAGE_AUG,
  type TdvfMetadata,
} from "../firmware/tdvf.js";
import type { VpInfo } from "../module/guest.js";
import { TdxModule } from "../module/tdx-module.js";
import { Kvm } from "../vmm/kvm.js";
import type { KvmGeneration } from "../vmm/kvm-types.js";
import { launchTd, type PageOrder, pageOrderFor, type QemuTdOptions } from "../vmm/qemu.js";
import type { LaunchTrace } from "../vmm/trace.js";
import { type LaunchConfig, type LaunchConfigInput, resolveLaunchConfig } from "./config.js";

export interface MeasureOptions {
  crypto?: CryptoBackend;
  /** Record the running MRTD after each ioctl in the trace (a clone of the hash per ioctl). */
  runningMrtd?: boolean;
  /**
   * Progress of the memory ioctls (pages added, plus pages measured again in two-pass order),
   * reported every 1024 pages and once at the end (`pagesDone === pagesTotal`).
   */
  onProgress?: (p: MeasureProgress) => void;
}

export interface MeasureProgress {
  readonly pagesDone: number;
  readonly pagesTotal: number;
}

export interface GoldenMeasurements {
  readonly mrTd: Uint8Array;
  readonly tdAttributes: bigint;
  readonly xfam: bigint;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  /** TD_PARAMS.MAX_VCPUS (what TDG.VP.INFO reports in the guest; not in any quote). */
  readonly maxVcpus: number;
  /** Human explanation of where `maxVcpus` came from in this KVM generation. */
  readonly maxVcpusSource: string;
  readonly kvm: KvmGeneration;
  readonly qemuVersion: string;
  readonly pageOrder: PageOrder;
  /** The TD_PARAMS bytes KVM built (not measured, kept for inspection). */
  readonly tdParams: Uint8Array;
  /** TDG.VP.INFO as vCPU 0 sees it. */
  readonly guestView: VpInfo;
  readonly tdvf: TdvfMetadata | undefined;
  readonly trace: LaunchTrace;
  /** Pages added / MR.EXTEND calls / bytes fed to SHA-384 for MRTD. */
  readonly stats: {
    readonly pagesAdded: number;
    readonly chunksExtended: number;
    readonly bytesHashed: number;
  };
  /** The resolved configuration (kernel/initrd/cmdline/ACPI/event log pass through for RTMRs). */
  readonly config: LaunchConfig;
}

/** Replays the launch and returns golden values. Throws ConfigError / ParseError / SimulationError. */
export function measureLaunch(
  input: LaunchConfigInput | LaunchConfig,
  opts: MeasureOptions = {},
): GoldenMeasurements {
  const config = isResolved(input) ? input : resolveLaunchConfig(input);
  const crypto = opts.crypto ?? defaultCrypto();
  const tdvf = config.firmware ? parseTdvfMetadata(config.firmware) : undefined;
  const module = new TdxModule(
    { version: config.moduleVersion },
    {
      crypto,
      // QEMU's sources (firmware image, payload buffers) stay unchanged during the launch.
      pageRetention: "reference",
    },
  );
  const onProgress = opts.onProgress;
  const pagesTotal = onProgress ? plannedPages(config, tdvf) : 0;
  const tdHob = hobFor(config, tdvf);
  const kvm = new Kvm(module, {
    generation: config.kvm,
    hostCpus: config.hostCpus,
    runningMrtd: opts.runningMrtd ?? false,
    ...(onProgress ? { onPages: (pagesDone: number) => onProgress({ pagesDone, pagesTotal }) } : {}),
  });
  const r = launchTd(
    kvm,
    qemuOptionsFor(config, {
      ...(config.firmware && tdvf ? { firmware: config.firmware, tdvf } : {}),
      ...(tdHob ? { tdHob } : {}),
    }),
  );
  onProgress?.({ pagesDone: pagesTotal, pagesTotal });
  const info = r.guestView;
  const td = module.mngRd(r.vm.tdr as number).td;
  if (!td) throw new Error("measureLaunch: TDH.MNG.RD failed after a successful launch");
  return {
    mrTd: r.mrTd,
    tdAttributes: info.attributes,
    xfam: td.xfam,
    mrConfigId: td.mrConfigId,
    mrOwner: td.mrOwner,
    mrOwnerConfig: td.mrOwnerConfig,
    maxVcpus: info.maxVcpus,
    maxVcpusSource: explainMaxVcpus(config, r.maxVcpusSource, info.maxVcpus),
    kvm: config.kvm,
    qemuVersion: config.qemuVersion,
    pageOrder: r.pageOrder,
    tdParams: r.tdParams,
    guestView: info,
    tdvf,
    trace: kvm.trace,
    stats: {
      pagesAdded: kvm.trace.count("TDH.MEM.PAGE.ADD"),
      chunksExtended: kvm.trace.count("TDH.MR.EXTEND"),
      bytesHashed: kvm.trace.count("TDH.MEM.PAGE.ADD") * 128 + kvm.trace.count("TDH.MR.EXTEND") * 384,
    },
    config,
  };
}

/**
 * The TD_HOB section's contents: the configured blob, else — when the section is MR_EXTENDed, so
 * its bytes enter MRTD — the HOB QEMU builds for the memory size before loading it (§9.2 step 3,
 * §11). An unmeasured HOB does not affect MRTD and is left to the RTMR computation.
 */
function hobFor(config: LaunchConfig, tdvf: TdvfMetadata | undefined): Uint8Array | undefined {
  if (config.tdHob) return config.tdHob;
  const hob = tdvf?.sections.find((s) => s.type === "TD_HOB");
  if (!tdvf || !hob || (hob.attributes & TDVF_ATTR_MR_EXTEND) === 0) return undefined;
  return buildTdHob({ memorySize: config.memory, sections: tdvf.sections }).bytes;
}

/** What the launch needs beside the configuration: the firmware with its parsed metadata, the HOB. */
export interface QemuLaunchInputs {
  readonly firmware?: Uint8Array;
  readonly tdvf?: TdvfMetadata;
  readonly tdHob?: Uint8Array;
}

/** The QEMU command-line view of a resolved launch configuration (§9.1). */
export function qemuOptionsFor(config: LaunchConfig, inputs: QemuLaunchInputs): QemuTdOptions {
  return {
    ...(inputs.firmware && inputs.tdvf ? { firmware: inputs.firmware, tdvf: inputs.tdvf } : {}),
    qemuVersion: config.qemuVersion,
    vcpus: config.vcpus,
    maxVcpus: config.maxVcpus,
    attributes: config.attributes,
    xfam: config.xfam,
    mrConfigId: config.mrConfigId,
    mrOwner: config.mrOwner,
    mrOwnerConfig: config.mrOwnerConfig,
    ...(config.tscFrequencyMHz !== undefined ? { tscKhz: config.tscFrequencyMHz * 1000 } : {}),
    gpaw: config.gpaw,
    payloads: config.payloads,
    ...(inputs.tdHob ? { tdHob: inputs.tdHob } : {}),
  };
}

/** Pages the memory ioctls will process: each added page, and measured pages twice in two-pass order. */
function plannedPages(c: LaunchConfig, tdvf: TdvfMetadata | undefined): number {
  const twoPass = pageOrderFor(c.qemuVersion) === "two-pass";
  let n = 0;
  const add = (bytes: number, measured: boolean) => {
    const pages = Math.ceil(bytes / 4096);
    n += twoPass && measured ? 2 * pages : pages;
  };
  for (const s of tdvf?.sections ?? [])
    if ((s.attributes & TDVF_ATTR_PAGE_AUG) === 0)
      add(s.memoryDataSize, (s.attributes & TDVF_ATTR_MR_EXTEND) !== 0);
  for (const p of c.payloads) add(p.size, p.measure);
  return n;
}

function isResolved(c: LaunchConfigInput | LaunchConfig): c is LaunchConfig {
  return (
    typeof (c as LaunchConfig).memory === "bigint" &&
    typeof (c as LaunchConfig).maxVcpusDefaulted === "boolean"
  );
}

function explainMaxVcpus(c: LaunchConfig, origin: string, value: number): string {
  const cfg = `${c.maxVcpus}${c.maxVcpusDefaulted ? " (defaulted to vcpus)" : ""}`;
  if (c.kvm === "6.16") {
    return `TD_PARAMS.MAX_VCPUS = ${value}, set by KVM (${origin}) and reported by KVM_CHECK_EXTENSION(KVM_CAP_MAX_VCPUS) on the VM fd; the config's maxVcpus ${cfg} is only QEMU's -smp maxcpus (firmware tables), not the TD's limit`;
  }
  return `TD_PARAMS.MAX_VCPUS = ${value}: QEMU enabled KVM_CAP_MAX_VCPUS = config maxVcpus ${cfg} on the VM fd (${origin}) and KVM wrote it into TD_PARAMS`;
}
