/**
 * EFI GUIDs in their on-disk (mixed-endian, `bytes_le`) form (tdx-reference.md §0.1, §10.1).
 */
import { equalBytes } from "../bytes.js";

/** Encodes `aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee` as the 16 bytes EFI stores. */
export function guidBytes(text: string): Uint8Array {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(text);
  if (!m) throw new RangeError(`guidBytes: malformed GUID literal ${text}`);
  const hex = (s: string): number[] =>
    Array.from({ length: s.length / 2 }, (_, i) => Number.parseInt(s.slice(2 * i, 2 * i + 2), 16));
  const [, a, b, c, d, e] = m as unknown as [string, string, string, string, string, string];
  return Uint8Array.from([
    ...hex(a).reverse(),
    ...hex(b).reverse(),
    ...hex(c).reverse(),
    ...hex(d),
    ...hex(e),
  ]);
}

/** Formats 16 on-disk GUID bytes as text (inverse of `guidBytes`). */
export function guidText(b: Uint8Array): string {
  const h = (from: number, to: number, rev: boolean): string => {
    const part = Array.from(b.subarray(from, to));
    if (rev) part.reverse();
    return part.map((x) => x.toString(16).padStart(2, "0")).join("");
  };
  return `${h(0, 4, true)}-${h(4, 6, true)}-${h(6, 8, true)}-${h(8, 10, false)}-${h(10, 16, false)}`;
}

export function guidAt(b: Uint8Array, off: number, guid: Uint8Array): boolean {
  return off >= 0 && off + 16 <= b.length && equalBytes(b.subarray(off, off + 16), guid);
}

/** OVMF GUIDed table footer (§10.1 step 1). */
export const OVMF_TABLE_FOOTER_GUID = guidBytes("96b582de-1fb2-45f7-baea-a366c55a082d");
/** Entry whose data ends with the u32 offset (from the end of the file) of the TDVF descriptor. */
export const TDX_METADATA_OFFSET_GUID = guidBytes("e47a6535-984a-4798-865e-4685a7bf8ec2");
/** GUID edk2 places immediately before the descriptor (QEMU does not require it). */
export const TDX_METADATA_GUID = guidBytes("e9eaf9f3-168e-44d5-a8eb-7f4d8738f6ae");
