/**
 * The TD HOB list QEMU builds for TDVF (tdx-reference.md §11, QEMU `hw/i386/tdvf-hob.c`): a PHIT
 * HOB, one resource-descriptor HOB per RAM range (accepted TD_HOB/TempMem sections as system
 * memory, everything else unaccepted) and the end HOB. TDVF measures it, without the end HOB,
 * into RTMR0, so RTMR0 depends on the guest memory size and the TDVF section layout.
 */
import { ByteWriter, readU16 } from "../bytes.js";
import { ConfigError, hexOffset, ParseError } from "../errors.js";

export const HOB_TYPE_HANDOFF = 0x0001;
export const HOB_TYPE_RESOURCE_DESCRIPTOR = 0x0003;
export const HOB_TYPE_END = 0xffff;
export const EFI_RESOURCE_SYSTEM_MEMORY = 0;
export const EFI_RESOURCE_MEMORY_UNACCEPTED = 7;
const PHIT_SIZE = 56;
const RESOURCE_SIZE = 48;
const END_SIZE = 8;
const FOUR_GIB = 0x1_0000_0000n;

/** The TDVF section fields the HOB depends on (a subset of firmware/tdvf.ts `TdvfSection`). */
export interface HobSection {
  readonly type: string;
  readonly memoryAddress: number;
  readonly memoryDataSize: number;
}

export interface TdHobInput {
  readonly memorySize: bigint;
  readonly sections: readonly HobSection[];
}

export interface MemoryRange {
  readonly start: bigint;
  readonly length: bigint;
  readonly resourceType: number;
}

export interface TdHob {
  /** Guest physical address of the HOB list (the TD_HOB section). */
  readonly base: number;
  /** The full list including the end HOB (what the guest finds in memory). */
  readonly bytes: Uint8Array;
  /** What TDVF measures: the list without the end HOB (§11). */
  readonly measured: Uint8Array;
  readonly ranges: readonly MemoryRange[];
}

/** Guest RAM below 4 GiB on q35 (§9.4): lowmem is 2 GiB if RAM ≥ 0xB0000000, else 0xB0000000. */
export function below4gMemory(memorySize: bigint): bigint {
  const lowmem = memorySize >= 0xb0000000n ? 0x80000000n : 0xb0000000n;
  return memorySize < lowmem ? memorySize : lowmem;
}

/** QEMU's e820 RAM ranges (§11): [0, below_4g) and the rest above 4 GiB. */
export function ramRanges(memorySize: bigint): [bigint, bigint][] {
  const low = below4gMemory(memorySize);
  const out: [bigint, bigint][] = [[0n, low]];
  if (memorySize > low) out.push([FOUR_GIB, FOUR_GIB + memorySize - low]);
  return out;
}

/** RAM split into accepted (TD_HOB, TEMP_MEM sections) and unaccepted ranges, ascending. */
export function tdHobRanges(input: TdHobInput): MemoryRange[] {
  const accepted = input.sections
    .filter((s) => s.type === "TD_HOB" || s.type === "TEMP_MEM")
    .map(
      (s) =>
        [BigInt(s.memoryAddress), BigInt(s.memoryAddress) + BigInt(s.memoryDataSize)] as [bigint, bigint],
    )
    .filter(([a, b]) => b > a)
    .sort((x, y) => (x[0] < y[0] ? -1 : 1));
  const out: MemoryRange[] = [];
  for (const [start, end] of ramRanges(input.memorySize)) {
    let cur = start;
    for (const [a, b] of accepted) {
      if (b <= cur || a >= end) continue;
      if (a < cur || b > end)
        throw new ConfigError(
          "ERR_CONFIG",
          `TD HOB: accepted range [0x${a.toString(16)}, 0x${b.toString(16)}) overlaps another or leaves RAM`,
          { field: "sections" },
        );
      if (a > cur) out.push({ start: cur, length: a - cur, resourceType: EFI_RESOURCE_MEMORY_UNACCEPTED });
      out.push({ start: a, length: b - a, resourceType: EFI_RESOURCE_SYSTEM_MEMORY });
      cur = b;
    }
    if (end > cur) out.push({ start: cur, length: end - cur, resourceType: EFI_RESOURCE_MEMORY_UNACCEPTED });
  }
  return out;
}

/** Builds QEMU's TD HOB (§11). Throws ConfigError if there is no TD_HOB section. */
export function buildTdHob(input: TdHobInput): TdHob {
  const hobSection = input.sections.find((s) => s.type === "TD_HOB");
  if (!hobSection)
    throw new ConfigError("ERR_CONFIG", "TD HOB: the firmware has no TD_HOB section", { field: "sections" });
  const ranges = tdHobRanges(input);
  const size = PHIT_SIZE + RESOURCE_SIZE * ranges.length + END_SIZE;
  if (size > hobSection.memoryDataSize)
    throw new ConfigError("ERR_CONFIG", `TD HOB: ${size} bytes exceed the TD_HOB section`, {
      field: "sections",
    });
  const base = hobSection.memoryAddress;
  const w = new ByteWriter(size);
  w.u16(HOB_TYPE_HANDOFF).u16(PHIT_SIZE).u32(0).u32(9).u32(0);
  w.u64(0n)
    .u64(0n)
    .u64(0n)
    .u64(0n)
    .u64(BigInt(base + size));
  for (const r of ranges) {
    w.u16(HOB_TYPE_RESOURCE_DESCRIPTOR).u16(RESOURCE_SIZE).u32(0).zeros(16);
    w.u32(r.resourceType).u32(0x7).u64(r.start).u64(r.length);
  }
  w.u16(HOB_TYPE_END).u16(END_SIZE).u32(0);
  return { base, bytes: w.bytes, measured: w.bytes.subarray(0, size - END_SIZE), ranges };
}

/** The HOB list up to (excluding) its end HOB, found by walking HobLength fields (§11). */
export function hobListWithoutEnd(hob: Uint8Array): Uint8Array {
  let pos = 0;
  while (pos + 8 <= hob.length) {
    const type = readU16(hob, pos);
    const len = readU16(hob, pos + 2);
    if (type === HOB_TYPE_END) return hob.subarray(0, pos);
    if (len < 8) break;
    pos += len;
  }
  throw new ParseError("ERR_BAD_VALUE", `TdHob: no end HOB found (stopped at ${hexOffset(pos)})`, {
    field: "TdHob",
    offset: pos,
  });
}
