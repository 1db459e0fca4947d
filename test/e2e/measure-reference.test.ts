/**
 * The `measure --out` hook (src/cli/appraise-measure.ts) called directly: a matrix of golden
 * sets from a launch config file, with the MRCONFIGID binding, written signed; a TD simulated
 * from the same config (independent path: simulated boot + CCEL) is affirming against it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { bindMrConfigId } from "../../src/cli/appraise-golden.js";
import { writeMeasureReference } from "../../src/cli/appraise-measure.js";
import type { CommandContext } from "../../src/cli/common.js";
import { syntheticKernel, syntheticTdvf } from "../../src/cli/demo-assets.js";
import { main } from "../../src/cli/main.js";
import { loadReferenceValues } from "../../src/reference/index.js";
import { ecKeyPair } from "../reference/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-measure-ref-"));
const p = (n: string) => join(dir, n);
const ctx: CommandContext = {
  argv: [],
  stdout: () => {},
  stderr: () => {},
  readStdin: () => new Uint8Array(),
  isTTY: false,
};

describe("measure --out hook", async () => {
  const fw = syntheticTdvf();
  const kernel = syntheticKernel(3);
  writeFileSync(p("tdvf.fd"), fw);
  writeFileSync(p("vmlinuz"), kernel);
  const cfg = {
    firmware: "tdvf.fd",
    kernel: "vmlinuz",
    memory: "2G",
    vcpus: 2,
    maxVcpus: 4,
    cmdline: "quiet",
  };
  writeFileSync(p("launch.json"), JSON.stringify(cfg));
  const input = { firmware: fw, kernel, memory: "2G", vcpus: 2, maxVcpus: 4, cmdline: "quiet" };
  const k = await ecKeyPair("P-256");
  writeFileSync(p("key.pem"), k.privatePem);

  it("--matrix maxVcpus=4,8 --mrconfigid-binding --sign: one set per value, bound MRCONFIGID", async () => {
    const values = {
      config: p("launch.json"),
      out: p("g.cose"),
      sign: p("key.pem"),
      matrix: "maxVcpus=4,8",
      "mrconfigid-binding": true,
    };
    expect(await writeMeasureReference(ctx, values, input)).toBe(0);
    const rv = (
      await loadReferenceValues(new Uint8Array(readFileSync(p("g.cose"))), { publicKey: k.publicPem })
    ).values;
    expect(rv.sets.map((s) => s.name)).toEqual(["maxVcpus-4", "maxVcpus-8"]);
    const [s4, s8] = rv.sets;
    expect(toHex(s4!.mrTd!)).toBe(toHex(s8!.mrTd!));
    expect(toHex(s4!.rtmr0!)).not.toBe(toHex(s8!.rtmr0!));
    expect(toHex(s4!.rtmr1!)).toBe(toHex(s8!.rtmr1!));
    expect(toHex(s4!.mrConfigId!)).toBe(bindMrConfigId({ ...cfg, maxVcpus: 4 }));
    expect(s4!.launchConfig?.inputs.map((i) => i.name)).toEqual(["firmware", "kernel"]);
  });

  it("a TD simulated from the same config is affirming against the measured golden set", async () => {
    expect(await writeMeasureReference(ctx, { config: p("launch.json"), out: p("g.json") }, input)).toBe(0);
    const quiet = { stdout: () => {}, stderr: () => {} };
    expect(await main(["simulate", "--config", p("launch.json"), "--out-dir", p("sim")], quiet)).toBe(0);
    let out = "";
    const code = await main(
      [
        "verify",
        p("sim/quote.bin"),
        "--collateral",
        p("sim/collateral.json"),
        "--root",
        p("sim/root.pem"),
        "--reference",
        p("g.json"),
        "--eventlog",
        p("sim/ccel.bin"),
      ],
      { stdout: (s) => (out += s), stderr: () => {} },
    );
    expect(out.split("\n")[0]).toBe('affirming (reference set "golden"): every check passed');
    expect(code).toBe(0);
  });
});
