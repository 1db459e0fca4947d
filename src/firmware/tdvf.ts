/**
 * TDVF metadata parser (tdx-reference.md §10): finds the TDVF descriptor through the OVMF GUIDed
 * table footer and decodes and validates its section list. QEMU (§9.2) uses the result to decide
 * which guest pages are PAGE.ADDed and which are also MR.EXTENDed, so every rule below guards
 * MRTD prediction against a malformed image.
 */
import { ByteReader } from "../bytes.js";
import { hexOffset, ParseError } from "../errors.js";
import {
  guidAt,
  guidText,
  OVMF_TABLE_FOOTER_GUID,
  TDX_METADATA_GUID,
  TDX_METADATA_OFFSET_GUID,
} from "./tdvf-guid.js";

/** Section types (§10.2). 7 (TdInfo) is td-shim only (UNCONFIRMED elsewhere). */
export const TDVF_SECTION_TYPES = [
  "BFV",
  "CFV",
  "TD_HOB",
  "TEMP_MEM",
  "PERM_MEM",
  "PAYLOAD",
  "PAYLOAD_PARAM",
  "TD_INFO",
] as const;
export type TdvfSectionType = (typeof TDVF_SECTION_TYPES)[number];

/** Section attribute bits (§10.2). */
export const TDVF_ATTR_MR_EXTEND = 1;
export const TDVF_ATTR_PAGE_AUG = 2;

export const TDVF_SIGNATURE = 0x46564454; // "TDVF"
export const TDVF_DESCRIPTOR_SIZE = 16;
export const TDVF_SECTION_SIZE = 32;
/** GPAs must fit the largest guest physical address width (52 bits, §2.5). */
const MAX_GPA = 2 ** 52;

/** One TDVF_SECTION entry (32 bytes). Sizes and addresses are numbers (validated < 2^52). */
export interface TdvfSection {
  /** Position in the metadata list (QEMU processes sections in this order). */
  readonly index: number;
  readonly dataOffset: number;
  readonly rawDataSize: number;
  readonly memoryAddress: number;
  readonly memoryDataSize: number;
  readonly type: TdvfSectionType;
  readonly attributes: number;
}

export interface TdvfMetadata {
  /** File offset of the descriptor (the `TDVF` signature). */
  readonly offset: number;
  readonly version: number;
  readonly sections: readonly TdvfSection[];
}

function fail(field: string, message: string, offset?: number): never {
  const where = offset === undefined ? "" : ` at ${hexOffset(offset)}`;
  throw new ParseError("ERR_TDVF_METADATA", `TdvfMetadata.${field}: ${message}${where}`, {
    field: `TdvfMetadata.${field}`,
    ...(offset === undefined ? {} : { offset }),
  });
}

/**
 * Finds the descriptor's file offset: through the OVMF GUIDed table (§10.1) when its footer is
 * present, else through td-shim's fixed pointer (u32 file offset of the descriptor at
 * `fw_len - 0x20`, confirmed by the TDX metadata GUID right before the descriptor).
 */
export function findTdvfDescriptor(fw: Uint8Array): number {
  const n = fw.length;
  if (n >= 0x32 && guidAt(fw, n - 0x30, OVMF_TABLE_FOOTER_GUID)) return findInGuidedTable(fw);
  const shim = tdShimDescriptor(fw);
  if (shim !== undefined) return shim;
  return fail(
    "footer",
    `GUIDed table footer ${guidText(OVMF_TABLE_FOOTER_GUID)} not found (nor a td-shim metadata pointer)`,
    Math.max(0, n - 0x30),
  );
}

/** td-shim layout: the u32 at `fw_len - 0x20` is the descriptor's file offset, GUID before it. */
function tdShimDescriptor(fw: Uint8Array): number | undefined {
  const n = fw.length;
  if (n < 0x20 + 4) return undefined;
  const off = new DataView(fw.buffer, fw.byteOffset, fw.byteLength).getUint32(n - 0x20, true);
  if (off < 16 || off + TDVF_DESCRIPTOR_SIZE > n - 0x20) return undefined;
  return guidAt(fw, off - 16, TDX_METADATA_GUID) ? off : undefined;
}

/**
 * Walks the GUIDed table backwards from the footer (§10.1). Each entry is
 * `[data][u16 length][GUID]`, `length` covering all three parts; entries other than the TDX
 * metadata offset (SEV, reset vector data, ...) are skipped.
 */
