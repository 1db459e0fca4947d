/**
 * Human view of an appraisal: one verdict line, then a table of checks (field, result, actual,
 * expected), the TCB distance, RTMR3 and event-level explanations. Hashes are shortened in the
 * table (first 16 hex digits + "…") so a line fits a terminal; --json has the full values.
 */
import type { AppraisalResult, EventDifference, FieldResult } from "../appraise/types.js";
import { eventTypeName } from "../eventlog/types.js";

const MARK: Record<FieldResult["status"], string> = { pass: "ok  ", warn: "WARN", fail: "FAIL" };

function short(s: string, n = 16): string {
  return /^[0-9a-f]+$/.test(s) && s.length > n + 2 ? `${s.slice(0, n)}…` : s;
}

function expectedText(f: FieldResult): string {
  if (f.expected.length === 0) return "";
  const list = f.expected.map((e) => short(e)).join(" | ");
  return list.length > 60 ? `${list.slice(0, 57)}...` : list;
}

function eventLine(d: EventDifference): string {
  const what = `${d.label ?? eventTypeName(d.type)} (${eventTypeName(d.type)})`;
  if (d.kind === "changed") {
    return `      RTMR${d.rtmr} event #${d.index}: ${what} differs: expected ${short(d.expectedDigest ?? "")}, got ${short(d.actualDigest ?? "")}`;
  }
  if (d.kind === "missing")
    return `      RTMR${d.rtmr}: reference event #${d.referenceIndex} ${what} is absent from the TD's log`;
  return `      RTMR${d.rtmr} event #${d.index}: ${what} is not in the reference log`;
}

/** One-line verdict, e.g. "contraindicated: rtmr0, tdAttributes.DEBUG". */
export function verdictLine(r: AppraisalResult): string {
  const bad = r.fields.filter((f) => f.status === "fail").map((f) => f.field);
  const warn = r.fields.filter((f) => f.status === "warn").map((f) => f.field);
  const set = r.matchedSet !== undefined ? ` (reference set "${r.matchedSet}")` : "";
  if (r.verdict === "affirming") return `affirming${set}: every check passed`;
  if (r.verdict === "warning") return `warning${set}: accepted with reservations: ${warn.join(", ")}`;
  return `contraindicated: ${[...new Set(bad)].join(", ")}`;
}

/**
 * The vCPU limits of the compared set, neither of which a quote field carries: the launch
 * config's maxVcpus (QEMU maxcpus, listed in the MADT, so pinned by RTMR0) and TD_PARAMS.MAX_VCPUS
 * (the TDX module's limit, which KVM may set higher; recorded by the optional RTMR3 guest-agent event).
 */
function vcpuLines(r: AppraisalResult): string[] {
  if (r.maxVcpus === undefined && r.configMaxVcpus === undefined) return [];
  const lines: string[] = [];
  if (r.configMaxVcpus !== undefined)
    lines.push(
      `  reference launch config: maxVcpus ${r.configMaxVcpus} (QEMU maxcpus; the MADT lists that many CPUs, RTMR0 measures it)`,
    );
  if (r.maxVcpus !== undefined)
    lines.push(
      `  reference TD_PARAMS.MAX_VCPUS: ${r.maxVcpus} (in no quote field; the RTMR3 guest-agent event records it)`,
    );
  return lines;
}

export function renderAppraisal(r: AppraisalResult): string {
  const lines = [verdictLine(r), ""];
  const w = Math.max(12, ...r.fields.map((f) => f.field.length));
  lines.push(`  ${"check".padEnd(w)}  result  actual              expected`);
  for (const f of r.fields) {
    lines.push(
      `  ${f.field.padEnd(w)}  ${MARK[f.status]}    ${short(f.actual).padEnd(18)}  ${expectedText(f)}`,
    );
    if (f.status !== "pass") lines.push(`      ${f.reason}`);
    for (const d of f.events ?? []) lines.push(eventLine(d));
  }
  lines.push(
    `  ${"rtmr3".padEnd(w)}  ${r.rtmr3.checked ? (r.rtmr3.ok ? "ok  " : "FAIL") : "info"}    ${short(r.rtmr3.actual)}  ${r.rtmr3.checked ? "" : "(runtime register, not pinned by the reference)"}`,
  );
  if (r.tcb) {
    const t = r.tcb;
    const parts = [`TCB ${t.status}`];
    if (t.tcbDate) parts.push(`level of ${t.tcbDate.slice(0, 10)}`);
    if (t.levelsAbove !== undefined) parts.push(`${t.levelsAbove} newer level(s)`);
    if (t.fixedByNewerLevels?.length) parts.push(`newer levels fix ${t.fixedByNewerLevels.join(", ")}`);
    if (t.advisoryIds.length) parts.push(`advisories ${t.advisoryIds.join(", ")}`);
    if (t.collateralAgeDays !== undefined)
      parts.push(`collateral ${t.collateralAgeDays} days old (max ${t.collateralMaxAgeDays})`);
    lines.push("", `  ${parts.join("; ")}`);
  }
  if (r.eventLog)
    lines.push(`  event log replays to the quote's RTMRs: ${r.eventLog.matchesQuote ? "yes" : "NO"}`);
  lines.push(...vcpuLines(r));
  return `${lines.join("\n")}\n`;
}
