/**
 * Platform checks of the appraisal: TCB status and advisories, how far behind the platform is,
 * collateral age, TDX module identity allowlists (MRSEAM / MRSIGNERSEAM), minimum TEE_TCB_SVN,
 * and the TD attribute rules (DEBUG, SEPT_VE_DISABLE; tdx-reference.md section 2.2).
 */
import { equalBytes, toHex, u64le } from "../bytes.js";
import type { Policy, TcbStatus } from "./policy.js";
import type { AppraisalQuoteBody, AppraisalTcb, FieldResult, TcbSummary } from "./types.js";

const DAY_MS = 86_400_000;
export const ATTR_DEBUG = 1n;
export const ATTR_SEPT_VE_DISABLE = 1n << 28n;

export function result(
  field: string,
  expected: readonly string[],
  actual: string,
  status: FieldResult["status"],
  reason: string,
): FieldResult {
  return { field, expected, actual, ok: status !== "fail", status, reason };
}

/** DEBUG and SEPT_VE_DISABLE rules of the policy. */
export function checkAttributes(body: AppraisalQuoteBody, policy: Policy): FieldResult[] {
  const attrs = toHex(u64le(body.tdAttributes));
  const out: FieldResult[] = [];
  const debug = (body.tdAttributes & ATTR_DEBUG) !== 0n;
  if (!policy.allowDebug) {
    out.push(
      result(
        "tdAttributes.DEBUG",
        ["0"],
        debug ? "1" : "0",
        debug ? "fail" : "pass",
        debug
          ? `DEBUG attribute is set (TDATTRIBUTES ${attrs}): the host can read and write TD state`
          : "DEBUG is clear",
      ),
    );
  }
  if (policy.requireSeptVeDisable) {
    const set = (body.tdAttributes & ATTR_SEPT_VE_DISABLE) !== 0n;
    out.push(
      result(
        "tdAttributes.SEPT_VE_DISABLE",
        ["1"],
        set ? "1" : "0",
        set ? "pass" : "fail",
        set ? "SEPT_VE_DISABLE is set" : `SEPT_VE_DISABLE is clear (TDATTRIBUTES ${attrs})`,
      ),
    );
  }
  return out;
}

/** MRSEAM / MRSIGNERSEAM allowlists and the minimum TEE_TCB_SVN. */
export function checkModule(body: AppraisalQuoteBody, policy: Policy): FieldResult[] {
  const out: FieldResult[] = [];
  for (const [field, list, actual] of [
    ["mrSeam", policy.mrSeam, body.mrSeam],
    ["mrSignerSeam", policy.mrSignerSeam, body.mrSignerSeam],
  ] as const) {
    if (list.length === 0) continue;
    const ok = list.some((v) => equalBytes(v, actual));
    out.push(
      result(
        field,
        list.map(toHex),
        toHex(actual),
        ok ? "pass" : "fail",
        ok ? "in the policy allowlist" : "not in the policy allowlist",
      ),
    );
  }
  if (policy.minTeeTcbSvn) {
    const min = policy.minTeeTcbSvn;
    const low = [...min].findIndex((m, i) => (body.teeTcbSvn[i] ?? 0) < m);
    out.push(
      result(
        "teeTcbSvn",
        [`>= ${toHex(min)}`],
        toHex(body.teeTcbSvn),
        low < 0 ? "pass" : "fail",
        low < 0 ? "every component at or above the minimum" : `component ${low} is below the policy minimum`,
      ),
    );
  }
  return out;
}

function days(fromIso: string, now: Date): number | undefined {
  const t = Date.parse(fromIso);
  return Number.isNaN(t) ? undefined : Math.floor(((now.getTime() - t) / DAY_MS) * 10) / 10;
}

