/**
 * TDVF images other than the Debian fixture (tdx-reference.md §10): 4 MiB OVMF builds, newer
 * edk2 with a debug-log TempMem, td-shim images (PermMem/Payload/PayloadParam/TdInfo, the
 * fixed metadata pointer instead of the OVMF GUIDed table), sections out of GPA order, raw size
 * below memory size, GUIDed tables with other entries. Images come from `buildTdvfImage`.
 */
import { describe, expect, it } from "vitest";
import { ParseError } from "../../src/errors.js";
import { findTdvfDescriptor, parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { buildTdvfImage, type TdvfSectionSpec } from "../../src/firmware/tdvf-builder.js";
import { guidBytes, TDX_METADATA_GUID } from "../../src/firmware/tdvf-guid.js";

const MiB = 0x100000;

function parseError(f: () => unknown): ParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error("expected a ParseError");
}

/** edk2 layout of a 4 MiB OVMF.fd: CFV (vars) at 0xFFC00000, BFV above it, plus a debug-log TempMem. */
const OVMF_4M: TdvfSectionSpec[] = [
  {
    type: "BFV",
    gpa: 0xffc84000,
    memorySize: 0x37c000,
    attributes: 1,
    raw: new Uint8Array(0x37b000).fill(0x90),
  },
  { type: "CFV", gpa: 0xffc00000, memorySize: 0x84000, raw: new Uint8Array(0x84000).fill(0xff) },
  { type: "TEMP_MEM", gpa: 0x810000, memorySize: 0x10000 },
  { type: "TEMP_MEM", gpa: 0x80b000, memorySize: 0x2000 },
  { type: "TD_HOB", gpa: 0x809000, memorySize: 0x2000 },
  { type: "TEMP_MEM", gpa: 0x800000, memorySize: 0x6000 },
  { type: "TEMP_MEM", gpa: 0x820000, memorySize: 0x20000 }, // early debug log buffer (newer edk2)
];

describe("OVMF variants", () => {
  it("4 MiB image, CFV first in GPA order but second in the list, extra TempMem", () => {
    const fw = buildTdvfImage({ sections: OVMF_4M, minSize: 4 * MiB });
    expect(fw.length).toBe(4 * MiB);
    const md = parseTdvfMetadata(fw);
    expect(md.sections.map((s) => [s.type, s.memoryAddress])).toEqual(OVMF_4M.map((s) => [s.type, s.gpa]));
    expect(md.sections[1]?.rawDataSize).toBe(0x84000);
  });

  it("BFV raw size below its memory size is accepted", () => {
    const bfv = {
      type: "BFV",
      gpa: 0xfff00000,
      memorySize: 0x4000,
      attributes: 1,
      raw: new Uint8Array(0x1800),
    } as const;
    const md = parseTdvfMetadata(
      buildTdvfImage({ sections: [bfv, { type: "TD_HOB", gpa: 0x800000, memorySize: 0x1000 }] }),
    );
    expect([md.sections[0]?.rawDataSize, md.sections[0]?.memoryDataSize]).toEqual([0x1800, 0x4000]);
  });

  it("GUIDed tables with SEV and reset-vector entries on both sides of the TDX entry", () => {
    const sev = guidBytes("dc886566-984a-4798-a75e-5585a7bf67cc");
    const resetData = guidBytes("00f771de-1a7e-4fcb-890e-68c77e2fb44e");
    const apBlock = guidBytes("7255371f-3a3b-4b04-927b-1da6efa8d454");
    const spec = {
      sections: OVMF_4M,
      extraTableEntries: [
        { guid: resetData, data: new Uint8Array(0), before: true },
        { guid: sev, data: Uint8Array.of(1, 2, 3, 4), before: true },
        { guid: apBlock, data: new Uint8Array(8) },
      ],
    };
    const fw = buildTdvfImage(spec);
    expect(parseTdvfMetadata(fw).sections).toHaveLength(OVMF_4M.length);
    // A table without the TDX entry names the table and an offset.
    const noTdx = fw.slice();
    const at = noTdx.length - 0x32 - 26 - 16; // GUID of the TDX entry (apBlock entry is 26 bytes)
    noTdx[at] = (noTdx[at] as number) ^ 0xff;
    const e = parseError(() => parseTdvfMetadata(noTdx));
    expect(e.code).toBe("ERR_TDVF_METADATA");
    expect(e.message).toMatch(/no TDX metadata offset entry .* at 0x/);
    expect(e.at?.offset).toBeTypeOf("number");
  });
});

