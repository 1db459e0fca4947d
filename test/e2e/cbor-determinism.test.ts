/**
 * Issue 6 acceptance: CBOR outputs are byte-identical across runs (separate processes of the
 * spawned CLI) and decode back to the JSON form, for both CBOR outputs: reference values
 * (`reference convert --format cbor` of a full golden.json written by `simulate`: launch config,
 * input digests, events) and the EAR (`verify --reference --ear/--ear-json` with a fixed --iat).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { earFromCbor } from "../../src/appraise/ear.js";
import { toHex } from "../../src/bytes.js";
import { syntheticKernel, syntheticTdvf } from "../../src/cli/demo-assets.js";
import { cli } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-cbor-"));
const p = (n: string) => join(dir, n);
writeFileSync(p("tdvf.fd"), syntheticTdvf());
writeFileSync(p("vmlinuz"), syntheticKernel(1));
writeFileSync(
  p("launch.json"),
  JSON.stringify({ firmware: "tdvf.fd", kernel: "vmlinuz", memory: "2G", vcpus: 2, maxVcpus: 4 }),
);

describe("deterministic CBOR through the spawned CLI", () => {
  const sim = p("sim");
  it("simulate writes golden.json", () => {
    const r = cli(["simulate", "--config", p("launch.json"), "--out-dir", sim, "--report-data", "abcd"]);
    expect([r.code, r.err]).toEqual([0, ""]);
  });

  it("reference values: same bytes in two processes; CBOR -> JSON gives the JSON back", () => {
    const golden = join(sim, "golden.json");
    for (const out of ["a.cbor", "b.cbor"])
      expect(cli(["reference", "convert", golden, "--out", p(out), "--format", "cbor"]).code).toBe(0);
    const a = readFileSync(p("a.cbor"));
    expect(a.length).toBeGreaterThan(100);
    expect(toHex(a)).toBe(toHex(readFileSync(p("b.cbor"))));
    expect(cli(["reference", "convert", p("a.cbor"), "--out", p("back.json")]).code).toBe(0);
    expect(JSON.parse(readFileSync(p("back.json"), "utf8"))).toEqual(
      JSON.parse(readFileSync(golden, "utf8")),
    );
  });

  it("EAR: same bytes in two processes; the CBOR decodes to the JSON EAR", () => {
    const base = [
      "verify",
      join(sim, "quote.bin"),
      "--collateral",
      join(sim, "collateral.json"),
      "--root",
      join(sim, "root.pem"),
      "--reference",
      join(sim, "golden.json"),
      "--eventlog",
      join(sim, "ccel.bin"),
      "--nonce",
      "abcd",
      "--iat",
      "1764000000",
    ];
    expect(cli([...base, "--ear", p("e1.cbor"), "--ear-json", p("e1.json")]).code).toBe(0);
    expect(cli([...base, "--ear", p("e2.cbor")]).code).toBe(0);
    const e1 = readFileSync(p("e1.cbor"));
    expect(toHex(e1)).toBe(toHex(readFileSync(p("e2.cbor"))));
    const json = JSON.parse(readFileSync(p("e1.json"), "utf8"));
    expect(earFromCbor(new Uint8Array(e1))).toEqual(json);
    expect(json.iat).toBe(1764000000);
    expect(json.submods.tdx["ear.status"]).toBe("affirming");
  });
});
