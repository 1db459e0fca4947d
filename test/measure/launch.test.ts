import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { nodeCrypto, portableCrypto } from "../../src/crypto/index.js";
import { ConfigError } from "../../src/errors.js";
import { resolveLaunchConfig } from "../../src/measure/config.js";
import { measureLaunch } from "../../src/measure/launch.js";
import { runCli } from "../support/cli.js";
import { fixture, fixturePath, fixtureText } from "../support/fixtures.js";

const FW = "firmware/debian-bookworm-ovmf-2022.11.fd";
const fw = fixture(FW);
const manifest = fixtureText("MANIFEST.md");
/** Both values come from the fixture MANIFEST (case K, computed by an independent implementation). */
const singlePass = /page-by-page order[^`]*`([0-9a-f]{96})`/.exec(manifest)?.[1] ?? "missing";
const twoPass = /two-pass order[^`]*`([0-9a-f]{96})`/.exec(manifest)?.[1] ?? "missing";

describe("measureLaunch", () => {
  it("gives the MANIFEST MRTDs for both QEMU orders and reports identity fields", () => {
    const a = measureLaunch({ firmware: fw, vcpus: 4, qemuVersion: "9.0", mrOwner: "ab".repeat(48) });
    expect(toHex(a.mrTd)).toBe(singlePass);
    expect(a.tdAttributes).toBe(0x10000000n);
    expect(a.xfam).toBe(0x602e7n);
    expect(toHex(a.mrOwner)).toBe("ab".repeat(48));
    expect(a.kvm).toBe("6.16");
    expect(a.maxVcpus).toBe(64);
    expect(a.maxVcpusSource).toContain("-smp maxcpus");
    const b = measureLaunch({ firmware: fw, vcpus: 4, maxVcpus: 16, qemuVersion: "8.2" });
    expect(toHex(b.mrTd)).toBe(twoPass);
    expect(b.kvm).toBe("v19");
    expect(b.maxVcpus).toBe(16);
    expect(b.guestView.numVcpus).toBe(4);
  });

  it("MRTD depends on neither memory, vCPUs, TD_PARAMS nor the TD HOB contents (§9.2)", () => {
    const base = toHex(measureLaunch({ firmware: fw }).mrTd);
    const other = measureLaunch({
      firmware: fw,
      memory: "8G",
      vcpus: 8,
      hostCpus: 8,
      tscFrequencyMHz: 2000,
      mrConfigId: "11".repeat(48),
      tdHob: new Uint8Array(100).fill(7),
    });
    expect(toHex(other.mrTd)).toBe(base);
    expect(base).toBe(singlePass);
  });

  it("both hash backends give identical MRTDs", () => {
    const node = nodeCrypto();
    if (!node) throw new Error("no node backend");
    for (const q of ["9.0", "8.2"]) {
      const x = measureLaunch({ firmware: fw, qemuVersion: q }, { crypto: node });
      const y = measureLaunch({ firmware: fw, qemuVersion: q }, { crypto: portableCrypto });
      expect(toHex(y.mrTd)).toBe(toHex(x.mrTd));
    }
  });

  it("trace records page counts and the running MRTD, ending at the final value", () => {
    const g = measureLaunch({ firmware: fw }, { runningMrtd: true });
    // BFV 0x1E0000 + CFV 0x20000 + TempMem 0x10000 + 0x2000 + TD_HOB 0x2000 + TempMem 0x6000 = 0x21a000 bytes.
    expect(g.stats.pagesAdded).toBe(0x21a000 / 4096);
    expect(g.stats.chunksExtended).toBe((0x1e0000 / 4096) * 16);
    const fin = g.trace.events.find((e) => e.name === "KVM_TDX_FINALIZE_VM");
    expect(fin?.mrtd && toHex(fin.mrtd)).toBe(singlePass);
    const regions = g.trace.events.filter((e) => e.name === "KVM_TDX_INIT_MEM_REGION");
    expect(regions).toHaveLength(6);
    expect(regions[0]?.seamcalls.find((r) => r.call === "TDH.MEM.PAGE.ADD")?.ranges).toEqual([
      [0xffe20000, 0x100000000],
    ]);
  });

  it("rejects invalid configs naming the field", () => {
    const bad: [Record<string, unknown>, string][] = [
      [{}, "firmware"],
      [{ firmware: fw, vcpus: 0 }, "vcpus"],
      [{ firmware: fw, vcpus: 4, maxVcpus: 2 }, "maxVcpus"],
      [{ firmware: fw, kvm: "5.0" }, "kvm"],
      [{ firmware: fw, qemuVersion: "8.2", kvm: "6.16" }, "qemuVersion"],
      [{ firmware: fw, attributes: "sept-ve-disable,bogus" }, "attributes"],
      [{ firmware: fw, mrOwner: "abcd" }, "mrOwner"],
      [{ firmware: fw, memory: "lots" }, "memory"],
      [{ firmware: fw, tscFrequencyMHz: 2010 }, "tscFrequencyMHz"],
      [{ firmware: fw, payloads: [{ gpa: "0x1001", data: new Uint8Array(4096) }] }, "payloads[0].gpa"],
      [{ firmware: fw, surprise: 1 }, "surprise"],
    ];
    for (const [cfg, field] of bad) {
      let e: unknown;
      try {
        resolveLaunchConfig(cfg as never);
      } catch (x) {
        e = x;
      }
      expect(e, field).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).code).toBe("ERR_CONFIG");
      expect((e as ConfigError).at?.field).toBe(`LaunchConfig.${field}`);
    }
  });

  it("accepts attribute names and hex", () => {
    expect(resolveLaunchConfig({ firmware: fw, attributes: "sept-ve-disable,debug" }).attributes).toBe(
      0x10000001n,
    );
    expect(resolveLaunchConfig({ firmware: fw, attributes: "0x40000000" }).attributes).toBe(0x40000000n);
  });

  it("6.16 upstream KVM refuses DEBUG; the v19 model allows it", () => {
    expect(() => measureLaunch({ firmware: fw, attributes: "debug,sept-ve-disable" })).toThrow(
      /supported_attrs/,
    );
    const g = measureLaunch({ firmware: fw, attributes: "debug,sept-ve-disable", kvm: "v19" });
    expect(g.tdAttributes).toBe(0x10000001n);
  });
});

