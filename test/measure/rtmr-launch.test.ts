/**
 * `tdx-attest measure` RTMR output: the golden RTMRs it prints for a launch config equal the
 * RTMRs in the TDREPORT of the simulated boot of the same config; with a reference event log it
 * reports the substituted events.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { syntheticKernel } from "../../src/cli/demo-assets.js";
import { simulateTdBoot } from "../../src/sim/guest-firmware-boot.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath } from "../support/fixtures.js";

async function measure(args: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const r = await runCli(["measure", ...args, "--json"]);
  if (r.code !== 0) throw new Error(`measure failed (${r.code}): ${r.stderr}${r.stdout}`);
  return { code: r.code, json: JSON.parse(r.stdout) as Record<string, unknown> };
}

const dir = mkdtempSync(join(tmpdir(), "tdx-attest-rtmr-"));
writeFileSync(join(dir, "kernel.bin"), syntheticKernel(1));
writeFileSync(join(dir, "initrd.img"), new Uint8Array(3000).fill(9));

describe("measure --json rtmr", () => {
  it("prints the RTMRs the simulated boot of the same config reports, and the event list", async () => {
    const cfg = {
      firmware: fixturePath("firmware/debian-bookworm-ovmf-2022.11.fd"),
      kernel: "kernel.bin",
      initrd: "initrd.img",
      cmdline: "console=ttyS0",
      memory: "4G",
      vcpus: 2,
      maxVcpus: 4,
    };
    writeFileSync(join(dir, "launch.json"), JSON.stringify(cfg));
    const { json } = await measure(["--config", join(dir, "launch.json"), "--events", "--guest-agent"]);
    const sim = simulateTdBoot(
      {
        ...cfg,
        firmware: fixture("firmware/debian-bookworm-ovmf-2022.11.fd"),
        kernel: syntheticKernel(1),
        initrd: new Uint8Array(3000).fill(9),
      },
      { guestAgent: true },
    );
    const report = [0, 1, 2, 3].map((i) => toHex(sim.report.subarray(720 + 48 * i, 768 + 48 * i)));
    expect(json["rtmr"]).toEqual(report);
    expect(json["mrTd"]).toBe(toHex(sim.mrTd));
    const events = json["events"] as { label: string }[];
    expect(events.map((e) => e.label)).toEqual(
      expect.arrayContaining(["TD HOB", "CFV", "kernel", "cmdline", "initrd", "vCPU info"]),
    );
  });

  it("without a kernel or reference log prints no rtmr", async () => {
    const { json } = await measure(["--firmware", fixturePath("firmware/debian-bookworm-ovmf-2022.11.fd")]);
    expect(json["rtmr"]).toBeUndefined();
  });

  it("with a reference event log substitutes the new cmdline and lists the changed event", async () => {
    const cfg = {
      firmware: fixturePath("firmware/debian-bookworm-ovmf-2022.11.fd"),
      referenceEventLog: fixturePath("eventlogs/trustee-ovmf-ccel.bin"),
      cmdline: "console=hvc0",
    };
    writeFileSync(join(dir, "whatif.json"), JSON.stringify(cfg));
    const { json } = await measure(["--config", join(dir, "whatif.json")]);
    const changed = json["changedEvents"] as { label: string; mrIndex: number }[];
    expect(changed.map((c) => [c.label, c.mrIndex])).toEqual([["cmdline", 3]]);
    // RTMR0 and RTMR1 are the reference log's values (MANIFEST, trustee-ovmf-ccel.bin).
    const rtmr = json["rtmr"] as string[];
    expect(rtmr[0]).toBe(
      "8566f998798db09443b244c62de9a3041fb02e2e6936c4396d784bba2e90177329ec5aba3bb484404f2ab9cc90abe193",
    );
    expect(rtmr[1]).toBe(
      "775b9f6bfe99f8a31396f0d0218e67ffa796d3b96ccf961cbb0deba48c79c00f082cda1a5567c1c16305f1fc210c13c6",
    );
    expect(rtmr[2]).not.toBe(
      "94eaf7a7bf398ed8d888c91057ae0261802e4f3df084213a76ca7f0b5055ac9d2241de43cd58d9e8b49c503bbf25f34a",
    );
  });
});