/** A td-shim style image: BFV containing TdInfo, PermMem (PAGE_AUG), Payload, PayloadParam. */
function tdShim(withHob: boolean, layout: "ovmf" | "td-shim"): Uint8Array {
  const bfvRaw = new Uint8Array(0x10000).fill(0xf4);
  const sections: TdvfSectionSpec[] = [
    { type: "BFV", gpa: 0xffff0000, memorySize: 0x10000, attributes: 1, raw: bfvRaw },
    { type: "TD_INFO", gpa: 0, memorySize: 0, dataOffset: 0x8000, rawDataSize: 0x1000 },
    { type: "TEMP_MEM", gpa: 0xff000000, memorySize: 0x20000 },
    { type: "PERM_MEM", gpa: 0, memorySize: 0x80000000, attributes: 2 },
    { type: "PAYLOAD", gpa: 0x90000000, memorySize: 0x2000000 },
    { type: "PAYLOAD_PARAM", gpa: 0x8ff00000, memorySize: 0x100000 },
  ];
  if (withHob) sections.push({ type: "TD_HOB", gpa: 0xff100000, memorySize: 0x20000 });
  return buildTdvfImage({ sections, layout });
}

describe("td-shim images", () => {
  it("parse with and without TD_HOB, through the GUIDed table or td-shim's fixed pointer", () => {
    for (const layout of ["ovmf", "td-shim"] as const) {
      for (const hob of [true, false]) {
        const md = parseTdvfMetadata(tdShim(hob, layout));
        const info = md.sections.find((s) => s.type === "TD_INFO");
        expect(info).toMatchObject({
          dataOffset: 0x8000,
          rawDataSize: 0x1000,
          memoryAddress: 0,
          memoryDataSize: 0,
        });
        expect(md.sections.find((s) => s.type === "PERM_MEM")?.attributes).toBe(2);
        expect(md.sections.some((s) => s.type === "TD_HOB")).toBe(hob);
      }
    }
  });

  it("an OVMF table without a TDX entry falls back to the td-shim pointer", () => {
    const fw = tdShim(true, "ovmf");
    const desc = findTdvfDescriptor(fw);
    const at = fw.length - 0x32 - 16; // GUID of the TDX offset entry (last before the footer)
    fw[at] = (fw[at] as number) ^ 0xff;
    expect(() => findTdvfDescriptor(fw)).toThrow(/no TDX metadata offset entry/);
    new DataView(fw.buffer).setUint32(fw.length - 0x20, desc, true);
    expect(findTdvfDescriptor(fw)).toBe(desc);
  });

  it("the td-shim pointer is confirmed by the metadata GUID", () => {
    const fw = tdShim(true, "td-shim");
    const desc = findTdvfDescriptor(fw);
    expect(Array.from(fw.subarray(desc - 16, desc))).toEqual(Array.from(TDX_METADATA_GUID));
    fw[desc - 16] = (fw[desc - 16] as number) ^ 1;
    expect(parseError(() => parseTdvfMetadata(fw)).message).toMatch(/footer.*td-shim/);
  });

  it("rejects TdInfo outside the BFV, and neither TD_HOB nor PermMem", () => {
    const base: TdvfSectionSpec[] = [
      { type: "BFV", gpa: 0xffff0000, memorySize: 0x10000, attributes: 1, raw: new Uint8Array(0x10000) },
      { type: "TEMP_MEM", gpa: 0xff000000, memorySize: 0x20000 },
    ];
    const info: TdvfSectionSpec = {
      type: "TD_INFO",
      gpa: 0,
      memorySize: 0,
      dataOffset: 0x8000,
      rawDataSize: 0x1000,
    };
    const hob: TdvfSectionSpec = { type: "TD_HOB", gpa: 0x800000, memorySize: 0x1000 };
    const err = (sections: TdvfSectionSpec[]) =>
      parseError(() => parseTdvfMetadata(buildTdvfImage({ sections })));
    expect(err([...base, hob, { ...info, dataOffset: 0x10000 }]).message).toMatch(/not inside a BFV/);
    expect(err([...base, { ...info, rawDataSize: 0 }, hob]).message).toMatch(/no raw data/);
    const none = err(base);
    expect(none.message).toMatch(/no TD_HOB section and no PERM_MEM/);
    expect(none.at?.offset).toBeTypeOf("number");
  });
});
