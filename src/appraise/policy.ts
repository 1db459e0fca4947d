/**
 * Appraisal policy: what a relying party accepts beyond "the quote is genuine".
 *
 * Defaults are safe (fail closed): DEBUG TDs are refused, only the UpToDate TCB status is
 * accepted, no advisory is tolerated, collateral older than 30 days since issue is refused.
 * Every member is optional in the JSON file; unknown members are errors (a typo must not
 * silently weaken a check). Problems throw AppraisalError('ERR_POLICY_FORMAT') naming the field.
 *
 * TCB statuses are Intel's (tdx-reference.md section 16.3).
 */
import { AppraisalError } from "../errors.js";
import { type DocMode, FieldReader } from "../reference/fields.js";

export const TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "TDRelaunchAdvised",
  "TDRelaunchAdvisedConfigurationNeeded",
  "Revoked",
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];

/** What to do when a soft check fails: downgrade the verdict to warning, or refuse. */
export type Severity = "warning" | "contraindicated";

export interface Policy {
  readonly version: 1;
  /** Accept TDs with ATTRIBUTES.DEBUG (bit 0). Default false. */
  readonly allowDebug: boolean;
  /** Require ATTRIBUTES.SEPT_VE_DISABLE (bit 28). Default false. */
  readonly requireSeptVeDisable: boolean;
  /** TCB statuses that are affirming. Default ["UpToDate"]. */
  readonly acceptedTcbStatuses: readonly TcbStatus[];
  /** TCB statuses tolerated with a warning verdict. Default []. */
  readonly warningTcbStatuses: readonly TcbStatus[];
  /** Advisory IDs tolerated (with a warning). Any other advisory refuses. Default []. */
  readonly allowedAdvisoryIds: readonly string[];
  /** MRSEAM allowlist (48-byte hashes); empty = any. */
  readonly mrSeam: readonly Uint8Array[];
  /** MRSIGNERSEAM allowlist; empty = any. */
  readonly mrSignerSeam: readonly Uint8Array[];
  /** Minimum TEE_TCB_SVN, compared byte by byte (each byte >= the minimum). */
  readonly minTeeTcbSvn?: Uint8Array;
  /** Exact expected REPORTDATA (64 bytes). */
  readonly reportData?: Uint8Array;
  /** Bytes REPORTDATA must start with (a nonce), up to 64. */
  readonly reportDataPrefix?: Uint8Array;
  /** Maximum age of the collateral (TCB info issue date) in days. Default 30. */
  readonly collateralMaxAgeDays: number;
  /** Verdict when the collateral is older than allowed. Default "contraindicated". */
  readonly staleCollateral: Severity;
  /** Names of the acceptable reference sets; absent = every set in the file. */
  readonly referenceSets?: readonly string[];
  /** Whether a `warning` verdict counts as success for the CLI exit code. Default false. */
  readonly acceptWarning: boolean;
}

export const DEFAULT_POLICY: Policy = Object.freeze({
  version: 1,
  allowDebug: false,
  requireSeptVeDisable: false,
  acceptedTcbStatuses: Object.freeze(["UpToDate"] as TcbStatus[]),
  warningTcbStatuses: Object.freeze([] as TcbStatus[]),
  allowedAdvisoryIds: Object.freeze([] as string[]),
  mrSeam: Object.freeze([] as Uint8Array[]),
  mrSignerSeam: Object.freeze([] as Uint8Array[]),
  collateralMaxAgeDays: 30,
  staleCollateral: "contraindicated",
  acceptWarning: false,
});

const KEYS = [
  "version",
  "allowDebug",
  "requireSeptVeDisable",
  "acceptedTcbStatuses",
  "warningTcbStatuses",
  "allowedAdvisoryIds",
  "mrSeam",
  "mrSignerSeam",
  "minTeeTcbSvn",
  "reportData",
  "reportDataPrefix",
  "collateralMaxAgeDays",
  "staleCollateral",
  "referenceSets",
  "acceptWarning",
] as const;

