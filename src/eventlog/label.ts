/**
 * Labels events by what they measure (TD HOB, CFV, UEFI variables, ACPI blobs, kernel, cmdline,
 * initrd, boot actions...) so a golden-value mismatch can be traced to a component. Rules follow
 * the TDVF/OVMF/grub/Linux producers of tdx-reference.md §12.4-12.6.
 */
import { type DecodedEvent, decodeEvent } from "./decode.js";
import { EV, type TcgEvent } from "./types.js";

/** Linux EFI stub tagged-event ids (§12.4). */
export const LINUX_INITRD_TAG = 0x8f3b22ec;
export const LINUX_LOAD_OPTIONS_TAG = 0x8f3b22ed;
const SMBIOS_GUIDS = new Set([
  "eb9d2d31-2d88-11d3-9a16-0090273fc14d",
  "f2fd1544-9794-4a2c-992e-e5bbcf20e394",
]);
const ACPI_ORDER = ["ACPI table-loader", "ACPI RSDP", "ACPI tables"];
const FW_CFG_ACPI: Record<string, string> = {
  "etc/table-loader": "ACPI table-loader",
  "etc/acpi/rsdp": "ACPI RSDP",
  "etc/acpi/tables": "ACPI tables",
  "acpi-loader": "ACPI table-loader",
  "acpi-rsdp": "ACPI RSDP",
  "acpi-tables": "ACPI tables",
};

/**
 * grub's EV_IPL file events (§12.4 table: "files: file contents"): the digest is SHA-384 of the
 * file as read, not the Authenticode digest OVMF logs for a direct-boot "kernel". The labels are
 * distinct from the direct-boot ones and carry no path, so the same event keeps its label across
 * kernel versions (the appraisal pairs changed events by label).
 */
export const GRUB_KERNEL_FILE = "kernel file (grub)";
export const GRUB_INITRD_FILE = "initrd file (grub)";

export interface LabeledEvent {
  readonly event: TcgEvent;
  readonly decoded: DecodedEvent;
  readonly label: string;
}

/** Labels every event of a log; ACPI `ACPI DATA` blobs are named by their order (loader, RSDP, tables). */
export function labelEvents(events: readonly TcgEvent[]): LabeledEvent[] {
  let acpi = 0;
  let tags = 0;
  let apps = 0;
  return events.map((event) => {
    const decoded = decodeEvent(event);
    let label = labelOf(event, decoded);
    if (label === "ACPI DATA") label = ACPI_ORDER[acpi++] ?? "ACPI data";
    if (event.dataOmitted)
      label = omittedLabel(
        event,
        label,
        () => apps++,
        () => tags++,
      );
    return { event, decoded, label };
  });
}

/**
 * Logs without event data (dstack JSON) are labeled by position, in the fixed OVMF direct-boot
 * order (§12.6): the first RTMR1 application is the kernel; RTMR2 tags are cmdline, then initrd.
 */
function omittedLabel(e: TcgEvent, label: string, nextApp: () => number, nextTag: () => number): string {
  if (e.eventType === EV.EFI_BOOT_SERVICES_APPLICATION && e.mrIndex === 2)
    return nextApp() === 0 ? "kernel" : label;
  if (e.eventType === EV.EVENT_TAG && e.mrIndex === 3) return ["cmdline", "initrd"][nextTag()] ?? label;
  return label;
}

