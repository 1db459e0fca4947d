/**
 * Review against Intel QVL semantics (tdx-reference.md sections 15.2, 15.4, 16.2-16.4):
 * status vocabularies per structure, QE status mapping, dates, chain shapes, fail-closed.
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../src/sim/pki-collateral.js";
import { pki, quoteFor, run, status } from "./test-pki.js";

type Level = { tcbStatus: string };
const setQeTop = (s: string) => (d: JsonObject) => {
  ((d["tcbLevels"] as Level[])[0] as Level).tcbStatus = s;
  return d;
};
const setModuleTop = (s: string) => (d: JsonObject) => {
  const ids = d["tdxModuleIdentities"] as { tcbLevels: Level[] }[];
  for (const m of ids) (m.tcbLevels[0] as Level).tcbStatus = s;
  return d;
};
const svn = (a: number, b: number, c: number) => Uint8Array.of(a, b, c, ...new Array(13).fill(0));

describe("QE identity level statuses (EnclaveReportVerifier: anything but UpToDate/Revoked is OutOfDate)", () => {
  it("a QE level ConfigurationNeeded makes an UpToDate platform OutOfDate", async () => {
    const p = await pki({ qeIdentity: setQeTop("ConfigurationNeeded") });
    expect(status(await run(p, await quoteFor(p)))).toBe("OutOfDate");
  });
  it("a QE level OutOfDateConfigurationNeeded makes an UpToDate platform OutOfDate", async () => {
    const p = await pki({ qeIdentity: setQeTop("OutOfDateConfigurationNeeded") });
    expect(status(await run(p, await quoteFor(p)))).toBe("OutOfDate");
  });
  it("SWHardening statuses are not QE identity statuses: a format error", async () => {
    for (const s of ["SWHardeningNeeded", "ConfigurationAndSWHardeningNeeded", "Unknown"]) {
      const p = await pki({ qeIdentity: setQeTop(s) });
      expect(await run(p, await quoteFor(p))).toBe("ERR_COLLATERAL_FORMAT");
    }
  });
});

describe("TDX module identity level statuses (VALID_MODULE_TCB_STATUSES)", () => {
  it("only UpToDate, OutOfDate and Revoked are accepted", async () => {
    for (const s of ["ConfigurationNeeded", "SWHardeningNeeded", "OutOfDateConfigurationNeeded"]) {
      const p = await pki({ tcbInfo: setModuleTop(s) });
      expect(await run(p, await quoteFor(p, { teeTcbSvn: svn(4, 1, 2) }))).toBe("ERR_COLLATERAL_FORMAT");
    }
  });
});
