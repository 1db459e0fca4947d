/** In-process tests of `tdx-attest eventlog show|replay|diff` on the real fixtures. */
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { fixturePath } from "../support/fixtures.js";

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    readStdin: () => new Uint8Array(),
  });
  return { code, out, err };
}

const A = fixturePath("eventlogs/gtdx-cos113-ccel.bin");
const TABLE = fixturePath("eventlogs/gtdx-cos113-ccel-table.bin");
const QA = fixturePath("quotes/gtdx-cos113-v4.dat");

describe("eventlog CLI", () => {
  it("show decodes case A with no raw leftovers for the common types", async () => {
    const r = await run(["eventlog", "show", A, "--table", TABLE, "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as {
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
    const r = await run(["eventlog", "show", A]);
    expect(r.code).toBe(0);
    expect(r.out.split("\n").filter((l) => l.startsWith("#"))).toHaveLength(43);
    expect(r.out).toMatch(/RTMR0 +EV_EFI_HANDOFF_TABLES2/);
  });

  it("replay with the matching quote exits 0", async () => {
    const r = await run(["eventlog", "replay", A, "--quote", QA, "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).comparison.match).toBe(true);
  });

  it("replay of case H exits 1 and names RTMR1", async () => {
    const r = await run([
      "eventlog",
      "replay",
      fixturePath("eventlogs/dstack-ccel.bin"),
      "--quote",
      fixturePath("quotes/dstack-tappd-v4.dat"),
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/RTMR1 [0-9a-f]{96} {2}MISMATCH/);
    expect(r.out).toMatch(/RTMR0 [0-9a-f]{96} {2}match/);
  });

  it("replay accepts the dstack JSON GetQuote response (case I) and uses its quote", async () => {
    const r = await run(["eventlog", "replay", fixturePath("eventlogs/dstack-lite-getquote.json"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { comparison: { match: boolean } };
    expect(j.comparison.match).toBe(true);
  });

  it("diff of the two COS logs finds RTMR0 and RTMR1 differences and equal RTMR2", async () => {
    const r = await run([
      "eventlog",
      "diff",
      A,
      fixturePath("eventlogs/goel-cos113-dupsep-unpadded.bin"),
      "--json",
    ]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { rtmrs: { rtmr: number; equal: boolean; a?: { label: string } }[] };
    expect(j.rtmrs.map((x) => x.equal)).toEqual([false, false, true, true]);
    expect(j.rtmrs[0]?.a?.label).toBeTypeOf("string");
  });

  it("bad input gives a parse error exit code", async () => {
    const r = await run(["eventlog", "show", QA]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/ERR_EVENTLOG_FORMAT|ERR_TRUNCATED/);
  });
});
