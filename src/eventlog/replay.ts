/**
 * RTMR replay (tdx-reference.md §12.3): every RTMR starts at 48 zero bytes; each record with CC MR
 * index 1..4 and a type other than EV_NO_ACTION extends RTMR[index-1] = SHA-384(RTMR || digest).
 * MR index 0 (MRTD) is never extended at run time, so such records are listed, not replayed.
 */
import { equalBytes, toHex } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { hexOffset, ParseError } from "../errors.js";
import { EV, type EventLog, sha384Digest, type TcgEvent, TPM_ALG } from "./types.js";

export const RTMR_SIZE = 48;
export const RTMR_COUNT = 4;

export interface ReplayResult {
  /** RTMR0..3 after replay. */
  readonly rtmrs: readonly Uint8Array[];
  /** Number of extends per RTMR. */
  readonly extendCounts: readonly number[];
  /** Records not replayed: MR index 0 or > 4 (EV_NO_ACTION records are not listed). */
  readonly notReplayed: readonly TcgEvent[];
}

/** SHA-384(rtmr || digest): the TDG.MR.RTMR.EXTEND rule (§7.1). */
export function extendRtmr(
  rtmr: Uint8Array,
  digest: Uint8Array,
  crypto: CryptoBackend = defaultCrypto(),
): Uint8Array {
  return crypto.createHash("sha384").update(rtmr).update(digest).digest();
}

/** True if the record is an RTMR extend (MR index 1..4, not EV_NO_ACTION). */
export function isRtmrExtend(e: TcgEvent): boolean {
  return e.eventType !== EV.NO_ACTION && e.mrIndex >= 1 && e.mrIndex <= RTMR_COUNT;
}

/**
 * Replays a parsed log. A record that extends an RTMR but carries no SHA-384 digest cannot be
 * replayed and throws ERR_EVENTLOG_FORMAT (failing closed rather than skipping it).
 */
export function replayRtmrs(
  log: EventLog | readonly TcgEvent[],
  crypto: CryptoBackend = defaultCrypto(),
): ReplayResult {
  if ("events" in log) requireSha384(log);
  const events = "events" in log ? log.events : log;
  const rtmrs: Uint8Array[] = Array.from({ length: RTMR_COUNT }, () => new Uint8Array(RTMR_SIZE));
  const extendCounts = [0, 0, 0, 0];
  const notReplayed: TcgEvent[] = [];
  for (const e of events) {
    if (e.eventType === EV.NO_ACTION) continue;
    if (!isRtmrExtend(e)) {
      notReplayed.push(e);
      continue;
    }
    const d = sha384Digest(e);
    if (!d || d.length !== RTMR_SIZE) {
      const field = `EventLog.events[${e.seq}].digests`;
      throw new ParseError(
        "ERR_EVENTLOG_FORMAT",
        `${field}: no SHA-384 digest to replay at ${hexOffset(Math.max(e.offset, 0))}`,
        {
          field,
          offset: Math.max(e.offset, 0),
        },
      );
    }
    const i = e.mrIndex - 1;
    rtmrs[i] = extendRtmr(rtmrs[i] as Uint8Array, d, crypto);
    extendCounts[i] = (extendCounts[i] as number) + 1;
  }
  return { rtmrs, extendCounts, notReplayed };
}

/**
 * RTMRs are SHA-384 registers (§7.1): a log whose Spec ID header declares no SHA-384 digests
 * (e.g. a SHA-256-only TPM-style log) cannot be replayed into them. Fails with
 * ERR_UNSUPPORTED_ALGORITHM up front instead of reporting zero registers for such a log.
 */
export function requireSha384(log: EventLog): void {
  if (log.format !== "tcg2" || !log.specId) return;
  const algs = log.specId.algorithms;
  if (algs.some((a) => a.algorithmId === TPM_ALG.SHA384)) return;
  const names = algs.map((a) => algNames.get(a.algorithmId) ?? `0x${a.algorithmId.toString(16)}`);
  throw new ParseError(
    "ERR_UNSUPPORTED_ALGORITHM",
    `EventLog.specId.algorithms: the log has ${names.join(", ")} digests only; RTMRs need SHA-384, so they cannot be replayed from it at ${hexOffset(32)}`,
    { field: "EventLog.specId.algorithms", offset: 32 },
  );
}

const algNames: ReadonlyMap<number, string> = new Map(
  Object.entries(TPM_ALG).map(([k, v]) => [v, k.replace("SHA", "sha").replace("_", "-")]),
);

export interface RtmrComparison {
  readonly index: number;
  readonly replayed: string;
  readonly expected: string;
  readonly match: boolean;
}

export interface ReplayComparison {
  readonly match: boolean;
  readonly rtmrs: readonly RtmrComparison[];
  /** Indices of the RTMRs that differ. */
  readonly mismatched: readonly number[];
}

/**
 * Compares replayed RTMRs with expected ones (e.g. a quote's), reporting each RTMR in `indices`
 * (default all four; callers exclude RTMR3 when its events live outside the log).
 */
export function compareRtmrs(
  replayed: readonly Uint8Array[],
  expected: readonly Uint8Array[],
  indices: readonly number[] = [0, 1, 2, 3],
): ReplayComparison {
  const rtmrs: RtmrComparison[] = [];
  for (const i of indices) {
    const a = replayed[i] ?? new Uint8Array(RTMR_SIZE);
    const b = expected[i] ?? new Uint8Array(0);
    rtmrs.push({ index: i, replayed: toHex(a), expected: toHex(b), match: equalBytes(a, b) });
  }
  const mismatched = rtmrs.filter((r) => !r.match).map((r) => r.index);
  return { match: mismatched.length === 0, rtmrs, mismatched };
}
