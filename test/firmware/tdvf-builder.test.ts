/**
 * Synthetic TDVF images covering every section type × attribute combination, launched through
 * QEMU/KVM/module; MRTD is checked against an independent, straightforward implementation written
 * here (one streaming SHA-384 over the spec's 128-byte blocks and 256-byte chunks, §5.4 / §9.3),
 * and the launch trace's page counts against the section sizes.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { ConfigError } from "../../src/errors.js";
import { buildTdHob } from "../../src/firmware/td-hob.js";
import { parseTdvfMetadata, TDVF_SECTION_TYPES, type TdvfSectionType } from "../../src/firmware/tdvf.js";
import { buildTdvfImage, type TdvfSectionSpec } from "../../src/firmware/tdvf-builder.js";
import { measureLaunch } from "../../src/measure/launch.js";

function block(tag: string, gpa: number): Buffer {
  const b = Buffer.alloc(128);
  b.write(tag, 0, "ascii");
  b.writeBigUInt64LE(BigInt(gpa), 16);
  return b;
}

/**
 * The reference: what QEMU + KVM + the module do, written out longhand. With `fw`, a section with
 * raw data is MemoryDataSize bytes of the file from its DataOffset (QEMU's source pointer, §9.2);
 * without it (config payload regions) the raw bytes zero-extended.
 */
function referenceMrtd(
  sections: readonly TdvfSectionSpec[],
  twoPass: boolean,
  fw?: Uint8Array,
): { mrtd: string; adds: number; extends: number } {
  const h = createHash("sha384");
  let adds = 0;
  let exts = 0;
  const parsed = fw ? parseTdvfMetadata(fw).sections : [];
  sections.forEach((s, i) => {
    const attrs = s.attributes ?? 0;
    if (attrs & 2) return; // PAGE_AUG: not added at build time
    const mem = Buffer.alloc(s.memorySize);
    const off = parsed[i]?.dataOffset ?? 0;
    if (s.type === "TD_HOB" && fw && attrs & 1) {
      // A measured TD_HOB holds the HOB QEMU built for the (default 2 GiB) memory (§9.2 step 3).
      Buffer.from(buildTdHob({ memorySize: 2n * 1024n ** 3n, sections: parsed }).bytes).copy(mem);
    } else if (s.raw && fw) Buffer.from(fw.subarray(off, off + s.memorySize)).copy(mem);
    else if (s.raw && s.type !== "TD_HOB") Buffer.from(s.raw).copy(mem);
    const pages = s.memorySize / 4096;
    const measured = (attrs & 1) === 1;
    const extendPage = (p: number) => {
      for (let c = 0; c < 16; c++) {
        const off = p * 4096 + c * 256;
        h.update(block("MR.EXTEND", s.gpa + off));
        h.update(mem.subarray(off, off + 256));
        exts++;
      }
    };
    for (let p = 0; p < pages; p++) {
      h.update(block("MEM.PAGE.ADD", s.gpa + p * 4096));
      adds++;
      if (measured && !twoPass) extendPage(p);
    }
    if (measured && twoPass) for (let p = 0; p < pages; p++) extendPage(p);
  });
  return { mrtd: h.digest("hex"), adds, extends: exts };
}

const RAW_TYPES: readonly TdvfSectionType[] = ["BFV", "CFV", "PAYLOAD", "PAYLOAD_PARAM", "TD_INFO"];
const NO_RAW: readonly TdvfSectionType[] = ["TD_HOB", "TEMP_MEM", "PERM_MEM"];
const ALLOWED_AUG = (t: TdvfSectionType) => !["BFV", "CFV", "TD_HOB"].includes(t);

function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7 + (i >> 8)) & 0xff);
}

/** One image per (type, attributes, with/without raw data) with the mandatory BFV and TD_HOB. */
function combos(): { name: string; sections: TdvfSectionSpec[] }[] {
  const out: { name: string; sections: TdvfSectionSpec[] }[] = [];
  for (const type of TDVF_SECTION_TYPES) {
    for (const attributes of [0, 1, 2]) {
      if (attributes === 2 && !ALLOWED_AUG(type)) continue;
      const raws =
        RAW_TYPES.includes(type) && type !== "BFV" && type !== "CFV"
          ? [true, false]
          : [RAW_TYPES.includes(type)];
      for (const withRaw of raws) {
        const sec: TdvfSectionSpec = {
          type,
          gpa: 0x100000,
          memorySize: 0x3000,
          attributes,
          ...(withRaw ? { raw: bytes(0x2100, attributes + 3) } : {}),
        };
        const base: TdvfSectionSpec[] = [
          { type: "BFV", gpa: 0xfffe0000, memorySize: 0x2000, attributes: 1, raw: bytes(0x2000, 1) },
          { type: "TD_HOB", gpa: 0x809000, memorySize: 0x2000 },
        ];
        const sections =
          type === "TD_HOB"
            ? [base[0] as TdvfSectionSpec, sec]
            : type === "BFV"
              ? [sec, base[1] as TdvfSectionSpec]
              : [...base, sec];
        out.push({ name: `${type} attrs=${attributes}${withRaw ? " raw" : ""}`, sections });
      }
    }
  }
  return out;
}

