/**
 * Event-log vocabulary shared by the CCEL/TCG2 parser, the replay, the JSON (dstack) reader and
 * the simulated guest firmware: event-type numbers, TCG algorithm ids, decoded record shapes.
 * Values follow tdx-reference.md §12.2-12.5 (TCG PC Client PFP crypto-agile log, UEFI spec).
 */

/** TCG event types (tdx-reference.md §12.4; the rest of the TCG PC Client PFP list for readable names). */
export const EV = {
  PREBOOT_CERT: 0x00000000,
  POST_CODE: 0x00000001,
  NO_ACTION: 0x00000003,
  SEPARATOR: 0x00000004,
  ACTION: 0x00000005,
  EVENT_TAG: 0x00000006,
  S_CRTM_CONTENTS: 0x00000007,
  S_CRTM_VERSION: 0x00000008,
  CPU_MICROCODE: 0x00000009,
  PLATFORM_CONFIG_FLAGS: 0x0000000a,
  TABLE_OF_DEVICES: 0x0000000b,
  COMPACT_HASH: 0x0000000c,
  IPL: 0x0000000d,
  IPL_PARTITION_DATA: 0x0000000e,
  NONHOST_CODE: 0x0000000f,
  NONHOST_CONFIG: 0x00000010,
  NONHOST_INFO: 0x00000011,
  OMIT_BOOT_DEVICE_EVENTS: 0x00000012,
  EFI_VARIABLE_DRIVER_CONFIG: 0x80000001,
  EFI_VARIABLE_BOOT: 0x80000002,
  EFI_BOOT_SERVICES_APPLICATION: 0x80000003,
  EFI_BOOT_SERVICES_DRIVER: 0x80000004,
  EFI_RUNTIME_SERVICES_DRIVER: 0x80000005,
  EFI_GPT_EVENT: 0x80000006,
  EFI_ACTION: 0x80000007,
  EFI_PLATFORM_FIRMWARE_BLOB: 0x80000008,
  EFI_HANDOFF_TABLES: 0x80000009,
  EFI_PLATFORM_FIRMWARE_BLOB2: 0x8000000a,
  EFI_HANDOFF_TABLES2: 0x8000000b,
  EFI_VARIABLE_BOOT2: 0x8000000c,
  EFI_HCRTM_EVENT: 0x80000010,
  EFI_VARIABLE_AUTHORITY: 0x800000e0,
  EFI_SPDM_FIRMWARE_BLOB: 0x800000e1,
  EFI_SPDM_FIRMWARE_CONFIG: 0x800000e2,
  /** dstack runtime event (JSON log, RTMR3), see docs/eventlog.md. */
  DSTACK_RUNTIME: 0x08000001,
  /** tdx-attest guest agent: vCPU limits read through TDG.VP.INFO (docs/eventlog.md). */
  TDX_ATTEST_VCPU_INFO: 0x08545801,
} as const;

const EV_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(EV).map(([k, v]) => [v, `EV_${k}`]));

/** `EV_SEPARATOR`-style name of an event type, or its hex value. */
export function eventTypeName(t: number): string {
  return EV_NAMES.get(t) ?? `0x${t.toString(16).padStart(8, "0")}`;
}

/** TCG algorithm ids and their digest sizes (§12.2). */
export const TPM_ALG = {
  SHA1: 0x0004,
  SHA256: 0x000b,
  SHA384: 0x000c,
  SHA512: 0x000d,
  SM3_256: 0x0012,
} as const;

export const KNOWN_DIGEST_SIZES: ReadonlyMap<number, number> = new Map([
  [TPM_ALG.SHA1, 20],
  [TPM_ALG.SHA256, 32],
  [TPM_ALG.SHA384, 48],
  [TPM_ALG.SHA512, 64],
  [TPM_ALG.SM3_256, 32],
]);

/** One entry of the Spec ID header's algorithm table. */
export interface TcgAlgorithm {
  readonly algorithmId: number;
  readonly digestSize: number;
}

/** `TCG_EfiSpecIDEvent` (§12.2). */
export interface SpecIdEvent {
  readonly signature: string;
  readonly platformClass: number;
  readonly specVersionMinor: number;
  readonly specVersionMajor: number;
  readonly specErrata: number;
  readonly uintnSize: number;
  readonly algorithms: readonly TcgAlgorithm[];
  readonly vendorInfo: Uint8Array;
}

export interface EventDigest {
  readonly algorithmId: number;
  readonly digest: Uint8Array;
}

/** One `TCG_PCR_EVENT2` record (CC MR index in the PCRIndex field). */
export interface TcgEvent {
  /** Position in the log, 0 = first record after the Spec ID header. */
  readonly seq: number;
  /** Byte offset of the record in the log buffer (-1 for non-binary sources). */
  readonly offset: number;
  /** CC MR index: 0 MRTD, 1..4 RTMR0..3 (§12.3). */
  readonly mrIndex: number;
  readonly eventType: number;
  readonly digests: readonly EventDigest[];
  readonly data: Uint8Array;
  /** Event name of formats that carry one beside the data (dstack JSON `event`). */
  readonly name?: string;
  /** True when the source format carried the digest but not the data (dstack JSON firmware events). */
  readonly dataOmitted?: boolean;
}

export type StopReason = "end" | "ff-padding" | "zero-padding";

/** A parsed TCG2 log (binary CCEL) or an equivalent list read from another format. */
export interface EventLog {
  readonly format: "tcg2" | "dstack-json";
  /** Spec ID header; absent for formats without one (dstack JSON). */
  readonly specId?: SpecIdEvent;
  /** PCRIndex field of the legacy header record (TDVF writes 1, td-shim 0). */
  readonly headerMrIndex?: number;
  readonly events: readonly TcgEvent[];
  /** Offset where parsing stopped and why. */
  readonly endOffset: number;
  readonly stopReason: StopReason;
}

/** SHA-384 digest of an event, or undefined if it has none. */
export function sha384Digest(e: TcgEvent): Uint8Array | undefined {
  return e.digests.find((d) => d.algorithmId === TPM_ALG.SHA384)?.digest;
}
