/**
 * "How far behind" on a full simulated chain: the test PKI's TCB info is edited so that its
 * newest (UpToDate) level needs a TEE_TCB_SVN[2] above the simulated platform's; the quote then
 * matches the next level (SWHardeningNeeded, INTEL-SA-TEST-01). The default policy refuses it
 * naming tcb.status and tcb.advisoryIds; a tolerant policy gives a warning; the result says one
 * newer level exists and that it fixes INTEL-SA-TEST-01.
 */
import { describe, expect, it } from "vitest";
import { appraise } from "../../src/appraise/appraise.js";
import { appraisalInputFromVerified } from "../../src/appraise/from-dcap.js";
import { DEFAULT_POLICY, parsePolicy } from "../../src/appraise/policy.js";
import { syntheticKernel, syntheticTdvf } from "../../src/cli/demo-assets.js";
import { runSimulation } from "../../src/cli/simulate-core.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { createTestPki, generateTestPkiKeys } from "../../src/sim/pki.js";

type Level = { tcb: { tdxtcbcomponents: { svn: number }[] } };

describe("platform behind the newest TCB level", async () => {
  const now = Date.now();
  const pki = await createTestPki(await generateTestPkiKeys(), {
    collateralWindow: [now - 60_000, now + 30 * 86_400_000],
    crlWindow: [now - 60_000, now + 30 * 86_400_000],
    tcbInfo: (doc) => {
      const levels = doc["tcbLevels"] as Level[];
      // TEE_TCB_SVN[1] > 0 (a 1.5 module): components from index 2 are compared (section 16.2).
      (levels[0] as Level).tcb.tdxtcbcomponents[2] = { svn: 99 };
      return doc;
    },
  });
  const sim = await runSimulation({
    config: { firmware: syntheticTdvf(), kernel: syntheticKernel(1), memory: "2G", vcpus: 1 },
    pki,
  });
  const verified = await verifyQuote(sim.quote, pki.collateral, { trustedRoots: [pki.rootCa] });
  const input = appraisalInputFromVerified(verified, pki.collateral);
  const reference = { version: 1 as const, sets: [sim.reference] };

  it("is refused by default, naming the status and the advisory", () => {
    expect(verified.status).toBe("SWHardeningNeeded");
    const r = appraise(input, reference, DEFAULT_POLICY);
    expect(r.verdict).toBe("contraindicated");
    expect(r.fields.filter((f) => !f.ok).map((f) => f.field)).toEqual(["tcb.status", "tcb.advisoryIds"]);
    expect(r.tcb).toMatchObject({
      status: "SWHardeningNeeded",
      advisoryIds: ["INTEL-SA-TEST-01"],
      levelsAbove: 1,
      fixedByNewerLevels: ["INTEL-SA-TEST-01"],
    });
  });

  it("is a warning under a policy that tolerates it", () => {
    const p = parsePolicy({
      warningTcbStatuses: ["SWHardeningNeeded"],
      allowedAdvisoryIds: ["INTEL-SA-TEST-01"],
    });
    const r = appraise(input, reference, p);
    expect(r.verdict).toBe("warning");
    expect(r.fields.filter((f) => f.status === "warn").map((f) => f.field)).toEqual([
      "tcb.status",
      "tcb.advisoryIds",
    ]);
  });
});
