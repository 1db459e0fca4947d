/**
 * Issue 6 acceptance on real quotes, through the spawned CLI (`node dist/cli/bin.js`):
 * - the case B quote (dcapqvl-tdx-v4.dat + its collateral) against a reference set holding every
 *   measured field of the quote itself (MRTD, RTMR0-3, attributes, XFAM, MRCONFIGID, MROWNER,
 *   MROWNERCONFIG; values read from the quote by the test's own parse) is affirming, and changing
 *   any ONE of those reference values makes it contraindicated naming exactly that field;
 * - the case E debug quote is contraindicated by the default policy, naming DEBUG.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import type { TdQuoteBody } from "../../src/abi/types.js";
import { encodeReferenceValuesJson } from "../../src/reference/index.js";
import type { ReferenceValueSet } from "../../src/reference/types.js";
import { fixture, fixturePath } from "../support/fixtures.js";
import { cli } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-real-fields-"));
const body = parseQuote(fixture("quotes/dcapqvl-tdx-v4.dat")).body as TdQuoteBody;
const own = {
  name: "own",
  mrTd: body.mrTd,
  rtmr0: body.rtmr[0],
  rtmr1: body.rtmr[1],
  rtmr2: body.rtmr[2],
  rtmr3: body.rtmr[3],
  tdAttributes: body.tdAttributes,
  xfam: body.xfam,
  mrConfigId: body.mrConfigId,
  mrOwner: body.mrOwner,
  mrOwnerConfig: body.mrOwnerConfig,
} satisfies ReferenceValueSet;

function appraise(name: string, set: ReferenceValueSet) {
  const ref = join(dir, `${name}.json`);
  writeFileSync(ref, encodeReferenceValuesJson({ version: 1, sets: [set] }));
  const r = cli([
    "verify",
    fixturePath("quotes/dcapqvl-tdx-v4.dat"),
    "--collateral",
    fixturePath("collateral/dcapqvl-tdx-b0c06f.json"),
    "--at",
    "2025-07-01T00:00:00Z",
    "--reference",
    ref,
    "--json",
  ]);
  const j = JSON.parse(r.out);
  const failed = j.fields.filter((f: { ok: boolean }) => !f.ok).map((f: { field: string }) => f.field);
  return { code: r.code, verdict: j.verdict as string, failed };
}

describe("real quote (case B) against a reference set of its own fields (spawned CLI)", () => {
  it("every field pinned: affirming, exit 0", () => {
    expect(appraise("own", own)).toEqual({ code: 0, verdict: "affirming", failed: [] });
  });

  const fields = Object.keys(own).filter((k) => k !== "name") as Exclude<keyof typeof own, "name">[];
  it("the set pins all ten measured fields", () => expect(fields.length).toBe(10));
  for (const field of fields) {
    it(`${field} changed by one bit: contraindicated naming ${field}`, () => {
      // Bit 0 of byte 1 (bit 8 of the 64-bit fields): not the DEBUG bit of the attributes.
      const v = own[field];
      const changed = typeof v === "bigint" ? v ^ 0x100n : new Uint8Array(v);
      if (changed instanceof Uint8Array) changed[1] = (changed[1] as number) ^ 0x01;
      expect(appraise(field, { ...own, [field]: changed })).toEqual({
        code: 1,
        verdict: "contraindicated",
        failed: [field],
      });
    });
  }
});

describe("real debug quote (case E), spawned CLI", () => {
  it("contraindicated under the default policy, naming tdAttributes.DEBUG", () => {
    const dbg = parseQuote(fixture("quotes/trustee-q4-debug-v4.dat")).body as TdQuoteBody;
    const ref = join(dir, "debug.json");
    const set = { name: "own", mrTd: dbg.mrTd, tdAttributes: dbg.tdAttributes };
    writeFileSync(ref, encodeReferenceValuesJson({ version: 1, sets: [set] }));
    const r = cli([
      "verify",
      fixturePath("quotes/trustee-q4-debug-v4.dat"),
      "--collateral",
      fixturePath("collateral/gtdx-2023-50806f.json"),
      "--at",
      "2023-07-01T01:00:00Z",
      "--reference",
      ref,
    ]);
    expect(r.code).toBe(1);
    expect(r.out.split("\n")[0]).toBe("contraindicated: tdAttributes.DEBUG");
    expect(r.out).toMatch(/tdAttributes\.DEBUG\s+FAIL/);
  });
});
