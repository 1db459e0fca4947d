/**
 * Reference values ("golden measurements") for a TD: what a relying party expects in a quote.
 *
 * A file holds one or more named sets (e.g. one per vCPU count or per firmware release); a
 * quote is acceptable for a field when it matches that field in any acceptable set, and the
 * appraisal reports which set matched. Every measurement is optional: a set names only what it
 * pins (RTMR3, for example, is usually runtime state and left out).
 *
 * Field meanings follow the TD quote body (tdx-reference.md section 13.4): 48-byte hashes,
 * ATTRIBUTES and XFAM as u64 (JSON: the 8 bytes in quote order, i.e. little-endian hex).
 */

/** Identifies the document kind in JSON and CBOR (`type` member). */
export const REFERENCE_TYPE = "tdx-attest/reference-values";
/** Schema version; bumped on any incompatible change. */
export const REFERENCE_VERSION = 1;

/** A JSON value without floats (launch configs are integers, strings, booleans, arrays, objects). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };

/** One input file of the launch (firmware, kernel, initrd, ...), identified by its SHA-384. */
export interface ReferenceInputFile {
  /** Role of the file in the config (e.g. "firmware", "kernel"). */
  readonly name: string;
  /** Path as given in the config (informational; the digest is what counts). */
  readonly path?: string;
  /** SHA-384 of the file's bytes (48 bytes). */
  readonly sha384: Uint8Array;
}

/** The launch configuration a set was computed from, with the digest of every input file. */
export interface ReferenceLaunchConfig {
  readonly config: JsonValue;
  readonly inputs: readonly ReferenceInputFile[];
}

/** One expected event of the reference boot (for explaining RTMR mismatches down to events). */
export interface ReferenceEvent {
  /** RTMR index 0..3 (CC MR index 1..4). */
  readonly rtmr: 0 | 1 | 2 | 3;
  /** TCG event type (e.g. 0x80000001 EV_EFI_VARIABLE_DRIVER_CONFIG). */
  readonly type: number;
  /** SHA-384 digest extended into the RTMR (48 bytes). */
  readonly digest: Uint8Array;
  /** Human label ("MADT", "kernel", "cmdline", ...). */
  readonly label?: string;
}

/** One named set of reference values. */
export interface ReferenceValueSet {
  readonly name: string;
  readonly mrTd?: Uint8Array;
  readonly rtmr0?: Uint8Array;
  readonly rtmr1?: Uint8Array;
  readonly rtmr2?: Uint8Array;
  /** Runtime register: checked only when the set names it. */
  readonly rtmr3?: Uint8Array;
  readonly tdAttributes?: bigint;
  readonly xfam?: bigint;
  readonly mrConfigId?: Uint8Array;
  readonly mrOwner?: Uint8Array;
  readonly mrOwnerConfig?: Uint8Array;
  /**
   * TD_PARAMS.MAX_VCPUS of the measured launch (informational: no quote field carries it; the
   * config's QEMU maxcpus, which the MADT lists, is in `launchConfig.config`).
   */
  readonly maxVcpus?: number;
  readonly launchConfig?: ReferenceLaunchConfig;
  /** Tool and version that computed the set (e.g. "tdx-attest 0.1.0"). */
  readonly toolVersion?: string;
  /** The reference event log, when the builder recorded it. */
  readonly events?: readonly ReferenceEvent[];
}

/** A reference-value file: several sets, names unique. */
export interface ReferenceValues {
  readonly version: typeof REFERENCE_VERSION;
  readonly sets: readonly ReferenceValueSet[];
}

/** The 48-byte measurement fields of a set, in display order. */
export const HASH_FIELDS = [
  "mrTd",
  "rtmr0",
  "rtmr1",
  "rtmr2",
  "rtmr3",
  "mrConfigId",
  "mrOwner",
  "mrOwnerConfig",
] as const;
export type HashField = (typeof HASH_FIELDS)[number];

/** The u64 flag-word fields of a set. */
export const FLAG_FIELDS = ["tdAttributes", "xfam"] as const;
export type FlagField = (typeof FLAG_FIELDS)[number];
