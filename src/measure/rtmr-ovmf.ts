/**
 * What differs between OVMF generations in RTMR0 (tdx-reference.md §12.6): edk2-stable202505
 * also measures cached QEMU fw_cfg items (`BootMenu`, `bootorder`) after the CFV, an
 * EV_EFI_VARIABLE_AUTHORITY event after the ACPI blobs, and publishes two boot options
 * (BootManagerMenuApp, EFI Firmware Setup) as EV_EFI_VARIABLE_BOOT2. The 202505 sequence follows
 * dstack-mr's `Stable202505` model (verified by dstack on its QEMU); it is not checked against a
 * real log in this repository, and the authority event's digest must be supplied.
 */
import { asciiBytes, concatBytes, u16le, utf8 } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ConfigError } from "../errors.js";
import { EV } from "../eventlog/types.js";
import { guidBytes } from "../eventlog/uefi.js";
import {
  bootVariableEvent,
  devicePathNode,
  END_DEVICE_PATH,
  efiLoadOption,
  OVMF_DXE_FV_GUID,
  ovmfUiAppBootOption,
  type PlannedEvent,
  UIAPP_FILE_GUID,
} from "./rtmr-events.js";

export type OvmfVariant = "pre202505" | "stable202505";

/** MdeModulePkg BootManagerMenuApp file GUID (edk2-stable202505 Boot0000). */
export const BOOT_MANAGER_MENU_FILE_GUID = "eec25bdc-67f2-4d95-b1d5-f81b2039d11d";
const FW_CFG_PREFIX = "QEMU FW CFG\0";
const FW_CFG_NAME_SIZE = 56;

export interface OvmfVariantInput {
  readonly ovmfVariant?: OvmfVariant;
  /** fw_cfg items OVMF ≥ 202505 measures; defaults: BootMenu = u16 0, bootorder = QEMU's linuxboot_dma ROM. */
  readonly fwCfgItems?: Readonly<Record<string, Uint8Array>>;
  /** Digest of the EV_EFI_VARIABLE_AUTHORITY event OVMF ≥ 202505 logs (its payload is firmware-internal). */
  readonly variableAuthorityDigest?: Uint8Array;
  readonly bootVariables?: readonly { readonly name: string; readonly data: Uint8Array }[];
  /**
   * Where TdTcg2Dxe's ReadyToBoot separator goes (§12.6): "rtmr1" (default, current edk2: MR
   * index 2) or "rtmr0" (older TDVF builds extended MR index 1: two RTMR0 separators, none in
   * RTMR1; e.g. trustee's OVMF log).
   */
  readonly readyToBootSeparator?: "rtmr1" | "rtmr0";
}

/** CC MR index of the ReadyToBoot separator for the variant. */
export function readyToBootSeparatorMr(input: OvmfVariantInput): 1 | 2 {
  return input.readyToBootSeparator === "rtmr0" ? 1 : 2;
}

/** EV_PLATFORM_CONFIG_FLAGS for a cached fw_cfg item: `QEMU FW CFG\0` + 56-byte name, digest over the blob. */
export function fwCfgEvent(
  name: string,
  blob: Uint8Array,
  crypto: CryptoBackend = defaultCrypto(),
): PlannedEvent {
  const n = utf8(name);
  if (n.length >= FW_CFG_NAME_SIZE)
    throw new ConfigError("ERR_CONFIG", `fw_cfg name ${name} is too long`, { field: "fwCfgItems" });
  const data = concatBytes(asciiBytes(FW_CFG_PREFIX), n, new Uint8Array(FW_CFG_NAME_SIZE - n.length));
  return {
    mrIndex: 1,
    eventType: EV.PLATFORM_CONFIG_FLAGS,
    data,
    digest: crypto.hash("sha384", blob),
    label: `fw_cfg ${name}`,
  };
}

function defaultFwCfg(): Record<string, Uint8Array> {
  return { BootMenu: new Uint8Array(2), bootorder: asciiBytes("/rom@genroms/linuxboot_dma.bin\0") };
}

/** fw_cfg events measured right after the CFV (none before edk2-stable202505). */
export function earlyFwCfgEvents(input: OvmfVariantInput, crypto?: CryptoBackend): PlannedEvent[] {
  if ((input.ovmfVariant ?? "pre202505") === "pre202505") return [];
  const items = input.fwCfgItems ?? defaultFwCfg();
  return Object.entries(items).map(([name, blob]) => fwCfgEvent(name, blob, crypto));
}

/** The EV_EFI_VARIABLE_AUTHORITY event after the ACPI blobs (202505 only; digest supplied). */
export function variableAuthorityEvents(input: OvmfVariantInput): PlannedEvent[] {
  if ((input.ovmfVariant ?? "pre202505") === "pre202505") return [];
  if (input.variableAuthorityDigest?.length !== 48) {
    throw new ConfigError(
      "ERR_CONFIG",
      "ovmfVariant stable202505: variableAuthorityDigest (48 bytes) is required",
      { field: "variableAuthorityDigest" },
    );
  }
  return [
    {
      mrIndex: 1,
      eventType: EV.EFI_VARIABLE_AUTHORITY,
      data: new Uint8Array(),
      digest: input.variableAuthorityDigest,
      label: "UEFI variable authority",
    },
  ];
}

function fvAppOption(attributes: number, description: string, fileGuid: string): Uint8Array {
  const path = concatBytes(
    devicePathNode(4, 7, guidBytes(OVMF_DXE_FV_GUID)),
    devicePathNode(4, 6, guidBytes(fileGuid)),
    END_DEVICE_PATH,
  );
  return efiLoadOption(attributes, description, path);
}

/** Default boot variables per OVMF generation. */
export function defaultBootVariablesFor(
  variant: OvmfVariant = "pre202505",
): { name: string; data: Uint8Array }[] {
  if (variant === "pre202505") {
    return [
      { name: "BootOrder", data: new Uint8Array(2) },
      { name: "Boot0000", data: ovmfUiAppBootOption() },
    ];
  }
  return [
    { name: "BootOrder", data: concatBytes(u16le(0), u16le(1)) },
    { name: "Boot0000", data: fvAppOption(0x109, "BootManagerMenuApp", BOOT_MANAGER_MENU_FILE_GUID) },
    { name: "Boot0001", data: fvAppOption(0x101, "EFI Firmware Setup", UIAPP_FILE_GUID) },
  ];
}

/** Boot-variable events (EV_EFI_VARIABLE_BOOT before 202505, EV_EFI_VARIABLE_BOOT2 from it). */
export function bootVariableEvents(input: OvmfVariantInput, crypto?: CryptoBackend): PlannedEvent[] {
  const variant = input.ovmfVariant ?? "pre202505";
  const type = variant === "pre202505" ? EV.EFI_VARIABLE_BOOT : EV.EFI_VARIABLE_BOOT2;
  return (input.bootVariables ?? defaultBootVariablesFor(variant)).map((v) => ({
    ...bootVariableEvent(v.name, v.data, crypto),
    eventType: type,
  }));
}
