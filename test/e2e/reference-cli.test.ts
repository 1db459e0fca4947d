/** `tdx-attest reference show|convert|combine|binding` in-process: the builder's tools. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { encodeReferenceValuesJson, mrConfigIdBinding } from "../../src/reference/index.js";
import { ecKeyPair, sampleSet } from "../reference/helpers.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-ref-"));
const p = (n: string) => join(dir, n);

describe("tdx-attest reference", () => {
  writeFileSync(p("a.json"), encodeReferenceValuesJson({ version: 1, sets: [sampleSet("vcpus-4", 1)] }));
  writeFileSync(p("b.json"), encodeReferenceValuesJson({ version: 1, sets: [sampleSet("vcpus-8", 9)] }));

  it("convert JSON -> CBOR is deterministic and converts back to the same JSON", async () => {
    expect(
      (await runCli(["reference", "convert", p("a.json"), "--out", p("a.cbor"), "--format", "cbor"])).code,
    ).toBe(0);
    expect(
      (await runCli(["reference", "convert", p("a.json"), "--out", p("a2.cbor"), "--format", "cbor"])).code,
    ).toBe(0);
    expect(toHex(readFileSync(p("a.cbor")))).toBe(toHex(readFileSync(p("a2.cbor"))));
    expect((await runCli(["reference", "convert", p("a.cbor"), "--out", p("back.json")])).code).toBe(0);
    expect(readFileSync(p("back.json"), "utf8")).toBe(readFileSync(p("a.json"), "utf8"));
  });

  it("combine + sign, then show with the key (and refuse without it)", async () => {
    const k = await ecKeyPair("P-384");
    writeFileSync(p("key.pem"), k.privatePem);
    writeFileSync(p("pub.pem"), k.publicPem);
    const c = await runCli([
      "reference",
      "combine",
      p("a.json"),
      p("b.json"),
      "--out",
      p("ab.cose"),
      "--sign",
      p("key.pem"),
    ]);
    expect(c.code).toBe(0);
    const s = await runCli(["reference", "show", p("ab.cose"), "--reference-key", p("pub.pem")]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('set "vcpus-4"');
    expect(s.stdout).toContain('set "vcpus-8"');
    const unsigned = await runCli(["reference", "show", p("ab.cose")]);
    expect(unsigned.code).toBe(6);
    expect(unsigned.stderr).toContain("ERR_REFERENCE_SIGNATURE");
  });

  it("binding prints SHA-384 of the deterministic CBOR of the config", async () => {
    const cfg = { firmware: "OVMF.fd", maxVcpus: 4 };
    writeFileSync(p("launch.json"), JSON.stringify(cfg));
    const r = await runCli(["reference", "binding", p("launch.json")]);
    expect(r.stdout.trim()).toBe(toHex(mrConfigIdBinding(cfg)));
  });

  it("usage errors", async () => {
    expect((await runCli(["reference", "convert", p("a.json")])).code).toBe(2);
    expect((await runCli(["reference", "frobnicate"])).code).toBe(2);
  });
});
