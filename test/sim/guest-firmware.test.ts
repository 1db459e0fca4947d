/**
 * Simulation round trip (issue 5 acceptance): for several configurations, the RTMRs in the
 * TDREPORT produced by the simulated module == the replay of the CCEL the simulated TDVF wrote
 * == the golden computation from the same configuration; and changing only maxVcpus (QEMU
 * -smp maxcpus, reflected in the MADT) changes RTMR0 and nothing else.
 */
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { syntheticKernel } from "../../src/cli/demo-assets.js";
import { parseCcelTable } from "../../src/eventlog/ccel-table.js";
import { decodeEvent } from "../../src/eventlog/decode.js";
import { replayRtmrs } from "../../src/eventlog/replay.js";
import { selfCheckEvents } from "../../src/eventlog/self-check.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { EV } from "../../src/eventlog/types.js";
import { computeGoldenRtmrs } from "../../src/measure/rtmr.js";
import { type SimulatedBootOptions, simulateTdBoot } from "../../src/sim/guest-firmware-boot.js";
import { fixture } from "../support/fixtures.js";

const firmware = fixture("firmware/debian-bookworm-ovmf-2022.11.fd");

function reportRtmrs(report: Uint8Array): string[] {
  return [0, 1, 2, 3].map((i) => toHex(report.subarray(720 + 48 * i, 768 + 48 * i)));
}

function boot(
  cfg: {
    vcpus: number;
    maxVcpus: number;
    memory: string;
    seed: number;
    cmdline?: string;
    initrd?: Uint8Array;
    hostCpus?: number;
  },
  opts: SimulatedBootOptions = {},
) {
  return simulateTdBoot(
    {
      firmware,
      memory: cfg.memory,
      vcpus: cfg.vcpus,
      maxVcpus: cfg.maxVcpus,
      ...(cfg.hostCpus ? { hostCpus: cfg.hostCpus } : {}),
      kernel: syntheticKernel(cfg.seed),
      ...(cfg.cmdline !== undefined ? { cmdline: cfg.cmdline } : {}),
      ...(cfg.initrd ? { initrd: cfg.initrd } : {}),
    },
    opts,
  );
}

const CONFIGS = [
  { vcpus: 1, maxVcpus: 1, memory: "2G", seed: 3, cmdline: "console=ttyS0" },
  {
    vcpus: 2,
    maxVcpus: 8,
    memory: "4G",
    seed: 5,
    cmdline: "root=/dev/vda ro",
    initrd: new Uint8Array(5000).fill(7),
  },
  { vcpus: 4, maxVcpus: 300, hostCpus: 512, memory: "1G", seed: 9, initrd: new Uint8Array(100).fill(1) },
  { vcpus: 2, maxVcpus: 2, memory: "3G", seed: 13 },
];

describe("simulated guest firmware", () => {
  for (const [i, cfg] of CONFIGS.entries()) {
    it(`config ${i}: TDREPORT RTMRs == CCEL replay == golden`, () => {
      const b = boot(cfg, { guestAgent: i % 2 === 1 });
      const fromReport = reportRtmrs(b.report);
      const log = parseTcg2Log(b.ccelData);
      expect(log.stopReason).toBe("ff-padding");
      expect(replayRtmrs(log).rtmrs.map(toHex)).toEqual(fromReport);
      expect(computeGoldenRtmrs(b.goldenInput).rtmrs.map(toHex)).toEqual(fromReport);
      expect(selfCheckEvents(log.events).forged).toEqual([]);
      expect(log.events.filter((e) => decodeEvent(e).kind === "raw")).toEqual([]);
      const t = parseCcelTable(b.ccelTable);
      expect(t.laml).toBe(BigInt(b.ccelData.length));
      expect(t.ccType).toBe(2);
    });
  }

  it("changing only maxVcpus changes RTMR0 and nothing else", () => {
    const a = reportRtmrs(boot({ vcpus: 2, maxVcpus: 2, memory: "2G", seed: 3, cmdline: "x" }).report);
    const b = reportRtmrs(boot({ vcpus: 2, maxVcpus: 16, memory: "2G", seed: 3, cmdline: "x" }).report);
    expect(a.map((v, i) => v === b[i])).toEqual([false, true, true, true]);
  });

  it("changing the kernel changes RTMR1 only; the cmdline RTMR2 only", () => {
    const base = { vcpus: 1, maxVcpus: 1, memory: "2G", seed: 3, cmdline: "a" };
    const a = reportRtmrs(boot(base).report);
    const k = reportRtmrs(boot({ ...base, seed: 4 }).report);
    const c = reportRtmrs(boot({ ...base, cmdline: "b" }).report);
    expect(a.map((v, i) => v === k[i])).toEqual([true, false, true, true]);
    expect(a.map((v, i) => v === c[i])).toEqual([true, true, false, true]);
  });

  it("the guest agent logs NUM_VCPUS and MAX_VCPUS from TDG.VP.INFO into RTMR3", () => {
    const b = boot({ vcpus: 2, maxVcpus: 8, memory: "2G", seed: 3 }, { guestAgent: true });
    const ev = parseTcg2Log(b.ccelData).events.find((e) => e.eventType === EV.TDX_ATTEST_VCPU_INFO);
    if (!ev) throw new Error("no vCPU info event");
    expect(ev.mrIndex).toBe(4);
    const d = decodeEvent(ev);
    expect(d).toEqual({ kind: "vcpu-info", numVcpus: b.vcpuInfo?.numVcpus, maxVcpus: b.vcpuInfo?.maxVcpus });
    expect(b.vcpuInfo?.numVcpus).toBe(2);
    expect(reportRtmrs(b.report)[3]).not.toBe("0".repeat(96));
  });
});
