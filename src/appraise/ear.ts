/**
 * EAT Attestation Result (EAR) claims set for an appraisal (draft-ietf-rats-ear, Veraison
 * profile "tag:github.com,2023:veraison/ear"), in JSON form and as deterministic CBOR.
 *
 * JSON and CBOR carry the same claims: CBOR uses the draft's integer labels (eat_profile 265,
 * iat 6, eat_nonce 10, submods 266, ear.status 1000, ear.trustworthiness-vector 1001,
 * ear.appraisal-policy-id 1003, ear.verifier-id 1004 {developer 0, build 1}; the Veraison
 * extensions annotated-evidence -70000 and policy-claims -70001) and integer trust tiers
 * (affirming 2, warning 32, contraindicated 96); JSON uses names. Measurements are hex text in
 * both, so `earFromCbor(encodeEarCbor(ear))` gives back exactly the JSON form. With a fixed
 * `iat`, the CBOR bytes are identical across runs.
 */
import { fromBase64, toBase64, toHex, u64le } from "../bytes.js";
import { AppraisalError } from "../errors.js";
import { type CborValue, decodeDeterministic, encodeDeterministic } from "../reference/cbor.js";
import type { JsonValue } from "../reference/types.js";
import type { AppraisalInput, AppraisalResult, FieldResult, Verdict } from "./types.js";

export const EAR_PROFILE = "tag:github.com,2023:veraison/ear";

const TIER: Record<Verdict, number> = { affirming: 2, warning: 32, contraindicated: 96 };
const TV_KEYS = [
  "instance-identity",
  "configuration",
  "executables",
  "file-system",
  "hardware",
  "runtime-opaque",
  "storage-opaque",
  "sourced-data",
] as const;
const TOP: Record<string, number> = {
  eat_profile: 265,
  iat: 6,
  eat_nonce: 10,
  submods: 266,
  "ear.verifier-id": 1004,
};
const SUB: Record<string, number> = {
  "ear.status": 1000,
  "ear.trustworthiness-vector": 1001,
  "ear.appraisal-policy-id": 1003,
  "ear.veraison.annotated-evidence": -70000,
  "ear.veraison.policy-claims": -70001,
};
const VID: Record<string, number> = { developer: 0, build: 1 };

export interface EarOptions {
  /** Issued-at, seconds since the epoch (fix it for reproducible output). */
  readonly iat: number;
  readonly build?: string;
  readonly developer?: string;
  readonly nonce?: Uint8Array;
  /** Submodule name (default "tdx"). */
  readonly submod?: string;
  readonly policyId?: string;
}

export type EarClaims = { readonly [key: string]: JsonValue };

function tierOf(fields: readonly FieldResult[]): number | undefined {
  if (fields.length === 0) return undefined;
  if (fields.some((f) => f.status === "fail")) return TIER.contraindicated;
  return fields.some((f) => f.status === "warn") ? TIER.warning : TIER.affirming;
}

/** AR4SI trustworthiness vector from the checks: each claim gets the worst tier of its checks. */
function trustVector(r: AppraisalResult): { [key: string]: number } {
  const pick = (re: RegExp) => r.fields.filter((f) => re.test(f.field));
  const v: [string, number | undefined][] = [
    ["configuration", tierOf(pick(/^(tdAttributes|xfam|mrConfigId|mrOwner|mrOwnerConfig)/))],
    ["executables", tierOf(pick(/^(mrTd|rtmr[012]|eventLog\.)/))],
    ["hardware", tierOf(pick(/^(tcb\.|collateral\.|mrSeam|mrSignerSeam|teeTcbSvn)/))],
    ["runtime-opaque", tierOf(pick(/^rtmr3$/))],
  ];
  return Object.fromEntries(v.filter((e): e is [string, number] => e[1] !== undefined));
}

function evidence(input: AppraisalInput): { [key: string]: JsonValue } {
  const b = input.body;
  return {
    "tdx.mrtd": toHex(b.mrTd),
    "tdx.rtmr0": toHex(b.rtmr[0]),
    "tdx.rtmr1": toHex(b.rtmr[1]),
    "tdx.rtmr2": toHex(b.rtmr[2]),
    "tdx.rtmr3": toHex(b.rtmr[3]),
    "tdx.td-attributes": toHex(u64le(b.tdAttributes)),
    "tdx.xfam": toHex(u64le(b.xfam)),
    "tdx.mrconfigid": toHex(b.mrConfigId),
    "tdx.mrowner": toHex(b.mrOwner),
    "tdx.mrownerconfig": toHex(b.mrOwnerConfig),
    "tdx.mrseam": toHex(b.mrSeam),
    "tdx.mrsignerseam": toHex(b.mrSignerSeam),
    "tdx.tee-tcb-svn": toHex(b.teeTcbSvn),
    "tdx.report-data": toHex(b.reportData),
  };
}

function policyClaims(r: AppraisalResult): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {
    "tdx.fields": r.fields.map((f) => ({
      field: f.field,
      status: f.status,
      actual: f.actual,
      reason: f.reason,
    })),
  };
  if (r.matchedSet !== undefined) out["tdx.reference-set"] = r.matchedSet;
  if (r.tcb) {
    const t = r.tcb;
    out["tdx.tcb-status"] = t.status;
    out["tdx.advisory-ids"] = [...t.advisoryIds];
    if (t.tcbDate !== undefined) out["tdx.tcb-date"] = t.tcbDate;
    if (t.levelsAbove !== undefined) out["tdx.tcb-levels-above"] = t.levelsAbove;
  }
  return out;
}

