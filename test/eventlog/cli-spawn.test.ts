/** The built binary (`node dist/cli/bin.js eventlog ...`) on the real fixtures: exit codes and output. */
import { describe, expect, it } from "vitest";
import { cli } from "../e2e/cli.js";
import { fixturePath } from "../support/fixtures.js";

describe("tdx-attest eventlog (spawned)", () => {
  it("replay of case A against its quote exits 0 with four matches", () => {
    const r = cli([
      "eventlog",
      "replay",
      fixturePath("eventlogs/gtdx-cos113-ccel.bin"),
      "--quote",
      fixturePath("quotes/gtdx-cos113-v4.dat"),
    ]);
    expect(r.code).toBe(0);
    expect(r.out.match(/ {2}match$/gm)).toHaveLength(4);
  });

  it("replay of case H exits 1; a non-log input exits 3 with a typed error on stderr", () => {
    const h = cli([
      "eventlog",
      "replay",
      fixturePath("eventlogs/dstack-ccel.bin"),
      "--quote",
      fixturePath("quotes/dstack-tappd-v4.dat"),
      "--json",
    ]);
    expect(h.code).toBe(1);
    expect(JSON.parse(h.out).comparison.mismatched).toContain(1);
    const bad = cli(["eventlog", "show", fixturePath("eventlogs/gtdx-cos113-nonce.bin")]);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/^tdx-attest: ERR_EVENTLOG_FORMAT: /);
  });
});