function findInGuidedTable(fw: Uint8Array): number {
  const n = fw.length;
  const r = new ByteReader(fw, "TdvfMetadata", 0);
  r.pos = n - 0x32;
  const tableLength = r.u16("footer.tableLength");
  const tableStart = n - 0x20 - tableLength;
  if (tableLength < 18 || tableStart < 0) fail("footer.tableLength", `${tableLength} is invalid`, n - 0x32);
  let end = n - 0x32;
  while (end > tableStart) {
    if (end - 18 < tableStart) fail("table", "entry header crosses the table start", end);
    r.pos = end - 18;
    const len = r.u16("table.entry.length");
    if (len < 18 || end - len < tableStart) fail("table.entry.length", `${len} is invalid`, end - 18);
    if (guidAt(fw, end - 16, TDX_METADATA_OFFSET_GUID)) {
      if (len < 22) fail("table.tdxMetadataOffset", "entry has no u32 offset", end - 18);
      r.pos = end - 22;
      const off = r.u32("table.tdxMetadataOffset");
      if (off === 0 || off > n)
        fail("table.tdxMetadataOffset", `offset ${hexOffset(off)} is outside the file`, end - 22);
      return n - off;
    }
    end -= len;
  }
  // A table without the TDX entry (e.g. an image carrying only SEV entries) may still have
  // td-shim's fixed pointer.
  const shim = tdShimDescriptor(fw);
  if (shim !== undefined) return shim;
  return fail(
    "table",
    `no TDX metadata offset entry (${guidText(TDX_METADATA_OFFSET_GUID)})`,
    Math.max(0, tableStart),
  );
}

/** Parses and validates the TDVF metadata of a firmware image (§10.1–§10.3). */
export function parseTdvfMetadata(fw: Uint8Array): TdvfMetadata {
  const offset = findTdvfDescriptor(fw);
  const r = new ByteReader(fw, "TdvfMetadata", 0);
  r.pos = offset;
  const signature = r.u32("descriptor.signature");
  if (signature !== TDVF_SIGNATURE)
    fail("descriptor.signature", `expected "TDVF", got ${hexOffset(signature)}`, offset);
  const length = r.u32("descriptor.length");
  const version = r.u32("descriptor.version");
  if (version !== 1) {
    throw new ParseError(
      "ERR_UNSUPPORTED_VERSION",
      `TdvfMetadata.descriptor.version: ${version} is not 1 at ${hexOffset(offset + 8)}`,
      {
        field: "TdvfMetadata.descriptor.version",
        offset: offset + 8,
      },
    );
  }
  const count = r.u32("descriptor.numberOfSectionEntries");
  if (count < 2)
    fail("descriptor.numberOfSectionEntries", `${count} sections (at least 2 required)`, offset + 12);
  if (length !== TDVF_DESCRIPTOR_SIZE + TDVF_SECTION_SIZE * count) {
    fail("descriptor.length", `${length} != 16 + 32 x ${count}`, offset + 4);
  }
  r.need(TDVF_SECTION_SIZE * count, "sections");
  const sections: TdvfSection[] = [];
  for (let i = 0; i < count; i++) sections.push(readSection(r, i, fw.length));
  validateSectionSet(sections, offset + TDVF_DESCRIPTOR_SIZE);
  return { offset, version, sections };
}

function readSection(r: ByteReader, index: number, fileLength: number): TdvfSection {
  const at = r.pos;
  const f = `sections[${index}]`;
  const dataOffset = r.u32(`${f}.dataOffset`);
  const rawDataSize = r.u32(`${f}.rawDataSize`);
  const memoryAddress = r.u64(`${f}.memoryAddress`);
  const memoryDataSize = r.u64(`${f}.memoryDataSize`);
  const typeNum = r.u32(`${f}.type`);
  const attributes = r.u32(`${f}.attributes`);
  const type = TDVF_SECTION_TYPES[typeNum];
  if (type === undefined) fail(`${f}.type`, `unknown section type ${typeNum}`, at + 24);
  const tdInfoInFile = type === "TD_INFO" && memoryAddress === 0n && memoryDataSize === 0n;
  if (tdInfoInFile) return tdInfoSection(index, dataOffset, rawDataSize, attributes, fileLength, at);
  if (memoryAddress % 4096n !== 0n)
    fail(`${f}.memoryAddress`, `0x${memoryAddress.toString(16)} is not 4 KiB aligned`, at + 8);
  if (memoryDataSize % 4096n !== 0n || memoryDataSize === 0n) {
    fail(`${f}.memoryDataSize`, `0x${memoryDataSize.toString(16)} is not a non-zero 4 KiB multiple`, at + 16);
  }
  if (memoryAddress + memoryDataSize > BigInt(MAX_GPA))
    fail(`${f}.memoryAddress`, "range exceeds 52-bit GPA space", at + 8);
  if (BigInt(rawDataSize) > memoryDataSize)
    fail(`${f}.rawDataSize`, `${hexOffset(rawDataSize)} exceeds memoryDataSize`, at + 4);
  if (rawDataSize > 0 && dataOffset + rawDataSize > fileLength) {
    fail(
      `${f}.dataOffset`,
      `raw data ${hexOffset(dataOffset)}+${hexOffset(rawDataSize)} is beyond the ${hexOffset(fileLength)}-byte file`,
      at,
    );
  }
  checkAttributes(f, type, attributes, rawDataSize, at);
  return {
    index,
    dataOffset,
    rawDataSize,
    memoryAddress: Number(memoryAddress),
    memoryDataSize: Number(memoryDataSize),
    type,
    attributes,
  };
}

/**
 * td-shim's TdInfo (§10.2 type 7) as td-shim emits it: MemoryAddress = MemoryDataSize = 0, raw
 * data (inside the BFV, checked with the other sections) that no VMM loads into guest memory.
 */