describe("synthetic TDVF images: every section type × attribute combination", () => {
  const all = combos();
  it("covers all 8 types with 0 / MR_EXTEND / PAGE_AUG where allowed", () => {
    expect(
      new Set(all.map((c) => c.sections.at(-1)?.type ?? c.sections[0]?.type)).size,
    ).toBeGreaterThanOrEqual(7);
    expect(all.length).toBeGreaterThanOrEqual(8 * 2 + 5 * 1);
    expect(NO_RAW.every((t) => all.some((c) => c.name.startsWith(t)))).toBe(true);
  });
  for (const c of all) {
    for (const q of ["10.1", "8.2"]) {
      it(`${c.name}, QEMU ${q}`, () => {
        const fw = buildTdvfImage({ sections: c.sections });
        expect(parseTdvfMetadata(fw).sections).toHaveLength(c.sections.length);
        const g = measureLaunch({ firmware: fw, qemuVersion: q });
        const ref = referenceMrtd(c.sections, q === "8.2", fw);
        expect(toHex(g.mrTd)).toBe(ref.mrtd);
        expect(g.stats.pagesAdded).toBe(ref.adds);
        expect(g.stats.chunksExtended).toBe(ref.extends);
      });
    }
  }
});

describe("random synthetic images (fast-check) against the reference", () => {
  it("MRTD and trace counts agree for random section lists and both page orders", () => {
    const sec = fc.record({
      type: fc.constantFrom(...TDVF_SECTION_TYPES.filter((t) => t !== "TD_HOB" && t !== "BFV")),
      pages: fc.integer({ min: 1, max: 4 }),
      attributes: fc.constantFrom(0, 1, 2),
      rawLen: fc.integer({ min: 0, max: 3 * 4096 }),
      seed: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(
        fc.array(sec, { maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 3 }),
        (list, twoPass, hobAt) => {
          const sections: TdvfSectionSpec[] = [
            { type: "BFV", gpa: 0xfffe0000, memorySize: 0x2000, attributes: 1, raw: bytes(0x1800, 9) },
          ];
          list.forEach((s, i) => {
            const needsRaw = s.type === "CFV";
            const noRaw = NO_RAW.includes(s.type);
            const rawLen = noRaw ? 0 : Math.min(needsRaw ? Math.max(1, s.rawLen) : s.rawLen, s.pages * 4096);
            const attributes = s.attributes === 2 && !ALLOWED_AUG(s.type) ? 0 : s.attributes;
            sections.push({
              type: s.type,
              gpa: 0x1000000 + i * 0x100000,
              memorySize: s.pages * 4096,
              attributes,
              ...(rawLen ? { raw: bytes(rawLen, s.seed) } : {}),
            });
          });
          sections.splice(Math.min(hobAt, sections.length), 0, {
            type: "TD_HOB",
            gpa: 0x809000,
            memorySize: 0x2000,
          });
          if (sections.filter((s) => s.type === "PAYLOAD").length > 1) return;
          const fw = buildTdvfImage({ sections });
          const launch = () => measureLaunch({ firmware: fw, qemuVersion: twoPass ? "8.0" : "9.1" });
          const pastEnd = parseTdvfMetadata(fw).sections.some(
            (p) =>
              (p.attributes & 2) === 0 &&
              p.rawDataSize > 0 &&
              p.memoryDataSize > 0 &&
              p.dataOffset + p.memoryDataSize > fw.length,
          );
          if (pastEnd) {
            // QEMU would copy past the end of the firmware file: refused (§9.2).
            expect(launch).toThrow(ConfigError);
            return;
          }
          const g = launch();
          const ref = referenceMrtd(sections, twoPass, fw);
          expect(toHex(g.mrTd)).toBe(ref.mrtd);
          expect(g.stats.pagesAdded).toBe(ref.adds);
          expect(g.stats.chunksExtended).toBe(ref.extends);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("raw payload regions (td-shim style)", () => {
  it("a measured and an unmeasured payload next to the firmware", () => {
    const fwSections: TdvfSectionSpec[] = [
      { type: "BFV", gpa: 0xfffe0000, memorySize: 0x2000, attributes: 1, raw: bytes(0x2000, 1) },
      { type: "TD_HOB", gpa: 0x809000, memorySize: 0x1000 },
    ];
    const p1 = bytes(5000, 4);
    const p2 = bytes(100, 5);
    const g = measureLaunch({
      firmware: buildTdvfImage({ sections: fwSections }),
      payloads: [
        { gpa: "0x4000000", data: p1 },
        { gpa: 0x5000000, data: p2, measure: false, size: "8K" },
      ],
    });
    const ref = referenceMrtd(
      [
        ...fwSections,
        { type: "PAYLOAD", gpa: 0x4000000, memorySize: 0x2000, attributes: 1, raw: p1 },
        { type: "PAYLOAD", gpa: 0x5000000, memorySize: 0x2000, raw: p2 },
      ],
      false,
    );
    expect(toHex(g.mrTd)).toBe(ref.mrtd);
  });
  it("a payload-only launch (no TDVF image)", () => {
    const p = bytes(4096 * 3, 8);
    const g = measureLaunch({ payloads: [{ gpa: 0x100000, data: p }] });
    expect(toHex(g.mrTd)).toBe(
      referenceMrtd([{ type: "PAYLOAD", gpa: 0x100000, memorySize: 3 * 4096, attributes: 1, raw: p }], false)
        .mrtd,
    );
  });
});
