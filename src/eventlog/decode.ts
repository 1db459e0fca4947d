/**
 * Decodes event data of the common TDX event types (tdx-reference.md §12.4-12.5) into readable
 * structures. Decoding never throws: data that does not fit its type's layout is returned as
 * `raw` with the reason, so `eventlog show` can still list the record.
 */
import { ByteReader, fromUtf8, fromUtf16le, readU32 } from "../bytes.js";
import { isTdxError } from "../errors.js";
import { parseSpecIdEvent } from "./tcg2.js";
import { EV, type SpecIdEvent, type TcgEvent } from "./types.js";
import {
  formatGuid,
  parseImageLoadEvent,
  parseUefiVariableData,
  type UefiImageLoadEvent,
  type UefiVariableData,
} from "./uefi.js";

export type DecodedEvent =
  | { readonly kind: "spec-id"; readonly specId: SpecIdEvent }
  | { readonly kind: "no-action"; readonly signature: string; readonly rest: Uint8Array }
  | { readonly kind: "separator"; readonly value: number }
  | {
      readonly kind: "text";
      readonly text: string;
      readonly trailing?: Uint8Array;
      /** Set when the data was UTF-16LE (systemd-stub load options, EV_S_CRTM_VERSION). */
      readonly encoding?: "utf-16le";
    }
  | { readonly kind: "uefi-variable"; readonly variable: UefiVariableData }
  | { readonly kind: "image-load"; readonly image: UefiImageLoadEvent }
  | {
      readonly kind: "firmware-blob";
      readonly description?: string;
      readonly base: bigint;
      readonly length: bigint;
    }
  | {
      readonly kind: "handoff-tables";
      readonly description?: string;
      readonly tables: readonly { guid: string; address: bigint }[];
    }
  | { readonly kind: "fw-cfg"; readonly name: string }
  | {
      readonly kind: "event-tag";
      readonly taggedEventId: number;
      readonly text?: string;
      readonly data: Uint8Array;
    }
  | { readonly kind: "gpt"; readonly diskGuid: string; readonly partitions: readonly GptPartition[] }
  | { readonly kind: "vcpu-info"; readonly numVcpus: number; readonly maxVcpus: number }
  | { readonly kind: "raw"; readonly data: Uint8Array; readonly error?: string };

export interface GptPartition {
  readonly typeGuid: string;
  readonly uniqueGuid: string;
  readonly startingLba: bigint;
  readonly endingLba: bigint;
  readonly name: string;
}

/** Printable ASCII (tab/newline allowed) after dropping trailing NULs; undefined otherwise. */
export function printableText(b: Uint8Array): string | undefined {
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  if (end === 0) return b.length === 0 ? "" : undefined;
  for (let i = 0; i < end; i++) {
    const c = b[i] as number;
    if (!(c >= 0x20 && c < 0x7f) && c !== 9 && c !== 10 && c !== 13) return undefined;
  }
  return fromUtf8(b.subarray(0, end));
}

const FW_CFG_PREFIX = "QEMU FW CFG\0";
const VCPU_INFO_SIGNATURE = "TDXATTEST-VCPU\0\0";

/** Decodes one record's data by its event type. */
export function decodeEvent(e: TcgEvent): DecodedEvent {
  try {
    return decodeByType(e);
  } catch (err) {
    if (isTdxError(err)) return { kind: "raw", data: e.data, error: err.message };
    throw err;
  }
}