/** Builds the EAR claims set (JSON form) of an appraisal. */
export function buildEar(result: AppraisalResult, input: AppraisalInput, opts: EarOptions): EarClaims {
  if (!Number.isSafeInteger(opts.iat) || opts.iat < 0) {
    throw new AppraisalError("ERR_REFERENCE_FORMAT", "ear.iat: must be a non-negative integer (seconds)", {
      field: "iat",
    });
  }
  const sub: { [key: string]: JsonValue } = {
    "ear.status": result.verdict,
    "ear.trustworthiness-vector": trustVector(result),
    ...(opts.policyId !== undefined ? { "ear.appraisal-policy-id": opts.policyId } : {}),
    "ear.veraison.annotated-evidence": evidence(input),
    "ear.veraison.policy-claims": policyClaims(result),
  };
  return {
    eat_profile: EAR_PROFILE,
    iat: opts.iat,
    "ear.verifier-id": {
      build: opts.build ?? "tdx-attest",
      developer: opts.developer ?? "tdx-attest",
    },
    ...(opts.nonce
      ? { eat_nonce: toBase64(opts.nonce).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "") }
      : {}),
    submods: { [opts.submod ?? "tdx"]: sub },
  };
}

function relabel(
  o: { readonly [key: string]: JsonValue },
  labels: Record<string, number>,
): Map<CborValue, CborValue> {
  return new Map(Object.entries(o).map(([k, v]) => [labels[k] ?? k, v as CborValue]));
}

/** Deterministic CBOR of an EAR claims set (integer labels, integer tiers). */
export function encodeEarCbor(ear: EarClaims): Uint8Array {
  const top = relabel(ear, TOP);
  const vid = ear["ear.verifier-id"] as { [key: string]: JsonValue };
  top.set(1004, relabel(vid, VID));
  if (typeof ear["eat_nonce"] === "string")
    top.set(10, fromBase64(ear["eat_nonce"].replace(/-/g, "+").replace(/_/g, "/"), "eat_nonce"));
  const subs = ear["submods"] as { [key: string]: { [key: string]: JsonValue } };
  const subMap = new Map<CborValue, CborValue>();
  for (const [name, s] of Object.entries(subs)) {
    const m = relabel(s, SUB);
    m.set(1000, TIER[s["ear.status"] as Verdict]);
    const tv = (s["ear.trustworthiness-vector"] ?? {}) as { [key: string]: number };
    m.set(
      1001,
      new Map(Object.entries(tv).map(([k, v]) => [TV_KEYS.indexOf(k as (typeof TV_KEYS)[number]), v])),
    );
    subMap.set(name, m);
  }
  top.set(266, subMap);
  return encodeDeterministic(top, "ERR_REFERENCE_FORMAT");
}

function unlabel(m: unknown, labels: Record<string, number>, what: string): { [key: string]: unknown } {
  if (!(m instanceof Map))
    throw new AppraisalError("ERR_REFERENCE_FORMAT", `${what}: must be a map`, { field: what });
  const names = new Map(Object.entries(labels).map(([k, v]) => [v, k]));
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of m) out[typeof k === "number" ? (names.get(k) ?? String(k)) : String(k)] = v;
  return out;
}

function plain(v: unknown): JsonValue {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === "bigint") return Number(v);
  return v as JsonValue;
}

/** Decodes deterministic EAR CBOR back to the JSON form. */
export function earFromCbor(bytes: Uint8Array): EarClaims {
  const top = unlabel(decodeDeterministic(bytes, "ERR_REFERENCE_FORMAT"), TOP, "ear");
  const out: { [key: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(top)) {
    if (k === "ear.verifier-id") out[k] = plain(new Map(Object.entries(unlabel(v, VID, k))));
    else if (k === "eat_nonce" && v instanceof Uint8Array)
      out[k] = toBase64(v).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    else if (k === "submods") out[k] = submodsFromCbor(v);
    else out[k] = plain(v);
  }
  return out;
}

function submodsFromCbor(v: unknown): JsonValue {
  if (!(v instanceof Map))
    throw new AppraisalError("ERR_REFERENCE_FORMAT", "ear.submods: must be a map", { field: "submods" });
  const out: { [key: string]: JsonValue } = {};
  for (const [name, s] of v) {
    const sub = unlabel(s, SUB, `submods.${String(name)}`);
    const tier = Object.entries(TIER).find(([, n]) => n === sub["ear.status"]);
    if (!tier)
      throw new AppraisalError("ERR_REFERENCE_FORMAT", "ear.status: unknown trust tier", {
        field: "ear.status",
      });
    const tv = sub["ear.trustworthiness-vector"];
    const entries =
      tv instanceof Map ? [...tv].map(([k, x]) => [TV_KEYS[k as number] ?? String(k), plain(x)]) : [];
    out[String(name)] = Object.fromEntries(
      Object.entries(sub).map(([k, x]) => [
        k,
        k === "ear.status"
          ? tier[0]
          : k === "ear.trustworthiness-vector"
            ? Object.fromEntries(entries)
            : plain(x),
      ]),
    );
  }
  return out;
}
