import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { appraise } from "../../src/appraise/appraise.js";
import { DEFAULT_POLICY, type Policy, parsePolicy } from "../../src/appraise/policy.js";
import type { AppraisalInput, AppraisalQuoteBody } from "../../src/appraise/types.js";
import { toHex } from "../../src/bytes.js";
import { AppraisalError } from "../../src/errors.js";
import type { ReferenceValueSet, ReferenceValues } from "../../src/reference/types.js";

const h = (b: number) => new Uint8Array(48).fill(b);

function body(over: Partial<AppraisalQuoteBody> = {}): AppraisalQuoteBody {
  return {
    teeTcbSvn: Uint8Array.from([6, 1, 3, ...new Array(13).fill(0)]),
    mrSeam: h(0x5b),
    mrSignerSeam: h(0),
    tdAttributes: 0x10000000n,
    xfam: 0x602e7n,
    mrTd: h(1),
    mrConfigId: h(0),
    mrOwner: h(0),
    mrOwnerConfig: h(0),
    rtmr: [h(2), h(3), h(4), h(0)],
    reportData: new Uint8Array(64).fill(0xab),
    ...over,
  };
}

const NOW = new Date("2025-07-01T00:00:00Z");
const tcb = {
  status: "UpToDate",
  advisoryIds: [],
  tcbDate: "2024-03-13T00:00:00Z",
  levels: [
    { tcbDate: "2024-03-13T00:00:00Z", tcbStatus: "UpToDate", advisoryIds: [] },
    { tcbDate: "2023-08-09T00:00:00Z", tcbStatus: "SWHardeningNeeded", advisoryIds: ["INTEL-SA-00960"] },
    {
      tcbDate: "2018-01-04T00:00:00Z",
      tcbStatus: "OutOfDate",
      advisoryIds: ["INTEL-SA-00106", "INTEL-SA-00960"],
    },
  ],
  matchedLevelIndex: 0,
  collateralIssueDate: "2025-06-19T10:16:03Z",
};

function setFrom(b: AppraisalQuoteBody, name = "g"): ReferenceValueSet {
  return {
    name,
    mrTd: b.mrTd,
    rtmr0: b.rtmr[0],
    rtmr1: b.rtmr[1],
    rtmr2: b.rtmr[2],
    tdAttributes: b.tdAttributes,
    xfam: b.xfam,
    mrConfigId: b.mrConfigId,
    mrOwner: b.mrOwner,
    mrOwnerConfig: b.mrOwnerConfig,
  };
}

const ref = (...sets: ReferenceValueSet[]): ReferenceValues => ({ version: 1, sets });
const input = (b = body(), over: Partial<AppraisalInput> = {}): AppraisalInput => ({ body: b, tcb, ...over });
const failed = (r: ReturnType<typeof appraise>) => r.fields.filter((f) => !f.ok).map((f) => f.field);