function decodeByType(e: TcgEvent): DecodedEvent {
  const d = e.data;
  switch (e.eventType) {
    case EV.NO_ACTION:
      return decodeNoAction(d);
    case EV.SEPARATOR:
      return d.length === 4 ? { kind: "separator", value: readU32(d, 0) } : textOrRaw(d);
    case EV.EFI_VARIABLE_DRIVER_CONFIG:
    case EV.EFI_VARIABLE_BOOT:
    case EV.EFI_VARIABLE_BOOT2:
    case EV.EFI_VARIABLE_AUTHORITY:
      return { kind: "uefi-variable", variable: parseUefiVariableData(d) };
    case EV.EFI_BOOT_SERVICES_APPLICATION:
    case EV.EFI_BOOT_SERVICES_DRIVER:
      return { kind: "image-load", image: parseImageLoadEvent(d) };
    case EV.EFI_PLATFORM_FIRMWARE_BLOB2:
      return decodeBlob2(d);
    case EV.EFI_PLATFORM_FIRMWARE_BLOB:
    case EV.POST_CODE:
      return d.length === 16 ? decodeBlob(d) : textOrRaw(d);
    case EV.EFI_HANDOFF_TABLES2:
      return decodeHandoff(d);
    case EV.EFI_HANDOFF_TABLES:
      return decodeHandoffTables(new ByteReader(d, "HandoffTables"), undefined);
    case EV.PLATFORM_CONFIG_FLAGS:
      return decodeConfigFlags(d);
    case EV.EVENT_TAG:
      return decodeEventTag(d);
    case EV.IPL:
    case EV.EFI_ACTION:
      return cStringOrRaw(d);
    case EV.EFI_GPT_EVENT:
      return decodeGpt(d);
    case EV.TDX_ATTEST_VCPU_INFO:
      return decodeVcpuInfo(d);
    default:
      return textOrRaw(d);
  }
}

/** ASCII text, else UTF-16LE text (EV_S_CRTM_VERSION and systemd-stub strings), else raw. */
function textOrRaw(d: Uint8Array): DecodedEvent {
  const text = printableText(d);
  if (text !== undefined) return { kind: "text", text };
  const wide = utf16Text(d);
  return wide === undefined ? { kind: "raw", data: d } : { kind: "text", text: wide, encoding: "utf-16le" };
}

/**
 * Text up to the first NUL; bytes after it (some grub builds log them) are kept as `trailing`.
 * UTF-16LE text (systemd-stub logs the kernel command line that way) is recognised first; data
 * that starts with a NUL is binary, not an empty string.
 */
function cStringOrRaw(d: Uint8Array): DecodedEvent {
  const wide = utf16Text(d);
  if (wide !== undefined) return { kind: "text", text: wide, encoding: "utf-16le" };
  const nul = d.indexOf(0);
  if (nul < 0) return textOrRaw(d);
  if (nul === 0) return { kind: "raw", data: d };
  const text = printableText(d.subarray(0, nul));
  if (text === undefined) return { kind: "raw", data: d };
  const rest = d.subarray(nul);
  return rest.every((b) => b === 0)
    ? { kind: "text", text }
    : { kind: "text", text, trailing: rest.subarray(1) };
}

/** Printable UTF-16LE text (at least two characters, trailing NUL characters dropped), else undefined. */
export function utf16Text(d: Uint8Array): string | undefined {
  if (d.length < 4 || d.length % 2 !== 0) return undefined;
  let end = d.length;
  while (end >= 2 && d[end - 1] === 0 && d[end - 2] === 0) end -= 2;
  if (end < 4) return undefined;
  let s = "";
  for (let i = 0; i < end; i += 2) {
    const c = d[i] as number;
    if (d[i + 1] !== 0 || !((c >= 0x20 && c < 0x7f) || c === 9 || c === 10 || c === 13)) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

function decodeNoAction(d: Uint8Array): DecodedEvent {
  if (d.length >= 16 && fromUtf8(d.subarray(0, 15)) === "Spec ID Event03") {
    return { kind: "spec-id", specId: parseSpecIdEvent(d) };
  }
  const sig = d.length >= 16 ? printableText(d.subarray(0, 16)) : undefined;
  return sig === undefined
    ? { kind: "raw", data: d }
    : { kind: "no-action", signature: sig, rest: d.subarray(16) };
}

function decodeBlob(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, "PlatformFirmwareBlob");
  return { kind: "firmware-blob", base: r.u64("blobBase"), length: r.u64("blobLength") };
}

function decodeBlob2(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, "PlatformFirmwareBlob2");
  const n = r.u8("blobDescriptionSize");
  const description = fromUtf8(r.subarray(n, "blobDescription")).replace(/\0+$/, "");
  const base = r.u64("blobBase");
  const length = r.u64("blobLength");
  r.end();
  return { kind: "firmware-blob", description, base, length };
}

