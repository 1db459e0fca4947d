/**
 * Real quotes (shared fixtures, MANIFEST cases B and E) through DCAP verification and appraisal.
 * The reference set for case B is built from the quote's own measured fields (so it must pass),
 * then each field is changed in the reference in turn (so that field, and only it, must fail).
 */
import { describe, expect, it } from "vitest";
import type { TdQuoteBody } from "../../src/abi/types.js";
import { appraise } from "../../src/appraise/appraise.js";
import { appraisalInputFromVerified } from "../../src/appraise/from-dcap.js";
import { DEFAULT_POLICY, parsePolicy } from "../../src/appraise/policy.js";
import { collateralFromJson } from "../../src/dcap/collateral.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import type { ReferenceValueSet } from "../../src/reference/types.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const JULY = new Date("2025-07-01T00:00:00Z");

function ownSet(b: TdQuoteBody): ReferenceValueSet {
  return {
    name: "own",
    mrTd: b.mrTd,
    rtmr0: b.rtmr[0],
    rtmr1: b.rtmr[1],
    rtmr2: b.rtmr[2],
    rtmr3: b.rtmr[3],
    tdAttributes: b.tdAttributes,
    xfam: b.xfam,
    mrConfigId: b.mrConfigId,
    mrOwner: b.mrOwner,
    mrOwnerConfig: b.mrOwnerConfig,
  };
}

describe("real quote dcapqvl-tdx-v4 (case B)", async () => {
  const collateral = collateralFromJson(fixtureText("collateral/dcapqvl-tdx-b0c06f.json"));
  const verified = await verifyQuote(fixture("quotes/dcapqvl-tdx-v4.dat"), collateral, { now: JULY });
  const input = appraisalInputFromVerified(verified, collateral);
  const body = input.body as TdQuoteBody;
  const set = ownSet(body);

  it("is affirming against a set built from its own fields, and says how current it is", () => {
    const r = appraise(input, { version: 1, sets: [set] }, DEFAULT_POLICY, { now: JULY });
    expect(r.fields.filter((f) => !f.ok)).toEqual([]);
    expect(r.verdict).toBe("affirming");
    // MANIFEST: UpToDate, no advisories; the TCB info's first level (2024-03-13) is the match.
    expect(r.tcb).toMatchObject({ status: "UpToDate", levelsAbove: 0, tcbDate: "2024-03-13T00:00:00Z" });
    expect(r.tcb?.collateralAgeDays).toBeCloseTo(11.5, 0);
  });

  it("fails naming the field when any one reference field is changed", () => {
    const keys = [
      "mrTd",
      "rtmr0",
      "rtmr1",
      "rtmr2",
      "rtmr3",
      "mrConfigId",
      "mrOwner",
      "mrOwnerConfig",
    ] as const;
    for (const k of keys) {
      const v = (set[k] as Uint8Array).slice();
      v[0] = (v[0] as number) ^ 1;
      const r = appraise(input, { version: 1, sets: [{ ...set, [k]: v }] }, DEFAULT_POLICY, { now: JULY });
      expect(r.verdict, k).toBe("contraindicated");
      expect(r.fields.filter((f) => !f.ok).map((f) => f.field)).toEqual([k]);
    }
    for (const k of ["tdAttributes", "xfam"] as const) {
      const r = appraise(
        input,
        { version: 1, sets: [{ ...set, [k]: (set[k] as bigint) ^ 2n }] },
        DEFAULT_POLICY,
        { now: JULY },
      );
      expect(r.fields.filter((f) => !f.ok).map((f) => f.field)).toEqual([k]);
    }
  });

  it("a nonce that is not at the start of REPORTDATA is refused", () => {
    const nonce = body.reportData.slice(0, 16);
    expect(appraise(input, { version: 1, sets: [set] }, DEFAULT_POLICY, { now: JULY, nonce }).verdict).toBe(
      "affirming",
    );
    nonce[15] = (nonce[15] as number) ^ 1;
    const r = appraise(input, { version: 1, sets: [set] }, DEFAULT_POLICY, { now: JULY, nonce });
    expect(r.fields.filter((f) => !f.ok).map((f) => f.field)).toEqual(["reportData"]);
  });
});

describe("debug quote trustee-q4-debug-v4 (case E)", () => {
  it("is contraindicated by the default policy with DEBUG named", async () => {
    const collateral = collateralFromJson(fixtureText("collateral/gtdx-2023-50806f.json"));
    const now = new Date("2023-07-01T01:00:00Z");
    const verified = await verifyQuote(fixture("quotes/trustee-q4-debug-v4.dat"), collateral, { now });
    const input = appraisalInputFromVerified(verified, collateral);
    const reference = { version: 1 as const, sets: [ownSet(input.body as TdQuoteBody)] };
    const r = appraise(input, reference, DEFAULT_POLICY, { now });
    expect(r.verdict).toBe("contraindicated");
    const bad = r.fields.filter((f) => !f.ok);
    expect(bad.map((f) => f.field)).toEqual(["tdAttributes.DEBUG"]);
    expect(bad[0]?.reason).toContain("0100001000000000");
    expect(appraise(input, reference, parsePolicy({ allowDebug: true }), { now }).verdict).toBe("affirming");
  });
});
