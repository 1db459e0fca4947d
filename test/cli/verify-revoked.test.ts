/**
 * A genuine quote whose TCB level is Revoked: verifyQuote reports the status (Intel semantics),
 * but `tdx-attest verify` fails closed on it, alone and in a batch. The quote and collateral come
 * from the committed test PKI; TEE_TCB_SVN[0] = 1 selects its Revoked TDX level
 * (src/sim/pki-collateral.ts), and the same quote with SVN 7 is the UpToDate control.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encodePemCertificates } from "../../src/abi/pem.js";
import type { TestPki } from "../../src/sim/pki.js";
import { NOW, pki, quoteFor } from "../dcap/test-pki.js";
import { runCli } from "../support/cli.js";

const svn = (s0: number) => Uint8Array.from([s0, 0, 2, ...new Array(13).fill(0)]);
let dir: string;

beforeAll(async () => {
  const p: TestPki = await pki();
  dir = mkdtempSync(join(tmpdir(), "tdx-attest-revoked-"));
  writeFileSync(join(dir, "collateral.json"), JSON.stringify(p.collateralJson));
  writeFileSync(join(dir, "root.pem"), encodePemCertificates([p.rootCa]));
  const quotes = join(dir, "quotes");
  mkdirSync(quotes);
  writeFileSync(join(quotes, "revoked.dat"), await quoteFor(p, { teeTcbSvn: svn(1) }));
  writeFileSync(join(quotes, "uptodate.dat"), await quoteFor(p, { teeTcbSvn: svn(7) }));
});

const args = (...a: string[]) => [
  "verify",
  ...a,
  "--collateral",
  join(dir, "collateral.json"),
  "--root",
  join(dir, "root.pem"),
  "--at",
  new Date(NOW).toISOString(),
];

describe("verify: a Revoked TCB fails closed", () => {
  it("the UpToDate control passes", async () => {
    const r = await runCli(args(join(dir, "quotes", "uptodate.dat")));
    expect([r.code, r.stdout.split("\n")[0]?.startsWith("OK: UpToDate")]).toEqual([0, true]);
  });

  it("human view: REVOKED line, one stderr line with the code, exit 4", async () => {
    const r = await runCli(args(join(dir, "quotes", "revoked.dat")));
    expect(r.code).toBe(4);
    expect(r.stdout.split("\n")[0]).toMatch(/^REVOKED: Revoked \(TDX quote v4/);
    expect(r.stderr).toMatch(/^tdx-attest: ERR_TCB_REVOKED: the quote is genuine but its TCB is Revoked/);
  });

  it("--json: ok false with the error and the full verdict", async () => {
    const r = await runCli([...args(join(dir, "quotes", "revoked.dat")), "--json"]);
    const j = JSON.parse(r.stdout);
    expect([r.code, j.ok, j.error.code, j.status, j.platformStatus]).toEqual([
      4,
      false,
      "ERR_TCB_REVOKED",
      "Revoked",
      "Revoked",
    ]);
  });

  it("--batch: the revoked quote fails, the batch exits 1", async () => {
    const r = await runCli([...args("--batch", join(dir, "quotes")), "--json"]);
    const j = JSON.parse(r.stdout);
    const byFile = Object.fromEntries(j.results.map((e: { file: string; ok: boolean }) => [e.file, e.ok]));
    expect([r.code, byFile, j.counts.ok, j.counts.failed]).toEqual([
      1,
      { "revoked.dat": false, "uptodate.dat": true },
      1,
      1,
    ]);
  });
});
