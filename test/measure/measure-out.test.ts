import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { measureProgress } from "../../src/cli/measure.js";
import { buildTdvfImage } from "../../src/firmware/tdvf-builder.js";
import { measureLaunch } from "../../src/measure/launch.js";
import { decodeReferenceValuesCbor, parseReferenceValuesJson } from "../../src/reference/codec.js";
import { runCli } from "../support/cli.js";

const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString("hex");

describe("tdx-attest measure --out (reference values)", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdx-measure-out-"));
  const fw = buildTdvfImage({
    sections: [
      {
        type: "BFV",
        gpa: 0xfffe0000,
        memorySize: 0x2000,
        attributes: 1,
        raw: new Uint8Array(0x2000).fill(7),
      },
      { type: "TD_HOB", gpa: 0x809000, memorySize: 0x1000 },
    ],
  });
  writeFileSync(join(dir, "fw.bin"), fw);
  const cfg = { firmware: "fw.bin", vcpus: 1, maxVcpus: 4, kvm: "v19", qemuVersion: "9.0" };
  writeFileSync(join(dir, "launch.json"), JSON.stringify(cfg));
  const config = join(dir, "launch.json");
  const want = measureLaunch({ ...cfg, firmware: fw });

  it("--out writes one JSON set with the golden values and the firmware's SHA-384", async () => {
    const out = join(dir, "golden.json");
    const r = await runCli(["measure", "--config", config, "--out", out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain(`wrote 1 reference set(s) to ${out}`);
    const rv = parseReferenceValuesJson(readFileSync(out, "utf8"));
    expect(rv.sets).toHaveLength(1);
    const s = rv.sets[0];
    expect(s?.name).toBe("golden");
    expect(hex(s?.mrTd)).toBe(hex(want.mrTd));
    expect(s?.tdAttributes).toBe(want.tdAttributes);
    expect(s?.xfam).toBe(want.xfam);
    expect(s?.maxVcpus).toBe(4);
    const fwInput = s?.launchConfig?.inputs.find((i) => i.name === "firmware");
    // Independent digest of the file through node:crypto.
    expect(hex(fwInput?.sha384)).toBe(createHash("sha384").update(fw).digest("hex"));
  });

  it("--format cbor writes the same set, byte-identical across runs", async () => {
    const a = join(dir, "a.cbor");
    const b = join(dir, "b.cbor");
    expect((await runCli(["measure", "--config", config, "--out", a, "--format", "cbor"])).code).toBe(0);
    expect((await runCli(["measure", "--config", config, "--out", b, "--format", "cbor"])).code).toBe(0);
    const bytes = new Uint8Array(readFileSync(a));
    expect(hex(bytes)).toBe(hex(new Uint8Array(readFileSync(b))));
    const rv = decodeReferenceValuesCbor(bytes);
    expect(rv.sets.map((s) => hex(s.mrTd))).toEqual([hex(want.mrTd)]);
    const bad = await runCli(["measure", "--config", config, "--out", a, "--format", "xml"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--format");
  });

  it("--matrix maxVcpus=1,2 writes one set per value (MRTD does not depend on it)", async () => {
    const out = join(dir, "matrix.json");
    const r = await runCli(["measure", "--config", config, "--out", out, "--matrix", "maxVcpus=1,2"]);
    expect(r.code).toBe(0);
    const rv = parseReferenceValuesJson(readFileSync(out, "utf8"));
    expect(rv.sets.map((s) => s.name)).toEqual(["maxVcpus-1", "maxVcpus-2"]);
    expect(rv.sets.map((s) => s.maxVcpus)).toEqual([1, 2]);
    expect(rv.sets.map((s) => hex(s.mrTd))).toEqual([hex(want.mrTd), hex(want.mrTd)]);
  });
});

describe("measure progress on stderr", () => {
  const dir = mkdtempSync(join(tmpdir(), "tdx-measure-progress-"));
  // 8 MiB measured payload: 2048 pages, so the replay reports progress at least twice.
  writeFileSync(join(dir, "payload.bin"), new Uint8Array(8 << 20).fill(3));
  const argv = ["measure", "--payload", `0x1000000:${join(dir, "payload.bin")}`, "--json"];

  it("stays silent when stderr is not a terminal", async () => {
    const r = await runCli(argv, { isTTY: false });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout).stats.pagesAdded).toBe(2048);
  });

  it("shows one carriage-return line on a terminal and erases it at the end", async () => {
    const r = await runCli(argv, { isTTY: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^\rmeasuring: 4 \/ 8 MiB of guest pages \(50%\)/);
    expect(r.stderr.endsWith("\r\x1b[K")).toBe(true);
    expect(r.stdout).not.toContain("measuring");
  });

  it("updates at most every 100 ms", () => {
    let err = "";
    let t = 0;
    const stderr = (s: string) => {
      err += s;
    };
    const p = measureProgress({ isTTY: true, stderr }, () => t);
    if (!p) throw new Error("expected a progress function on a TTY");
    for (let i = 1; i < 100; i++) {
      t += 10; // 10 ms per step: 990 ms in all
      p({ pagesDone: i * 1024, pagesTotal: 100 * 1024 });
    }
    const lines = err.split("\r").filter(Boolean);
    expect(lines.length).toBe(10);
    expect(lines[0]).toBe("measuring: 4 / 400 MiB of guest pages (1%)");
    p({ pagesDone: 100 * 1024, pagesTotal: 100 * 1024 });
    expect(err.endsWith("\r\x1b[K")).toBe(true);
    expect(measureProgress({ isTTY: false, stderr: () => {} })).toBeUndefined();
  });
});
