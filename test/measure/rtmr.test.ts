/**
 * Golden RTMRs against real boots. Case I (dstack, 2 GiB, pre-202505 OVMF) logs only digests: we
 * take the machine-model digests (CFV, ACPI blobs, kernel, cmdline, initrd) from its JSON log and
 * compute everything else ourselves (TD HOB from memory + TDVF sections, Secure Boot variables,
 * separators, default boot variables, EFI actions); the result must equal the quote's RTMR0-2.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../src/bytes.js";
import { parseDstackJson } from "../../src/eventlog/dstack-json.js";
import { labelEvents } from "../../src/eventlog/label.js";
import { replayRtmrs } from "../../src/eventlog/replay.js";
import { selfCheckEvents } from "../../src/eventlog/self-check.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { EV } from "../../src/eventlog/types.js";
import { parseUefiVariableData } from "../../src/eventlog/uefi.js";
import { parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { cmdlineBytes, ovmfLoadOptions } from "../../src/measure/kernel.js";
import { computeGoldenRtmrs, defaultBootVariables, whatIfFromReferenceLog } from "../../src/measure/rtmr.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const caseI = parseDstackJson(fixtureText("eventlogs/dstack-lite-getquote.json"));
const quote = caseI.quote ?? new Uint8Array();
const quoteRtmr = (i: number) => toHex(quote.subarray(48 + 328 + 48 * i, 48 + 376 + 48 * i));
const sections = parseTdvfMetadata(fixture("firmware/debian-bookworm-ovmf-2022.11.fd")).sections;

function logged(eventType: number, nth = 0, mrIndex?: number): { digest: Uint8Array } {
  const e = caseI.eventLog.events.filter(
    (x) => x.eventType === eventType && (mrIndex === undefined || x.mrIndex === mrIndex),
  )[nth];
  const d = e?.digests[0]?.digest;
  if (!d) throw new Error(`case I has no event 0x${eventType.toString(16)} #${nth}`);
  return { digest: d };
}

const caseIInput = {
  memorySize: 2n * 1024n ** 3n,
  tdvfSections: sections,
  cfv: logged(EV.EFI_PLATFORM_FIRMWARE_BLOB2),
  acpi: {
    loader: logged(EV.PLATFORM_CONFIG_FLAGS, 0),
    rsdp: logged(EV.PLATFORM_CONFIG_FLAGS, 1),
    tables: logged(EV.PLATFORM_CONFIG_FLAGS, 2),
  },
  kernel: logged(EV.EFI_BOOT_SERVICES_APPLICATION),
  cmdlineDigest: logged(EV.EVENT_TAG, 0).digest,
  initrd: logged(EV.EVENT_TAG, 1),
};

describe("golden RTMRs", () => {
  it("case I: planned TDVF events reproduce the quote's RTMR0, RTMR1 and RTMR2", () => {
    const g = computeGoldenRtmrs(caseIInput);
    expect(g.rtmrs.slice(0, 3).map(toHex)).toEqual([quoteRtmr(0), quoteRtmr(1), quoteRtmr(2)]);
    expect(toHex(g.rtmrs[3] ?? new Uint8Array())).toBe("0".repeat(96));
    expect(g.events.map((e) => e.label)).toContain("TD HOB");
  });

  it("the planned event list matches the real log digest by digest, in each RTMR's order", () => {
    const g = computeGoldenRtmrs(caseIInput);
    for (let mr = 1; mr <= 3; mr++) {
      const ours = g.events.filter((e) => e.mrIndex === mr).map((e) => e.digest);
      const real = caseI.eventLog.events
        .filter((e) => e.mrIndex === mr)
        .map((e) => toHex(e.digests[0]?.digest ?? new Uint8Array()));
      expect(ours).toEqual(real);
    }
  });

  it("the default boot variables hash to what OVMF logged in trustee's OVMF log", () => {
    const log = parseTcg2Log(fixture("eventlogs/trustee-ovmf-ccel.bin"));
    const boot = log.events
      .filter((e) => e.eventType === EV.EFI_VARIABLE_BOOT)
      .map((e) => toHex(e.digests[0]?.digest ?? new Uint8Array()));
    const ours = defaultBootVariables().map((v) => createHash("sha384").update(v.data).digest("hex"));
    expect(ours).toEqual(boot);
    // Byte for byte, not only by digest: the logged UEFI_VARIABLE_DATA carries the variable data.
    const loggedData = log.events
      .filter((e) => e.eventType === EV.EFI_VARIABLE_BOOT)
      .map((e) => toHex(parseUefiVariableData(e.data).data));
    expect(defaultBootVariables().map((v) => toHex(v.data))).toEqual(loggedData);
  });

  it("missing RTMR0 inputs are named in a ConfigError", () => {
    expect(() => computeGoldenRtmrs({ kernel: { digest: new Uint8Array(48) } })).toThrow(
      /missing inputs TD HOB.*CFV.*ACPI/,
    );
  });

  it("the cmdline digest is SHA-384 of UTF-16LE + NUL, with OVMF's initrd=initrd rule", () => {
    const s = "console=ttyS0 root=/dev/vda1";
    expect(toHex(cmdlineBytes(s))).toBe(
      Buffer.concat([Buffer.from(s, "utf16le"), Buffer.alloc(2)]).toString("hex"),
    );
    expect(ovmfLoadOptions(s, true, "suffix")).toBe(`${s} initrd=initrd`);
    expect(ovmfLoadOptions(s, true, "prefix")).toBe(`initrd=initrd ${s}`);
    expect(ovmfLoadOptions(s, false, "prefix")).toBe(s);
  });
});

describe("what-if from a reference log", () => {
  it("substituting the logged digests changes nothing; a new cmdline changes only RTMR2", () => {
    const same = whatIfFromReferenceLog(caseI.eventLog, { cmdlineDigest: caseIInput.cmdlineDigest });
    expect(same.changed).toEqual([]);
    expect(same.rtmrs.map(toHex)).toEqual(replayRtmrs(caseI.eventLog).rtmrs.map(toHex));
    const g = whatIfFromReferenceLog(caseI.eventLog, { cmdline: "console=hvc0" });
    expect(g.changed.map((c) => c.label)).toEqual(["cmdline"]);
    // The reference boot has an initrd, so OVMF appends " initrd=initrd" (pre-202508 rule).
    const want = createHash("sha384")
      .update(Buffer.concat([Buffer.from("console=hvc0 initrd=initrd", "utf16le"), Buffer.alloc(2)]))
      .digest("hex");
    expect(g.changed[0]?.digest).toBe(want);
    const before = same.rtmrs.map(toHex);
    const after = g.rtmrs.map(toHex);
    expect([0, 1, 2, 3].map((i) => before[i] === after[i])).toEqual([true, true, false, true]);
  });

  it("a new kernel digest on the binary OVMF log changes RTMR1 only and names the event", () => {
    const log = parseTcg2Log(fixture("eventlogs/trustee-ovmf-ccel.bin"));
    const g = whatIfFromReferenceLog(log, { kernel: { digest: fromHex("11".repeat(48)) } });
    expect(g.changed.map((c) => [c.label, c.mrIndex])).toEqual([["kernel", 2]]);
    const before = replayRtmrs(log).rtmrs.map(toHex);
    expect(g.rtmrs.map(toHex).map((v, i) => v === before[i])).toEqual([true, false, true, true]);
  });

  it("grub's EV_IPL kernel/cmdline events are not replaced by direct-boot digests", () => {
    const log = parseTcg2Log(fixture("eventlogs/trustee-alibaba-aael-ccel.bin"));
    const labels = labelEvents(log.events);
    // The log has grub's kernel file event and cmdline, of type EV_IPL.
    expect(labels.filter((l) => l.label === "kernel file (grub)").map((l) => l.event.eventType)).toContain(
      EV.IPL,
    );
    expect(() => whatIfFromReferenceLog(log, { kernel: { digest: fromHex("11".repeat(48)) } })).toThrow(
      /no event for kernel; not a direct-boot measurement: kernel \(event \d+ is EV_IPL/,
    );
    expect(() => whatIfFromReferenceLog(log, { cmdline: "quiet" })).toThrow(/not a direct-boot measurement/);
  });

  it("a component the reference log does not have is refused", () => {
    const log = parseTcg2Log(fixture("eventlogs/trustee-gcp-ccel.bin"));
    expect(() => whatIfFromReferenceLog(log, { cmdline: "x" })).toThrow(/no event for cmdline/);
  });
});

describe("OVMF edk2-stable202505 model", () => {
  it("adds the fw_cfg, variable-authority and BOOT2 events to RTMR0 only", () => {
    const authority = {
      ovmfVariant: "stable202505" as const,
      variableAuthorityDigest: new Uint8Array(48).fill(5),
    };
    const old = computeGoldenRtmrs(caseIInput);
    const g = computeGoldenRtmrs({ ...caseIInput, ...authority });
    const rtmr0 = g.events.filter((e) => e.mrIndex === 1);
    expect(rtmr0).toHaveLength(17); // dstack-mr's Stable202505 count
    expect(rtmr0.slice(0, 4).map((e) => e.label)).toEqual([
      "TD HOB",
      "CFV",
      "fw_cfg BootMenu",
      "fw_cfg bootorder",
    ]);
    expect(rtmr0.slice(-3).map((e) => [e.label, e.eventType])).toEqual([
      ["UEFI variable BootOrder", EV.EFI_VARIABLE_BOOT2],
      ["UEFI variable Boot0000", EV.EFI_VARIABLE_BOOT2],
      ["UEFI variable Boot0001", EV.EFI_VARIABLE_BOOT2],
    ]);
    // BootOrder [0, 1]: digest over the 4 raw bytes 00 00 01 00 (computed here independently).
    expect(rtmr0.at(-3)?.digest).toBe(
      createHash("sha384")
        .update(Buffer.from([0, 0, 1, 0]))
        .digest("hex"),
    );
    expect(g.rtmrs.map(toHex).map((v, i) => v === toHex(old.rtmrs[i] ?? new Uint8Array()))).toEqual([
      false,
      true,
      true,
      true,
    ]);
    // Its self-describing events pass the self-check (BOOT2 over the variable data is accepted).
    expect(selfCheckEvents(g.tcgEvents).forged).toEqual([]);
    // The planned fw_cfg events decode and label like real ones.
    const fw = g.tcgEvents.find((e) => e.eventType === EV.PLATFORM_CONFIG_FLAGS);
    expect(fw && new TextDecoder().decode(fw.data.subarray(0, 20))).toBe("QEMU FW CFG\0BootMenu");
  });

  it("requires the variable-authority digest", () => {
    expect(() => computeGoldenRtmrs({ ...caseIInput, ovmfVariant: "stable202505" })).toThrow(
      /variableAuthorityDigest/,
    );
  });
});
