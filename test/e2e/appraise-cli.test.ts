/**
 * `tdx-attest appraise` in-process on the real quote of MANIFEST case B: a reference file built
 * from the quote's own fields (written by the test) is affirming; a changed field, a wrong nonce,
 * and a signed reference with the wrong key are refused with the right field / code.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import type { TdQuoteBody } from "../../src/abi/types.js";
import { earFromCbor } from "../../src/appraise/ear.js";
import { toHex } from "../../src/bytes.js";
import { encodeReferenceValues, encodeReferenceValuesJson } from "../../src/reference/index.js";
import type { ReferenceValueSet } from "../../src/reference/types.js";
import { ecKeyPair } from "../reference/helpers.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath } from "../support/fixtures.js";

const QUOTE = fixturePath("quotes/dcapqvl-tdx-v4.dat");
const COL = fixturePath("collateral/dcapqvl-tdx-b0c06f.json");
const AT = "2025-07-01T00:00:00Z";
const dir = mkdtempSync(join(tmpdir(), "tdx-appraise-"));
const body = parseQuote(fixture("quotes/dcapqvl-tdx-v4.dat")).body as TdQuoteBody;
const own: ReferenceValueSet = {
  name: "phala",
  mrTd: body.mrTd,
  rtmr0: body.rtmr[0],
  rtmr1: body.rtmr[1],
  rtmr2: body.rtmr[2],
  tdAttributes: body.tdAttributes,
  xfam: body.xfam,
};

function write(name: string, data: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
}

describe("tdx-attest appraise (real quote, case B)", () => {
  const golden = write("golden.json", encodeReferenceValuesJson({ version: 1, sets: [own] }));
  const base = [QUOTE, "--collateral", COL, "--at", AT, "--reference", golden];

  it("affirming: exit 0, one verdict line then a table", async () => {
    const r = await runCli(["appraise", ...base]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe('affirming (reference set "phala"): every check passed');
    expect(r.stdout).toContain("TCB UpToDate; level of 2024-03-13; 0 newer level(s)");
  });

  it("--json and EAR outputs; the CBOR EAR is byte-identical across runs and decodes to the JSON EAR", async () => {
    const ear1 = join(dir, "a.cbor");
    const ear2 = join(dir, "b.cbor");
    const earJson = join(dir, "a.json");
    const r = await runCli(["appraise", ...base, "--json", "--ear", ear1, "--ear-json", earJson]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.verdict).toBe("affirming");
    expect(j.verification).toMatchObject({ status: "UpToDate", fmspc: "b0c06f000000" });
    expect(j.fields.find((f: { field: string }) => f.field === "mrTd").actual).toBe(toHex(body.mrTd));
    await runCli(["appraise", ...base, "--ear", ear2]);
    expect(toHex(readFileSync(ear1))).toBe(toHex(readFileSync(ear2)));
    expect(earFromCbor(new Uint8Array(readFileSync(ear1)))).toEqual(
      JSON.parse(readFileSync(earJson, "utf8")),
    );
    const sub = JSON.parse(readFileSync(earJson, "utf8")).submods.tdx;
    expect(sub["ear.status"]).toBe("affirming");
    expect(sub["ear.appraisal-policy-id"]).toBe("urn:tdx-attest:policy:default");
  });

  it("verify --reference runs the same appraisal after verification", async () => {
    const r = await runCli(["verify", QUOTE, "--collateral", COL, "--at", AT, "--reference", golden]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe('affirming (reference set "phala"): every check passed');
    const plain = await runCli(["verify", QUOTE, "--collateral", COL, "--at", AT]);
    expect(plain.stdout).toMatch(/^OK: UpToDate/);
    const bad = await runCli([
      "verify",
      QUOTE,
      "--collateral",
      COL,
      "--at",
      AT,
      "--reference",
      golden,
      "--nonce",
      "01",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout.split("\n")[0]).toBe("contraindicated: reportData");
  });

  it("a changed reference field: exit 1, contraindicated naming the field", async () => {
    const bad = write(
      "bad.json",
      encodeReferenceValuesJson({ version: 1, sets: [{ ...own, rtmr1: new Uint8Array(48) }] }),
    );
    const r = await runCli(["appraise", QUOTE, "--collateral", COL, "--at", AT, "--reference", bad]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("contraindicated: rtmr1");
  });

  it("a wrong nonce: contraindicated naming reportData", async () => {
    const r = await runCli(["appraise", ...base, "--nonce", "00112233"]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("contraindicated: reportData");
    const good = await runCli(["appraise", ...base, "--nonce", toHex(body.reportData.subarray(0, 32))]);
    expect(good.code).toBe(0);
  });

  it("signed reference values: the right key passes, a wrong key is ERR_REFERENCE_SIGNATURE (exit 6)", async () => {
    const k = await ecKeyPair("P-384");
    const other = await ecKeyPair("P-384");
    const signed = write(
      "golden.cose",
      await encodeReferenceValues({ version: 1, sets: [own] }, "cbor", k.privatePem),
    );
    const pub = write("pub.pem", k.publicPem);
    const wrong = write("wrong.pem", other.publicPem);
    const args = [QUOTE, "--collateral", COL, "--at", AT, "--reference", signed];
    expect((await runCli(["appraise", ...args, "--reference-key", pub])).code).toBe(0);
    const r = await runCli(["appraise", ...args, "--reference-key", wrong]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain("ERR_REFERENCE_SIGNATURE");
    const unkeyed = await runCli(["appraise", ...args]);
    expect(unkeyed.stderr).toContain("ERR_REFERENCE_SIGNATURE");
  });

  it("stale collateral by policy and a usage error", async () => {
    const policy = write("p.json", JSON.stringify({ collateralMaxAgeDays: 5 }));
    const r = await runCli(["appraise", ...base, "--policy", policy]);
    expect(r.code).toBe(1);
    expect(r.stdout.split("\n")[0]).toBe("contraindicated: collateral.age");
    const soft = write("soft.json", JSON.stringify({ collateralMaxAgeDays: 5, staleCollateral: "warning" }));
    const w = await runCli(["appraise", ...base, "--policy", soft]);
    expect(w.code).toBe(1);
    expect(w.stdout.split("\n")[0]).toMatch(/^warning/);
    expect((await runCli(["appraise", ...base, "--policy", soft, "--accept-warning"])).code).toBe(0);
    expect((await runCli(["appraise", QUOTE])).code).toBe(2);
  });
});
