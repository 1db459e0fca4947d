/** In-process tests of `tdx-attest eventlog show|replay|diff` on the real fixtures. */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syntheticKernel } from "../../src/cli/demo-assets.js";
import { simulateTdBoot } from "../../src/sim/guest-firmware-boot.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath } from "../support/fixtures.js";

const A = fixturePath("eventlogs/gtdx-cos113-ccel.bin");
const TABLE = fixturePath("eventlogs/gtdx-cos113-ccel-table.bin");
const QA = fixturePath("quotes/gtdx-cos113-v4.dat");

describe("eventlog CLI", () => {
  it("show decodes case A with no raw leftovers for the common types", async () => {
    const r = await runCli(["eventlog", "show", A, "--table", TABLE, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      events: { eventTypeName: string; decoded: { kind: string }; label: string }[];
      table: { ccType: number };
    };
    expect(j.table.ccType).toBe(2);
    expect(j.events).toHaveLength(43);
    expect(j.events.filter((e) => e.decoded.kind === "raw")).toEqual([]);
    const labels = j.events.map((e) => e.label);
    expect(labels).toContain("TD HOB");
    expect(labels).toContain("CFV");
    expect(labels).toContain("UEFI variable SecureBoot");
    expect(labels).toContain("ACPI tables");
  });

  it("show prints one line per event", async () => {
    const r = await runCli(["eventlog", "show", A]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").filter((l) => l.startsWith("#"))).toHaveLength(43);
    expect(r.stdout).toMatch(/RTMR0 +EV_EFI_HANDOFF_TABLES2/);
  });

  it("replay with the matching quote exits 0", async () => {
    const r = await runCli(["eventlog", "replay", A, "--quote", QA, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).comparison.match).toBe(true);
  });

  it("replay of case H exits 1 and names RTMR1", async () => {
    const r = await runCli([
      "eventlog",
      "replay",
      fixturePath("eventlogs/dstack-ccel.bin"),
      "--quote",
      fixturePath("quotes/dstack-tappd-v4.dat"),
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/RTMR1 [0-9a-f]{96} {2}MISMATCH/);
    expect(r.stdout).toMatch(/RTMR0 [0-9a-f]{96} {2}match/);
  });

  it("replay accepts the dstack JSON GetQuote response (case I) and uses its quote", async () => {
    const r = await runCli([
      "eventlog",
      "replay",
      fixturePath("eventlogs/dstack-lite-getquote.json"),
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { comparison: { match: boolean } };
    expect(j.comparison.match).toBe(true);
  });

  it("diff of the two COS logs finds RTMR0 and RTMR1 differences and equal RTMR2", async () => {
    const r = await runCli([
      "eventlog",
      "diff",
      A,
      fixturePath("eventlogs/goel-cos113-dupsep-unpadded.bin"),
      "--json",
    ]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { rtmrs: { rtmr: number; equal: boolean; a?: { label: string } }[] };
    expect(j.rtmrs.map((x) => x.equal)).toEqual([false, false, true, true]);
    expect(j.rtmrs[0]?.a?.label).toBeTypeOf("string");
  });

  it("bad input gives a parse error exit code", async () => {
    const r = await runCli(["eventlog", "show", QA]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/ERR_EVENTLOG_FORMAT|ERR_TRUNCATED/);
  });

  it("replays a simulated CCEL (with its table) against the simulated TDREPORT", async () => {
    const b = simulateTdBoot(
      {
        firmware: fixture("firmware/debian-bookworm-ovmf-2022.11.fd"),
        kernel: syntheticKernel(1),
        cmdline: "quiet",
      },
      { guestAgent: true },
    );
    const dir = mkdtempSync(join(tmpdir(), "tdx-attest-ccel-"));
    for (const [n, v] of [
      ["data", b.ccelData],
      ["table", b.ccelTable],
      ["report", b.report],
    ] as const)
      writeFileSync(join(dir, n), v);
    const ok = await runCli([
      "eventlog",
      "replay",
      join(dir, "data"),
      "--table",
      join(dir, "table"),
      "--quote",
      join(dir, "report"),
      "--json",
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).comparison.match).toBe(true);
    const shown = await runCli(["eventlog", "show", join(dir, "data")]);
    expect(shown.stdout).toMatch(/RTMR3 +EV_TDX_ATTEST_VCPU_INFO .* vCPU info: NUM_VCPUS 1 MAX_VCPUS \d+/);
    // A different TD's report does not match.
    const other = await runCli(["eventlog", "replay", join(dir, "data"), "--quote", QA]);
    expect(other.code).toBe(1);
  });

  it("whatif substitutes a new cmdline in the OVMF log and names the changed event", async () => {
    const r = await runCli([
      "eventlog",
      "whatif",
      fixturePath("eventlogs/trustee-ovmf-ccel.bin"),
      "--cmdline",
      "console=hvc0",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      rtmrs: string[];
      referenceRtmrs: string[];
      changed: { label: string }[];
    };
    expect(j.changed.map((c) => c.label)).toEqual(["cmdline"]);
    expect(j.rtmrs.map((v, i) => v === j.referenceRtmrs[i])).toEqual([true, true, false, true]);
    const text = await runCli([
      "eventlog",
      "whatif",
      fixturePath("eventlogs/trustee-ovmf-ccel.bin"),
      "--cmdline",
      "x",
    ]);
    expect(text.stdout).toMatch(/changed #16 RTMR2 cmdline/);
  });
});
