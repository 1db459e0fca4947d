import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { TdxModule } from "../../src/module/tdx-module.js";
import { Kvm } from "../../src/vmm/kvm.js";
import { launchTd } from "../../src/vmm/qemu.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const fw = fixture("firmware/debian-bookworm-ovmf-2022.11.fd");
const manifest = fixtureText("MANIFEST.md");
/** Expected values are read from the MANIFEST entry (computed independently, case K). */
const singlePass = /page-by-page order[^`]*`([0-9a-f]{96})`/.exec(manifest)?.[1];
const twoPass = /two-pass order[^`]*`([0-9a-f]{96})`/.exec(manifest)?.[1];

function launch(qemuVersion: string, kvmGen: "6.16" | "v19") {
  const kvm = new Kvm(new TdxModule(), { generation: kvmGen, hostCpus: 32, runningMrtd: true });
  const tdvf = parseTdvfMetadata(fw);
  return launchTd(kvm, { firmware: fw, tdvf, qemuVersion, vcpus: 2, attributes: 1n << 28n, xfam: 0x602e7n });
}

describe("QEMU launch of the Debian OVMF fixture (case K)", () => {
  it("finds both expected values in the MANIFEST", () => {
    expect(singlePass).toMatch(/^4c7206f0/);
    expect(twoPass).toMatch(/^acccbcc8/);
  });
  it("QEMU 9+ (single pass) gives the page-by-page MRTD", () => {
    const r = launch("9.0", "6.16");
    expect(toHex(r.mrTd)).toBe(singlePass);
    expect(r.pageOrder).toBe("single-pass");
    expect(r.maxVcpus).toBe(32);
  });
  it("QEMU 8.x (per-section two pass, v19 KVM) gives the two-pass MRTD", () => {
    const r = launch("8.2", "v19");
    expect(toHex(r.mrTd)).toBe(twoPass);
    expect(r.maxVcpus).toBe(2);
  });
});
