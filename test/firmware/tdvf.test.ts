import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParseError, TdxError } from "../../src/errors.js";
import { findTdvfDescriptor, parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { buildTdvfImage, type TdvfSectionSpec } from "../../src/firmware/tdvf-builder.js";
import { fixture } from "../support/fixtures.js";

const fw = fixture("firmware/debian-bookworm-ovmf-2022.11.fd");

describe("TDVF metadata of the Debian OVMF fixture (case K)", () => {
  it("lists the six MANIFEST sections", () => {
    const md = parseTdvfMetadata(fw);
    expect(md.offset).toBe(fw.length - 0x840);
    expect(
      md.sections.map((s) => [
        s.dataOffset,
        s.rawDataSize,
        s.memoryAddress,
        s.memoryDataSize,
        s.type,
        s.attributes,
      ]),
    ).toEqual([
      [0x20000, 0x1e0000, 0xffe20000, 0x1e0000, "BFV", 1],
      [0, 0x20000, 0xffe00000, 0x20000, "CFV", 0],
      [0, 0, 0x810000, 0x10000, "TEMP_MEM", 0],
      [0, 0, 0x80b000, 0x2000, "TEMP_MEM", 0],
      [0, 0, 0x809000, 0x2000, "TD_HOB", 0],
      [0, 0, 0x800000, 0x6000, "TEMP_MEM", 0],
    ]);
  });
  it("rejects the image with its footer GUID damaged", () => {
    const bad = fw.slice();
    bad[fw.length - 0x30] = (bad[fw.length - 0x30] as number) ^ 1;
    expect(() => parseTdvfMetadata(bad)).toThrow(/footer/);
  });
});

const BFV: TdvfSectionSpec = {
  type: "BFV",
  gpa: 0xfff00000,
  memorySize: 0x2000,
  attributes: 1,
  raw: new Uint8Array(0x2000).fill(0xcc),
};
const HOB: TdvfSectionSpec = { type: "TD_HOB", gpa: 0x800000, memorySize: 0x1000 };

function rejects(
  spec: Parameters<typeof buildTdvfImage>[0],
  field: RegExp,
  code = "ERR_TDVF_METADATA",
  mutate?: (b: Uint8Array) => void,
): void {
  const img = buildTdvfImage(spec);
  mutate?.(img);
  let e: unknown;
  try {
    parseTdvfMetadata(img);
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ParseError);
  expect((e as ParseError).code).toBe(code);
  expect((e as ParseError).message).toMatch(field);
}

describe("TDVF metadata validation (§10.3)", () => {
  it("accepts a minimal synthetic image", () => {
    const md = parseTdvfMetadata(buildTdvfImage({ sections: [BFV, HOB] }));
    expect(md.sections.map((s) => s.type)).toEqual(["BFV", "TD_HOB"]);
  });
  it("rejects malformed descriptors", () => {
    rejects({ sections: [BFV, HOB], signature: 0x12345678 }, /signature/);
    rejects({ sections: [BFV, HOB], version: 2 }, /version/, "ERR_UNSUPPORTED_VERSION");
    rejects({ sections: [BFV, HOB], length: 16 + 32 * 3 }, /length/);
    rejects({ sections: [BFV], count: 1 }, /numberOfSectionEntries/);
    rejects(
      { sections: [BFV, HOB], count: 1000, length: 16 + 32 * 1000 },
      /TdvfMetadata\.sections/,
      "ERR_TRUNCATED",
    );
  });
  it("rejects bad table entries", () => {
    rejects({ sections: [BFV, HOB] }, /no TDX metadata offset entry/, "ERR_TDVF_METADATA", (b) => {
      b[b.length - 0x42] = (b[b.length - 0x42] as number) ^ 1; // offset-entry GUID
    });
    rejects({ sections: [BFV, HOB] }, /tableLength/, "ERR_TDVF_METADATA", (b) => {
      new DataView(b.buffer).setUint16(b.length - 0x32, 5, true);
    });
    rejects({ sections: [BFV, HOB] }, /tdxMetadataOffset/, "ERR_TDVF_METADATA", (b) => {
      new DataView(b.buffer).setUint32(b.length - 0x48, b.length + 10, true);
    });
  });
  it("rejects bad sections", () => {
    rejects({ sections: [{ ...BFV, gpa: 0xfff00800 }, HOB] }, /memoryAddress.*not 4 KiB aligned/);
    rejects({ sections: [{ ...BFV, memorySize: 0x2100 }, HOB] }, /memoryDataSize/);
    rejects({ sections: [{ ...BFV, rawDataSize: 0x3000 }, HOB] }, /rawDataSize.*exceeds/);
    rejects({ sections: [{ ...BFV, dataOffset: 0x100000 }, HOB] }, /beyond/);
    rejects({ sections: [BFV, { ...HOB, gpa: 0xfff01000 }] }, /overlaps/);
    rejects({ sections: [BFV, { ...BFV, gpa: 0x100000, dataOffset: 0x1000 }, HOB] }, /file range overlaps/);
    rejects({ sections: [BFV, { ...HOB, typeNumber: 8 }] }, /unknown section type 8/);
    rejects({ sections: [{ ...BFV, attributes: 4 }, HOB] }, /unknown bits/);
    rejects(
      { sections: [BFV, { type: "PAYLOAD", gpa: 0x100000, memorySize: 0x1000, attributes: 3 }, HOB] },
      /MR_EXTEND and PAGE_AUG/,
    );
    rejects({ sections: [{ ...BFV, attributes: 2 }, HOB] }, /cannot be PAGE_AUG/);
    rejects({ sections: [{ ...BFV, raw: undefined }, HOB] }, /no raw data/);
    rejects({ sections: [BFV, { ...HOB, raw: new Uint8Array(16) }] }, /must have no raw data/);
    rejects(
      { sections: [HOB, { type: "CFV", gpa: 0x100000, memorySize: 0x1000, raw: new Uint8Array(1) }] },
      /no BFV/,
    );
    rejects({ sections: [BFV, HOB, { ...HOB, gpa: 0x900000 }] }, /2 TD_HOB/);
    rejects({ sections: [BFV], count: 2, length: 80 }, /TD_HOB|unknown|overlap|TRUNC/i, "ERR_TDVF_METADATA");
  });
  it("never throws anything but a TdxError on corrupted metadata (fuzz)", () => {
    const img = buildTdvfImage({
      sections: [BFV, HOB, { type: "TEMP_MEM", gpa: 0x900000, memorySize: 0x3000 }],
    });
    const desc = findTdvfDescriptor(img);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.integer({ min: desc - 16, max: img.length - 1 }),
            v: fc.integer({ min: 0, max: 255 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (flips) => {
          const b = img.slice();
          for (const f of flips) b[f.at] = f.v;
          try {
            parseTdvfMetadata(b);
          } catch (e) {
            expect(e).toBeInstanceOf(TdxError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
