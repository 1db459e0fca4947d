/** Event labels on the real logs: what each RTMR event measures. */
import { describe, expect, it } from "vitest";
import { labelEvents } from "../../src/eventlog/label.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { fixture } from "../support/fixtures.js";

function labels(name: string): string[] {
  return labelEvents(parseTcg2Log(fixture(`eventlogs/${name}`)).events).map((l) => l.label);
}

describe("event labels", () => {
  it("OVMF direct boot: TD HOB, CFV, variables, ACPI blobs, kernel, cmdline, initrd, actions", () => {
    expect(labels("trustee-ovmf-ccel.bin")).toEqual([
      "TD HOB",
      "CFV",
      "UEFI variable SecureBoot",
      "UEFI variable PK",
      "UEFI variable KEK",
      "UEFI variable db",
      "UEFI variable dbx",
      "separator",
      "ACPI table-loader",
      "ACPI RSDP",
      "ACPI tables",
      "kernel",
      "UEFI variable BootOrder",
      "UEFI variable Boot0000",
      "boot action",
      "separator",
      "cmdline",
      "initrd",
      "boot action",
      "boot action",
    ]);
  });

  it("Alibaba: named fw_cfg ACPI blobs, a POST-code ACPI event, grub kernel/initrd files, cmdline, AAEL tags", () => {
    const l = labels("trustee-alibaba-aael-ccel.bin");
    expect(l.slice(8, 12)).toEqual([
      "ACPI data (POST code)",
      "ACPI table-loader",
      "ACPI RSDP",
      "ACPI tables",
    ]);
    expect(l).toEqual(
      expect.arrayContaining([
        "kernel file (grub)",
        "cmdline",
        "initrd file (grub)",
        "grub command",
        "GPT",
        "EFI application",
      ]),
    );
    expect(l.slice(-2)).toEqual(["event tag AAEL", "event tag AAEL"]);
  });

  it("td-shim: TD HOB, payload and its command-line info", () => {
    expect(labels("trustee-tdshim-ccel.bin")).toEqual([
      "TD HOB",
      "separator",
      "separator",
      "firmware blob td_payload",
      "cmdline (td-shim payload info)",
    ]);
  });
});
