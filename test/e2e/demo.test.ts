/**
 * `npm start` = `tdx-attest demo`: the end-to-end demo on embedded defaults. Spawned as a user
 * runs it (built CLI); asserts the story's outcomes, not the exact wording.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { madtProcessorCount } from "../../src/cli/demo-assets.js";
import { buildAcpiBlobs, buildMadt } from "../../src/measure/acpi.js";
import { cli } from "./cli.js";

describe("tdx-attest demo (npm start)", () => {
  it("max_vcpus 4 is affirming; max_vcpus 8 is contraindicated with RTMR0 traced to the ACPI/MADT events", () => {
    const r = cli(["demo"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/6\. appraise +against the golden values and the nonce: AFFIRMING/);
    expect(r.out).toMatch(
      /appraise +CONTRAINDICATED: rtmr0\n\s+rtmr0 expected [0-9a-f]{16}…, got [0-9a-f]{16}…/,
    );
    // The MADT counts are read from each TD's ACPI tables blob, not printed from the config.
    expect(r.out).toMatch(/RTMR0 #10 ACPI tables +changed {2}<- its MADT lists 8 CPUs, the golden MADT 4\n/);
    expect(r.out).toContain("MRTD unchanged (same firmware)");
    // It ends with the rejection and its cause.
    expect(r.out.trimEnd().split("\n").slice(-2).join(" ")).toMatch(
      /RTMR0 pins the vCPU list: this TD is rejected/,
    );
  });

  it("--json summary and --out-dir files that replay with 'appraise'", () => {
    const dir = mkdtempSync(join(tmpdir(), "tdx-demo-"));
    const r = cli(["demo", "--json", "--out-dir", dir]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.maxVcpus4.verdict).toBe("affirming");
    expect(j.maxVcpus8.verdict).toBe("contraindicated");
    expect(j.madtCpus).toEqual({ golden: 4, actual: 8 });
    expect(j.maxVcpus8.failed.map((f: { field: string }) => f.field)).toEqual(["rtmr0"]);
    const golden = join(dir, "vcpus-4", "golden.json");
    expect(JSON.parse(readFileSync(golden, "utf8")).sets[0].name).toBe("vcpus-4");
    const replay = (sub: string) =>
      cli([
        "appraise",
        join(dir, sub, "quote.bin"),
        "--collateral",
        join(dir, sub, "collateral.json"),
        "--root",
        join(dir, sub, "root.pem"),
        "--reference",
        golden,
        "--eventlog",
        join(dir, sub, "ccel.bin"),
      ]);
    expect(replay("vcpus-4").code).toBe(0);
    const bad = replay("vcpus-8");
    expect(bad.code).toBe(1);
    expect(bad.out.split("\n")[0]).toBe("contraindicated: rtmr0");
  });
});

describe("madtProcessorCount (the demo's MADT reading)", () => {
  it("counts Local APIC and x2APIC entries of the MADT in QEMU's tables blob", () => {
    for (const [vcpus, max] of [
      [1, 1],
      [2, 4],
      [2, 8],
      [4, 300], // beyond 254: x2APIC entries (type 9)
    ] as const) {
      const blobs = buildAcpiBlobs({ vcpus, maxVcpus: max, memorySize: 2n << 30n });
      expect(madtProcessorCount(blobs.tables)).toBe(max);
    }
    expect(madtProcessorCount(new Uint8Array(10))).toBeUndefined();
    const madt = buildMadt(1, 2);
    expect(madtProcessorCount(madt.subarray(0, madt.length - 1))).toBeUndefined(); // declared length too long
  });
});
