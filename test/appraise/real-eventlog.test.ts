/**
 * Event-level explanations on real data: the GCE quote quotes/gtdx-cos113-v4.dat and its CCEL
 * log (MANIFEST case A: the log replays to the quote's RTMRs). The reference set is built from the
 * quote's own RTMRs and the log's own events, so it matches; then one reference event's digest is
 * changed (and the reference RTMR recomputed from the changed list, independently with
 * node:crypto), and the appraisal must name exactly that event.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseQuote } from "../../src/abi/quote.js";
import type { TdQuoteBody } from "../../src/abi/types.js";
import { appraise } from "../../src/appraise/appraise.js";
import { appraisalEventsFromLog } from "../../src/appraise/from-eventlog.js";
import { DEFAULT_POLICY } from "../../src/appraise/policy.js";
import { toHex } from "../../src/bytes.js";
import { parseCcelTable } from "../../src/eventlog/ccel-table.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import type { ReferenceEvent } from "../../src/reference/types.js";
import { fixture } from "../support/fixtures.js";

function nodeReplay(events: readonly ReferenceEvent[], i: number): Uint8Array {
  let r = new Uint8Array(48);
  for (const e of events.filter((x) => x.rtmr === i))
    r = new Uint8Array(createHash("sha384").update(r).update(e.digest).digest());
  return r;
}

describe("real CCEL log (gtdx-cos113)", () => {
  const body = parseQuote(fixture("quotes/gtdx-cos113-v4.dat")).body as TdQuoteBody;
  const table = parseCcelTable(fixture("eventlogs/gtdx-cos113-ccel-table.bin"));
  const raw = fixture("eventlogs/gtdx-cos113-ccel.bin");
  const log = parseTcg2Log(raw.subarray(0, Math.min(raw.length, Number(table.laml))));
  const events = appraisalEventsFromLog(log);
  const tcb = { status: "UpToDate", advisoryIds: [], collateralIssueDate: "2024-01-01T00:00:00Z" };
  const now = new Date("2024-01-02T00:00:00Z");
  const set = {
    name: "gce",
    mrTd: body.mrTd,
    rtmr0: body.rtmr[0],
    rtmr1: body.rtmr[1],
    rtmr2: body.rtmr[2],
    events,
  };

  it("the log replays to the quote and matches its own reference", () => {
    for (let i = 0; i < 3; i++) expect(toHex(nodeReplay(events, i))).toBe(toHex(body.rtmr[i] as Uint8Array));
    const r = appraise({ body, tcb, eventLog: events }, { version: 1, sets: [set] }, DEFAULT_POLICY, { now });
    expect(r.fields.filter((f) => !f.ok)).toEqual([]);
    expect(r.eventLog?.matchesQuote).toBe(true);
  });

  it("a different reference event is named with its label, index and both digests", () => {
    const k = events.findIndex((e) => e.rtmr === 1);
    const target = events[k] as ReferenceEvent;
    const changed = events.map((e, i) => (i === k ? { ...e, digest: new Uint8Array(48).fill(0xee) } : e));
    const ref = { ...set, events: changed, rtmr1: nodeReplay(changed, 1) };
    const r = appraise({ body, tcb, eventLog: events }, { version: 1, sets: [ref] }, DEFAULT_POLICY, { now });
    const bad = r.fields.filter((f) => !f.ok);
    expect(bad.map((f) => f.field)).toEqual(["rtmr1"]);
    expect(bad[0]?.events).toEqual([
      {
        rtmr: 1,
        kind: "changed",
        index: 0,
        referenceIndex: 0,
        type: target.type,
        label: target.label,
        expectedDigest: "ee".repeat(48),
        actualDigest: toHex(target.digest),
      },
    ]);
  });

  it("an event missing from the TD's log is reported as missing", () => {
    const k = events.findIndex((e) => e.rtmr === 0);
    const extra: ReferenceEvent = {
      rtmr: 0,
      type: 0x80000001,
      digest: new Uint8Array(48).fill(0x11),
      label: "extra variable",
    };
    const refEvents = [...events.slice(0, k + 1), extra, ...events.slice(k + 1)];
    const ref = { ...set, events: refEvents, rtmr0: nodeReplay(refEvents, 0) };
    const r = appraise({ body, tcb, eventLog: events }, { version: 1, sets: [ref] }, DEFAULT_POLICY, { now });
    const rtmr0 = r.fields.find((f) => f.field === "rtmr0");
    expect(rtmr0?.events?.map((e) => [e.kind, e.label, e.referenceIndex])).toEqual([
      ["missing", "extra variable", 1],
    ]);
  });
});
