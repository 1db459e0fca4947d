/**
 * Appraisal: a verified TD quote (plus TCB evaluation and optional event log) against reference
 * values and a policy, giving a RATS trust tier and every check's outcome.
 *
 * Like go-tdx-guest's `validate`, every mismatch is collected instead of stopping at the first.
 * Measurements are compared with the closest acceptable reference set (the one with the fewest
 * mismatches; a fully matching set wins), and each field lists every acceptable value across
 * all acceptable sets. RTMR3 is runtime state: reported always, checked only when the set names
 * it. With an event log, its replay must equal the quote's RTMRs (else the log is not this TD's),
 * and RTMR mismatches are explained down to the events that differ from the reference log.
 */
import { equalBytes, toHex, u64le } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { AppraisalError } from "../errors.js";
import type { ReferenceValueSet, ReferenceValues } from "../reference/types.js";
import { diffRtmrEvents, replayEvents } from "./events.js";
import type { Policy } from "./policy.js";
import { checkAttributes, checkModule, checkTcb, result } from "./tcb.js";
import type {
  AppraisalInput,
  AppraisalOptions,
  AppraisalQuoteBody,
  AppraisalResult,
  FieldResult,
  Verdict,
} from "./types.js";

/** Measurement fields compared with reference sets, in report order (RTMR3 handled apart). */
const MEASURED = [
  "mrTd",
  "rtmr0",
  "rtmr1",
  "rtmr2",
  "rtmr3",
  "tdAttributes",
  "xfam",
  "mrConfigId",
  "mrOwner",
  "mrOwnerConfig",
] as const;
type Measured = (typeof MEASURED)[number];

function actualOf(body: AppraisalQuoteBody, f: Measured): string {
  switch (f) {
    case "tdAttributes":
      return toHex(u64le(body.tdAttributes));
    case "xfam":
      return toHex(u64le(body.xfam));
    case "rtmr0":
    case "rtmr1":
    case "rtmr2":
    case "rtmr3":
      return toHex(body.rtmr[Number(f[4])] as Uint8Array);
    default:
      return toHex(body[f]);
  }
}

function expectedOf(set: ReferenceValueSet, f: Measured): string | undefined {
  const v = set[f];
  if (v === undefined) return undefined;
  return typeof v === "bigint" ? toHex(u64le(v)) : toHex(v);
}

function mismatches(body: AppraisalQuoteBody, set: ReferenceValueSet): number {
  return MEASURED.filter((f) => {
    const e = expectedOf(set, f);
    return e !== undefined && e !== actualOf(body, f);
  }).length;
}

/** The reference sets the policy accepts; a name the file lacks is a policy error. */
function acceptableSets(rv: ReferenceValues, policy: Policy): readonly ReferenceValueSet[] {
  if (!policy.referenceSets) return rv.sets;
  for (const name of policy.referenceSets) {
    if (!rv.sets.some((s) => s.name === name)) {
      throw new AppraisalError(
        "ERR_POLICY_FORMAT",
        `policy.referenceSets: no set named "${name}" in the reference values`,
        {
          field: "policy.referenceSets",
        },
      );
    }
  }
  return rv.sets.filter((s) => policy.referenceSets?.includes(s.name));
}

function measurementFields(
  input: AppraisalInput,
  sets: readonly ReferenceValueSet[],
  set: ReferenceValueSet,
): FieldResult[] {
  const out: FieldResult[] = [];
  for (const f of MEASURED) {
    const want = expectedOf(set, f);
    if (want === undefined) continue;
    const all = [...new Set(sets.map((s) => expectedOf(s, f)).filter((x): x is string => x !== undefined))];
    const actual = actualOf(input.body, f);
    const ok = actual === want;
    const reason = ok
      ? `matches reference set "${set.name}"`
      : all.includes(actual)
        ? `differs from set "${set.name}" (the value belongs to another set, but no set matches every field)`
        : `differs from reference set "${set.name}"`;
    let r = result(f, all, actual, ok ? "pass" : "fail", reason);
    if (!ok && f.startsWith("rtmr") && input.eventLog && set.events) {
      const idx = Number(f[4]);
      r = { ...r, events: diffRtmrEvents(idx, input.eventLog, set.events) };
    }
    out.push(r);
  }
  return out;
}

