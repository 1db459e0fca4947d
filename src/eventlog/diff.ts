/**
 * Aligns two event logs per RTMR and reports the first differing event of each, with labels,
 * digests and decoded data: the manual procedure for debugging a golden-value mismatch.
 * Only RTMR extends are aligned (MR index 1..4, EV_NO_ACTION excluded; §12.3), in log order.
 */
import { equalBytes, toHex } from "../bytes.js";
import type { DecodedEvent } from "./decode.js";
import { type LabeledEvent, labelEvents } from "./label.js";
import { isRtmrExtend, RTMR_COUNT } from "./replay.js";
import { sha384Digest, type TcgEvent } from "./types.js";

export interface DiffSide {
  readonly seq: number;
  readonly eventType: number;
  readonly label: string;
  readonly digest: string;
  readonly decoded: DecodedEvent;
}

export interface RtmrDiff {
  readonly rtmr: number;
  readonly equal: boolean;
  readonly countA: number;
  readonly countB: number;
  /** Position (within this RTMR's events) of the first difference. */
  readonly position?: number;
  readonly a?: DiffSide;
  readonly b?: DiffSide;
}

export interface LogDiff {
  readonly equal: boolean;
  readonly rtmrs: readonly RtmrDiff[];
}

function side(l: LabeledEvent | undefined): DiffSide | undefined {
  if (!l) return undefined;
  const d = sha384Digest(l.event);
  return {
    seq: l.event.seq,
    eventType: l.event.eventType,
    label: l.label,
    digest: d ? toHex(d) : "",
    decoded: l.decoded,
  };
}

function perRtmr(events: readonly TcgEvent[]): LabeledEvent[][] {
  const out: LabeledEvent[][] = Array.from({ length: RTMR_COUNT }, () => []);
  for (const l of labelEvents(events)) if (isRtmrExtend(l.event)) out[l.event.mrIndex - 1]?.push(l);
  return out;
}

function sameDigest(x: LabeledEvent, y: LabeledEvent): boolean {
  const a = sha384Digest(x.event);
  const b = sha384Digest(y.event);
  return a !== undefined && b !== undefined && equalBytes(a, b);
}

/** Compares two logs RTMR by RTMR. */
export function diffEventLogs(a: readonly TcgEvent[], b: readonly TcgEvent[]): LogDiff {
  const pa = perRtmr(a);
  const pb = perRtmr(b);
  const rtmrs: RtmrDiff[] = [];
  for (let r = 0; r < RTMR_COUNT; r++) {
    const ea = pa[r] ?? [];
    const eb = pb[r] ?? [];
    const n = Math.max(ea.length, eb.length);
    let k = 0;
    while (k < n && ea[k] && eb[k] && sameDigest(ea[k] as LabeledEvent, eb[k] as LabeledEvent)) k++;
    if (k === n) {
      rtmrs.push({ rtmr: r, equal: true, countA: ea.length, countB: eb.length });
      continue;
    }
    const sa = side(ea[k]);
    const sb = side(eb[k]);
    rtmrs.push({
      rtmr: r,
      equal: false,
      countA: ea.length,
      countB: eb.length,
      position: k,
      ...(sa ? { a: sa } : {}),
      ...(sb ? { b: sb } : {}),
    });
  }
  return { equal: rtmrs.every((x) => x.equal), rtmrs };
}
