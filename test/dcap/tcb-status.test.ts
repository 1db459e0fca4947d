/** TCB level selection and Intel's status convergence (tdx-reference.md sections 16.2-16.3). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitSignedBody } from "../../src/dcap/collateral.js";
import { parseTcbInfo, TCB_STATUSES, type TcbStatus } from "../../src/dcap/tcb-info.js";
import { converge, isvLevelFor, mergeAdvisories, selectTcbLevel } from "../../src/dcap/tcb-status.js";
import { fixtureText } from "../support/fixtures.js";

describe("converge (16.3)", () => {
  it("follows the table: OutOfDate and Revoked from the module or QE", () => {
    // Expected values transcribed from tdx-reference.md 16.3, not computed.
    const outOfDate: Record<TcbStatus, string> = {
      UpToDate: "OutOfDate",
      SWHardeningNeeded: "OutOfDate",
      ConfigurationNeeded: "OutOfDateConfigurationNeeded",
      ConfigurationAndSWHardeningNeeded: "OutOfDateConfigurationNeeded",
      OutOfDate: "OutOfDate",
      OutOfDateConfigurationNeeded: "OutOfDateConfigurationNeeded",
      Revoked: "Revoked",
    };
    for (const p of TCB_STATUSES) {
      expect(converge(p, "OutOfDate")).toBe(outOfDate[p]);
      expect(converge(p, "Revoked")).toBe("Revoked");
      expect(converge(p, "UpToDate")).toBe(p);
      expect(converge(p, undefined)).toBe(p);
    }
  });
  it("advisory union keeps order and drops duplicates", () => {
    expect(mergeAdvisories(["A", "B"], undefined, ["B", "C", "A"])).toEqual(["A", "B", "C"]);
  });
});

describe("selectTcbLevel (16.2)", () => {
  const body = splitSignedBody(fixtureText("collateral/gtdx-pcs-raw/tcbinfo-50806f-2023.json"), "tcbInfo");
  const info = parseTcbInfo(new TextDecoder().decode(body.signed));
  const pck = [5, 5, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0];
  const svn = Uint8Array.of(3, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  it("MANIFEST case D/E levels: UpToDate at PCESVN 11, OutOfDate at PCESVN 5..10, none below", () => {
    expect(selectTcbLevel(info, pck, 11, svn).tdxLevel.tcbStatus).toBe("UpToDate");
    expect(selectTcbLevel(info, pck, 7, svn).tdxLevel.tcbStatus).toBe("OutOfDate");
    expect(() => selectTcbLevel(info, pck, 4, svn)).toThrow(/no TCB level/);
    expect(() => selectTcbLevel(info, [3, 3, ...pck.slice(2)], 11, svn)).toThrow(/no TCB level/);
  });
  it("TDX components 0..1 are skipped when TEE_TCB_SVN[1] > 0", () => {
    const low = Uint8Array.of(0, 0, 5, ...new Array(13).fill(0));
    expect(() => selectTcbLevel(info, pck, 11, low)).toThrow(/no TCB level/);
    const major = Uint8Array.of(0, 1, 5, ...new Array(13).fill(0));
    expect(selectTcbLevel(info, pck, 11, major).tdxLevel.tcbStatus).toBe("UpToDate");
  });
  it("the result does not depend on the order of the levels in the document", () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(info.tcbLevels, { minLength: info.tcbLevels.length }),
        fc.nat(15),
        (levels, pce) => {
          const a = (() => {
            try {
              return selectTcbLevel(info, pck, pce, svn).tdxLevel;
            } catch {
              return undefined;
            }
          })();
          const b = (() => {
            try {
              return selectTcbLevel({ ...info, tcbLevels: levels }, pck, pce, svn).tdxLevel;
            } catch {
              return undefined;
            }
          })();
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 100 },
    );
  });
  it("ISV levels: the highest isvsvn not above the reported one", () => {
    const levels = [1, 4, 2].map((isvSvn) => ({
      isvSvn,
      tcbDate: "",
      tcbStatus: "UpToDate" as const,
      advisoryIds: [],
    }));
    expect(isvLevelFor(levels, 3)?.isvSvn).toBe(2);
    expect(isvLevelFor(levels, 9)?.isvSvn).toBe(4);
    expect(isvLevelFor(levels, 0)).toBeUndefined();
  });
});
