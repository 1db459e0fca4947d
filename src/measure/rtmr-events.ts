/**
 * The events TDVF (OVMF) logs and extends for a QEMU direct-kernel-boot TD, in log order
 * (tdx-reference.md §12.6): RTMR0 firmware configuration, RTMR1 boot path, RTMR2 kernel
 * command line and initrd, RTMR3 the optional tdx-attest vCPU-info event. Each event carries the
 * data TDVF writes to the log and the digest it extends, so the same list yields golden RTMRs
 * (replay) and the simulated guest firmware's CCEL.
 */
import { asciiBytes, concatBytes, u16le, u32le, u64le, utf16le } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { EV, type TcgEvent, TPM_ALG } from "../eventlog/types.js";
import {
  EFI_GLOBAL_VARIABLE,
  EFI_IMAGE_SECURITY_DATABASE,
  encodeUefiVariableData,
  guidBytes,
} from "../eventlog/uefi.js";

/** GUID TDVF puts in the TD HOB handoff-table event (seen in real logs). */
export const TDX_HOB_TABLE_GUID = "93bb96af-b9f2-4eb8-9462-e0ba74564236";
/** OVMF QemuKernelLoaderFs vendor media GUID of the `kernel` file (seen in real logs). */
export const QEMU_KERNEL_LOADER_FS_GUID = "1428f772-b64a-441e-b8c3-9ebdd7f893c7";
/** OVMF firmware volume and UiApp file GUIDs of the default Boot0000 option (pre-edk2-stable202505). */
export const OVMF_DXE_FV_GUID = "7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1";
export const UIAPP_FILE_GUID = "462caa21-7614-4503-836e-8ab6f4662331";
export const LINUX_INITRD_TAG = 0x8f3b22ec;
export const LINUX_LOAD_OPTIONS_TAG = 0x8f3b22ed;
export const SEPARATOR_DATA = new Uint8Array(4);
export const EFI_ACTIONS = {
  callingBootOption: "Calling EFI Application from Boot Option",
  exitBootServices: "Exit Boot Services Invocation",
  exitBootServicesSuccess: "Exit Boot Services Returned with Success",
} as const;

/** An event before numbering: MR index, type, data as logged, and the SHA-384 it extends. */
export interface PlannedEvent {
  readonly mrIndex: number;
  readonly eventType: number;
  readonly data: Uint8Array;
  readonly digest: Uint8Array;
  readonly label: string;
}

export function toTcgEvents(planned: readonly PlannedEvent[]): TcgEvent[] {
  return planned.map((p, seq) => ({
    seq,
    offset: -1,
    mrIndex: p.mrIndex,
    eventType: p.eventType,
    digests: [{ algorithmId: TPM_ALG.SHA384, digest: p.digest }],
    data: p.data,
  }));
}

/** Event whose digest is SHA-384 over its own data (separators, EFI actions, variables). */
export function selfEvent(
  mrIndex: number,
  eventType: number,
  data: Uint8Array,
  label: string,
  crypto: CryptoBackend = defaultCrypto(),
): PlannedEvent {
  return { mrIndex, eventType, data, digest: crypto.hash("sha384", data), label };
}

export function separatorEvent(mrIndex: number, crypto?: CryptoBackend): PlannedEvent {
  return selfEvent(mrIndex, EV.SEPARATOR, SEPARATOR_DATA, "separator", crypto);
}

export function efiActionEvent(text: string, crypto?: CryptoBackend): PlannedEvent {
  return selfEvent(2, EV.EFI_ACTION, asciiBytes(text), "boot action", crypto);
}

/** EV_EFI_HANDOFF_TABLES2 `TdxTable` data (§12.4). */
export function tdHobEventData(hobAddress: number): Uint8Array {
  const desc = asciiBytes("TdxTable\0");
  return concatBytes(
    new Uint8Array([desc.length]),
    desc,
    u64le(1n),
    guidBytes(TDX_HOB_TABLE_GUID),
    u64le(BigInt(hobAddress)),
  );
}

/**
 * EV_EFI_PLATFORM_FIRMWARE_BLOB2 CFV data (§12.4; TDVF writes the literal `Fv(XXXXXXXX-…)` text,
 * sized with `sizeof` of the literal, so with its NUL: size byte 41, as in real TDVF logs).
 */
export function cfvEventData(base: number, length: number): Uint8Array {
  const desc = asciiBytes("Fv(XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)\0");
  return concatBytes(new Uint8Array([desc.length]), desc, u64le(BigInt(base)), u64le(BigInt(length)));
}