describe("tdx-attest measure", () => {
  it("--json prints the golden values in lowercase hex", async () => {
    const r = await runCli(["measure", "--firmware", fixturePath(FW), "--json", "--vcpus", "2"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.mrTd).toBe(singlePass);
    expect(j.tdAttributes).toBe("0000001000000000");
    expect(j.xfam).toBe("e702060000000000");
    expect(j.mrConfigId).toBe("0".repeat(96));
    expect(j.maxVcpus).toBe(64);
  });
  it("human output explains MAX_VCPUS; --trace prints coalesced ranges", async () => {
    const r = await runCli([
      "measure",
      "--firmware",
      fixturePath(FW),
      "--qemu-version",
      "8.2",
      "--max-vcpus",
      "8",
      "--trace",
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(twoPass);
    expect(r.stdout).toContain("No quote field carries MAX_VCPUS");
    expect(r.stdout).toContain("KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS, 8)");
    expect(r.stdout).toMatch(/TDH\.MEM\.PAGE\.ADD x480 \[0xffe20000\.\.0x100000000\)/);
    expect(r.stdout).toContain("KVM_TDX_EXTEND_MEMORY");
  });
  it("usage errors exit 2", async () => {
    expect((await runCli(["measure"])).code).toBe(2);
    expect((await runCli(["measure", "--firmware", fixturePath(FW), "--kvm", "7"])).code).toBe(2);
  });
});
