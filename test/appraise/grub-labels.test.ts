/**
 * grub boots (tdx-reference.md §12.4): grub's EV_IPL file events hash the file as read, not the
 * Authenticode digest OVMF logs for a direct-boot kernel, so they carry their own labels and the
 * appraisal's explanation pairs them with each other, never with the direct-boot "kernel"/"initrd".
 * Base log: the real trustee grub CCEL; grub file events are added to RTMR2 the way grub logs them
 * (text = file path, digest = SHA-384 of the file), with digests computed here.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { diffRtmrEvents } from "../../src/appraise/events.js";
import { appraisalEventsFromLog } from "../../src/appraise/from-eventlog.js";
import { asciiBytes, toHex } from "../../src/bytes.js";
import { labelEvents } from "../../src/eventlog/label.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { EV, type TcgEvent, TPM_ALG } from "../../src/eventlog/types.js";
import { whatIfFromReferenceLog } from "../../src/measure/rtmr.js";
import { fixture } from "../support/fixtures.js";

const sha384 = (b: Uint8Array | string) => new Uint8Array(createHash("sha384").update(b).digest());

const base = parseTcg2Log(fixture("eventlogs/trustee-grub-ccel.bin")).events;

/** RTMR2 EV_IPL events as grub logs a `linux` + `initrd` boot of kernel version `v`. */
function grubEvents(v: string): TcgEvent[] {
  const kernelFile = `kernel image ${v}`;
  const initrdFile = `initrd image ${v}`;
  const texts: [string, Uint8Array][] = [
    [
      `grub_cmd: linux /boot/vmlinuz-${v} root=/dev/vda1`,
      sha384(`grub_cmd: linux /boot/vmlinuz-${v} root=/dev/vda1`),
    ],
    [`(hd0,gpt1)/boot/vmlinuz-${v}`, sha384(kernelFile)],
    [`grub_cmd: initrd /boot/initrd.img-${v}`, sha384(`grub_cmd: initrd /boot/initrd.img-${v}`)],
    [`(hd0,gpt1)/boot/initrd.img-${v}`, sha384(initrdFile)],
  ];
  return texts.map(([t, digest], i) => ({
    seq: base.length + i,
    offset: -1,
    mrIndex: 3,
    eventType: EV.IPL,
    digests: [{ algorithmId: TPM_ALG.SHA384, digest }],
    data: asciiBytes(t),
  }));
}

describe("grub logs: labels and explanations", () => {
  it("the real grub log: no EV_IPL event takes a direct-boot kernel/initrd label", () => {
    const l = labelEvents(base);
    const ipl = l.filter((e) => e.event.eventType === EV.IPL).map((e) => e.label);
    expect(ipl).not.toContain("kernel");
    expect(ipl).not.toContain("initrd");
    // The EFI stub's tags keep their component labels (same digest definition as direct boot).
    const tags = l.filter((e) => e.event.eventType === EV.EVENT_TAG).map((e) => e.label);
    expect(tags).toEqual(["cmdline", "initrd"]);
  });

  it("grub file events are labelled as grub files and paired with each other across versions", () => {
    const ref = appraisalEventsFromLog([...base, ...grubEvents("6.8.0-40")]);
    const td = appraisalEventsFromLog([...base, ...grubEvents("6.8.0-45")]);
    const diff = diffRtmrEvents(2, td, ref);
    expect(diff.map((d) => [d.kind, d.label])).toEqual([
      ["changed", "grub command"],
      ["changed", "kernel file (grub)"],
      ["changed", "grub command"],
      ["changed", "initrd file (grub)"],
    ]);
    // The explained digests are plain file hashes.
    const k = diff[1];
    expect(k?.expectedDigest).toBe(toHex(sha384("kernel image 6.8.0-40")));
    expect(k?.actualDigest).toBe(toHex(sha384("kernel image 6.8.0-45")));
  });

  it("what-if: a new initrd replaces the stub's tag and grub's initrd file event (both SHA-384 of the file)", () => {
    const log = [...base, ...grubEvents("6.8.0-40")];
    const initrd = new Uint8Array(100).fill(7);
    const g = whatIfFromReferenceLog(log, { initrd });
    expect(g.changed.map((c) => c.label).sort()).toEqual(["initrd", "initrd file (grub)"]);
    for (const c of g.changed) expect(c.digest).toBe(toHex(sha384(initrd)));
    expect(() => whatIfFromReferenceLog(log, { kernel: { digest: new Uint8Array(48).fill(1) } })).toThrow(
      /no event for kernel; not a direct-boot measurement: kernel \(event \d+ is EV_IPL/,
    );
  });
});
