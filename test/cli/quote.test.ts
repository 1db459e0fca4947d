import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toBase64, toHex } from "../../src/bytes.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath } from "../support/fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-attest-quote-"));
const bin = fixture("quotes/dcapqvl-tdx-v4.dat");
const MRTD =
  "91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7";

describe("tdx-attest quote show", () => {
  it("prints every field with ABI names from a binary file", async () => {
    const r = await runCli(["quote", "show", fixturePath("quotes/dcapqvl-tdx-v4.dat")]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    for (const label of [
      "VERSION",
      "TEE_TYPE",
      "MRSEAM",
      "MRTD",
      "RTMR0",
      "RTMR3",
      "REPORTDATA",
      "QE_REPORT",
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^\\s+${label}\\s`, "m"));
    }
    expect(r.stdout).toMatch(new RegExp(`MRTD\\s+${MRTD}`));
    expect(r.stdout).toMatch(/TDATTRIBUTES\s+0000001000000000 \(SEPT_VE_DISABLE\)/);
    expect(r.stdout).toContain("CN=Intel SGX PCK Certificate");
    expect(r.stdout).toContain("70 trailing bytes (all zero");
  });

  it("reads hex text and base64 text (auto-detected and forced) with the same result", async () => {
    const hexFile = join(dir, "q.hex");
    const b64File = join(dir, "q.b64");
    writeFileSync(hexFile, `${toHex(bin)}\n`);
    writeFileSync(b64File, toBase64(bin));
    const ref = (await runCli(["quote", "show", fixturePath("quotes/dcapqvl-tdx-v4.dat"), "--json"])).stdout;
    expect((await runCli(["quote", "show", hexFile, "--json"])).stdout).toBe(ref);
    expect((await runCli(["quote", "show", b64File, "--json"])).stdout).toBe(ref);
    expect((await runCli(["quote", "show", hexFile, "--json", "--format", "hex"])).stdout).toBe(ref);
    expect((await runCli(["quote", "show", b64File, "--json", "--format", "base64"])).stdout).toBe(ref);
    expect((await runCli(["quote", "show", "-", "--json"], { stdin: bin })).stdout).toBe(ref);
  });

  it("--json has the documented shape", async () => {
    const r = await runCli(["quote", "show", fixturePath("quotes/gtdx-v5-td15.dat"), "--json"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ ok: true, version: 5, teeType: "tdx", bodyType: 3 });
    expect(j.body.mrTd).toMatch(/^[0-9a-f]{96}$/);
    expect(j.body.rtmr).toHaveLength(4);
    expect(j.body.tdAttributes).toBe("0000001000000000");
    expect(j.body.tdAttributeNames).toEqual(["SEPT_VE_DISABLE"]);
    expect(j.body.teeTcbSvn2).toBe("0d010400000000000000000000000000");
    expect(j.certificationData.type).toBe(6);
    expect(j.certificationData.inner.type).toBe(5);
    expect(j.certificationData.inner.certificates).toHaveLength(3);
    expect(j.certificationData.qeReport.isvSvn).toBe(7);
    expect(j.trailingBytes).toEqual({ count: 0, allZero: true });
  });

  it("a truncated quote fails with one stderr line naming the code, or a JSON error", async () => {
    const f = join(dir, "trunc.dat");
    writeFileSync(f, bin.subarray(0, 700));
    const r = await runCli(["quote", "show", f]);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^tdx-attest: ERR_TRUNCATED: Quote\.signatureData: declares 4300 bytes at 0x27c, 64 remain/,
    );
    const j = await runCli(["quote", "show", f, "--json"]);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({
      ok: false,
      error: { code: "ERR_TRUNCATED", offset: 0x27c },
    });
  });

  it("usage errors and --help", async () => {
    expect((await runCli(["quote", "frobnicate", "x"])).code).toBe(2);
    expect((await runCli(["quote", "show", "--format", "xml", "x"])).stderr).toContain("ERR_USAGE");
    expect((await runCli(["quote", "show", join(dir, "missing.dat")])).stderr).toContain("ERR_IO");
    const h = await runCli(["quote", "--help"]);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("usage: tdx-attest quote show");
  });
});
