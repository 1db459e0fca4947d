import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appraise } from "../../src/appraise/appraise.js";
import { buildEar, EAR_PROFILE, earFromCbor, encodeEarCbor } from "../../src/appraise/ear.js";
import { diffRtmrEvents, replayEvents } from "../../src/appraise/events.js";
import { DEFAULT_POLICY } from "../../src/appraise/policy.js";
import type { AppraisalEvent, AppraisalQuoteBody } from "../../src/appraise/types.js";
import { toHex } from "../../src/bytes.js";
import { decodeDeterministic } from "../../src/reference/cbor.js";
import type { ReferenceEvent } from "../../src/reference/types.js";

const d = (s: string) => new Uint8Array(createHash("sha384").update(s).digest());

/** Independent replay with node:crypto: RTMR = SHA-384(RTMR || digest) from zero. */
function nodeReplay(events: readonly AppraisalEvent[], i: number): Uint8Array {
  let r = new Uint8Array(48);
  for (const e of events.filter((x) => x.rtmr === i)) {
    r = new Uint8Array(createHash("sha384").update(r).update(e.digest).digest());
  }
  return r;
}

const refEvents: ReferenceEvent[] = [
  { rtmr: 0, type: 0x8000000a, digest: d("hob"), label: "TD HOB" },
  { rtmr: 0, type: 0x80000001, digest: d("cfv"), label: "CFV" },
  { rtmr: 0, type: 0x8000000b, digest: d("madt-4"), label: "MADT" },
  { rtmr: 0, type: 4, digest: d("sep"), label: "separator" },
  { rtmr: 1, type: 0x80000003, digest: d("kernel"), label: "kernel" },
  { rtmr: 2, type: 0xd, digest: d("cmdline"), label: "cmdline" },
];

describe("event-level explanations", () => {
  it("replay equals an independent node:crypto replay", () => {
    const r = replayEvents(refEvents);
    for (let i = 0; i < 4; i++) expect(toHex(r[i]!)).toBe(toHex(nodeReplay(refEvents, i)));
    expect(toHex(r[3])).toBe("00".repeat(48));
  });

  it("a changed MADT shows as one changed event of RTMR0", () => {
    const actual = refEvents.map((e) => (e.label === "MADT" ? { ...e, digest: d("madt-8") } : e));
    const diff = diffRtmrEvents(0, actual, refEvents);
    expect(diff).toEqual([
      {
        rtmr: 0,
        kind: "changed",
        index: 2,
        referenceIndex: 2,
        type: 0x8000000b,
        label: "MADT",
        expectedDigest: toHex(d("madt-4")),
        actualDigest: toHex(d("madt-8")),
      },
    ]);
    expect(diffRtmrEvents(1, actual, refEvents)).toEqual([]);
  });

  it("a run of consecutive changed events of one type pairs by label, in order", () => {
    const acpi = ["ACPI table-loader", "ACPI RSDP", "ACPI tables"].map(
      (label): ReferenceEvent => ({
        rtmr: 0,
        type: 0xa,
        digest: d(label),
        label,
      }),
    );
    const ref = [refEvents[0]!, ...acpi, refEvents[3]!];
    const act = [refEvents[0]!, ...acpi.map((e) => ({ ...e, digest: d(`${e.label}-8`) })), refEvents[3]!];
    const diff = diffRtmrEvents(0, act, ref);
    expect(diff.map((x) => [x.kind, x.label, x.index, x.referenceIndex])).toEqual([
      ["changed", "ACPI table-loader", 1, 1],
      ["changed", "ACPI RSDP", 2, 2],
      ["changed", "ACPI tables", 3, 3],
    ]);
  });

  it("absent and extra events are named", () => {
    const missing = refEvents.filter((e) => e.label !== "CFV");
    expect(diffRtmrEvents(0, missing, refEvents).map((x) => [x.kind, x.label])).toEqual([["missing", "CFV"]]);
    const extra = [
      ...refEvents.slice(0, 2),
      { rtmr: 0, type: 0x80000006, digest: d("x"), label: "extra" },
      ...refEvents.slice(2),
    ];
    expect(diffRtmrEvents(0, extra, refEvents).map((x) => [x.kind, x.label, x.index])).toEqual([
      ["extra", "extra", 2],
    ]);
  });

  it("appraise attaches the event differences to the RTMR field and checks the replay", () => {
    const actual = refEvents.map((e) => (e.label === "MADT" ? { ...e, digest: d("madt-8") } : e));
    const rt = replayEvents(actual);
    const golden = replayEvents(refEvents);
    const b: AppraisalQuoteBody = {
      teeTcbSvn: new Uint8Array(16),
      mrSeam: new Uint8Array(48),
      mrSignerSeam: new Uint8Array(48),
      tdAttributes: 0n,
      xfam: 3n,
      mrTd: new Uint8Array(48),
      mrConfigId: new Uint8Array(48),
      mrOwner: new Uint8Array(48),
      mrOwnerConfig: new Uint8Array(48),
      rtmr: rt,
      reportData: new Uint8Array(64),
    };
    const set = { name: "g", rtmr0: golden[0], rtmr1: golden[1], rtmr2: golden[2], events: refEvents };
    const tcb = { status: "UpToDate", advisoryIds: [], collateralIssueDate: "2025-06-19T00:00:00Z" };
    const now = new Date("2025-07-01T00:00:00Z");
    const r = appraise({ body: b, tcb, eventLog: actual }, { version: 1, sets: [set] }, DEFAULT_POLICY, {
      now,
    });
    expect(r.verdict).toBe("contraindicated");
    const f = r.fields.find((x) => x.field === "rtmr0");
    expect(f?.ok).toBe(false);
    expect(f?.events?.map((e) => `${e.kind} ${e.label}`)).toEqual(["changed MADT"]);
    expect(r.eventLog?.matchesQuote).toBe(true);
    // A log that is not this TD's log fails its own check.
    const forged = appraise(
      { body: b, tcb, eventLog: refEvents },
      { version: 1, sets: [set] },
      DEFAULT_POLICY,
      { now },
    );
    expect(forged.fields.filter((x) => !x.ok).map((x) => x.field)).toEqual(["rtmr0", "eventLog.rtmr0"]);
    expect(forged.eventLog?.matchesQuote).toBe(false);
  });
});

