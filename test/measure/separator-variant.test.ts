/**
 * Where TDVF's ReadyToBoot separator goes (tdx-reference.md §12.6): current edk2 TdTcg2Dxe extends
 * it into RTMR1 (MR index 2); older TDVF builds extended MR index 1 (RTMR0), which gives RTMR0 two
 * separators and RTMR1 none — trustee's OVMF log (fixture) is such a boot. The golden computation
 * fed that log's component digests must reproduce its replayed RTMR0-2 with the older placement.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { replayRtmrs } from "../../src/eventlog/replay.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { sha384Digest } from "../../src/eventlog/types.js";
import { computeGoldenRtmrs } from "../../src/measure/rtmr.js";
import type { GoldenRtmrInput } from "../../src/measure/rtmr-input.js";
import { fixture } from "../support/fixtures.js";

const log = parseTcg2Log(fixture("eventlogs/trustee-ovmf-ccel.bin"));

function digestOf(seq: number): { digest: Uint8Array } {
  const e = log.events.find((x) => x.seq === seq);
  const d = e ? sha384Digest(e) : undefined;
  if (!d) throw new Error(`no event ${seq}`);
  return { digest: d };
}

/** Component digests lifted from the log (event numbers as `eventlog show` lists them). */
function inputs(): GoldenRtmrInput {
  return {
    tdHob: digestOf(0),
    cfv: digestOf(1),
    acpi: { loader: digestOf(8), rsdp: digestOf(9), tables: digestOf(10) },
    kernel: digestOf(11),
    cmdlineDigest: digestOf(16).digest,
    initrd: digestOf(17),
    memorySize: 2n * 1024n ** 3n,
  };
}

describe("ReadyToBoot separator placement", () => {
  it("older TDVF (separator in RTMR0) reproduces trustee's real OVMF log", () => {
    const replayed = replayRtmrs(log).rtmrs.map(toHex);
    const g = computeGoldenRtmrs({ ...inputs(), readyToBootSeparator: "rtmr0" });
    expect(g.rtmrs.slice(0, 3).map(toHex)).toEqual(replayed.slice(0, 3));
    const seps = g.tcgEvents.filter((e) => e.eventType === 4).map((e) => e.mrIndex);
    expect(seps).toEqual([1, 1]);
  });
  it("current TDVF (default) puts it in RTMR1, so RTMR0 and RTMR1 differ from that log", () => {
    const replayed = replayRtmrs(log).rtmrs.map(toHex);
    const g = computeGoldenRtmrs(inputs());
    expect(g.tcgEvents.filter((e) => e.eventType === 4).map((e) => e.mrIndex)).toEqual([1, 2]);
    expect(toHex(g.rtmrs[0] as Uint8Array)).not.toBe(replayed[0]);
    expect(toHex(g.rtmrs[1] as Uint8Array)).not.toBe(replayed[1]);
    expect(toHex(g.rtmrs[2] as Uint8Array)).toBe(replayed[2]);
  });
});
