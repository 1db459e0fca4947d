/**
 * End-to-end simulated boot: the QEMU/KVM model launches the TD on the simulated TDX module
 * (MRTD), the simulated VMM provides the TD HOB (§11), its ACPI blobs and the setup-patched
 * kernel (§9.4), the simulated TDVF measures them into RTMR0-2 and writes a CCEL + TCG2 log
 * (§12), an optional guest agent extends RTMR3 with the vCPU-info event, and TDG.MR.REPORT
 * returns the TDREPORT. The log replays to the report's RTMRs; `goldenInput` lets
 * `computeGoldenRtmrs` predict them from the same configuration.
 */
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ConfigError, SimulationError } from "../errors.js";
import { encodeCcelTable, encodeTcg2Log } from "../eventlog/encode.js";
import type { TcgEvent } from "../eventlog/types.js";
import { below4gMemory, buildTdHob, type TdHob } from "../firmware/td-hob.js";
import { parseTdvfMetadata } from "../firmware/tdvf.js";
import { type AcpiBlobs, buildAcpiBlobs } from "../measure/acpi.js";
import { type LaunchConfig, type LaunchConfigInput, resolveLaunchConfig } from "../measure/config.js";
import type { InitrdOptionStyle } from "../measure/kernel.js";
import { patchKernelForQemu } from "../measure/kernel.js";
import { qemuOptionsFor } from "../measure/launch.js";
import type { GoldenRtmrInput } from "../measure/rtmr-input.js";
import { TdxModule } from "../module/tdx-module.js";
import { Kvm } from "../vmm/kvm.js";
import { launchTd } from "../vmm/qemu.js";
import { GuestFirmware } from "./guest-firmware.js";

export interface SimulatedBootOptions {
  readonly crypto?: CryptoBackend;
  /** Run the guest-agent step (RTMR3 vCPU-info event from TDG.VP.INFO). */
  readonly guestAgent?: boolean;
  readonly reportData?: Uint8Array;
  readonly initrdOption?: InitrdOptionStyle;
  /** CCEL log area size (LAML); default 64 KiB. */
  readonly laml?: number;
}

export interface SimulatedBoot {
  /** 1024-byte TDREPORT from TDG.MR.REPORT after boot. */
  readonly report: Uint8Array;
  readonly mrTd: Uint8Array;
  /** RTMR0-3 as the module holds them (same as in the report). */
  readonly rtmrs: readonly Uint8Array[];
  readonly events: readonly TcgEvent[];
  /** CCEL log area (LAML bytes, 0xFF padded) and the CCEL ACPI table. */
  readonly ccelData: Uint8Array;
  readonly ccelTable: Uint8Array;
  readonly acpi: AcpiBlobs;
  readonly tdHob: TdHob;
  /** What TDG.VP.INFO reported to the guest agent, if it ran. */
  readonly vcpuInfo?: { readonly numVcpus: number; readonly maxVcpus: number };
  /** Inputs for `computeGoldenRtmrs` that describe this boot (no values read from the TD). */
  readonly goldenInput: GoldenRtmrInput;
}

function resolved(c: LaunchConfigInput | LaunchConfig): LaunchConfig {
  return typeof (c as LaunchConfig).memory === "bigint" &&
    typeof (c as LaunchConfig).maxVcpusDefaulted === "boolean"
    ? (c as LaunchConfig)
    : resolveLaunchConfig(c as LaunchConfigInput);
}

/** Launches, boots and reports a simulated TD for a launch configuration with a TDVF and a kernel. */
export function simulateTdBoot(
  input: LaunchConfigInput | LaunchConfig,
  opts: SimulatedBootOptions = {},
): SimulatedBoot {
  const config = resolved(input);
  const crypto = opts.crypto ?? defaultCrypto();
  if (!config.firmware || !config.kernel) {
    throw new ConfigError("ERR_CONFIG", "simulated boot needs a TDVF firmware image and a kernel", {
      field: config.firmware ? "kernel" : "firmware",
    });
  }
  const tdvf = parseTdvfMetadata(config.firmware);
  if (!tdvf.sections.some((s) => s.type === "TD_HOB"))
    throw new ConfigError(
      "ERR_CONFIG",
      "simulated boot models QEMU + OVMF: the firmware has no TD_HOB section (a td-shim image?)",
      { field: "firmware" },
    );
  const tdHob = buildTdHob({ memorySize: config.memory, sections: tdvf.sections });
  const module = new TdxModule({ version: config.moduleVersion }, { crypto });
  const kvm = new Kvm(module, { generation: config.kvm, hostCpus: config.hostCpus });
  const launched = launchTd(
    kvm,
    qemuOptionsFor(config, { firmware: config.firmware, tdvf, tdHob: tdHob.bytes }),
  );
  const tdvpr = launched.vcpus[0]?.tdvpr;
  if (tdvpr === undefined)
    throw new SimulationError("ERR_SIMULATION", "simulated boot: no vCPU after launch", { field: "vcpus" });
  const acpi = buildAcpiBlobs({ vcpus: config.vcpus, maxVcpus: config.maxVcpus, memorySize: config.memory });
  const patchInput = {
    memorySize: config.memory,
    ...(config.initrd ? { initrdSize: config.initrd.length } : {}),
    ...(config.cmdline !== undefined ? { cmdline: config.cmdline } : {}),
  };
  const fw = new GuestFirmware({ module, tdvpr }, crypto);
  fw.boot({
    firmware: config.firmware,
    sections: tdvf.sections,
    tdHob: tdHob.bytes,
    acpi,
    kernel: patchKernelForQemu(config.kernel, patchInput),
    ...(config.initrd ? { initrd: config.initrd } : {}),
    ...(config.cmdline !== undefined ? { cmdline: config.cmdline } : {}),
    ...(opts.initrdOption ? { initrdOption: opts.initrdOption } : {}),
  });
  const vcpuInfo = opts.guestAgent ? fw.vcpuInfoAgent() : undefined;
  const laml = opts.laml ?? 0x10000;
  const ccelData = encodeTcg2Log(fw.events, laml);
  const lasa = below4gMemory(config.memory) - 0x28000n - BigInt(laml);
  const rep = module.tdgMrReport(tdvpr, opts.reportData ?? new Uint8Array(64));
  if (rep.status !== 0n || !rep.report)
    throw new SimulationError("ERR_SIMULATION", `TDG.MR.REPORT failed: 0x${rep.status.toString(16)}`, {
      field: "report",
    });
  const snap = module.mngRd(launched.vm.tdr as number).td;
  const goldenInput: GoldenRtmrInput = {
    firmware: config.firmware,
    memorySize: config.memory,
    acpi,
    kernel: config.kernel,
    ...(config.initrd ? { initrd: config.initrd } : {}),
    ...(config.cmdline !== undefined ? { cmdline: config.cmdline } : {}),
    ...(opts.initrdOption ? { initrdOption: opts.initrdOption } : {}),
    ...(opts.guestAgent ? { vcpuInfo: { numVcpus: config.vcpus, maxVcpus: launched.maxVcpus } } : {}),
  };
  return {
    report: rep.report,
    mrTd: launched.mrTd,
    rtmrs: snap?.rtmr ?? [],
    events: fw.events,
    ccelData,
    ccelTable: encodeCcelTable(BigInt(laml), lasa),
    acpi,
    tdHob,
    ...(vcpuInfo ? { vcpuInfo } : {}),
    goldenInput,
  };
}
