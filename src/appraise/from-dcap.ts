/**
 * Adapter from a DCAP verification result (`verifyQuote`, src/dcap) to the appraisal's input.
 *
 * The TCB info is re-read from the collateral (its signature was checked by `verifyQuote`) for
 * what the verification result does not carry: every TCB level (to say how many lie above the
 * matched one and which advisories they fix) and the issue date (collateral age).
 */
import type { Collateral } from "../dcap/collateral.js";
import { parseTcbInfo, type TcbLevel } from "../dcap/tcb-info.js";
import type { VerifiedQuote } from "../dcap/verify.js";
import { AppraisalError } from "../errors.js";
import type { AppraisalEvent, AppraisalInput, AppraisalTcb } from "./types.js";

function sameLevel(a: TcbLevel, b: TcbLevel): boolean {
  const eq = (x?: readonly number[], y?: readonly number[]) =>
    (x ?? []).length === (y ?? []).length && (x ?? []).every((v, i) => v === (y ?? [])[i]);
  return (
    a.tcbDate === b.tcbDate &&
    a.tcbStatus === b.tcbStatus &&
    a.pceSvn === b.pceSvn &&
    eq(a.sgxComponents, b.sgxComponents) &&
    eq(a.tdxComponents, b.tdxComponents)
  );
}

/** The TCB part of the appraisal input from a verification result and its collateral. */
export function tcbFromVerified(v: VerifiedQuote, collateral?: Collateral): AppraisalTcb {
  const base = { status: v.status, advisoryIds: [...v.advisoryIds], tcbDate: v.tcbDate, fmspc: v.fmspc };
  if (!collateral) return base;
  const info = parseTcbInfo(new TextDecoder().decode(collateral.tcbInfo));
  const idx = info.tcbLevels.findIndex((l) => sameLevel(l, v.tcbLevel));
  return {
    ...base,
    levels: info.tcbLevels.map((l) => ({
      tcbDate: l.tcbDate,
      tcbStatus: l.tcbStatus,
      advisoryIds: l.advisoryIds,
    })),
    ...(idx >= 0 ? { matchedLevelIndex: idx } : {}),
    collateralIssueDate: new Date(info.issueDate).toISOString(),
    collateralNextUpdate: new Date(info.nextUpdate).toISOString(),
  };
}

/** Appraisal input from a verified TDX quote (an SGX quote has no TD fields to appraise). */
export function appraisalInputFromVerified(
  v: VerifiedQuote,
  collateral?: Collateral,
  eventLog?: readonly AppraisalEvent[],
): AppraisalInput {
  const body = v.quote.body;
  if (body.kind === "sgx") {
    throw new AppraisalError(
      "ERR_REFERENCE_FORMAT",
      "quote: an SGX quote cannot be appraised against TD reference values",
      {
        field: "quote.body",
      },
    );
  }
  return { body, tcb: tcbFromVerified(v, collateral), ...(eventLog ? { eventLog } : {}) };
}
