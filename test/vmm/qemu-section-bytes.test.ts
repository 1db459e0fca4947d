/**
 * Which bytes QEMU measures for a section whose RawDataSize is below its MemoryDataSize
 * (tdx-reference.md §9.2 step 2, §10.2): QEMU's `tdx_finalize_vm` points the BFV/CFV source at
 * `firmware + DataOffset` and KVM_TDX_INIT_MEM_REGION copies MemoryDataSize bytes from there, so
 * the tail of the section is the firmware file bytes that follow the raw data, not zeros
 * (dstack-mr `tdvf.rs` likewise reads chunks at `DataOffset + page·4096 + i·256`). A section
 * whose memory size runs past the end of the file has no defined QEMU behaviour: refused.
 * The expected MRTD is a longhand SHA-384 over §5.4's 128-byte blocks written here.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { ConfigError } from "../../src/errors.js";
import { parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { buildTdvfImage, type TdvfSectionSpec } from "../../src/firmware/tdvf-builder.js";
import { measureLaunch } from "../../src/measure/launch.js";

function block(tag: string, gpa: number): Buffer {
  const b = Buffer.alloc(128);
  b.write(tag, 0, "ascii");
  b.writeBigUInt64LE(BigInt(gpa), 16);
  return b;
}

const bfvRaw = Uint8Array.from({ length: 0x1000 }, (_, i) => (i * 5 + 1) & 0xff);
const cfvRaw = Uint8Array.from({ length: 0x2000 }, (_, i) => (i * 11 + 7) & 0xff);

function sections(bfvMemory: number): TdvfSectionSpec[] {
  return [
    // BFV: one page of raw data, `bfvMemory` bytes of guest memory, measured.
    { type: "BFV", gpa: 0xfff00000, memorySize: bfvMemory, attributes: 1, raw: bfvRaw },
    { type: "CFV", gpa: 0xffe00000, memorySize: 0x2000, raw: cfvRaw },
    { type: "TEMP_MEM", gpa: 0x800000, memorySize: 0x1000 },
    { type: "TD_HOB", gpa: 0x809000, memorySize: 0x1000 },
  ];
}

describe("QEMU section bytes when RawDataSize < MemoryDataSize", () => {
  it("measures the file bytes after the raw data (QEMU maps MemoryDataSize bytes at DataOffset)", () => {
    const fw = buildTdvfImage({ sections: sections(0x2000) });
    const bfv = parseTdvfMetadata(fw).sections[0];
    if (!bfv) throw new Error("no BFV");
    expect(bfv.rawDataSize).toBe(0x1000);
    // The page after the BFV's raw data is the CFV's raw data in this layout (not zeros).
    const tail = fw.subarray(bfv.dataOffset + 0x1000, bfv.dataOffset + 0x2000);
    expect(tail.some((b) => b !== 0)).toBe(true);
    const h = createHash("sha384");
    for (let p = 0; p < 0x2000; p += 4096) {
      h.update(block("MEM.PAGE.ADD", 0xfff00000 + p));
      for (let c = p; c < p + 4096; c += 256) {
        h.update(block("MR.EXTEND", 0xfff00000 + c));
        h.update(fw.subarray(bfv.dataOffset + c, bfv.dataOffset + c + 256));
      }
    }
    for (const [gpa, size] of [
      [0xffe00000, 0x2000],
      [0x800000, 0x1000],
      [0x809000, 0x1000],
    ] as const)
      for (let p = 0; p < size; p += 4096) h.update(block("MEM.PAGE.ADD", gpa + p));
    expect(toHex(measureLaunch({ firmware: fw }).mrTd)).toBe(h.digest("hex"));
  });

  it("refuses a section whose memory size runs past the end of the firmware file", () => {
    const fw = buildTdvfImage({ sections: sections(0x100000) });
    let err: unknown;
    try {
      measureLaunch({ firmware: fw });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/section\[0\] BFV.*past the end of the .*firmware/);
  });
});
