/**
 * A model of TDVF running inside the simulated TD (tdx-reference.md §11, §12.6): after the
 * launch is finalized it measures what the VMM handed it (TD HOB, CFV, Secure Boot and boot
 * variables, QEMU's ACPI blobs, the setup-patched kernel, LoadOptions, initrd, EFI actions),
 * extends each digest with TDG.MR.RTMR.EXTEND and logs the event. The optional guest-agent step
 * reads TDG.VP.INFO and extends RTMR3 with the tdx-attest vCPU-info event (docs/eventlog.md).
 *
 * Digests are computed here from the bytes (HOB walked up to its end HOB, CFV section of the
 * image, ACPI blobs, Authenticode of the patched kernel), not through the golden planner, so
 * the golden computation in `measure/` is checked against an independent sequence.
 */
import { asciiBytes } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { SimulationError } from "../errors.js";
import { EV, type TcgEvent, TPM_ALG } from "../eventlog/types.js";
import { EFI_GLOBAL_VARIABLE, encodeUefiVariableData } from "../eventlog/uefi.js";
import { authenticodeHash } from "../firmware/pe-authenticode.js";
import { hobListWithoutEnd } from "../firmware/td-hob.js";
import type { TdvfSection } from "../firmware/tdvf.js";
import type { AcpiBlobs } from "../measure/acpi.js";
import { cmdlineBytes, type InitrdOptionStyle, ovmfLoadOptions } from "../measure/kernel.js";
import { defaultBootVariables } from "../measure/rtmr.js";
import {
  cfvEventData,
  EFI_ACTIONS,
  kernelImageLoadData,
  LINUX_INITRD_TAG,
  LINUX_LOAD_OPTIONS_TAG,
  linuxTagData,
  SECURE_BOOT_VARIABLES,
  SEPARATOR_DATA,
  tdHobEventData,
  vcpuInfoData,
} from "../measure/rtmr-events.js";
import type { TdxModule } from "../module/tdx-module.js";

/** What the VMM hands the firmware (fw_cfg, TD memory) and the firmware's own variable store. */
export interface FirmwareEnvironment {
  readonly firmware: Uint8Array;
  readonly sections: readonly TdvfSection[];
  /** The HOB list as the VMM wrote it into the TD_HOB section (including the end HOB). */
  readonly tdHob: Uint8Array;
  readonly acpi: AcpiBlobs;
  /** The kernel image as QEMU exposes it (setup header already patched). */
  readonly kernel: Uint8Array;
  readonly initrd?: Uint8Array;
  readonly cmdline?: string;
  readonly initrdOption?: InitrdOptionStyle;
  readonly secureBootVariables?: Readonly<Partial<Record<string, Uint8Array>>>;
}

/** A running TD vCPU the firmware executes on. */
export interface GuestCpu {
  readonly module: TdxModule;
  readonly tdvpr: number;
}

/** Runs the TDVF measurement sequence; returns the logged events (in log order). */
export class GuestFirmware {
  readonly events: TcgEvent[] = [];

  constructor(
    private readonly cpu: GuestCpu,
    private readonly crypto: CryptoBackend = defaultCrypto(),
  ) {}

  /** Extends RTMR[mrIndex-1] with `digest` through TDG.MR.RTMR.EXTEND and logs the event. */
  measure(mrIndex: number, eventType: number, data: Uint8Array, digest: Uint8Array): void {
    const r = this.cpu.module.tdgMrRtmrExtend(this.cpu.tdvpr, BigInt(mrIndex - 1), digest);
    if (r.status !== 0n) {
      throw new SimulationError(
        "ERR_SIMULATION",
        `TDG.MR.RTMR.EXTEND(${mrIndex - 1}) failed: 0x${r.status.toString(16)}`,
        { field: "rtmr" },
      );
    }
    const seq = this.events.length;
    this.events.push({
      seq,
      offset: -1,
      mrIndex,
      eventType,
      digests: [{ algorithmId: TPM_ALG.SHA384, digest }],
      data,
    });
  }

  private hashed(mrIndex: number, eventType: number, data: Uint8Array, over: Uint8Array = data): void {
    this.measure(mrIndex, eventType, data, this.crypto.hash("sha384", over));
  }