function reportDataFields(body: AppraisalQuoteBody, policy: Policy, nonce?: Uint8Array): FieldResult[] {
  const out: FieldResult[] = [];
  const actual = toHex(body.reportData);
  if (policy.reportData) {
    const ok = equalBytes(policy.reportData, body.reportData);
    out.push(
      result(
        "reportData",
        [toHex(policy.reportData)],
        actual,
        ok ? "pass" : "fail",
        ok ? "equals the policy value" : "differs from the policy value",
      ),
    );
  }
  for (const [name, prefix] of [
    ["policy reportDataPrefix", policy.reportDataPrefix],
    ["nonce", nonce],
  ] as const) {
    if (!prefix) continue;
    const ok = prefix.length <= 64 && equalBytes(prefix, body.reportData.subarray(0, prefix.length));
    out.push(
      result(
        "reportData",
        [`${toHex(prefix)}…`],
        actual,
        ok ? "pass" : "fail",
        ok ? `starts with the ${name}` : `does not start with the ${name}`,
      ),
    );
  }
  return out;
}

function eventLogCheck(
  input: AppraisalInput,
  crypto: CryptoBackend,
): { fields: FieldResult[]; replay?: AppraisalResult["eventLog"] } {
  if (!input.eventLog) return { fields: [] };
  const replayed = replayEvents(input.eventLog, crypto);
  const fields: FieldResult[] = [];
  // RTMR3 is usually extended at runtime without a log entry: compare it only if the log has RTMR3 events.
  const hasR3 = input.eventLog.some((e) => e.rtmr === 3);
  let all = true;
  for (let i = 0; i < 4; i++) {
    if (i === 3 && !hasR3) continue;
    const ok = equalBytes(replayed[i] as Uint8Array, input.body.rtmr[i] as Uint8Array);
    all &&= ok;
    if (!ok) {
      fields.push(
        result(
          `eventLog.rtmr${i}`,
          [toHex(input.body.rtmr[i] as Uint8Array)],
          toHex(replayed[i] as Uint8Array),
          "fail",
          "the event log does not replay to the quote's RTMR (not this TD's log, or tampered)",
        ),
      );
    }
  }
  return { fields, replay: { replayed: replayed.map(toHex), matchesQuote: all } };
}

function verdictOf(fields: readonly FieldResult[]): Verdict {
  if (fields.some((f) => f.status === "fail")) return "contraindicated";
  if (fields.some((f) => f.status === "warn")) return "warning";
  return "affirming";
}

/**
 * Appraises a verified quote. Throws only for unusable inputs (a policy naming a missing
 * reference set); every comparison outcome is in the result.
 */
export function appraise(
  input: AppraisalInput,
  reference: ReferenceValues,
  policy: Policy,
  options: AppraisalOptions = {},
  crypto: CryptoBackend = defaultCrypto(),
): AppraisalResult {
  const now = options.now ?? new Date();
  const sets = acceptableSets(reference, policy);
  const ranked = sets.map((s) => ({ s, n: mismatches(input.body, s) }));
  const best = ranked.reduce<(typeof ranked)[number] | undefined>(
    (a, b) => (a === undefined || b.n < a.n ? b : a),
    undefined,
  );
  const fields: FieldResult[] = [];
  if (best) fields.push(...measurementFields(input, sets, best.s));
  else fields.push(result("referenceSet", [], "(none)", "fail", "no acceptable reference set"));
  fields.push(...checkAttributes(input.body, policy), ...checkModule(input.body, policy));
  fields.push(...reportDataFields(input.body, policy, options.nonce));
  const tcb = checkTcb(input.tcb, policy, now);
  fields.push(...tcb.fields);
  const log = eventLogCheck(input, crypto);
  fields.push(...log.fields);
  const rtmr3 = fields.find((f) => f.field === "rtmr3");
  return {
    verdict: verdictOf(fields),
    ...(best && best.n === 0 ? { matchedSet: best.s.name } : {}),
    ...(best ? { comparedSet: best.s.name } : {}),
    fields,
    rtmr3: {
      actual: toHex(input.body.rtmr[3]),
      checked: rtmr3 !== undefined,
      ...(rtmr3 ? { ok: rtmr3.ok } : {}),
    },
    ...(tcb.summary ? { tcb: tcb.summary } : {}),
    ...(log.replay ? { eventLog: log.replay } : {}),
    ...(best?.s.maxVcpus !== undefined ? { maxVcpus: best.s.maxVcpus } : {}),
    ...configMaxVcpus(best?.s),
  };
}

/** The launch config's maxVcpus (a member of the recorded config object), if present. */
function configMaxVcpus(s: ReferenceValueSet | undefined): { configMaxVcpus?: number } {
  const cfg = s?.launchConfig?.config;
  if (typeof cfg !== "object" || cfg === null || Array.isArray(cfg)) return {};
  const v = (cfg as { readonly [k: string]: unknown })["maxVcpus"];
  return typeof v === "number" && Number.isSafeInteger(v) ? { configMaxVcpus: v } : {};
}