function decodeHandoff(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, "HandoffTables2");
  const n = r.u8("tableDescriptionSize");
  const description = fromUtf8(r.subarray(n, "tableDescription")).replace(/\0+$/, "");
  return decodeHandoffTables(r, description);
}

/** UEFI_HANDOFF_TABLE_POINTERS: u64 count, then (GUID, u64 address) pairs filling the rest. */
function decodeHandoffTables(r: ByteReader, description: string | undefined): DecodedEvent {
  const count = r.u64("numberOfTables");
  if (count * 24n !== BigInt(r.remaining)) r.need(r.remaining + 1, "tableEntry");
  const tables: { guid: string; address: bigint }[] = [];
  for (let i = 0n; i < count; i++)
    tables.push({ guid: formatGuid(r.subarray(16, "vendorGuid")), address: r.u64("vendorTable") });
  return { kind: "handoff-tables", ...(description !== undefined ? { description } : {}), tables };
}

function decodeConfigFlags(d: Uint8Array): DecodedEvent {
  if (d.length > FW_CFG_PREFIX.length && fromUtf8(d.subarray(0, FW_CFG_PREFIX.length)) === FW_CFG_PREFIX) {
    const name = printableText(d.subarray(FW_CFG_PREFIX.length));
    if (name !== undefined) return { kind: "fw-cfg", name };
  }
  return cStringOrRaw(d);
}

function decodeEventTag(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, "TcgEventTag");
  const taggedEventId = r.u32("taggedEventID");
  const size = r.u32("taggedEventDataSize");
  const data = r.take(size, "taggedEventData");
  r.end();
  const text = printableText(data);
  return { kind: "event-tag", taggedEventId, data, ...(text !== undefined ? { text } : {}) };
}

function decodeGpt(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, "GptEvent");
  const hdr = r.sub(92, "header");
  const sig = fromUtf8(hdr.subarray(8, "signature"));
  if (sig !== "EFI PART") return { kind: "raw", data: d, error: "GPT signature is not EFI PART" };
  hdr.skip(48, "fields");
  const diskGuid = formatGuid(hdr.subarray(16, "diskGuid"));
  hdr.skip(12, "partitionEntryLbaAndCount");
  const entrySize = hdr.u32("sizeOfPartitionEntry");
  const count = r.u64("numberOfPartitions");
  if (entrySize < 128 || count * BigInt(entrySize) !== BigInt(r.remaining))
    r.need(r.remaining + 1, "partitions");
  const partitions: GptPartition[] = [];
  for (let i = 0n; i < count; i++) {
    const p = r.sub(entrySize, "partition");
    const typeGuid = formatGuid(p.subarray(16, "typeGuid"));
    const uniqueGuid = formatGuid(p.subarray(16, "uniqueGuid"));
    const startingLba = p.u64("startingLba");
    const endingLba = p.u64("endingLba");
    p.skip(8, "attributes");
    const name = fromUtf16le(p.subarray(72, "name")).replace(/\0+$/, "");
    partitions.push({ typeGuid, uniqueGuid, startingLba, endingLba, name });
  }
  return { kind: "gpt", diskGuid, partitions };
}

/** tdx-attest vCPU-info event (docs/eventlog.md): signature, u32 NUM_VCPUS, u32 MAX_VCPUS. */
function decodeVcpuInfo(d: Uint8Array): DecodedEvent {
  const r = new ByteReader(d, "VcpuInfoEvent");
  const sig = fromUtf8(r.subarray(16, "signature"));
  if (sig !== VCPU_INFO_SIGNATURE) return { kind: "raw", data: d, error: "not a tdx-attest vCPU info event" };
  const numVcpus = r.u32("numVcpus");
  const maxVcpus = r.u32("maxVcpus");
  r.end();
  return { kind: "vcpu-info", numVcpus, maxVcpus };
}
