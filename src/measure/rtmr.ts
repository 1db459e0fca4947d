/**
 * Golden RTMR0-3 for a QEMU direct-kernel-boot TD on TDVF (tdx-reference.md §12.6): plan the
 * events TDVF would log from the boot components, then replay them (§12.3). With a reference
 * event log, the log of a real boot is replayed instead with the digests of the given
 * components substituted ("what-if"), and the changed events are listed.
 */
import { equalBytes, toHex } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ConfigError } from "../errors.js";
import { GRUB_INITRD_FILE, GRUB_KERNEL_FILE, labelEvents } from "../eventlog/label.js";
import { replayRtmrs } from "../eventlog/replay.js";
import { EV, eventTypeName, sha384Digest, type TcgEvent, TPM_ALG } from "../eventlog/types.js";
import { encodeUefiVariableData } from "../eventlog/uefi.js";
import {
  cfvEventData,
  driverConfigEvent,
  EFI_ACTIONS,
  efiActionEvent,
  kernelImageLoadData,
  LINUX_INITRD_TAG,
  LINUX_LOAD_OPTIONS_TAG,
  linuxTagData,
  type PlannedEvent,
  SECURE_BOOT_VARIABLES,
  separatorEvent,
  tdHobEventData,
  toTcgEvents,
  vcpuInfoEvent,
} from "./rtmr-events.js";
import { type Component, componentDigests, type GoldenRtmrInput, sectionsOf } from "./rtmr-input.js";
import {
  bootVariableEvents,
  defaultBootVariablesFor,
  earlyFwCfgEvents,
  readyToBootSeparatorMr,
  variableAuthorityEvents,
} from "./rtmr-ovmf.js";

export interface GoldenEvent {
  readonly seq: number;
  readonly mrIndex: number;
  readonly eventType: number;
  readonly label: string;
  readonly digest: string;
}

export interface ChangedEvent extends GoldenEvent {
  readonly previousDigest: string;
}

export interface GoldenRtmrs {
  readonly rtmrs: readonly Uint8Array[];
  /** The event list that was replayed (planned, or the reference log after substitution). */
  readonly events: readonly GoldenEvent[];
  /** Full events (with data) of the planned or substituted log, e.g. for writing a CCEL. */
  readonly tcgEvents: readonly TcgEvent[];
  /** What-if only: the reference events whose digest was replaced. */
  readonly changed: readonly ChangedEvent[];
}

const RTMR0_NEEDS: readonly [Component, string][] = [
  ["TD HOB", "tdHob, or memorySize with firmware/tdvfSections"],
  ["CFV", "cfv, or firmware"],
  ["ACPI table-loader", "acpi.loader"],
  ["ACPI RSDP", "acpi.rsdp"],
  ["ACPI tables", "acpi.tables"],
  ["kernel", "kernel"],
];

function need(d: Map<Component, Uint8Array>, c: Component): Uint8Array {
  const v = d.get(c);
  if (!v) throw new ConfigError("ERR_CONFIG", `golden RTMRs: missing ${c}`, { field: c });
  return v;
}