  /** The full TDVF + OVMF direct-boot sequence (§12.6). */
  boot(env: FirmwareEnvironment): void {
    const hobSection = env.sections.find((s) => s.type === "TD_HOB");
    const cfv = env.sections.find((s) => s.type === "CFV");
    if (!hobSection || !cfv)
      throw new SimulationError("ERR_SIMULATION", "guest firmware: TDVF image lacks TD_HOB or CFV", {
        field: "firmware",
      });
    this.hashed(
      1,
      EV.EFI_HANDOFF_TABLES2,
      tdHobEventData(hobSection.memoryAddress),
      hobListWithoutEnd(env.tdHob),
    );
    const cfvBytes = env.firmware.subarray(cfv.dataOffset, cfv.dataOffset + cfv.rawDataSize);
    this.hashed(
      1,
      EV.EFI_PLATFORM_FIRMWARE_BLOB2,
      cfvEventData(cfv.memoryAddress, cfv.memoryDataSize),
      cfvBytes,
    );
    for (const v of SECURE_BOOT_VARIABLES) {
      const data = encodeUefiVariableData({
        guid: v.guid,
        name: v.name,
        data: env.secureBootVariables?.[v.name] ?? new Uint8Array(),
      });
      this.hashed(1, EV.EFI_VARIABLE_DRIVER_CONFIG, data);
    }
    this.hashed(1, EV.SEPARATOR, SEPARATOR_DATA);
    const acpiData = asciiBytes("ACPI DATA");
    for (const blob of [env.acpi.loader, env.acpi.rsdp, env.acpi.tables])
      this.hashed(1, EV.PLATFORM_CONFIG_FLAGS, acpiData, blob);
    // OVMF logs the kernel's application event before BDS measures the boot variables (§12.6).
    this.measure(
      2,
      EV.EFI_BOOT_SERVICES_APPLICATION,
      kernelImageLoadData(env.kernel.length),
      authenticodeHash(env.kernel, { crypto: this.crypto }),
    );
    for (const v of defaultBootVariables()) {
      this.hashed(
        1,
        EV.EFI_VARIABLE_BOOT,
        encodeUefiVariableData({ guid: EFI_GLOBAL_VARIABLE, name: v.name, data: v.data }),
        v.data,
      );
    }
    this.action(EFI_ACTIONS.callingBootOption);
    this.hashed(2, EV.SEPARATOR, SEPARATOR_DATA);
    this.linuxStub(env);
    this.action(EFI_ACTIONS.exitBootServices);
    this.action(EFI_ACTIONS.exitBootServicesSuccess);
  }

  private action(text: string): void {
    this.hashed(2, EV.EFI_ACTION, asciiBytes(text));
  }

  /** The Linux EFI stub's RTMR2 events: LoadOptions built by OVMF, then the initrd (§12.4, §12.6). */
  private linuxStub(env: FirmwareEnvironment): void {
    const cmdline = env.cmdline ?? "";
    if (cmdline !== "" || env.initrd) {
      const lo = ovmfLoadOptions(cmdline, env.initrd !== undefined, env.initrdOption ?? "suffix");
      this.hashed(
        3,
        EV.EVENT_TAG,
        linuxTagData(LINUX_LOAD_OPTIONS_TAG, "LOADED_IMAGE::LoadOptions"),
        cmdlineBytes(lo),
      );
    }
    if (env.initrd) this.hashed(3, EV.EVENT_TAG, linuxTagData(LINUX_INITRD_TAG, "Linux initrd"), env.initrd);
  }

  /**
   * Guest agent (tdx-attest extension, docs/eventlog.md): reads NUM_VCPUS and MAX_VCPUS with
   * TDG.VP.INFO and extends RTMR3 with a self-describing event over those values.
   */
  vcpuInfoAgent(): { numVcpus: number; maxVcpus: number } {
    const info = this.cpu.module.tdgVpInfo(this.cpu.tdvpr);
    this.hashed(4, EV.TDX_ATTEST_VCPU_INFO, vcpuInfoData(info.numVcpus, info.maxVcpus));
    return { numVcpus: info.numVcpus, maxVcpus: info.maxVcpus };
  }
}