/** How far behind: matched level date, levels above it, advisories a newer level fixes. */
export function summarizeTcb(tcb: AppraisalTcb, policy: Policy, now: Date): TcbSummary {
  const idx = tcb.matchedLevelIndex;
  const levels = tcb.levels;
  const matched = idx !== undefined ? levels?.[idx] : undefined;
  const newest = levels?.[0];
  const newestIds = new Set(newest?.advisoryIds ?? []);
  const fixed = matched ? (matched.advisoryIds ?? []).filter((a) => !newestIds.has(a)) : undefined;
  const age = tcb.collateralIssueDate !== undefined ? days(tcb.collateralIssueDate, now) : undefined;
  const tcbDate = tcb.tcbDate ?? matched?.tcbDate;
  return {
    status: tcb.status,
    advisoryIds: [...tcb.advisoryIds],
    ...(tcbDate !== undefined ? { tcbDate } : {}),
    ...(idx !== undefined && levels ? { levelsAbove: idx } : {}),
    ...(fixed ? { fixedByNewerLevels: fixed } : {}),
    ...(newest ? { newestTcbDate: newest.tcbDate } : {}),
    ...(age !== undefined ? { collateralAgeDays: age } : {}),
    collateralMaxAgeDays: policy.collateralMaxAgeDays,
  };
}

function behind(s: TcbSummary): string {
  const parts: string[] = [];
  if (s.tcbDate) parts.push(`TCB level of ${s.tcbDate.slice(0, 10)}`);
  if (s.levelsAbove !== undefined) parts.push(`${s.levelsAbove} newer level(s)`);
  if (s.fixedByNewerLevels?.length) parts.push(`a newer level fixes ${s.fixedByNewerLevels.join(", ")}`);
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** TCB status, advisory IDs and collateral age against the policy. */
export function checkTcb(
  tcb: AppraisalTcb | undefined,
  policy: Policy,
  now: Date,
): { fields: FieldResult[]; summary?: TcbSummary } {
  const accepted = [...policy.acceptedTcbStatuses, ...policy.warningTcbStatuses.map((s) => `${s} (warning)`)];
  if (!tcb) {
    return {
      fields: [result("tcb.status", accepted, "(none)", "fail", "no DCAP TCB evaluation was supplied")],
    };
  }
  const summary = summarizeTcb(tcb, policy, now);
  const fields: FieldResult[] = [];
  const st = tcb.status as TcbStatus;
  const status = policy.acceptedTcbStatuses.includes(st)
    ? "pass"
    : policy.warningTcbStatuses.includes(st)
      ? "warn"
      : "fail";
  const why =
    status === "pass"
      ? "accepted by policy"
      : status === "warn"
        ? "tolerated by policy (warning)"
        : "not accepted by policy";
  fields.push(result("tcb.status", accepted, tcb.status, status, `${why}${behind(summary)}`));
  if (tcb.advisoryIds.length > 0) {
    const bad = tcb.advisoryIds.filter((a) => !policy.allowedAdvisoryIds.includes(a));
    fields.push(
      result(
        "tcb.advisoryIds",
        policy.allowedAdvisoryIds,
        tcb.advisoryIds.join(","),
        bad.length ? "fail" : "warn",
        bad.length
          ? `not allowed by policy: ${bad.join(", ")}`
          : "all advisories allowed by policy (warning)",
      ),
    );
  }
  const age = summary.collateralAgeDays;
  if (tcb.collateralIssueDate === undefined || age === undefined) {
    fields.push(
      result(
        "collateral.age",
        [`<= ${policy.collateralMaxAgeDays} days`],
        "(unknown)",
        "fail",
        "collateral issue date unknown",
      ),
    );
  } else {
    const stale = age > policy.collateralMaxAgeDays;
    fields.push(
      result(
        "collateral.age",
        [`<= ${policy.collateralMaxAgeDays} days`],
        `${age} days (issued ${tcb.collateralIssueDate})`,
        !stale ? "pass" : policy.staleCollateral === "warning" ? "warn" : "fail",
        stale ? `collateral older than the policy's ${policy.collateralMaxAgeDays} days` : "fresh enough",
      ),
    );
  }
  return { fields, summary };
}
