import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { bindMrConfigId, goldenReferenceValues, writeGoldenFile } from "../../src/cli/appraise-golden.js";
import type { CommandContext } from "../../src/cli/common.js";
import { sha384 } from "../../src/crypto/index.js";
import { measureLaunch } from "../../src/measure/launch.js";
import { loadReferenceValues, mrConfigIdBinding } from "../../src/reference/index.js";
import { ecKeyPair } from "../reference/helpers.js";
import { fixture } from "../support/fixtures.js";

const ctx: CommandContext = {
  argv: [],
  stdout: () => {},
  stderr: () => {},
  readStdin: () => new Uint8Array(),
  isTTY: false,
};
const dir = mkdtempSync(join(tmpdir(), "tdx-golden-"));

describe("golden reference files from measureLaunch (what `measure --out` writes)", () => {
  const fw = fixture("firmware/debian-bookworm-ovmf-2022.11.fd");
  const entries = [1, 4].map((n) => {
    const config = { firmware: "OVMF.fd", memory: "2G", vcpus: 1, maxVcpus: n };
    return {
      name: `vcpus-${n}`,
      measurement: measureLaunch({ firmware: fw, memory: "2G", vcpus: 1, maxVcpus: n }),
      config,
      inputs: [{ name: "firmware", path: "OVMF.fd", bytes: fw }],
    };
  });

  it("one set per configuration, with the input file digests and the tool version", () => {
    const rv = goldenReferenceValues(entries);
    expect(rv.sets.map((s) => s.name)).toEqual(["vcpus-1", "vcpus-4"]);
    const s = rv.sets[1]!;
    // TD_PARAMS.MAX_VCPUS as the module enforces it (KVM 6.16: min(KVM_MAX_VCPUS, host CPUs)).
    expect(s.maxVcpus).toBe(entries[1]!.measurement.maxVcpus);
    expect(s.mrTd?.length).toBe(48);
    expect(s.tdAttributes).toBe(entries[1]!.measurement.tdAttributes);
    expect(s.launchConfig?.inputs[0]?.sha384).toEqual(sha384(fw));
    expect(s.toolVersion).toMatch(/^tdx-attest /);
  });

  it("writes JSON, CBOR and signed CBOR that load back to the same sets", async () => {
    const rv = goldenReferenceValues(entries);
    const k = await ecKeyPair("P-256");
    const keyFile = join(dir, "k.pem");
    (await import("node:fs")).writeFileSync(keyFile, k.privatePem);
    for (const [file, format, sign] of [
      ["g.json", "json", undefined],
      ["g.cbor", "cbor", undefined],
      ["g.cose", undefined, keyFile],
    ] as const) {
      const out = join(dir, file);
      await writeGoldenFile(ctx, rv, { out, ...(format ? { format } : {}), ...(sign ? { sign } : {}) });
      const loaded = await loadReferenceValues(
        new Uint8Array(readFileSync(out)),
        sign ? { publicKey: k.publicPem } : {},
      );
      expect(loaded.values.sets.map((s) => toHex(s.mrTd!))).toEqual(rv.sets.map((s) => toHex(s.mrTd!)));
    }
    const a = await writeGoldenFile(ctx, rv, { out: join(dir, "x.cbor"), format: "cbor" });
    const b = await writeGoldenFile(ctx, rv, { out: join(dir, "y.cbor"), format: "cbor" });
    expect(toHex(a)).toBe(toHex(b));
  });

  it("MRCONFIGID binding: launching with it puts it in the golden MRCONFIGID", () => {
    const config = { firmware: "OVMF.fd", memory: "2G", vcpus: 1, maxVcpus: 4 };
    const hex = bindMrConfigId(config);
    expect(hex).toBe(toHex(mrConfigIdBinding(config)));
    const m = measureLaunch({ firmware: fw, memory: "2G", vcpus: 1, maxVcpus: 4, mrConfigId: hex });
    expect(toHex(m.mrConfigId)).toBe(hex);
  });
});