describe("appraise", () => {
  it("affirming when every pinned field matches and the TCB is current", () => {
    const r = appraise(input(), ref(setFrom(body())), DEFAULT_POLICY, { now: NOW });
    expect(r.verdict).toBe("affirming");
    expect(r.matchedSet).toBe("g");
    expect(failed(r)).toEqual([]);
    expect(r.rtmr3).toEqual({ actual: toHex(h(0)), checked: false });
    expect(r.tcb?.levelsAbove).toBe(0);
  });

  it("each single-field deviation is contraindicated and names exactly that field", () => {
    const cases: [string, Partial<AppraisalQuoteBody>][] = [
      ["mrTd", { mrTd: h(9) }],
      ["rtmr0", { rtmr: [h(9), h(3), h(4), h(0)] }],
      ["rtmr1", { rtmr: [h(2), h(9), h(4), h(0)] }],
      ["rtmr2", { rtmr: [h(2), h(3), h(9), h(0)] }],
      ["xfam", { xfam: 0x2e7n }],
      ["mrConfigId", { mrConfigId: h(7) }],
      ["mrOwner", { mrOwner: h(7) }],
      ["mrOwnerConfig", { mrOwnerConfig: h(7) }],
    ];
    const reference = ref(setFrom(body()));
    for (const [field, over] of cases) {
      const r = appraise(input(body(over)), reference, DEFAULT_POLICY, { now: NOW });
      expect(r.verdict, field).toBe("contraindicated");
      expect(failed(r), field).toEqual([field]);
    }
  });

  it("DEBUG is refused by default (naming tdAttributes.DEBUG) and allowed by policy", () => {
    const dbg = body({ tdAttributes: 0x10000001n });
    const reference = ref(setFrom(dbg));
    const r = appraise(input(dbg), reference, DEFAULT_POLICY, { now: NOW });
    expect(r.verdict).toBe("contraindicated");
    expect(failed(r)).toEqual(["tdAttributes.DEBUG"]);
    const ok = appraise(input(dbg), reference, parsePolicy({ allowDebug: true }), { now: NOW });
    expect(ok.verdict).toBe("affirming");
  });

  it("several sets: expected lists every acceptable value, and mixing sets is refused", () => {
    const a = setFrom(body(), "vcpus-4");
    const b = { ...setFrom(body({ rtmr: [h(8), h(3), h(4), h(0)], mrTd: h(5) }), "vcpus-8") };
    const r = appraise(input(body({ rtmr: [h(8), h(3), h(4), h(0)] })), ref(a, b), DEFAULT_POLICY, {
      now: NOW,
    });
    expect(r.verdict).toBe("contraindicated");
    const rtmr0 = r.fields.find((f) => f.field === "rtmr0");
    expect(rtmr0?.expected).toEqual([toHex(h(2)), toHex(h(8))]);
    expect(r.matchedSet).toBeUndefined();
    const ok = appraise(
      input(body({ rtmr: [h(8), h(3), h(4), h(0)], mrTd: h(5) })),
      ref(a, b),
      DEFAULT_POLICY,
      { now: NOW },
    );
    expect(ok.matchedSet).toBe("vcpus-8");
    expect(ok.verdict).toBe("affirming");
    // The policy can restrict which sets are acceptable.
    const only4 = appraise(
      input(body({ rtmr: [h(8), h(3), h(4), h(0)], mrTd: h(5) })),
      ref(a, b),
      parsePolicy({ referenceSets: ["vcpus-4"] }),
      {
        now: NOW,
      },
    );
    expect(only4.verdict).toBe("contraindicated");
    expect(() => appraise(input(), ref(a), parsePolicy({ referenceSets: ["nope"] }), { now: NOW })).toThrow(
      AppraisalError,
    );
  });

  it("RTMR3 is checked only when the set names it", () => {
    const b = body({ rtmr: [h(2), h(3), h(4), h(0x33)] });
    expect(appraise(input(b), ref(setFrom(body())), DEFAULT_POLICY, { now: NOW }).verdict).toBe("affirming");
    const r = appraise(input(b), ref({ ...setFrom(body()), rtmr3: h(0) }), DEFAULT_POLICY, { now: NOW });
    expect(r.rtmr3.checked).toBe(true);
    expect(r.rtmr3.ok).toBe(false);
    expect(failed(r)).toEqual(["rtmr3"]);
  });

  it("nonce and REPORTDATA rules", () => {
    const reference = ref(setFrom(body()));
    const good = appraise(input(), reference, DEFAULT_POLICY, {
      now: NOW,
      nonce: new Uint8Array(8).fill(0xab),
    });
    expect(good.verdict).toBe("affirming");
    const bad = appraise(input(), reference, DEFAULT_POLICY, { now: NOW, nonce: Uint8Array.of(1, 2) });
    expect(failed(bad)).toEqual(["reportData"]);
    const exact = parsePolicy({ reportData: "ab".repeat(64) });
    expect(appraise(input(), reference, exact, { now: NOW }).verdict).toBe("affirming");
    expect(
      failed(appraise(input(), reference, parsePolicy({ reportData: "00".repeat(64) }), { now: NOW })),
    ).toEqual(["reportData"]);
  });

  it("TCB: non-accepted status, warning status, advisories, how far behind", () => {
    const reference = ref(setFrom(body()));
    const behind = {
      ...tcb,
      status: "SWHardeningNeeded",
      advisoryIds: ["INTEL-SA-00960"],
      matchedLevelIndex: 1,
      tcbDate: undefined,
    };
    const r = appraise(input(body(), { tcb: behind }), reference, DEFAULT_POLICY, { now: NOW });
    expect(r.verdict).toBe("contraindicated");
    expect(failed(r)).toEqual(["tcb.status", "tcb.advisoryIds"]);
    expect(r.tcb).toMatchObject({
      levelsAbove: 1,
      fixedByNewerLevels: ["INTEL-SA-00960"],
      tcbDate: "2023-08-09T00:00:00Z",
    });
    const tolerant = parsePolicy({
      warningTcbStatuses: ["SWHardeningNeeded"],
      allowedAdvisoryIds: ["INTEL-SA-00960"],
    });
    const w = appraise(input(body(), { tcb: behind }), reference, tolerant, { now: NOW });
    expect(w.verdict).toBe("warning");
    expect(failed(w)).toEqual([]);
    const accepted = parsePolicy({
      acceptedTcbStatuses: ["UpToDate", "SWHardeningNeeded"],
      allowedAdvisoryIds: ["INTEL-SA-00960"],
    });
    // An accepted status with a tolerated advisory is still a warning: the advisory applies.
    expect(appraise(input(body(), { tcb: behind }), reference, accepted, { now: NOW }).verdict).toBe(
      "warning",
    );
    const none = appraise({ body: body() }, reference, DEFAULT_POLICY, { now: NOW });
    expect(failed(none)).toEqual(["tcb.status"]);
  });

  it("collateral older than the policy maximum (default 30 days) is stale", () => {
    const reference = ref(setFrom(body()));
    const late = new Date("2025-07-25T00:00:00Z");
    const r = appraise(input(), reference, DEFAULT_POLICY, { now: late });
    expect(r.verdict).toBe("contraindicated");
    expect(failed(r)).toEqual(["collateral.age"]);
    expect(r.tcb?.collateralAgeDays).toBeGreaterThan(30);
    const soft = parsePolicy({ staleCollateral: "warning" });
    expect(appraise(input(), reference, soft, { now: late }).verdict).toBe("warning");
    expect(
      appraise(input(), reference, parsePolicy({ collateralMaxAgeDays: 60 }), { now: late }).verdict,
    ).toBe("affirming");
  });

  it("MRSEAM / MRSIGNERSEAM allowlists and minimum TEE_TCB_SVN", () => {
    const reference = ref(setFrom(body()));
    const p = (o: object) => appraise(input(), reference, parsePolicy(o), { now: NOW });
    expect(p({ mrSeam: [toHex(h(0x5b))], mrSignerSeam: [toHex(h(0))] }).verdict).toBe("affirming");
    expect(failed(p({ mrSeam: [toHex(h(1))] }))).toEqual(["mrSeam"]);
    expect(failed(p({ mrSignerSeam: [toHex(h(1))] }))).toEqual(["mrSignerSeam"]);
    expect(p({ minTeeTcbSvn: `060103${"00".repeat(13)}` }).verdict).toBe("affirming");
    expect(failed(p({ minTeeTcbSvn: `070000${"00".repeat(13)}` }))).toEqual(["teeTcbSvn"]);
  });

  it("property: any single changed pinned byte is caught", () => {
    const fields = ["mrTd", "mrConfigId", "mrOwner", "mrOwnerConfig"] as const;
    const reference = ref(setFrom(body()));
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.integer({ min: 0, max: 47 }),
        fc.integer({ min: 1, max: 255 }),
        (f, i, x) => {
          const b = body();
          const v = b[f].slice();
          v[i] = (v[i] as number) ^ x;
          const r = appraise(input({ ...b, [f]: v }), reference, DEFAULT_POLICY, { now: NOW });
          expect(r.verdict).toBe("contraindicated");
          expect(failed(r)).toEqual([f]);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("policy validation", () => {
  it("defaults are safe", () => {
    const p: Policy = parsePolicy({});
    expect(p).toEqual(DEFAULT_POLICY);
    expect(p.allowDebug).toBe(false);
    expect(p.acceptedTcbStatuses).toEqual(["UpToDate"]);
    expect(p.collateralMaxAgeDays).toBe(30);
  });

  it("names the bad field with ERR_POLICY_FORMAT", () => {
    const bad: [object, string][] = [
      [{ allowDebg: true }, "policy.allowDebg"],
      [{ allowDebug: "no" }, "policy.allowDebug"],
      [{ acceptedTcbStatuses: ["UpToDat"] }, "policy.acceptedTcbStatuses[0]"],
      [{ mrSeam: ["00"] }, "policy.mrSeam[0]"],
      [{ minTeeTcbSvn: "00" }, "policy.minTeeTcbSvn"],
      [{ reportDataPrefix: "x" }, "policy.reportDataPrefix"],
      [{ collateralMaxAgeDays: -1 }, "policy.collateralMaxAgeDays"],
      [{ staleCollateral: "ignore" }, "policy.staleCollateral"],
      [{ version: 2 }, "policy.version"],
      [{ reportData: "00".repeat(64), reportDataPrefix: "00" }, "policy.reportDataPrefix"],
    ];
    for (const [doc, field] of bad) {
      try {
        parsePolicy(doc);
        expect.unreachable(field);
      } catch (e) {
        expect(e).toBeInstanceOf(AppraisalError);
        expect((e as AppraisalError).code).toBe("ERR_POLICY_FORMAT");
        expect((e as AppraisalError).at?.field).toBe(field);
      }
    }
  });
});
