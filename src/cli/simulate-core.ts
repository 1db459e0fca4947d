/**
 * The simulation pipeline behind `tdx-attest simulate` and the demo: launch and boot a TD on
 * the simulated platform (QEMU/KVM model -> simulated TDX module -> simulated TDVF, which writes
 * the CCEL log), quote its TDREPORT with the simulated QE and a freshly generated test PKI, and
 * compute the golden values from the same launch configuration (MRTD by launch replay, RTMRs by
 * the golden event plan): nothing in the golden set is read back from the simulated TD.
 */

import { encodePemCertificates } from "../abi/pem.js";
import { appraisalEventsFromLog } from "../appraise/from-eventlog.js";
import type { LaunchConfigInput } from "../measure/config.js";
import { type GoldenMeasurements, measureLaunch } from "../measure/launch.js";
import { computeGoldenRtmrs, type GoldenRtmrs } from "../measure/rtmr.js";
import { referenceSetFromMeasurement } from "../reference/build.js";
import type { JsonValue, ReferenceValueSet } from "../reference/types.js";
import { type SimulatedBoot, simulateTdBoot } from "../sim/guest-firmware-boot.js";
import { createTestPki, generateTestPkiKeys, type TestPki } from "../sim/pki.js";
import { simulateQuote } from "../sim/qe.js";

export interface SimulationRequest {
  readonly config: LaunchConfigInput;
  /** The config JSON as written (file paths as strings), recorded in the reference set. */
  readonly configJson?: JsonValue;
  readonly inputs?: readonly { name: string; path?: string; bytes: Uint8Array }[];
  readonly reportData?: Uint8Array;
  readonly quoteVersion?: 4 | 5;
  readonly guestAgent?: boolean;
  /** Collateral issue time (ms); default now. The TCB info is valid for 30 days from it. */
  readonly now?: number;
  readonly setName?: string;
  /** Reuse a PKI (the demo quotes two TDs under one root). */
  readonly pki?: TestPki;
  readonly toolVersion?: string;
}

export interface SimulationResult {
  readonly boot: SimulatedBoot;
  readonly quote: Uint8Array;
  readonly pki: TestPki;
  readonly golden: GoldenMeasurements;
  readonly goldenRtmrs: GoldenRtmrs;
  readonly reference: ReferenceValueSet;
  /** PEM of the test root CA (pass to `--root`). */
  readonly rootPem: string;
}

const DAY = 86_400_000;

/** A test PKI whose collateral is issued at `now` and valid 30 days, like Intel's. */
export async function simulationPki(now: number = Date.now()): Promise<TestPki> {
  const keys = await generateTestPkiKeys();
  return createTestPki(keys, {
    collateralWindow: [now - 60_000, now + 30 * DAY],
    crlWindow: [now - 60_000, now + 30 * DAY],
  });
}

/** Runs the whole simulation for one launch configuration. */
export async function runSimulation(req: SimulationRequest): Promise<SimulationResult> {
  const boot = simulateTdBoot(req.config, {
    ...(req.reportData ? { reportData: req.reportData } : {}),
    ...(req.guestAgent ? { guestAgent: true } : {}),
  });
  const pki = req.pki ?? (await simulationPki(req.now));
  const quote = await simulateQuote(boot.report, pki, { version: req.quoteVersion ?? 4 });
  const golden = measureLaunch(req.config);
  const goldenRtmrs = computeGoldenRtmrs(boot.goldenInput);
  const rtmrs = req.guestAgent ? ([0, 1, 2, 3] as const) : ([0, 1, 2] as const);
  const reference = referenceSetFromMeasurement(
    { ...golden, rtmr: goldenRtmrs.rtmrs },
    {
      name: req.setName ?? "simulated",
      rtmrs,
      events: appraisalEventsFromLog(goldenRtmrs.tcgEvents),
      ...(req.configJson !== undefined ? { config: req.configJson } : {}),
      ...(req.inputs ? { inputs: req.inputs } : {}),
      ...(req.toolVersion ? { toolVersion: req.toolVersion } : {}),
    },
  );
  return {
    boot,
    quote,
    pki,
    golden,
    goldenRtmrs,
    reference,
    rootPem: encodePemCertificates([pki.rootCa]),
  };
}