function tdInfoSection(
  index: number,
  dataOffset: number,
  rawDataSize: number,
  attributes: number,
  fileLength: number,
  at: number,
): TdvfSection {
  const f = `sections[${index}]`;
  if (rawDataSize === 0) fail(`${f}.rawDataSize`, "TD_INFO section without memory has no raw data", at + 4);
  if (dataOffset + rawDataSize > fileLength)
    fail(`${f}.dataOffset`, `raw data is beyond the ${hexOffset(fileLength)}-byte file`, at);
  if (attributes !== 0)
    fail(`${f}.attributes`, "TD_INFO section without memory must have attributes 0", at + 28);
  return { index, dataOffset, rawDataSize, memoryAddress: 0, memoryDataSize: 0, type: "TD_INFO", attributes };
}

/**
 * Per-type rules (§10.3). Attribute combinations are accepted whenever they can be executed
 * (any type may be measured or not); rejected are unknown bits, MR_EXTEND together with
 * PAGE_AUG (AUGed pages are not in the TD at build time, so they cannot be extended) and
 * PAGE_AUG on sections whose contents the VMM must supply at build time.
 */
function checkAttributes(
  f: string,
  type: TdvfSectionType,
  attributes: number,
  raw: number,
  at: number,
): void {
  if ((attributes & ~(TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG)) !== 0)
    fail(`${f}.attributes`, `unknown bits ${hexOffset(attributes)}`, at + 28);
  if (attributes === (TDVF_ATTR_MR_EXTEND | TDVF_ATTR_PAGE_AUG))
    fail(`${f}.attributes`, "MR_EXTEND and PAGE_AUG together", at + 28);
  if ((type === "BFV" || type === "CFV") && raw === 0)
    fail(`${f}.rawDataSize`, `${type} section has no raw data`, at + 4);
  if ((type === "TD_HOB" || type === "TEMP_MEM" || type === "PERM_MEM") && raw !== 0)
    fail(`${f}.rawDataSize`, `${type} section must have no raw data`, at + 4);
  if ((type === "BFV" || type === "CFV" || type === "TD_HOB") && (attributes & TDVF_ATTR_PAGE_AUG) !== 0) {
    fail(`${f}.attributes`, `${type} section cannot be PAGE_AUG`, at + 28);
  }
}

/** Cross-section rules: counts, no overlapping GPA ranges, no overlapping raw file ranges. */
function validateSectionSet(sections: readonly TdvfSection[], base: number): void {
  const count = (t: TdvfSectionType): number => sections.filter((s) => s.type === t).length;
  if (count("BFV") < 1) fail("sections", "no BFV section", base);
  // OVMF always has one TD_HOB; td-shim may have none when PermMem sections describe all memory.
  if (count("TD_HOB") > 1) fail("sections", `${count("TD_HOB")} TD_HOB sections (at most one allowed)`, base);
  if (count("TD_HOB") === 0 && count("PERM_MEM") === 0)
    fail("sections", "no TD_HOB section and no PERM_MEM section (one of them is required)", base);
  for (const s of sections) if (isFileOnly(s)) checkInsideBfv(sections, s, base);
  if (count("PAYLOAD") > 1) fail("sections", "more than one PAYLOAD section", base);
  const overlaps = (a0: number, a1: number, b0: number, b1: number): boolean => a0 < b1 && b0 < a1;
  for (const a of sections) {
    for (const b of sections) {
      if (b.index <= a.index) continue;
      const at = base + b.index * TDVF_SECTION_SIZE;
      if (
        overlaps(
          a.memoryAddress,
          a.memoryAddress + a.memoryDataSize,
          b.memoryAddress,
          b.memoryAddress + b.memoryDataSize,
        )
      ) {
        fail(`sections[${b.index}].memoryAddress`, `GPA range overlaps sections[${a.index}]`, at + 8);
      }
      if (
        !isFileOnly(a) &&
        !isFileOnly(b) &&
        a.rawDataSize > 0 &&
        b.rawDataSize > 0 &&
        overlaps(a.dataOffset, a.dataOffset + a.rawDataSize, b.dataOffset, b.dataOffset + b.rawDataSize)
      ) {
        fail(`sections[${b.index}].dataOffset`, `file range overlaps sections[${a.index}]`, at);
      }
    }
  }
}

/** A section that only describes file bytes (td-shim TdInfo): never loaded, may sit in the BFV. */
function isFileOnly(s: TdvfSection): boolean {
  return s.type === "TD_INFO" && s.memoryDataSize === 0;
}

/** td-shim: a TdInfo without memory must lie inside a BFV's file range. */
function checkInsideBfv(sections: readonly TdvfSection[], s: TdvfSection, base: number): void {
  const inside = sections.some(
    (b) =>
      b.type === "BFV" &&
      s.dataOffset >= b.dataOffset &&
      s.dataOffset + s.rawDataSize <= b.dataOffset + b.rawDataSize,
  );
  if (!inside)
    fail(
      `sections[${s.index}].dataOffset`,
      "TD_INFO raw data is not inside a BFV",
      base + s.index * TDVF_SECTION_SIZE,
    );
}
