import { describe, expect, it } from "vitest";
import { concatBytes, toHex } from "../../src/bytes.js";
import { sha384 } from "../../src/crypto/index.js";
import { AppraisalError } from "../../src/errors.js";
import { type CborTagged, decodeDeterministic } from "../../src/reference/cbor.js";
import {
  encodeReferenceValues,
  encodeReferenceValuesCbor,
  isCoseSign1,
  loadReferenceValues,
  mrConfigIdBinding,
  referenceSetFromMeasurement,
  signCoseSign1,
  verifyCoseSign1,
} from "../../src/reference/index.js";
import { ecKeyPair, sampleSet } from "./helpers.js";

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppraisalError) return e.code;
    throw e;
  }
  return undefined;
}

const rv = { version: 1 as const, sets: [sampleSet("a")] };

describe("COSE_Sign1 reference values", () => {
  for (const [curve, alg] of [
    ["P-256", -7],
    ["P-384", -35],
  ] as const) {
    it(`${curve}: signs, verifies, and records alg ${alg} in the protected header`, async () => {
      const k = await ecKeyPair(curve);
      const payload = encodeReferenceValuesCbor(rv);
      const msg = await signCoseSign1(payload, k.privatePem);
      expect(isCoseSign1(msg)).toBe(true);
      const item = decodeDeterministic(msg) as CborTagged;
      expect(item.tag).toBe(18);
      const [prot, , body, sig] = item.value as [Uint8Array, unknown, Uint8Array, Uint8Array];
      expect((decodeDeterministic(prot) as Map<number, unknown>).get(1)).toBe(alg);
      expect(toHex(body)).toBe(toHex(payload));
      expect(sig.length).toBe(curve === "P-256" ? 64 : 96);
      expect(toHex(await verifyCoseSign1(msg, k.publicPem))).toBe(toHex(payload));
      const loaded = await loadReferenceValues(msg, { publicKey: k.publicPem });
      expect(loaded.signatureVerified).toBe(true);
      expect(loaded.values.sets[0]?.name).toBe("a");
    });
  }

  it("tampered payload, signature, header or a wrong key fail with ERR_REFERENCE_SIGNATURE", async () => {
    const k = await ecKeyPair("P-256");
    const other = await ecKeyPair("P-256");
    const p384 = await ecKeyPair("P-384");
    const msg = await signCoseSign1(encodeReferenceValuesCbor(rv), k.privatePem);
    expect(await codeOf(verifyCoseSign1(msg, other.publicPem))).toBe("ERR_REFERENCE_SIGNATURE");
    expect(await codeOf(verifyCoseSign1(msg, p384.publicPem))).toBe("ERR_REFERENCE_SIGNATURE");
    // Flip one byte at every 5th position: never accepted, always the same typed error.
    for (let i = 0; i < msg.length; i += 5) {
      const t = msg.slice();
      t[i] = (t[i] as number) ^ 0x01;
      expect(await codeOf(verifyCoseSign1(t, k.publicPem)), `byte ${i}`).toBe("ERR_REFERENCE_SIGNATURE");
    }
    // The last byte is in the signature.
    const t = msg.slice();
    t[t.length - 1] = (t[t.length - 1] as number) ^ 0x80;
    expect(await codeOf(verifyCoseSign1(t, k.publicPem))).toBe("ERR_REFERENCE_SIGNATURE");
    expect(await codeOf(verifyCoseSign1(msg, "not a pem"))).toBe("ERR_REFERENCE_SIGNATURE");
  });

  it("a signed file is refused without a key; an unsigned one is refused with a key", async () => {
    const k = await ecKeyPair("P-256");
    const signed = await encodeReferenceValues(rv, "cbor", k.privatePem);
    expect(await codeOf(loadReferenceValues(signed))).toBe("ERR_REFERENCE_SIGNATURE");
    const plain = await encodeReferenceValues(rv, "cbor");
    expect(await codeOf(loadReferenceValues(plain, { publicKey: k.publicPem }))).toBe(
      "ERR_REFERENCE_SIGNATURE",
    );
    expect((await loadReferenceValues(plain)).format).toBe("cbor");
    const json = await encodeReferenceValues(rv, "json");
    expect((await loadReferenceValues(json)).format).toBe("json");
    expect(await codeOf(encodeReferenceValues(rv, "json", k.privatePem))).toBe("ERR_REFERENCE_FORMAT");
  });
});

describe("MRCONFIGID binding and sets from measurements", () => {
  it("is SHA-384 of the deterministic CBOR of the config without its mrConfigId", () => {
    const config = { firmware: "OVMF.fd", maxVcpus: 4, mrConfigId: "ff".repeat(48) };
    // Independent encoding by hand: map(2) {"firmware": "OVMF.fd", "maxVcpus": 4}; keys sorted
    // by encoded bytes: "firmware" (0x68...) before "maxVcpus" (0x68 'm' > 'f').
    const te = new TextEncoder();
    const expected = concatBytes(
      Uint8Array.of(0xa2, 0x68),
      te.encode("firmware"),
      Uint8Array.of(0x67),
      te.encode("OVMF.fd"),
      Uint8Array.of(0x68),
      te.encode("maxVcpus"),
      Uint8Array.of(0x04),
    );
    const b = mrConfigIdBinding(config);
    expect(b.length).toBe(48);
    expect(toHex(b)).toBe(toHex(sha384(expected)));
    expect(toHex(mrConfigIdBinding({ maxVcpus: 4, firmware: "OVMF.fd" }))).toBe(toHex(b));
    expect(toHex(mrConfigIdBinding({ ...config, maxVcpus: 8 }))).not.toBe(toHex(b));
  });

  it("referenceSetFromMeasurement accepts hex or bytes and hashes input files", () => {
    const fw = new Uint8Array([1, 2, 3]);
    const s = referenceSetFromMeasurement(
      {
        mrTd: "11".repeat(48),
        rtmr: [new Uint8Array(48).fill(2), "33".repeat(48), null, "44".repeat(48)],
        tdAttributes: "0000001000000000",
        xfam: 0x602e7n,
        maxVcpus: 4,
      },
      {
        name: "g",
        config: { firmware: "fw.bin" },
        inputs: [{ name: "firmware", path: "fw.bin", bytes: fw }],
      },
    );
    expect(s.mrTd).toEqual(new Uint8Array(48).fill(0x11));
    expect(s.rtmr0).toEqual(new Uint8Array(48).fill(2));
    expect(s.rtmr2).toBeUndefined();
    expect(s.rtmr3).toBeUndefined(); // RTMR3 only when asked for
    expect(s.tdAttributes).toBe(0x10000000n);
    expect(s.launchConfig?.inputs[0]?.sha384).toEqual(sha384(fw));
    const with3 = referenceSetFromMeasurement({ rtmr: [null, null, null, "44".repeat(48)] }, { rtmrs: [3] });
    expect(with3.rtmr3).toEqual(new Uint8Array(48).fill(0x44));
  });
});
