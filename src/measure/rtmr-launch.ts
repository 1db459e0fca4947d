/**
 * Golden RTMRs for a launch configuration (the `kernel`, `initrd`, `cmdline`, `acpiTables`,
 * `referenceEventLog` fields of config.ts) and their rendering for `tdx-attest measure`.
 * ACPI: without `acpiTables` or a reference log, the simulated VMM's tables (acpi.ts: MADT per
 * possible vCPU, SRAT from the memory size) are used, which real QEMU does not produce byte for
 * byte; for a real machine give a reference event log (its ACPI digests are kept).
 */
import { toHex } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ConfigError } from "../errors.js";
import { loadEventLog } from "../eventlog/summary.js";
import { eventTypeName } from "../eventlog/types.js";
import { hobListWithoutEnd } from "../firmware/td-hob.js";
import { buildAcpiBlobs } from "./acpi.js";
import type { LaunchConfig } from "./config.js";
import type { InitrdOptionStyle } from "./kernel.js";
import { computeGoldenRtmrs, type GoldenRtmrs } from "./rtmr.js";
import type { GoldenRtmrInput } from "./rtmr-input.js";

export interface LaunchRtmrOptions {
  readonly crypto?: CryptoBackend;
  /** TD_PARAMS.MAX_VCPUS as the launch set it; with it, the RTMR3 vCPU-info event is predicted. */
  readonly guestAgentMaxVcpus?: number;
  readonly initrdOption?: InitrdOptionStyle;
}

/** The golden RTMR input a launch configuration describes, or undefined if it has no kernel or log. */
export function rtmrInputForLaunch(
  config: LaunchConfig,
  opts: LaunchRtmrOptions = {},
): GoldenRtmrInput | undefined {
  if (!config.kernel && !config.referenceEventLog) return undefined;
  const reference = config.referenceEventLog
    ? loadEventLog(config.referenceEventLog, opts.crypto).eventLog
    : undefined;
  if (config.acpiTables && !reference) {
    throw new ConfigError(
      "ERR_CONFIG",
      "acpiTables: the loader and RSDP digests are also needed; give a referenceEventLog from the same machine",
      { field: "acpiTables" },
    );
  }
  const acpi = config.acpiTables
    ? { tables: config.acpiTables }
    : reference
      ? undefined
      : buildAcpiBlobs({ vcpus: config.vcpus, maxVcpus: config.maxVcpus, memorySize: config.memory });
  return {
    ...(config.firmware && !reference ? { firmware: config.firmware } : {}),
    ...(!reference ? { memorySize: config.memory } : {}),
    ...(config.tdHob ? { tdHob: hobListWithoutEnd(config.tdHob) } : {}),
    ...(acpi ? { acpi } : {}),
    ...(config.kernel ? { kernel: config.kernel, memorySize: config.memory } : {}),
    ...(config.initrd ? { initrd: config.initrd } : {}),
    ...(config.cmdline !== undefined ? { cmdline: config.cmdline } : {}),
    ...(opts.initrdOption ? { initrdOption: opts.initrdOption } : {}),
    ...(opts.guestAgentMaxVcpus !== undefined
      ? { vcpuInfo: { numVcpus: config.vcpus, maxVcpus: opts.guestAgentMaxVcpus } }
      : {}),
    ...(reference ? { referenceEventLog: reference } : {}),
  };
}

/** Golden RTMRs for a launch configuration, or undefined if it gives no kernel and no reference log. */
export function goldenRtmrsForLaunch(
  config: LaunchConfig,
  opts: LaunchRtmrOptions = {},
): GoldenRtmrs | undefined {
  const input = rtmrInputForLaunch(config, opts);
  return input ? computeGoldenRtmrs(input, opts.crypto ?? defaultCrypto()) : undefined;
}

/** `measure` output fragments: JSON fields (`rtmr`, optional `events`/`changedEvents`) and text rows. */
export function rtmrOutput(
  g: GoldenRtmrs | undefined,
  withEvents: boolean,
): { json: Record<string, unknown>; text: string } {
  if (!g) return { json: {}, text: "" };
  const rtmr = g.rtmrs.map(toHex);
  const events = g.events.map((e) => ({
    ...e,
    eventTypeName: eventTypeName(e.eventType),
    rtmr: e.mrIndex - 1,
  }));
  const json: Record<string, unknown> = {
    rtmr,
    ...(withEvents ? { events } : {}),
    ...(g.changed.length > 0 ? { changedEvents: g.changed } : {}),
  };
  let text = rtmr.map((v, i) => `${`RTMR${i}`.padEnd(15)}${v}\n`).join("");
  for (const c of g.changed)
    text += `  changed vs reference: #${c.seq} RTMR${c.mrIndex - 1} ${c.label}: ${c.previousDigest} -> ${c.digest}\n`;
  if (withEvents) {
    text += "events:\n";
    for (const e of events)
      text += `  #${String(e.seq).padEnd(3)} RTMR${e.rtmr} ${e.eventTypeName.padEnd(34)} ${e.digest}  ${e.label}\n`;
  }
  return { json, text };
}
