import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildTdvfImage } from "../../src/firmware/tdvf-builder.js";
import { measureLaunch } from "../../src/measure/launch.js";
import { runCli } from "../support/cli.js";
import { fixturePath } from "../support/fixtures.js";

describe("tdx-attest measure --config", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdx-measure-"));
  const fw = buildTdvfImage({
    sections: [
      {
        type: "BFV",
        gpa: 0xfffe0000,
        memorySize: 0x2000,
        attributes: 1,
        raw: new Uint8Array(0x2000).fill(0x42),
      },
      { type: "TD_HOB", gpa: 0x809000, memorySize: 0x1000 },
    ],
  });
  writeFileSync(join(dir, "fw.bin"), fw);
  const payload = new Uint8Array(5000).fill(9);
  writeFileSync(join(dir, "payload.bin"), payload);

  it("reads firmware and payload paths relative to the config file; flags override", async () => {
    const cfg = {
      firmware: "fw.bin",
      vcpus: 2,
      maxVcpus: 4,
      kvm: "v19",
      attributes: "sept-ve-disable,debug",
      mrConfigId: "cd".repeat(48),
      payloads: [{ file: "payload.bin", gpa: "0x4000000" }],
    };
    writeFileSync(join(dir, "launch.json"), JSON.stringify(cfg));
    const r = await runCli(["measure", "--config", join(dir, "launch.json"), "--json", "--max-vcpus", "6"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const want = measureLaunch({
      ...cfg,
      firmware: fw,
      maxVcpus: 6,
      payloads: [{ gpa: "0x4000000", data: payload }],
    });
    expect(j.mrTd).toBe(Buffer.from(want.mrTd).toString("hex"));
    expect(j.maxVcpus).toBe(6);
    expect(j.tdAttributes).toBe("0100001000000000");
    expect(j.tdAttributeNames).toEqual(["DEBUG", "SEPT_VE_DISABLE"]);
    expect(j.mrConfigId).toBe("cd".repeat(48));
    expect(j.kvm).toBe("v19");
  });

  it("--trace --json includes the trace with running MRTDs", async () => {
    const r = await runCli([
      "measure",
      "--firmware",
      fixturePath("firmware/debian-bookworm-ovmf-2022.11.fd"),
      "--json",
      "--trace",
    ]);
    const j = JSON.parse(r.stdout);
    const fin = j.trace.find((e: { name: string }) => e.name === "KVM_TDX_FINALIZE_VM");
    expect(fin.mrtd).toBe(j.mrTd);
    expect(
      j.trace.some(
        (e: { name: string; seamcalls: { call: string }[] }) =>
          e.name === "KVM_TDX_INIT_VM" && e.seamcalls.some((s) => s.call === "TDH.MNG.INIT"),
      ),
    ).toBe(true);
  });

  it("config errors name the field and exit 2", async () => {
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ firmware: "fw.bin", vcpus: "two" }));
    const r = await runCli(["measure", "--config", join(dir, "bad.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("LaunchConfig.vcpus");
    writeFileSync(join(dir, "broken.json"), "{");
    expect((await runCli(["measure", "--config", join(dir, "broken.json")])).stderr).toContain(
      "not valid JSON",
    );
    const missing = await runCli(["measure", "--config", join(dir, "nope.json"), "--json"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error.code).toBe("ERR_IO");
  });

  it("a launch KVM refuses is reported, not thrown (6.16 + DEBUG)", async () => {
    const r = await runCli(["measure", "--firmware", join(dir, "fw.bin"), "--attributes", "debug"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ERR_KVM: KVM_TDX_INIT_VM failed with -EINVAL/);
  });
});
