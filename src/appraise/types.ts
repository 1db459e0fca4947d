/**
 * Appraisal input and result types.
 *
 * `AppraisalInput` is structural so that any verifier can feed it: the TD quote body fields
 * (tdx-reference.md section 13.4, names as in `TdQuoteBody`), the TCB evaluation of a DCAP
 * verification (section 16.2/16.3), and optionally a parsed event log. The appraisal trusts
 * that the caller verified the quote's signature chain first (go-tdx-guest's verify ->
 * validate layering); it only compares values.
 */
/** The TD quote body fields the appraisal reads (a subset of `TdQuoteBody`). */
export interface AppraisalQuoteBody {
  readonly teeTcbSvn: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly tdAttributes: bigint;
  readonly xfam: bigint;
  readonly mrTd: Uint8Array;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmr: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  readonly reportData: Uint8Array;
}

/** One level of the TCB info (newest first), as far as the appraisal needs it. */
export interface AppraisalTcbLevel {
  readonly tcbDate: string;
  readonly tcbStatus: string;
  readonly advisoryIds?: readonly string[];
}

/** The TCB outcome of a DCAP verification. */
export interface AppraisalTcb {
  /** Intel's merged status (UpToDate, SWHardeningNeeded, ..., Revoked). */
  readonly status: string;
  readonly advisoryIds: readonly string[];
  /** Date of the matched TCB level (RFC 3339). */
  readonly tcbDate?: string;
  /** All TCB levels of the TCB info, newest first (to say how far behind the platform is). */
  readonly levels?: readonly AppraisalTcbLevel[];
  /** Index of the matched level in `levels`. */
  readonly matchedLevelIndex?: number;
  /** TCB info issue date (RFC 3339): the collateral's age is measured from it. */
  readonly collateralIssueDate?: string;
  /** TCB info next update (RFC 3339), informational. */
  readonly collateralNextUpdate?: string;
  readonly fmspc?: string;
}

/** One measured event of a parsed event log (what an event-log parser hands over). */
export interface AppraisalEvent {
  /** RTMR index 0..3 (CC MR index 1..4). */
  readonly rtmr: number;
  /** TCG event type. */
  readonly type: number;
  /** The SHA-384 digest extended into the RTMR. */
  readonly digest: Uint8Array;
  /** Human label ("MADT", "kernel", "cmdline", ...). */
  readonly label?: string;
}

export interface AppraisalInput {
  readonly body: AppraisalQuoteBody;
  /** Absent when no DCAP TCB evaluation is available (then the TCB check fails closed). */
  readonly tcb?: AppraisalTcb;
  /** The TD's event log, parsed; its replay must equal the quote's RTMRs. */
  readonly eventLog?: readonly AppraisalEvent[];
}

export interface AppraisalOptions {
  /** Appraisal time (collateral age); default now. */
  readonly now?: Date;
  /** A nonce that REPORTDATA must start with (in addition to the policy's REPORTDATA rules). */
  readonly nonce?: Uint8Array;
}

/** RATS EAR / AR4SI trust tiers (draft-ietf-rats-ear; CBOR values 2, 32, 96). */
export type Verdict = "affirming" | "warning" | "contraindicated";

/** Outcome of one check. `ok` is false only for `fail`. */
export interface FieldResult {
  /** Quote field or policy check, e.g. "mrTd", "rtmr0", "tdAttributes.DEBUG", "tcb.status". */
  readonly field: string;
  /** Every acceptable value (hex or text), across all acceptable reference sets. */
  readonly expected: readonly string[];
  readonly actual: string;
  readonly ok: boolean;
  readonly status: "pass" | "warn" | "fail";
  readonly reason: string;
  /** For RTMR mismatches with an event log: which events differ from the reference log. */
  readonly events?: readonly EventDifference[];
}

/** One event-level difference between the TD's log and the reference log, per RTMR. */
export interface EventDifference {
  readonly rtmr: number;
  readonly kind: "changed" | "missing" | "extra";
  /** Position in the TD's log among that RTMR's events (changed, extra). */
  readonly index?: number;
  /** Position in the reference log among that RTMR's events (changed, missing). */
  readonly referenceIndex?: number;
  readonly type: number;
  readonly label?: string;
  readonly expectedDigest?: string;
  readonly actualDigest?: string;
}

/** How far behind the platform's TCB is. */
export interface TcbSummary {
  readonly status: string;
  readonly advisoryIds: readonly string[];
  readonly tcbDate?: string;
  /** How many TCB levels of the TCB info are newer than the matched one. */
  readonly levelsAbove?: number;
  /** Advisory IDs of the matched level that the newest level no longer lists. */
  readonly fixedByNewerLevels?: readonly string[];
  readonly newestTcbDate?: string;
  readonly collateralAgeDays?: number;
  readonly collateralMaxAgeDays: number;
}

export interface AppraisalResult {
  readonly verdict: Verdict;
  /** Name of the reference set every pinned field matched, if any. */
  readonly matchedSet?: string;
  /** The set the per-field comparison used (the matched one, else the closest). */
  readonly comparedSet?: string;
  readonly fields: readonly FieldResult[];
  /** RTMR3 (runtime): always reported; checked only when the compared set names it. */
  readonly rtmr3: { readonly actual: string; readonly checked: boolean; readonly ok?: boolean };
  readonly tcb?: TcbSummary;
  /** Event-log replay (present when an event log was given). */
  readonly eventLog?: { readonly replayed: readonly string[]; readonly matchesQuote: boolean };
  /** max_vcpus of the compared set (not a quote field; bound through RTMR0's MADT). */
  readonly maxVcpus?: number;
  /**
   * `maxVcpus` of the compared set's launch configuration (QEMU's maxcpus: the MADT lists one
   * processor per possible vCPU and is measured into RTMR0), when the set records its config.
   */
  readonly configMaxVcpus?: number;
}
