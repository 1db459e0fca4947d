/**
 * Event-log replay and event-level explanation of RTMR mismatches.
 *
 * Replay: RTMR[i] = SHA-384(RTMR[i] || digest), starting from 48 zero bytes
 * (tdx-reference.md section 7.1 and 12.3). Explanation: for one RTMR, the TD's events and the
 * reference events are aligned by a longest common subsequence over (type, digest); what is
 * left is reported as `missing` (in the reference only), `extra` (in the TD's log only), or
 * `changed` when a missing and an extra event of the same type sit at the same place (the
 * usual case: same event, different content, e.g. the MADT of another vCPU count).
 */
import { equalBytes, toHex } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import type { ReferenceEvent } from "../reference/types.js";
import type { AppraisalEvent, EventDifference } from "./types.js";

/** Replays measured events into RTMR0..3. Events with an RTMR index outside 0..3 are ignored. */
export function replayEvents(
  events: readonly AppraisalEvent[],
  crypto: CryptoBackend = defaultCrypto(),
): [Uint8Array, Uint8Array, Uint8Array, Uint8Array] {
  const rtmr: [Uint8Array, Uint8Array, Uint8Array, Uint8Array] = [
    new Uint8Array(48),
    new Uint8Array(48),
    new Uint8Array(48),
    new Uint8Array(48),
  ];
  for (const e of events) {
    if (e.rtmr < 0 || e.rtmr > 3 || !Number.isInteger(e.rtmr)) continue;
    const i = e.rtmr as 0 | 1 | 2 | 3;
    rtmr[i] = crypto.createHash("sha384").update(rtmr[i]).update(e.digest).digest();
  }
  return rtmr;
}

type Ev = { readonly type: number; readonly digest: Uint8Array; readonly label?: string | undefined };

function same(a: Ev, b: Ev): boolean {
  return a.type === b.type && equalBytes(a.digest, b.digest);
}

/** LCS table over two event lists (logs hold at most a few hundred events per RTMR). */
function lcs(a: readonly Ev[], b: readonly Ev[]): number[][] {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      t[i]![j] = same(a[i]!, b[j]!) ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
    }
  }
  return t;
}

/**
 * Differences between the TD's events and the reference events of one RTMR, in log order.
 * Empty when both lists are equal.
 */
export function diffRtmrEvents(
  rtmr: number,
  actual: readonly AppraisalEvent[],
  reference: readonly ReferenceEvent[],
): EventDifference[] {
  const a = actual.filter((e) => e.rtmr === rtmr);
  const b = reference.filter((e) => e.rtmr === rtmr);
  const t = lcs(a, b);
  const out: EventDifference[] = [];
  let hunk: EventDifference[] = [];
  let i = 0;
  let j = 0;
  const lab = (e: Ev) => (e.label !== undefined ? { label: e.label } : {});
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && same(a[i]!, b[j]!)) {
      out.push(...pairHunk(hunk));
      hunk = [];
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || t[i]![j + 1]! >= t[i + 1]![j]!)) {
      const e = b[j]!;
      hunk.push({
        rtmr,
        kind: "missing",
        referenceIndex: j,
        type: e.type,
        ...lab(e),
        expectedDigest: toHex(e.digest),
      });
      j++;
    } else {
      const e = a[i]!;
      hunk.push({ rtmr, kind: "extra", index: i, type: e.type, ...lab(e), actualDigest: toHex(e.digest) });
      i++;
    }
  }
  out.push(...pairHunk(hunk));
  return out;
}

/**
 * Within one run of differences between two common events, pairs each reference event with the
 * TD's event of the same label (else the same type), in order, as one `changed` event; what is
 * left stays `missing` / `extra`.
 */
function pairHunk(hunk: readonly EventDifference[]): EventDifference[] {
  const misses = hunk.filter((d) => d.kind === "missing");
  const extras = hunk.filter((d) => d.kind === "extra");
  const used = new Set<EventDifference>();
  const out: EventDifference[] = [];
  for (const m of misses) {
    const free = extras.filter((x) => !used.has(x) && x.type === m.type);
    const x = free.find((e) => e.label !== undefined && e.label === m.label) ?? free[0];
    if (!x) {
      out.push(m);
      continue;
    }
    used.add(x);
    const label = x.label ?? m.label;
    out.push({
      rtmr: m.rtmr,
      kind: "changed",
      index: x.index as number,
      referenceIndex: m.referenceIndex as number,
      type: m.type,
      ...(label !== undefined ? { label } : {}),
      expectedDigest: m.expectedDigest as string,
      actualDigest: x.actualDigest as string,
    });
  }
  out.push(...extras.filter((x) => !used.has(x)));
  return out;
}
