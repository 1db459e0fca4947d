/**
 * QEMU writes the TD HOB (tdx-reference.md §11) into the TD_HOB section's buffer before
 * KVM_TDX_INIT_MEM_REGION (§9.2 steps 3 and 5), so a TD_HOB section whose attributes carry
 * MR_EXTEND measures the HOB QEMU built for the configured memory size, never zero pages.
 * measureLaunch without an explicit `tdHob` must build the same HOB the simulated boot uses.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { buildTdHob } from "../../src/firmware/td-hob.js";
import { parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { buildTdvfImage } from "../../src/firmware/tdvf-builder.js";
import { measureLaunch } from "../../src/measure/launch.js";

const bfv = Uint8Array.from({ length: 0x2000 }, (_, i) => (i * 3 + 1) & 0xff);

function image(hobAttributes: number): Uint8Array {
  return buildTdvfImage({
    sections: [
      { type: "BFV", gpa: 0xfffe0000, memorySize: 0x2000, attributes: 1, raw: bfv },
      { type: "TEMP_MEM", gpa: 0x800000, memorySize: 0x2000 },
      { type: "TD_HOB", gpa: 0x809000, memorySize: 0x2000, attributes: hobAttributes },
    ],
  });
}

describe("a measured TD_HOB section", () => {
  it("measures the HOB QEMU builds for the memory size", () => {
    const firmware = image(1);
    const sections = parseTdvfMetadata(firmware).sections;
    const built = buildTdHob({ memorySize: 3n * 1024n ** 3n, sections }).bytes;
    const implicit = measureLaunch({ firmware, memory: "3G" }).mrTd;
    const explicit = measureLaunch({ firmware, memory: "3G", tdHob: built }).mrTd;
    expect(toHex(implicit)).toBe(toHex(explicit));
    expect(toHex(measureLaunch({ firmware, memory: "2G" }).mrTd)).not.toBe(toHex(implicit));
  });

  it("an unmeasured TD_HOB keeps MRTD independent of the memory size", () => {
    const firmware = image(0);
    expect(toHex(measureLaunch({ firmware, memory: "2G" }).mrTd)).toBe(
      toHex(measureLaunch({ firmware, memory: "5G" }).mrTd),
    );
  });
});
