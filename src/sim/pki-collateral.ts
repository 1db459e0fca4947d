/**
 * Default TCB info v3 and QE identity v2 documents of the test PKI (tdx-reference.md sections
 * 15.2 and 15.4), as plain JSON objects that tests may edit before signing. The levels cover
 * every TCB status: with the default PCK SVNs, TEE_TCB_SVN[0] selects the TDX level
 * (7 UpToDate, 6 SWHardeningNeeded, 5 ConfigurationNeeded, 4 ConfigurationAndSWHardeningNeeded,
 * 3 OutOfDate, 2 OutOfDateConfigurationNeeded, 1 Revoked; 0 falls to the lower-SGX OutOfDate level),
 * and TEE_TCB_SVN[2] below 2 matches no level at all.
 */
import { toHex } from "../bytes.js";
import type { TcbStatus } from "../dcap/tcb-info.js";

export type JsonObject = { [k: string]: unknown };

/** SGX component SVNs the default levels require (the default PCK has exactly these). */
export const TEST_SGX_SVNS = [6, 6, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0];
export const TEST_PCESVN = 13;
/** TEE_TCB_SVN[0] → TDX level status, for the default TCB info. */
export const TEST_TDX_LEVELS: [number, TcbStatus, string[]][] = [
  [7, "UpToDate", []],
  [6, "SWHardeningNeeded", ["INTEL-SA-TEST-01"]],
  [5, "ConfigurationNeeded", ["INTEL-SA-TEST-02"]],
  [4, "ConfigurationAndSWHardeningNeeded", ["INTEL-SA-TEST-01", "INTEL-SA-TEST-02"]],
  [3, "OutOfDate", ["INTEL-SA-TEST-03", "INTEL-SA-TEST-04"]],
  [2, "OutOfDateConfigurationNeeded", ["INTEL-SA-TEST-02", "INTEL-SA-TEST-03"]],
  [1, "Revoked", ["INTEL-SA-TEST-05"]],
];
/** The QE identity's MRSIGNER and ISVPRODID that the simulated QE reports. */
export const TEST_QE_MRSIGNER = "A1".repeat(32);
export const TEST_QE_ISVPRODID = 2;

const comps = (svns: readonly number[]) => svns.map((svn) => ({ svn }));

function level(
  sgx: readonly number[],
  pcesvn: number,
  tdx0: number,
  status: string,
  advisories: string[],
): JsonObject {
  const tdx = [tdx0, 0, 2, ...new Array(13).fill(0)];
  const out: JsonObject = {
    tcb: { sgxtcbcomponents: comps(sgx), pcesvn, tdxtcbcomponents: comps(tdx) },
    tcbDate: "2025-11-12T00:00:00Z",
    tcbStatus: status,
  };
  if (advisories.length > 0) out["advisoryIDs"] = advisories;
  return out;
}

/** TDX TCB info v3 for `fmspc` (hex) valid from `issue` to `next` (ms). */
export function defaultTcbInfo(
  fmspc: Uint8Array,
  pceId: Uint8Array,
  issue: number,
  next: number,
): JsonObject {
  const levels = TEST_TDX_LEVELS.map(([t, s, a]) => level(TEST_SGX_SVNS, TEST_PCESVN, t, s, a));
  // A lower SGX level: platforms with older microcode or PCE (OutOfDate whatever the module).
  levels.push(
    level([4, 4, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0], 11, 0, "OutOfDate", ["INTEL-SA-TEST-06"]),
  );
  const zero48 = "00".repeat(48);
  const moduleId = (id: string) => ({
    id,
    mrsigner: zero48,
    attributes: "0000000000000000",
    attributesMask: "FFFFFFFFFFFFFFFF",
    tcbLevels: [
      { tcb: { isvsvn: 4 }, tcbDate: "2025-11-12T00:00:00Z", tcbStatus: "UpToDate" },
      {
        tcb: { isvsvn: 2 },
        tcbDate: "2024-03-13T00:00:00Z",
        tcbStatus: "OutOfDate",
        advisoryIDs: ["INTEL-SA-TEST-07"],
      },
      {
        tcb: { isvsvn: 1 },
        tcbDate: "2023-02-15T00:00:00Z",
        tcbStatus: "Revoked",
        advisoryIDs: ["INTEL-SA-TEST-08"],
      },
    ],
  });
  return {
    id: "TDX",
    version: 3,
    issueDate: new Date(issue).toISOString().replace(/\.\d+Z$/, "Z"),
    nextUpdate: new Date(next).toISOString().replace(/\.\d+Z$/, "Z"),
    fmspc: toHex(fmspc).toUpperCase(),
    pceId: toHex(pceId).toUpperCase(),
    tcbType: 0,
    tcbEvaluationDataNumber: 19,
    tdxModule: { mrsigner: zero48, attributes: "0000000000000000", attributesMask: "FFFFFFFFFFFFFFFF" },
    tdxModuleIdentities: [moduleId("TDX_01"), moduleId("TDX_03")],
    tcbLevels: levels,
  };
}

/** TD_QE identity v2 valid from `issue` to `next` (ms). */
export function defaultQeIdentity(issue: number, next: number): JsonObject {
  return {
    id: "TD_QE",
    version: 2,
    issueDate: new Date(issue).toISOString().replace(/\.\d+Z$/, "Z"),
    nextUpdate: new Date(next).toISOString().replace(/\.\d+Z$/, "Z"),
    tcbEvaluationDataNumber: 19,
    miscselect: "00000000",
    miscselectMask: "FFFFFFFF",
    attributes: "11000000000000000000000000000000",
    attributesMask: "FBFFFFFFFFFFFFFF0000000000000000",
    mrsigner: TEST_QE_MRSIGNER,
    isvprodid: TEST_QE_ISVPRODID,
    tcbLevels: [
      { tcb: { isvsvn: 4 }, tcbDate: "2025-11-12T00:00:00Z", tcbStatus: "UpToDate" },
      {
        tcb: { isvsvn: 2 },
        tcbDate: "2024-03-13T00:00:00Z",
        tcbStatus: "OutOfDate",
        advisoryIDs: ["INTEL-SA-TEST-QE"],
      },
      {
        tcb: { isvsvn: 1 },
        tcbDate: "2023-02-15T00:00:00Z",
        tcbStatus: "Revoked",
        advisoryIDs: ["INTEL-SA-TEST-QE2"],
      },
    ],
  };
}