/** The TDVF event sequence for the input (§12.6), in log order. */
export function planBootEvents(
  input: GoldenRtmrInput,
  crypto: CryptoBackend = defaultCrypto(),
): PlannedEvent[] {
  const d = componentDigests(input, crypto);
  const missing = RTMR0_NEEDS.filter(([c]) => !d.has(c)).map(([c, how]) => `${c} (${how})`);
  if (missing.length > 0) {
    throw new ConfigError(
      "ERR_CONFIG",
      `golden RTMRs: missing inputs ${missing.join(", ")}; or give a referenceEventLog`,
      { field: "rtmr" },
    );
  }
  const sections = sectionsOf(input);
  const hob = sections?.find((s) => s.type === "TD_HOB");
  const cfv = sections?.find((s) => s.type === "CFV");
  const ev = (mrIndex: number, eventType: number, data: Uint8Array, c: Component): PlannedEvent => ({
    mrIndex,
    eventType,
    data,
    digest: need(d, c),
    label: c,
  });
  const acpiData = new TextEncoder().encode("ACPI DATA");
  const out: PlannedEvent[] = [
    ev(1, EV.EFI_HANDOFF_TABLES2, tdHobEventData(hob?.memoryAddress ?? 0), "TD HOB"),
    ev(
      1,
      EV.EFI_PLATFORM_FIRMWARE_BLOB2,
      cfvEventData(cfv?.memoryAddress ?? 0, cfv?.memoryDataSize ?? 0),
      "CFV",
    ),
    ...earlyFwCfgEvents(input, crypto),
    ...SECURE_BOOT_VARIABLES.map((v) =>
      driverConfigEvent(v.name, v.guid, input.secureBootVariables?.[v.name] ?? new Uint8Array(), crypto),
    ),
    separatorEvent(1, crypto),
    ev(1, EV.PLATFORM_CONFIG_FLAGS, acpiData, "ACPI table-loader"),
    ev(1, EV.PLATFORM_CONFIG_FLAGS, acpiData, "ACPI RSDP"),
    ev(1, EV.PLATFORM_CONFIG_FLAGS, acpiData, "ACPI tables"),
    ...variableAuthorityEvents(input),
    ev(
      2,
      EV.EFI_BOOT_SERVICES_APPLICATION,
      kernelImageLoadData(input.kernel instanceof Uint8Array ? input.kernel.length : 0),
      "kernel",
    ),
    ...bootVariableEvents(input, crypto),
    efiActionEvent(EFI_ACTIONS.callingBootOption, crypto),
    separatorEvent(readyToBootSeparatorMr(input), crypto),
  ];
  if (d.has("cmdline"))
    out.push(
      ev(3, EV.EVENT_TAG, linuxTagData(LINUX_LOAD_OPTIONS_TAG, "LOADED_IMAGE::LoadOptions"), "cmdline"),
    );
  if (d.has("initrd"))
    out.push(ev(3, EV.EVENT_TAG, linuxTagData(LINUX_INITRD_TAG, "Linux initrd"), "initrd"));
  out.push(
    efiActionEvent(EFI_ACTIONS.exitBootServices, crypto),
    efiActionEvent(EFI_ACTIONS.exitBootServicesSuccess, crypto),
  );
  if (input.vcpuInfo) out.push(vcpuInfoEvent(input.vcpuInfo.numVcpus, input.vcpuInfo.maxVcpus, crypto));
  return out;
}

/** OVMF's boot variables before edk2-stable202505: BootOrder = [0], Boot0000 = UiApp. */
export function defaultBootVariables(): { name: string; data: Uint8Array }[] {
  return defaultBootVariablesFor("pre202505");
}

function golden(e: TcgEvent, label: string): GoldenEvent {
  return {
    seq: e.seq,
    mrIndex: e.mrIndex,
    eventType: e.eventType,
    label,
    digest: toHex(sha384Digest(e) ?? new Uint8Array()),
  };
}

/**
 * Computes golden RTMRs. Without `referenceEventLog` every RTMR0/RTMR1 component must be given
 * (ConfigError lists the missing ones); with it, given components replace the logged digests.
 */
export function computeGoldenRtmrs(
  input: GoldenRtmrInput,
  crypto: CryptoBackend = defaultCrypto(),
): GoldenRtmrs {
  if (input.referenceEventLog) return whatIfFromReferenceLog(input.referenceEventLog, input, crypto);
  const planned = planBootEvents(input, crypto);
  const tcgEvents = toTcgEvents(planned);
  const events = tcgEvents.map((e, i) => golden(e, planned[i]?.label ?? ""));
  return { rtmrs: replayRtmrs(tcgEvents, crypto).rtmrs, events, tcgEvents, changed: [] };
}

/**
 * Event types of the direct-boot measurements the substituted digests are defined for (§12.6):
 * OVMF's Authenticode kernel event and the EFI stub's tagged cmdline. grub logs events with the
 * same labels as EV_IPL over other bytes (raw file, ASCII text); replacing those would give a
 * wrong answer, so they are refused.
 */
const DIRECT_BOOT_TYPE: Readonly<Record<string, number>> = {
  kernel: EV.EFI_BOOT_SERVICES_APPLICATION,
  cmdline: EV.EVENT_TAG,
};

/**
 * grub file events and the component they hold (§12.4): the initrd file event digest is SHA-384
 * of the file, the same definition as the EFI stub's initrd tag, so a new initrd replaces it too;
 * the kernel file event is a plain file hash, not Authenticode, so it is refused (DIRECT_BOOT_TYPE).
 */
