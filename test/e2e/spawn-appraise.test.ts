/**
 * The built CLI spawned as a user runs it (`node dist/cli/bin.js`, after `npm run build`, which
 * CI runs before the tests): appraise the real case-B quote against reference values written
 * by the test from the quote's own fields, in JSON and signed CBOR form.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import type { TdQuoteBody } from "../../src/abi/types.js";
import { toHex } from "../../src/bytes.js";
import { encodeReferenceValues, encodeReferenceValuesJson } from "../../src/reference/index.js";
import { ecKeyPair } from "../reference/helpers.js";
import { fixture, fixturePath } from "../support/fixtures.js";
import { cli } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-spawn-"));

describe("spawned tdx-attest appraise on the real quote (case B)", () => {
  const body = parseQuote(fixture("quotes/dcapqvl-tdx-v4.dat")).body as TdQuoteBody;
  const set = { name: "own", mrTd: body.mrTd, rtmr0: body.rtmr[0], rtmr1: body.rtmr[1], rtmr2: body.rtmr[2] };
  const golden = join(dir, "golden.json");
  writeFileSync(golden, encodeReferenceValuesJson({ version: 1, sets: [set] }));
  const base = [
    "appraise",
    fixturePath("quotes/dcapqvl-tdx-v4.dat"),
    "--collateral",
    fixturePath("collateral/dcapqvl-tdx-b0c06f.json"),
    "--at",
    "2025-07-01T00:00:00Z",
  ];

  it("affirming with exit 0; EAR CBOR identical across two processes", () => {
    const a = join(dir, "a.cbor");
    const b = join(dir, "b.cbor");
    const r = cli([...base, "--reference", golden, "--ear", a]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^affirming/);
    expect(cli([...base, "--reference", golden, "--ear", b]).code).toBe(0);
    expect(toHex(readFileSync(a))).toBe(toHex(readFileSync(b)));
  });

  it("a changed MRTD is contraindicated (exit 1) naming mrTd", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      encodeReferenceValuesJson({ version: 1, sets: [{ ...set, mrTd: new Uint8Array(48) }] }),
    );
    const r = cli([...base, "--reference", bad, "--json"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j.verdict).toBe("contraindicated");
    expect(j.fields.filter((f: { ok: boolean }) => !f.ok).map((f: { field: string }) => f.field)).toEqual([
      "mrTd",
    ]);
  });

  it("signed reference values verify with the right key only", async () => {
    const k = await ecKeyPair("P-256");
    const cose = join(dir, "golden.cose");
    writeFileSync(cose, await encodeReferenceValues({ version: 1, sets: [set] }, "cbor", k.privatePem));
    const pub = join(dir, "pub.pem");
    writeFileSync(pub, k.publicPem);
    expect(cli([...base, "--reference", cose, "--reference-key", pub]).code).toBe(0);
    const tampered = readFileSync(cose);
    tampered[tampered.length - 70] = (tampered[tampered.length - 70] as number) ^ 1;
    writeFileSync(cose, tampered);
    const r = cli([...base, "--reference", cose, "--reference-key", pub]);
    expect(r.code).toBe(6);
    expect(r.err).toContain("ERR_REFERENCE_SIGNATURE");
  });
});