function labelOf(e: TcgEvent, d: DecodedEvent): string {
  if (e.name !== undefined) return FW_CFG_ACPI[e.name] ?? `runtime event ${e.name}`;
  switch (d.kind) {
    case "spec-id":
      return "Spec ID header";
    case "no-action":
      return `no-action ${d.signature.replace(/\0+$/, "")}`;
    case "separator":
      return "separator";
    case "uefi-variable":
      // Some firmware counts the name's terminating NUL in UnicodeNameLength.
      return `UEFI variable ${d.variable.name.replace(/\0+$/, "")}`;
    case "image-load":
      return imageLabel(d.image.devicePathText);
    case "firmware-blob":
      return d.description?.startsWith("Fv(") ? "CFV" : `firmware blob ${d.description ?? ""}`.trim();
    case "handoff-tables":
      if (d.description === "TdxTable") return "TD HOB";
      return d.tables.some((t) => SMBIOS_GUIDS.has(t.guid))
        ? "SMBIOS"
        : `handoff tables ${d.description ?? ""}`.trim();
    case "fw-cfg":
      return FW_CFG_ACPI[d.name] ?? `fw_cfg ${d.name}`;
    case "event-tag":
      if (d.taggedEventId === LINUX_INITRD_TAG) return "initrd";
      if (d.taggedEventId === LINUX_LOAD_OPTIONS_TAG) return "cmdline";
      return `event tag ${tagName(d.taggedEventId)}`;
    case "gpt":
      return "GPT";
    case "vcpu-info":
      return "vCPU info";
    case "text":
      return textLabel(e, d);
    case "raw":
      return byTypeOnly(e);
  }
}

function imageLabel(path: string): string {
  return /(^|\/)kernel$/.test(path) ? "kernel" : "EFI application";
}

function textLabel(e: TcgEvent, d: DecodedEvent & { kind: "text" }): string {
  const text = d.text;
  if (e.eventType === EV.EFI_ACTION) return "boot action";
  if (text === "ACPI DATA")
    return e.eventType === EV.PLATFORM_CONFIG_FLAGS ? "ACPI DATA" : "ACPI data (POST code)";
  if (FW_CFG_ACPI[text]) return FW_CFG_ACPI[text] as string;
  if (e.eventType === EV.IPL) {
    // UTF-16 EV_IPL text is what systemd-stub logs for the kernel load options; the grub rules
    // below (paths, `initrd=` words) would misname it.
    if (d.encoding === "utf-16le") return "load options (UTF-16)";
    if (/^(grub_)?kernel_cmdline/.test(text)) return "cmdline";
    if (text.startsWith("grub_linuxefi Kernel")) return GRUB_KERNEL_FILE;
    if (text.startsWith("grub_linuxefi Initrd")) return GRUB_INITRD_FILE;
    if (text.startsWith("grub_cmd")) return "grub command";
    if (/vmlinuz|bzImage/.test(text)) return GRUB_KERNEL_FILE;
    if (/initr(d|amfs)/.test(text)) return GRUB_INITRD_FILE;
    return "IPL";
  }
  if (text.startsWith("td_hob")) return "TD HOB";
  if (text.startsWith("td_payload_info")) return "cmdline (td-shim payload info)";
  if (text.startsWith("td_payload")) return "payload";
  return oneLine(text);
}

function oneLine(text: string): string {
  const first = text.split("\n")[0] ?? "";
  return first.length > 60 || first !== text ? `${first.slice(0, 57)}...` : first;
}

function byTypeOnly(e: TcgEvent): string {
  switch (e.eventType) {
    case EV.EFI_HANDOFF_TABLES2:
      return "TD HOB";
    case EV.EFI_PLATFORM_FIRMWARE_BLOB2:
      return "CFV";
    case EV.EFI_VARIABLE_DRIVER_CONFIG:
      return "UEFI variable (Secure Boot configuration)";
    case EV.EFI_VARIABLE_BOOT:
    case EV.EFI_VARIABLE_BOOT2:
      return "UEFI boot variable";
    case EV.EFI_BOOT_SERVICES_APPLICATION:
      return e.mrIndex === 2 ? "kernel or EFI application" : "EFI application";
    case EV.EFI_ACTION:
      return "boot action";
    case EV.SEPARATOR:
      return "separator";
    case EV.EVENT_TAG:
      return "event tag (initrd or cmdline)";
    case EV.PLATFORM_CONFIG_FLAGS:
      return "ACPI DATA";
    default:
      return `event 0x${e.eventType.toString(16)}`;
  }
}

/** A tagged-event id as its four ASCII characters when printable (e.g. `AAEL`), else hex. */
function tagName(id: number): string {
  const chars = [24, 16, 8, 0].map((sh) => (id >>> sh) & 0xff);
  return chars.every((c) => c >= 0x20 && c < 0x7f) ? String.fromCharCode(...chars) : `0x${id.toString(16)}`;
}