describe("EAR", () => {
  const b: AppraisalQuoteBody = {
    teeTcbSvn: new Uint8Array(16),
    mrSeam: new Uint8Array(48),
    mrSignerSeam: new Uint8Array(48),
    tdAttributes: 0x10000001n,
    xfam: 3n,
    mrTd: new Uint8Array(48).fill(1),
    mrConfigId: new Uint8Array(48),
    mrOwner: new Uint8Array(48),
    mrOwnerConfig: new Uint8Array(48),
    rtmr: [new Uint8Array(48), new Uint8Array(48), new Uint8Array(48), new Uint8Array(48)],
    reportData: new Uint8Array(64),
  };
  const tcb = { status: "UpToDate", advisoryIds: [], collateralIssueDate: "2025-06-19T00:00:00Z" };
  const input = { body: b, tcb };
  const result = appraise(input, { version: 1, sets: [{ name: "g", mrTd: b.mrTd }] }, DEFAULT_POLICY, {
    now: new Date("2025-07-01T00:00:00Z"),
  });

  it("carries the verdict, trust vector, appraised claims and TCB status", () => {
    const ear = buildEar(result, input, {
      iat: 1751328000,
      build: "tdx-attest 0.1.0",
      nonce: Uint8Array.of(1, 2, 3),
    });
    expect(ear["eat_profile"]).toBe(EAR_PROFILE);
    const sub = (ear["submods"] as Record<string, Record<string, unknown>>)["tdx"]!;
    expect(sub["ear.status"]).toBe("contraindicated"); // DEBUG
    expect(sub["ear.trustworthiness-vector"]).toEqual({ configuration: 96, executables: 2, hardware: 2 });
    expect((sub["ear.veraison.annotated-evidence"] as Record<string, string>)["tdx.mrtd"]).toBe(
      "01".repeat(48),
    );
    expect((sub["ear.veraison.policy-claims"] as Record<string, unknown>)["tdx.tcb-status"]).toBe("UpToDate");
  });

  it("CBOR uses the draft's integer labels, is byte-identical across runs and decodes to the JSON form", () => {
    const opts = { iat: 1751328000, nonce: Uint8Array.of(0xfb, 0xff) };
    const ear = buildEar(result, input, opts);
    const a = encodeEarCbor(ear);
    const again = encodeEarCbor(buildEar(result, input, opts));
    expect(toHex(again)).toBe(toHex(a));
    const m = decodeDeterministic(a) as Map<unknown, unknown>;
    expect(m.get(265)).toBe(EAR_PROFILE);
    expect(m.get(6)).toBe(1751328000);
    expect(m.get(10)).toEqual(Uint8Array.of(0xfb, 0xff));
    const sub = (m.get(266) as Map<string, Map<number, unknown>>).get("tdx")!;
    expect(sub.get(1000)).toBe(96);
    expect((sub.get(1001) as Map<number, number>).get(1)).toBe(96); // configuration
    expect((m.get(1004) as Map<number, string>).get(1)).toBe("tdx-attest"); // build
    expect(earFromCbor(a)).toEqual(JSON.parse(JSON.stringify(ear)));
  });
});