/** Secure Boot configuration variables in TDVF's order with their GUIDs (§12.5). */
export const SECURE_BOOT_VARIABLES = [
  { name: "SecureBoot", guid: EFI_GLOBAL_VARIABLE },
  { name: "PK", guid: EFI_GLOBAL_VARIABLE },
  { name: "KEK", guid: EFI_GLOBAL_VARIABLE },
  { name: "db", guid: EFI_IMAGE_SECURITY_DATABASE },
  { name: "dbx", guid: EFI_IMAGE_SECURITY_DATABASE },
] as const;

/** EV_EFI_VARIABLE_DRIVER_CONFIG: digest over the whole UEFI_VARIABLE_DATA (§12.4). */
export function driverConfigEvent(
  name: string,
  guid: string,
  data: Uint8Array,
  crypto?: CryptoBackend,
): PlannedEvent {
  return selfEvent(
    1,
    EV.EFI_VARIABLE_DRIVER_CONFIG,
    encodeUefiVariableData({ guid, name, data }),
    `UEFI variable ${name}`,
    crypto,
  );
}

/** EV_EFI_VARIABLE_BOOT: the log holds UEFI_VARIABLE_DATA, the digest covers the data only (edk2). */
export function bootVariableEvent(
  name: string,
  data: Uint8Array,
  crypto: CryptoBackend = defaultCrypto(),
): PlannedEvent {
  const logged = encodeUefiVariableData({ guid: EFI_GLOBAL_VARIABLE, name, data });
  return {
    mrIndex: 1,
    eventType: EV.EFI_VARIABLE_BOOT,
    data: logged,
    digest: crypto.hash("sha384", data),
    label: `UEFI variable ${name}`,
  };
}

/** EFI device-path node helpers. */
export function devicePathNode(type: number, subType: number, body: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([type, subType]), u16le(body.length + 4), body);
}
export const END_DEVICE_PATH = new Uint8Array([0x7f, 0xff, 0x04, 0x00]);

/** EFI_LOAD_OPTION bytes (UEFI spec 3.1.3): attributes, path length, description, device path. */
export function efiLoadOption(
  attributes: number,
  description: string,
  devicePath: Uint8Array,
  optional = new Uint8Array(),
): Uint8Array {
  return concatBytes(
    u32le(attributes),
    u16le(devicePath.length),
    utf16le(`${description}\0`),
    devicePath,
    optional,
  );
}

/** OVMF's default Boot0000 before edk2-stable202505: the UiApp in the DXE firmware volume. */
export function ovmfUiAppBootOption(): Uint8Array {
  const path = concatBytes(
    devicePathNode(4, 7, guidBytes(OVMF_DXE_FV_GUID)),
    devicePathNode(4, 6, guidBytes(UIAPP_FILE_GUID)),
    END_DEVICE_PATH,
  );
  return efiLoadOption(0x109, "UiApp", path);
}

/** UEFI_IMAGE_LOAD_EVENT for the direct-boot kernel (`VenMedia(QemuKernelLoaderFs)/kernel`). */
export function kernelImageLoadData(imageSize: number, location = 0): Uint8Array {
  const path = concatBytes(
    devicePathNode(4, 3, guidBytes(QEMU_KERNEL_LOADER_FS_GUID)),
    devicePathNode(4, 4, utf16le("kernel\0")),
    END_DEVICE_PATH,
  );
  return concatBytes(
    u64le(BigInt(location)),
    u64le(BigInt(imageSize)),
    u64le(0n),
    u64le(BigInt(path.length)),
    path,
  );
}

/** Linux EFI stub EV_EVENT_TAG data (§12.4). */
export function linuxTagData(tag: number, text: string): Uint8Array {
  const t = asciiBytes(`${text}\0`);
  return concatBytes(u32le(tag), u32le(t.length), t);
}

/** tdx-attest vCPU-info event (docs/eventlog.md): 16-byte signature, u32 NUM_VCPUS, u32 MAX_VCPUS. */
export const VCPU_INFO_SIGNATURE = "TDXATTEST-VCPU\0\0";
export function vcpuInfoData(numVcpus: number, maxVcpus: number): Uint8Array {
  return concatBytes(asciiBytes(VCPU_INFO_SIGNATURE), u32le(numVcpus), u32le(maxVcpus));
}
export function vcpuInfoEvent(numVcpus: number, maxVcpus: number, crypto?: CryptoBackend): PlannedEvent {
  return selfEvent(4, EV.TDX_ATTEST_VCPU_INFO, vcpuInfoData(numVcpus, maxVcpus), "vCPU info", crypto);
}
