/**
 * Verification against the test PKI: each check's failure gets its own code, and every TCB
 * level/status combination of the test TCB info (src/sim/pki-collateral.ts) gives its status.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { TestPki } from "../../src/sim/pki.js";
import { pki, quoteFor, run, status } from "./test-pki.js";

let base: TestPki;
beforeAll(async () => {
  base = await pki();
});

const svn = (...b: number[]) => Uint8Array.from([...b, ...new Array(16 - b.length).fill(0)]);

describe("test PKI: accepted quotes", () => {
  it("v4, v5 TD 1.5 and v5 TD 1.0 quotes verify UpToDate", async () => {
    for (const o of [
      { version: 4 as const },
      { version: 5 as const, bodyType: 3 as const },
      { version: 5 as const, bodyType: 2 as const },
    ]) {
      const r = await run(base, await quoteFor(base, {}, o));
      expect(typeof r === "string" ? r : [r.status, r.advisoryIds, r.fmspc, r.pck.pceSvn]).toEqual([
        "UpToDate",
        [],
        "90c06f000000",
        13,
      ]);
    }
  });
  it("the DEBUG attribute is visible, not refused", async () => {
    const r = await run(base, await quoteFor(base, { tdAttributes: 0x10000001n }));
    expect(typeof r === "string" ? r : r.td).toEqual({ debug: true, attributes: 0x10000001n });
  });
});

describe("test PKI: every TDX TCB level (TEE_TCB_SVN[0] selects it, module major 0)", () => {
  const cases: [number, string, string[]][] = [
    [7, "UpToDate", []],
    [6, "SWHardeningNeeded", ["INTEL-SA-TEST-01"]],
    [5, "ConfigurationNeeded", ["INTEL-SA-TEST-02"]],
    [4, "ConfigurationAndSWHardeningNeeded", ["INTEL-SA-TEST-01", "INTEL-SA-TEST-02"]],
    [3, "OutOfDate", ["INTEL-SA-TEST-03", "INTEL-SA-TEST-04"]],
    [2, "OutOfDateConfigurationNeeded", ["INTEL-SA-TEST-02", "INTEL-SA-TEST-03"]],
    [1, "Revoked", ["INTEL-SA-TEST-05"]],
    [0, "OutOfDate", ["INTEL-SA-TEST-06"]],
  ];
  for (const [s0, want, adv] of cases) {
    it(`TEE_TCB_SVN[0] = ${s0} → ${want}`, async () => {
      const r = await run(base, await quoteFor(base, { teeTcbSvn: svn(s0, 0, 2) }));
      expect(typeof r === "string" ? r : [r.status, r.advisoryIds, r.platformStatus]).toEqual([
        want,
        adv,
        want,
      ]);
    });
  }
  it("TEE_TCB_SVN[2] below every level → ERR_TCB_NOT_SUPPORTED", async () => {
    expect(await run(base, await quoteFor(base, { teeTcbSvn: svn(7, 0, 1) }))).toBe("ERR_TCB_NOT_SUPPORTED");
  });
  it("PCK SVNs below every SGX level → ERR_TCB_NOT_SUPPORTED", async () => {
    const p = await pki({ pck: { tcbComponents: [3, 3, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0] } });
    expect(await run(p, await quoteFor(p))).toBe("ERR_TCB_NOT_SUPPORTED");
  });
  it("a lower PCESVN falls to the lower SGX level (OutOfDate)", async () => {
    const p = await pki({ pck: { pceSvn: 12 } });
    const r = await run(p, await quoteFor(p));
    expect(typeof r === "string" ? r : [r.status, r.advisoryIds]).toEqual([
      "OutOfDate",
      ["INTEL-SA-TEST-06"],
    ]);
  });
});

describe("test PKI: module identity (TEE_TCB_SVN[1] > 0) and status merge", () => {
  it("TDX_01 levels: UpToDate, OutOfDate (merged), Revoked; missing TDX_02 is a mismatch", async () => {
    const get = async (t: Uint8Array) => {
      const r = await run(base, await quoteFor(base, { teeTcbSvn: t }));
      return typeof r === "string" ? r : [r.status, r.tdxModuleStatus, r.advisoryIds];
    };
    expect(await get(svn(4, 1, 2))).toEqual(["UpToDate", "UpToDate", []]);
    expect(await get(svn(2, 1, 2))).toEqual(["OutOfDate", "OutOfDate", ["INTEL-SA-TEST-07"]]);
    expect(await get(svn(1, 1, 2))).toEqual(["Revoked", "Revoked", ["INTEL-SA-TEST-08"]]);
    expect(await get(svn(0, 1, 2))).toBe("ERR_TCB_NOT_SUPPORTED");
    expect(await get(svn(4, 2, 2))).toBe("ERR_TDX_MODULE_MISMATCH");
  });
  it("platform ConfigurationNeeded + QE OutOfDate → OutOfDateConfigurationNeeded (Intel converge)", async () => {
    const r = await run(base, await quoteFor(base, { teeTcbSvn: svn(5, 0, 2) }, { qeSvn: 2 }));
    expect(typeof r === "string" ? r : [r.status, r.qeIdentityStatus, r.advisoryIds]).toEqual([
      "OutOfDateConfigurationNeeded",
      "OutOfDate",
      ["INTEL-SA-TEST-02", "INTEL-SA-TEST-QE"],
    ]);
  });
  it("QE levels: OutOfDate, Revoked, below every level", async () => {
    expect(status(await run(base, await quoteFor(base, {}, { qeSvn: 3 })))).toBe("OutOfDate");
    expect(status(await run(base, await quoteFor(base, {}, { qeSvn: 1 })))).toBe("Revoked");
    expect(await run(base, await quoteFor(base, {}, { qeSvn: 0 }))).toBe("ERR_QE_TCB_NOT_SUPPORTED");
  });
  it("TD 1.5 body: module updated in place → TDRelaunchAdvised", async () => {
    const q = await quoteFor(
      base,
      { teeTcbSvn: svn(2, 1, 2), teeTcbSvn2: svn(4, 1, 2) },
      { version: 5, bodyType: 3 },
    );
    expect(status(await run(base, q))).toBe("TDRelaunchAdvised");
    // The same TCB in a TD 1.0 body has no relaunch status.
    const q10 = await quoteFor(
      base,
      { teeTcbSvn: svn(2, 1, 2), teeTcbSvn2: svn(4, 1, 2) },
      { version: 5, bodyType: 2 },
    );
    expect(status(await run(base, q10))).toBe("OutOfDate");
  });
});