const GRUB_FILE_COMPONENT: Readonly<Record<string, string>> = {
  [GRUB_KERNEL_FILE]: "kernel",
  [GRUB_INITRD_FILE]: "initrd",
};

/** Substitution digests for a reference log: components plus explicitly given UEFI variables. */
function substitutions(input: GoldenRtmrInput, crypto: CryptoBackend): Map<string, Uint8Array> {
  const subs = new Map<string, Uint8Array>(componentDigests({ ...input, referenceEventLog: [] }, crypto));
  // A new initrd alone would otherwise also yield an "initrd=initrd" command line: keep the log's.
  if (input.cmdline === undefined && input.cmdlineDigest === undefined) subs.delete("cmdline");
  for (const v of SECURE_BOOT_VARIABLES) {
    const data = input.secureBootVariables?.[v.name];
    if (data)
      subs.set(
        `UEFI variable ${v.name}`,
        crypto.hash("sha384", encodeUefiVariableData({ guid: v.guid, name: v.name, data })),
      );
  }
  for (const v of input.bootVariables ?? [])
    subs.set(`UEFI variable ${v.name}`, crypto.hash("sha384", v.data));
  return subs;
}

/**
 * What-if (§12.6): replays a real boot's log with the digests of the given components replaced
 * and reports which events changed. A component absent from the reference log is a ConfigError.
 */
export function whatIfFromReferenceLog(
  reference: GoldenRtmrInput["referenceEventLog"] & object,
  input: GoldenRtmrInput,
  crypto: CryptoBackend = defaultCrypto(),
): GoldenRtmrs {
  const refEvents = "events" in reference ? reference.events : reference;
  const refHasInitrd = labelEvents(refEvents).some(
    (l) => l.label === "initrd" || l.label === GRUB_INITRD_FILE,
  );
  // Only a new command line needs to know whether the kept initrd adds `initrd=initrd`.
  const hasInitrd = input.cmdline !== undefined ? (input.hasInitrd ?? refHasInitrd) : false;
  const subs = substitutions({ ...input, hasInitrd }, crypto);
  const used = new Set<string>();
  const changed: ChangedEvent[] = [];
  const labeled = labelEvents(refEvents);
  const foreign: string[] = [];
  const tcgEvents: TcgEvent[] = labeled.map(({ event, label: eventLabel }) => {
    const label = GRUB_FILE_COMPONENT[eventLabel] ?? eventLabel;
    const d = subs.get(label);
    if (!d || event.eventType === EV.NO_ACTION) return event;
    const want = DIRECT_BOOT_TYPE[label];
    if (want !== undefined && event.eventType !== want) {
      foreign.push(`${label} (event ${event.seq} is ${eventTypeName(event.eventType)}, e.g. grub's)`);
      return event;
    }
    used.add(label);
    const old = sha384Digest(event) ?? new Uint8Array();
    if (equalBytes(old, d)) return event;
    const next: TcgEvent = { ...event, digests: [{ algorithmId: TPM_ALG.SHA384, digest: d }] };
    changed.push({ ...golden(next, eventLabel), previousDigest: toHex(old) });
    return next;
  });
  const unused = [...subs.keys()].filter((k) => !used.has(k));
  if (unused.length > 0) {
    const why = foreign.length > 0 ? `; not a direct-boot measurement: ${foreign.join(", ")}` : "";
    throw new ConfigError(
      "ERR_CONFIG",
      `what-if: the reference log has no event for ${unused.join(", ")}${why}`,
      { field: "referenceEventLog" },
    );
  }
  if (input.vcpuInfo) {
    const v = vcpuInfoEvent(input.vcpuInfo.numVcpus, input.vcpuInfo.maxVcpus, crypto);
    tcgEvents.push({ ...toTcgEvents([v])[0], seq: tcgEvents.length } as TcgEvent);
  }
  const labels = labelEvents(tcgEvents).map((l) => l.label);
  const events = tcgEvents
    .filter((e) => e.eventType !== EV.NO_ACTION)
    .map((e) => golden(e, labels[tcgEvents.indexOf(e)] ?? ""));
  return { rtmrs: replayRtmrs(tcgEvents, crypto).rtmrs, events, tcgEvents, changed };
}
