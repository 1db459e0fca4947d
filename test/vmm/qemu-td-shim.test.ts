/**
 * td-shim images through the QEMU replay (tdx-reference.md §9.2, §10.2–§10.3): the file-only
 * TdInfo section (address/size 0, bytes inside the BFV) is skipped, PAGE_AUG PermMem is not added,
 * Payload/PayloadParam/TempMem are added (measured per MR_EXTEND), and without a TD_HOB section no
 * HOB is written. MRTD is checked against a longhand SHA-384 written here from §5.4 (128-byte
 * PAGE.ADD / MR.EXTEND blocks, 256-byte chunks), independent of the module model.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { syntheticKernel } from "../../src/cli/demo-assets.js";
import { ConfigError } from "../../src/errors.js";
import { buildTdvfImage, type TdvfSectionSpec } from "../../src/firmware/tdvf-builder.js";
import { measureLaunch } from "../../src/measure/launch.js";
import { componentDigests } from "../../src/measure/rtmr-input.js";
import { simulateTdBoot } from "../../src/sim/guest-firmware-boot.js";

function block(tag: string, gpa: number): Buffer {
  const b = Buffer.alloc(128);
  b.write(tag, 0, "ascii");
  b.writeBigUInt64LE(BigInt(gpa), 16);
  return b;
}

/**
 * Single-pass QEMU order over the sections a td-shim-aware VMM loads (gpa, size, measured, file
 * offset of the raw data). A section with raw data is `size` bytes of the file from that offset
 * (QEMU's source pointer, §9.2), so the payload's last page is the file bytes after it.
 */
function expectedMrtd(
  fw: Uint8Array,
  regions: readonly { gpa: number; size: number; measure: boolean; fileOffset?: number }[],
): string {
  const h = createHash("sha384");
  for (const r of regions) {
    const mem = Buffer.alloc(r.size);
    if (r.fileOffset !== undefined) Buffer.from(fw.subarray(r.fileOffset, r.fileOffset + r.size)).copy(mem);
    for (let off = 0; off < r.size; off += 4096) {
      h.update(block("MEM.PAGE.ADD", r.gpa + off));
      if (!r.measure) continue;
      for (let c = off; c < off + 4096; c += 256) {
        h.update(block("MR.EXTEND", r.gpa + c));
        h.update(mem.subarray(c, c + 256));
      }
    }
  }
  return h.digest("hex");
}

const bfv = Uint8Array.from({ length: 0x10000 }, (_, i) => (i * 13 + (i >> 9)) & 0xff);
const payload = Uint8Array.from({ length: 0x3000 }, (_, i) => (i * 7 + 3) & 0xff);

function shimSections(withHob: boolean): TdvfSectionSpec[] {
  const s: TdvfSectionSpec[] = [
    { type: "BFV", gpa: 0xffff0000, memorySize: 0x10000, attributes: 1, raw: bfv },
    { type: "TD_INFO", gpa: 0, memorySize: 0, dataOffset: 0x8000, rawDataSize: 0x1000 },
    { type: "TEMP_MEM", gpa: 0xff000000, memorySize: 0x20000 },
    { type: "PERM_MEM", gpa: 0, memorySize: 0x80000000, attributes: 2 },
    { type: "PAYLOAD", gpa: 0x90000000, memorySize: 0x4000, attributes: 1, raw: payload },
    { type: "PAYLOAD_PARAM", gpa: 0x8ff00000, memorySize: 0x10000 },
  ];
  if (withHob) s.push({ type: "TD_HOB", gpa: 0xff100000, memorySize: 0x2000 });
  return s;
}

const loaded = [
  { gpa: 0xffff0000, size: 0x10000, measure: true, fileOffset: 0 },
  { gpa: 0xff000000, size: 0x20000, measure: false },
  { gpa: 0x90000000, size: 0x4000, measure: true, fileOffset: 0x10000 },
  { gpa: 0x8ff00000, size: 0x10000, measure: false },
];

describe("QEMU replay of td-shim images", () => {
  it("without TD_HOB: TdInfo skipped, PermMem (PAGE_AUG) not added, payload measured", () => {
    const firmware = buildTdvfImage({ layout: "td-shim", sections: shimSections(false) });
    const g = measureLaunch({ firmware });
    expect(toHex(g.mrTd)).toBe(expectedMrtd(firmware, loaded));
    expect(g.stats.pagesAdded).toBe((0x10000 + 0x20000 + 0x4000 + 0x10000) / 4096);
    expect(g.stats.chunksExtended).toBe(((0x10000 + 0x4000) / 4096) * 16);
    const notes = g.trace.events.filter((e) => e.name === "tdvf-skip").map((e) => e.note);
    expect(notes.some((n) => /TD_INFO: file-only/.test(n ?? ""))).toBe(true);
    expect(notes.some((n) => /PERM_MEM: PAGE_AUG/.test(n ?? ""))).toBe(true);
  });

  it("with TD_HOB: the HOB section is added (not extended) in metadata order", () => {
    const firmware = buildTdvfImage({ layout: "ovmf", sections: shimSections(true) });
    const g = measureLaunch({ firmware });
    expect(toHex(g.mrTd)).toBe(
      expectedMrtd(firmware, [...loaded, { gpa: 0xff100000, size: 0x2000, measure: false }]),
    );
  });

  it("a TD HOB given for an image without a TD_HOB section is a ConfigError naming tdHob", () => {
    const firmware = buildTdvfImage({ layout: "td-shim", sections: shimSections(false) });
    let err: unknown;
    try {
      measureLaunch({ firmware, tdHob: new Uint8Array(64) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/tdHob: the firmware has no TD_HOB section/);
  });

  it("RTMR inputs: no TD HOB component when the image has no TD_HOB section", () => {
    const firmware = buildTdvfImage({ layout: "td-shim", sections: shimSections(false) });
    expect(componentDigests({ firmware, memorySize: 0x80000000n }).has("TD HOB")).toBe(false);
    const withHob = buildTdvfImage({ sections: shimSections(true) });
    expect(componentDigests({ firmware: withHob, memorySize: 0x80000000n }).has("TD HOB")).toBe(true);
  });
});

describe("simulated OVMF boot of a td-shim image", () => {
  it("is refused with a ConfigError naming the missing TD_HOB section", () => {
    const firmware = buildTdvfImage({ layout: "td-shim", sections: shimSections(false) });
    let err: unknown;
    try {
      simulateTdBoot({ firmware, kernel: syntheticKernel(1) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/QEMU \+ OVMF: the firmware has no TD_HOB section/);
  });
});
