/**
 * Builds synthetic TDVF images (tdx-reference.md §10): raw section data, then the TDX metadata
 * (metadata GUID, descriptor, sections), then the OVMF GUIDed table (TDX metadata offset entry
 * and footer) ending 0x20 bytes before the end of the file, as edk2 lays it out. For tests,
 * examples and what-if measurements; the `dataOffset`/`rawDataSize` overrides and `mutate`
 * produce malformed images on purpose.
 */
import {
  TDVF_DESCRIPTOR_SIZE,
  TDVF_SECTION_SIZE,
  TDVF_SECTION_TYPES,
  TDVF_SIGNATURE,
  type TdvfSectionType,
} from "./tdvf.js";
import { OVMF_TABLE_FOOTER_GUID, TDX_METADATA_GUID, TDX_METADATA_OFFSET_GUID } from "./tdvf-guid.js";

export interface TdvfSectionSpec {
  readonly type: TdvfSectionType;
  readonly gpa: number;
  readonly memorySize: number;
  readonly attributes?: number;
  /** Bytes stored in the file for this section (BFV/CFV/payloads). */
  readonly raw?: Uint8Array;
  /** Overrides of the computed entry fields (malformed images). */
  readonly dataOffset?: number;
  readonly rawDataSize?: number;
  /** Raw type number override (e.g. an unknown type 8). */
  readonly typeNumber?: number;
}

export interface TdvfImageSpec {
  readonly sections: readonly TdvfSectionSpec[];
  /** Descriptor fields overrides (malformed images). */
  readonly version?: number;
  readonly signature?: number;
  readonly length?: number;
  readonly count?: number;
  /**
   * Where the descriptor pointer lives: `ovmf` (default) writes the OVMF GUIDed table; `td-shim`
   * writes only the u32 descriptor file offset at `fw_len - 0x20` (td-shim's fixed pointer).
   */
  readonly layout?: "ovmf" | "td-shim";
  /** Other GUIDed table entries (e.g. SEV ones), placed before (`before`) or after the TDX entry. */
  readonly extraTableEntries?: readonly { guid: Uint8Array; data: Uint8Array; before?: boolean }[];
  /** File size override (rounded up to 4 KiB; at least what the layout needs). */
  readonly minSize?: number;
}

const TABLE_TAIL = 0x20;
const OFFSET_ENTRY = 22;
const FOOTER = 18;

function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

/** Lays out and encodes a TDVF image. */
export function buildTdvfImage(spec: TdvfImageSpec): Uint8Array {
  const offsets: number[] = [];
  let rawEnd = 0;
  for (const s of spec.sections) {
    offsets.push(s.raw ? rawEnd : 0);
    if (s.raw) rawEnd = alignUp(rawEnd + s.raw.length, 4096);
  }
  const metaLen = 16 + TDVF_DESCRIPTOR_SIZE + TDVF_SECTION_SIZE * spec.sections.length;
  const extras = spec.extraTableEntries ?? [];
  const shim = spec.layout === "td-shim";
  const extraLen = extras.reduce((n, e) => n + e.data.length + 18, 0);
  const tableLen = shim ? 0 : OFFSET_ENTRY + FOOTER + extraLen;
  const size = alignUp(Math.max(rawEnd + metaLen + tableLen + TABLE_TAIL, spec.minSize ?? 0), 4096);
  const fw = new Uint8Array(size);
  const v = new DataView(fw.buffer);
  spec.sections.forEach((s, i) => {
    if (s.raw) fw.set(s.raw, offsets[i] as number);
  });
  const tableStart = size - TABLE_TAIL - tableLen;
  const desc = tableStart - metaLen + 16;
  fw.set(TDX_METADATA_GUID, desc - 16);
  v.setUint32(desc, spec.signature ?? TDVF_SIGNATURE, true);
  v.setUint32(desc + 4, spec.length ?? TDVF_DESCRIPTOR_SIZE + TDVF_SECTION_SIZE * spec.sections.length, true);
  v.setUint32(desc + 8, spec.version ?? 1, true);
  v.setUint32(desc + 12, spec.count ?? spec.sections.length, true);
  spec.sections.forEach((s, i) => {
    const at = desc + TDVF_DESCRIPTOR_SIZE + i * TDVF_SECTION_SIZE;
    v.setUint32(at, s.dataOffset ?? (offsets[i] as number), true);
    v.setUint32(at + 4, s.rawDataSize ?? s.raw?.length ?? 0, true);
    v.setBigUint64(at + 8, BigInt(s.gpa), true);
    v.setBigUint64(at + 16, BigInt(s.memorySize), true);
    v.setUint32(at + 24, s.typeNumber ?? TDVF_SECTION_TYPES.indexOf(s.type), true);
    v.setUint32(at + 28, s.attributes ?? 0, true);
  });
  if (shim) {
    v.setUint32(size - TABLE_TAIL, desc, true);
    return fw;
  }
  // GUIDed table, first entry lowest: [data][u16 length][GUID] each, then the footer.
  let at = tableStart;
  const put = (guid: Uint8Array, data: Uint8Array): void => {
    fw.set(data, at);
    v.setUint16(at + data.length, data.length + 18, true);
    fw.set(guid, at + data.length + 2);
    at += data.length + 18;
  };
  for (const e of extras) if (e.before) put(e.guid, e.data);
  const off = new Uint8Array(4);
  new DataView(off.buffer).setUint32(0, size - desc, true);
  put(TDX_METADATA_OFFSET_GUID, off);
  for (const e of extras) if (!e.before) put(e.guid, e.data);
  v.setUint16(size - 0x32, tableLen, true);
  fw.set(OVMF_TABLE_FOOTER_GUID, size - 0x30);
  return fw;
}

/** File offset of the TDVF descriptor in an image made by `buildTdvfImage` (default OVMF layout, no extra entries). */
export function builtDescriptorOffset(fw: Uint8Array): number {
  return (
    fw.length -
    new DataView(fw.buffer, fw.byteOffset).getUint32(fw.length - TABLE_TAIL - FOOTER - OFFSET_ENTRY, true)
  );
}
