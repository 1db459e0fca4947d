/**
 * Issue 6 acceptance through the spawned CLI: `simulate` a TD from a launch config, then
 * `appraise` its quote against the golden values -> affirming; then every single-field deviation
 * (changed firmware byte, kernel, cmdline, initrd, max_vcpus, DEBUG, XFAM, MRCONFIGID, wrong
 * nonce, stale collateral, a TCB status the policy does not accept) -> the right verdict naming
 * the right field. The inputs are the embedded synthetic TDVF and kernel, written to files.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { syntheticKernel, syntheticTdvf } from "../../src/cli/demo-assets.js";
import { cli } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-sim-"));
const fw = syntheticTdvf();
writeFileSync(join(dir, "tdvf.fd"), fw);
writeFileSync(join(dir, "vmlinuz"), syntheticKernel(1));
writeFileSync(join(dir, "vmlinuz-2"), syntheticKernel(2));
writeFileSync(join(dir, "initrd"), new Uint8Array(4096).fill(0x42));
writeFileSync(join(dir, "initrd-2"), new Uint8Array(4096).fill(0x43));
const fw2 = fw.slice();
fw2[100] = (fw2[100] as number) ^ 1; // inside the measured BFV section (raw data starts at 0)
writeFileSync(join(dir, "tdvf-2.fd"), fw2);

const BASE = {
  firmware: "tdvf.fd",
  kernel: "vmlinuz",
  initrd: "initrd",
  cmdline: "console=ttyS0",
  memory: "2G",
  vcpus: 2,
  maxVcpus: 4,
};
const NONCE = "6e6f6e63652d31323334";

function simulate(name: string, over: Record<string, unknown> = {}, extra: string[] = []): string {
  const cfg = join(dir, `${name}.json`);
  writeFileSync(cfg, JSON.stringify({ ...BASE, ...over }));
  const out = join(dir, `sim-${name}`);
  const r = cli(["simulate", "--config", cfg, "--out-dir", out, "--report-data", NONCE, ...extra]);
  expect(r.err, name).toBe("");
  expect(r.code, name).toBe(0);
  return out;
}

const golden = simulate("base");
const slug = (what: string) => what.replace(/[^a-zA-Z0-9]/g, "-");

function appraise(sim: string, extra: string[] = []) {
  // `verify --reference` is the command; `appraise` is the same pipeline.
  const r = cli([
    "verify",
    join(sim, "quote.bin"),
    "--collateral",
    join(sim, "collateral.json"),
    "--root",
    join(sim, "root.pem"),
    "--reference",
    join(golden, "golden.json"),
    "--eventlog",
    join(sim, "ccel.bin"),
    "--nonce",
    NONCE,
    "--json",
    ...extra,
  ]);
  const j = JSON.parse(r.out);
  return {
    code: r.code,
    verdict: j.verdict as string,
    failed: j.fields.filter((f: { ok: boolean }) => !f.ok),
    j,
  };
}

describe("simulate -> appraise (spawned CLI)", () => {
  it("the simulated TD is affirming against its golden values, event log included", () => {
    const r = appraise(golden);
    expect(r.failed).toEqual([]);
    expect(r.verdict).toBe("affirming");
    expect(r.code).toBe(0);
    expect(r.j.eventLog.matchesQuote).toBe(true);
    const text = readFileSync(join(golden, "golden.json"), "utf8");
    expect(JSON.parse(text).sets[0].launchConfig.config.maxVcpus).toBe(4);
    expect(r.j.configMaxVcpus).toBe(4); // the compared set's launch config, reported with the result
  });

  const cases: [string, Record<string, unknown>, string[]][] = [
    ["firmware byte", { firmware: "tdvf-2.fd" }, ["mrTd"]],
    ["kernel", { kernel: "vmlinuz-2" }, ["rtmr1"]],
    ["cmdline", { cmdline: "console=ttyS0 quiet" }, ["rtmr2"]],
    ["initrd", { initrd: "initrd-2" }, ["rtmr2"]],
    ["max_vcpus", { maxVcpus: 8 }, ["rtmr0"]],
    // Upstream KVM (6.16) refuses DEBUG TDs; the v19-era vendor KVM model allows them.
    ["DEBUG", { attributes: "sept-ve-disable,debug", kvm: "v19" }, ["tdAttributes", "tdAttributes.DEBUG"]],
    ["XFAM", { xfam: "0x2e7" }, ["xfam"]],
    ["MRCONFIGID", { mrConfigId: "11".repeat(48) }, ["mrConfigId"]],
  ];
  for (const [what, over, fields] of cases) {
    it(`${what} changed -> contraindicated naming ${fields.join(", ")}`, () => {
      const r = appraise(simulate(slug(what), over));
      expect(r.verdict).toBe("contraindicated");
      expect(r.code).toBe(1);
      expect([...new Set(r.failed.map((f: { field: string }) => f.field))]).toEqual(fields);
    });
  }

  it("max_vcpus: the RTMR0 mismatch is traced to the ACPI events (the MADT)", () => {
    const r = appraise(join(dir, `sim-${slug("max_vcpus")}`));
    const rtmr0 = r.failed.find((f: { field: string }) => f.field === "rtmr0");
    const labels = rtmr0.events.map((e: { kind: string; label: string }) => `${e.kind} ${e.label}`);
    expect(labels).toContain("changed ACPI tables");
    const human = cli([
      "verify",
      join(dir, `sim-${slug("max_vcpus")}`, "quote.bin"),
      "--collateral",
      join(dir, `sim-${slug("max_vcpus")}`, "collateral.json"),
      "--root",
      join(dir, `sim-${slug("max_vcpus")}`, "root.pem"),
      "--reference",
      join(golden, "golden.json"),
    ]);
    expect(human.out.split("\n")[0]).toBe("contraindicated: rtmr0");
    expect(human.out).toContain("reference launch config: maxVcpus 4 (QEMU maxcpus; the MADT lists");
  });

  it("wrong nonce -> reportData", () => {
    const r = appraise(golden, ["--nonce", "00ff"]);
    expect(r.verdict).toBe("contraindicated");
    expect(r.failed.map((f: { field: string }) => f.field)).toEqual(["reportData"]);
  });

  it("stale collateral -> collateral.age; a TCB status the policy does not accept -> tcb.status", () => {
    const stale = join(dir, "stale.json");
    writeFileSync(stale, JSON.stringify({ collateralMaxAgeDays: 0 }));
    const at = new Date(Date.now() + 36 * 3600_000).toISOString();
    const r = appraise(golden, ["--policy", stale, "--at", at]);
    expect(r.failed.map((f: { field: string }) => f.field)).toEqual(["collateral.age"]);
    const strict = join(dir, "strict.json");
    writeFileSync(strict, JSON.stringify({ acceptedTcbStatuses: ["SWHardeningNeeded"] }));
    const t = appraise(golden, ["--policy", strict]);
    expect(t.failed.map((f: { field: string }) => f.field)).toEqual(["tcb.status"]);
  });

  it("quote v5 and the guest agent's RTMR3 event", () => {
    const sim = simulate("v5-agent", {}, ["--quote-version", "5", "--guest-agent"]);
    expect(readFileSync(join(sim, "quote.bin"))[0]).toBe(5);
    const golden5 = JSON.parse(readFileSync(join(sim, "golden.json"), "utf8")).sets[0];
    expect(golden5.rtmr3).toMatch(/^[0-9a-f]{96}$/);
    expect(golden5.rtmr3).not.toBe(toHex(new Uint8Array(48)));
  });
});
