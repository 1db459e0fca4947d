/**
 * `tdx-attest verify --batch <dir>` in-process: a temp directory (under os.tmpdir(), never the
 * repository) holding the case B quote in binary, hex and base64, a quote from another platform
 * (FMSPC mismatch), a junk file and a subdirectory; per-file results, counts, exit status,
 * the progress indicator on a (fake) TTY only; and the appraisal-only options refused without
 * --reference.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import type { TdQuoteBody } from "../../src/abi/types.js";
import { toBase64, toHex } from "../../src/bytes.js";
import { batchProgress } from "../../src/cli/verify-batch.js";
import { encodeReferenceValuesJson } from "../../src/reference/index.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath } from "../support/fixtures.js";

const COL = fixturePath("collateral/dcapqvl-tdx-b0c06f.json");
const AT = "2025-07-01T00:00:00Z";
const quote = fixture("quotes/dcapqvl-tdx-v4.dat");

const dir = mkdtempSync(join(tmpdir(), "tdx-batch-"));
writeFileSync(join(dir, "c-quote.b64"), toBase64(quote));
writeFileSync(join(dir, "a-quote.dat"), quote);
// Hex wrapped at 60 digits per line, as `xxd -p` writes it.
writeFileSync(join(dir, "b-quote.hex"), `${toHex(quote).replace(/.{60}/g, "$&\n")}\n`);
writeFileSync(join(dir, "d-gcp.dat"), fixture("quotes/gcp-v4.dat"));
writeFileSync(join(dir, "e-junk.txt"), "not a quote at all\n");
mkdirSync(join(dir, "f-subdir"));

const base = ["verify", "--batch", dir, "--collateral", COL, "--at", AT];

describe("verify --batch", () => {
  it("human: one line per file in name order, then a summary; exit 1 because some fail", async () => {
    const r = await runCli(base);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.split(/\s+/).slice(0, 2).join(" "))).toEqual([
      "ok a-quote.dat",
      "ok b-quote.hex",
      "ok c-quote.b64",
      "FAIL d-gcp.dat",
      "FAIL e-junk.txt",
      "5 quote",
    ]);
    expect(lines[0]).toContain("UpToDate (TDX v4, FMSPC b0c06f000000)");
    expect(lines[3]).toContain("ERR_FMSPC_MISMATCH");
    expect(lines[5]).toBe("5 quote file(s): 3 ok, 2 failed (2 error(s)); 1 skipped (not regular files)");
    expect(r.stderr).toBe(""); // not a TTY: no progress output
  });

  it("--json: per-file results with error codes, counts, skipped entries", async () => {
    const r = await runCli([...base, "--json"]);
    const j = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(j.ok).toBe(false);
    expect(j.counts).toEqual({ total: 5, ok: 3, failed: 2, errors: 2, skipped: 1 });
    expect(j.skipped).toEqual(["f-subdir"]);
    expect(j.results.map((e: { file: string }) => e.file)).toEqual([
      "a-quote.dat",
      "b-quote.hex",
      "c-quote.b64",
      "d-gcp.dat",
      "e-junk.txt",
    ]);
    expect(j.results[3].error.code).toBe("ERR_FMSPC_MISMATCH");
    expect(j.results[4].error.code).toMatch(/^ERR_/);
    expect(j.results[0]).toMatchObject({ ok: true, status: "UpToDate", fmspc: "b0c06f000000" });
  });

  it("exit 0 when every file passes; with --reference, verdict counts", async () => {
    const good = mkdtempSync(join(tmpdir(), "tdx-batch-good-"));
    writeFileSync(join(good, "1.dat"), quote);
    writeFileSync(join(good, "2.hex"), toHex(quote));
    expect((await runCli(["verify", "--batch", good, "--collateral", COL, "--at", AT])).code).toBe(0);
    const body = parseQuote(quote).body as TdQuoteBody;
    const ref = (mrTd: Uint8Array) =>
      encodeReferenceValuesJson({ version: 1, sets: [{ name: "own", mrTd, rtmr0: body.rtmr[0] }] });
    const golden = join(good, "..", `${good.split("/").pop()}-golden.json`);
    writeFileSync(golden, ref(body.mrTd));
    const args = ["verify", "--batch", good, "--collateral", COL, "--at", AT, "--reference", golden];
    const ok = await runCli([...args, "--json"]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).counts).toMatchObject({ total: 2, affirming: 2, contraindicated: 0 });
    // A reference with another MRTD: every quote is contraindicated, MRTD named on each line.
    const bad = new Uint8Array(body.mrTd);
    bad[0] = (bad[0] as number) ^ 1;
    writeFileSync(golden, ref(bad));
    const no = await runCli(args);
    expect(no.code).toBe(1);
    expect(no.stdout).toContain("FAIL  1.dat  contraindicated: mrTd");
    const noJson = JSON.parse((await runCli([...args, "--json"])).stdout);
    expect(noJson.results[0]).toMatchObject({ verdict: "contraindicated", failed: ["mrTd"], warnings: [] });
    expect(no.stdout).toContain("2 quote file(s): 0 ok, 2 failed (0 affirming, 0 warning, 2 contraindicated");
  });

  it("warnings pass with --accept-warning or the policy's acceptWarning, not otherwise", async () => {
    const good = mkdtempSync(join(tmpdir(), "tdx-batch-warn-"));
    writeFileSync(join(good, "1.dat"), quote);
    const body = parseQuote(quote).body as TdQuoteBody;
    const golden = `${good}-golden.json`;
    writeFileSync(
      golden,
      encodeReferenceValuesJson({ version: 1, sets: [{ name: "own", mrTd: body.mrTd }] }),
    );
    // Case B's TCB info is 11.5 days old at AT: stale under a 5-day maximum, a warning by policy.
    const soft = { collateralMaxAgeDays: 5, staleCollateral: "warning" };
    const policy = (extra: object) => {
      const f = `${good}-policy-${Object.keys(extra).length}.json`;
      writeFileSync(f, JSON.stringify({ ...soft, ...extra }));
      return f;
    };
    const args = [
      "verify",
      "--batch",
      good,
      "--collateral",
      COL,
      "--at",
      AT,
      "--reference",
      golden,
      "--json",
    ];
    const strict = await runCli([...args, "--policy", policy({})]);
    expect([strict.code, JSON.parse(strict.stdout).results[0].warnings]).toEqual([1, ["collateral.age"]]);
    expect((await runCli([...args, "--policy", policy({}), "--accept-warning"])).code).toBe(0);
    expect((await runCli([...args, "--policy", policy({ acceptWarning: true })])).code).toBe(0);
  });

  it("an empty directory verifies nothing and does not pass", async () => {
    const empty = mkdtempSync(join(tmpdir(), "tdx-batch-empty-"));
    const r = await runCli(["verify", "--batch", empty, "--collateral", COL]);
    expect([r.code, r.stdout.trim()]).toEqual([1, "no quote files: nothing verified"]);
  });

  it("TTY: progress on stderr, cleared at the end; stdout is the same as without a TTY", async () => {
    const tty = await runCli(base, { isTTY: true });
    const plain = await runCli(base, { isTTY: false });
    expect(tty.stdout).toBe(plain.stdout);
    expect(tty.stderr).toContain("\rverifying 1/5 a-quote.dat");
    expect(tty.stderr.endsWith("\r\x1b[K")).toBe(true);
    expect(plain.stderr).toBe("");
  });

  it("progress is throttled to one redraw per interval", () => {
    let err = "";
    let t = 0;
    const p = batchProgress({ isTTY: true, stderr: (s) => (err += s) }, 40, () => t);
    for (let i = 1; i <= 40; i++) {
      p.tick(i, `q${i}`);
      t += 30; // 30 ms per quote: a redraw every 4th quote at most
    }
    p.done();
    const draws = err.split("\r").filter((s) => s.startsWith("verifying"));
    expect(draws.length).toBe(10);
    expect(draws[0]).toContain("verifying 1/40 q1");
    expect(err.endsWith("\r\x1b[K")).toBe(true);
  });

  it("usage errors: a positional with --batch, per-TD options, a missing directory", async () => {
    expect((await runCli([...base, "extra.dat"])).code).toBe(2);
    const ev = await runCli([...base, "--reference", COL, "--eventlog", "x.bin"]);
    expect([ev.code, ev.stderr]).toEqual([2, expect.stringContaining("--eventlog describe one TD")]);
    const missing = await runCli(["verify", "--batch", join(dir, "nope"), "--collateral", COL]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining("ERR_IO")]);
  });
});

describe("verify: appraisal options without --reference", () => {
  const q = fixturePath("quotes/dcapqvl-tdx-v4.dat");
  for (const extra of [
    ["--policy", "p.json"],
    ["--eventlog", "ccel.bin"],
    ["--nonce", "00"],
    ["--ear", "out.cbor"],
    ["--accept-warning"],
    ["--reference-key", "k.pem"],
  ]) {
    it(`${extra[0]} → ERR_USAGE, exit 2 (not silently ignored)`, async () => {
      const r = await runCli(["verify", q, "--collateral", COL, "--at", AT, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`ERR_USAGE: ${extra[0]} only apply with --reference`);
      expect(r.stdout).toBe("");
    });
  }
});
