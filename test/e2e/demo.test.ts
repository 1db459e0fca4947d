/**
 * `npm start` = `tdx-attest demo`: the end-to-end demo on embedded defaults. Spawned as a user
 * runs it (built CLI); asserts the story's outcomes, not the exact wording.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "./cli.js";

describe("tdx-attest demo (npm start)", () => {
  it("max_vcpus 4 is affirming; max_vcpus 8 is contraindicated with RTMR0 traced to the ACPI/MADT events", () => {
    const r = cli(["demo"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/6\. appraise against the golden values: AFFIRMING/);
    expect(r.out).toMatch(/appraise CONTRAINDICATED:\n\s+rtmr0: expected [0-9a-f]{16}…, got [0-9a-f]{16}…/);
    expect(r.out).toMatch(/ACPI tables: changed {2}<- QEMU's ACPI tables: the MADT/);
    expect(r.out).toContain("MRTD unchanged (same firmware)");
  });

  it("--json summary and --out-dir files that replay with 'appraise'", () => {
    const dir = mkdtempSync(join(tmpdir(), "tdx-demo-"));
    const r = cli(["demo", "--json", "--out-dir", dir]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.maxVcpus4.verdict).toBe("affirming");
    expect(j.maxVcpus8.verdict).toBe("contraindicated");
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