function statuses(r: FieldReader, v: unknown, field: string): TcbStatus[] {
  return r.array(v, field, 16).map((s, i) => {
    const name = r.string(s, `${field}[${i}]`, 64);
    if (!(TCB_STATUSES as readonly string[]).includes(name)) {
      r.fail(`${field}[${i}]`, `unknown TCB status "${name}" (known: ${TCB_STATUSES.join(", ")})`);
    }
    return name as TcbStatus;
  });
}

function hexPrefix(r: FieldReader, v: unknown, field: string): Uint8Array {
  const s = r.string(v, field, 128);
  if (!/^([0-9a-fA-F]{2}){1,64}$/.test(s)) r.fail(field, "must be 1 to 64 bytes of hex");
  return r.bytes(s, field, s.length / 2);
}

/** Validates a policy document (parsed JSON) and fills in the defaults. */
export function parsePolicy(doc: unknown, mode: DocMode = "json"): Policy {
  const r = new FieldReader("ERR_POLICY_FORMAT", mode);
  const o = r.object(doc, "policy");
  r.onlyKeys(o, "policy", KEYS);
  if (o["version"] !== undefined && o["version"] !== 1)
    r.fail("policy.version", "unsupported version (expected 1)");
  const bool = (k: string, d: boolean) => (o[k] === undefined ? d : r.boolean(o[k], `policy.${k}`));
  const list = (k: string) =>
    o[k] === undefined
      ? []
      : r.array(o[k], `policy.${k}`, 256).map((x, i) => r.bytes(x, `policy.${k}[${i}]`, 48));
  const strings = (k: string) =>
    o[k] === undefined
      ? undefined
      : r.array(o[k], `policy.${k}`, 4096).map((x, i) => r.string(x, `policy.${k}[${i}]`, 256));
  const staleCollateral =
    o["staleCollateral"] === undefined
      ? "contraindicated"
      : r.string(o["staleCollateral"], "policy.staleCollateral");
  if (staleCollateral !== "warning" && staleCollateral !== "contraindicated") {
    r.fail("policy.staleCollateral", 'must be "warning" or "contraindicated"');
  }
  const opt = <T>(k: string, f: (v: unknown, field: string) => T) =>
    o[k] === undefined ? {} : { [k]: f(o[k], `policy.${k}`) };
  const policy: Policy = {
    version: 1,
    allowDebug: bool("allowDebug", false),
    requireSeptVeDisable: bool("requireSeptVeDisable", false),
    acceptedTcbStatuses:
      o["acceptedTcbStatuses"] === undefined
        ? ["UpToDate"]
        : statuses(r, o["acceptedTcbStatuses"], "policy.acceptedTcbStatuses"),
    warningTcbStatuses:
      o["warningTcbStatuses"] === undefined
        ? []
        : statuses(r, o["warningTcbStatuses"], "policy.warningTcbStatuses"),
    allowedAdvisoryIds: strings("allowedAdvisoryIds") ?? [],
    mrSeam: list("mrSeam"),
    mrSignerSeam: list("mrSignerSeam"),
    ...opt("minTeeTcbSvn", (v, f) => r.bytes(v, f, 16)),
    ...opt("reportData", (v, f) => r.bytes(v, f, 64)),
    ...opt("reportDataPrefix", (v, f) => hexPrefix(r, v, f)),
    collateralMaxAgeDays:
      o["collateralMaxAgeDays"] === undefined
        ? 30
        : r.int(o["collateralMaxAgeDays"], "policy.collateralMaxAgeDays", 0, 3650),
    staleCollateral: staleCollateral as Severity,
    ...(strings("referenceSets") ? { referenceSets: strings("referenceSets") } : {}),
    acceptWarning: bool("acceptWarning", false),
  };
  if (policy.reportData && policy.reportDataPrefix) {
    r.fail("policy.reportDataPrefix", "give either reportData or reportDataPrefix, not both");
  }
  return policy;
}

/** Parses policy JSON text. */
export function parsePolicyJson(text: string): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new AppraisalError("ERR_POLICY_FORMAT", `policy: not valid JSON (${(e as Error).message})`, {
      field: "policy",
    });
  }
  return parsePolicy(doc);
}
