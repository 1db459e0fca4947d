import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { decodeDer, ecdsaDerToRaw, readTlv, TAG } from "../../src/crypto/der.js";
import { nodeCrypto } from "../../src/crypto/index.js";
import { pemCertificates } from "../../src/dcap/pem.js";
import { INTEL_SGX_ROOT_CA_SHA256, intelSgxRootCa } from "../../src/dcap/root-ca.js";
import { parsePckExtensions } from "../../src/dcap/sgx-extension.js";
import { parseCertificate, parseCrl } from "../../src/dcap/x509.js";
import { TdxError } from "../../src/errors.js";
import { fixture } from "../support/fixtures.js";

function quoteChain(rel: string) {
  const text = new TextDecoder("latin1").decode(fixture(rel));
  return pemCertificates(text, rel).map((d) => parseCertificate(d));
}

describe("Intel SGX Root CA constant", () => {
  it("hashes to the pinned SHA-256 and equals the root in every fixture chain", () => {
    const der = intelSgxRootCa();
    expect(toHex(nodeCrypto()!.hash("sha256", der))).toBe(INTEL_SGX_ROOT_CA_SHA256);
    const fromFile = pemCertificates(
      new TextDecoder().decode(fixture("collateral/intel-sgx-root-ca.pem")),
      "pem",
    )[0]!;
    expect(toHex(fromFile)).toBe(toHex(der));
    const root = parseCertificate(der);
    expect(root.subjectCn).toBe("Intel SGX Root CA");
    expect(root.serial).toBe("22650cd65a9d3489f383b49552bf501b392706ac");
    expect(new Date(root.notBefore).toISOString()).toBe("2018-05-21T10:45:10.000Z");
    expect(new Date(root.notAfter).toISOString()).toBe("2049-12-31T23:59:59.000Z");
    expect(root.basicConstraints).toEqual({ ca: true, pathLen: 1 });
    expect(toHex(root.publicKey)).toBe(
      "040ba9c4c0c0c86193a3fe23d6b02cda10a8bbd4e88e48b4458561a36e705525f567918e2edc88e40d860bd0cc4ee26aacc988e505a953558c453f6b0904ae7394",
    );
  });
});

describe("PCK certificates from real quotes (values from MANIFEST.md)", () => {
  const cases: [string, string, number[], number, string, string][] = [
    [
      "quotes/dcapqvl-tdx-v4.dat",
      "b0c06f000000",
      [3, 3, 2, 2, 4, 1, 0, 5],
      11,
      "2025-02-06T23:25:51.000Z",
      "Platform",
    ],
    [
      "quotes/gtdx-spr-e4-v4.dat",
      "50806f000000",
      [3, 3, 2, 2, 2, 1, 0, 2],
      11,
      "2022-09-20T13:20:31.000Z",
      "Platform",
    ],
    [
      "quotes/trustee-q4-debug-v4.dat",
      "50806f000000",
      [5, 5, 13, 2, 3, 1, 0, 3],
      11,
      "2023-02-07T08:02:55.000Z",
      "Platform",
    ],
    [
      "quotes/gtdx-cos113-v4.dat",
      "00806f050000",
      [7, 7, 2, 2, 3, 1, 0, 3],
      11,
      "2024-07-02T12:07:37.000Z",
      "Platform",
    ],
    // notBefore of the SGX leaf is not in MANIFEST.md; cross-checked with `openssl x509 -startdate`.
    [
      "quotes/dcapqvl-sgx-v3.dat",
      "00a067110000",
      [11, 11, 2, 2, 255, 1, 0, 0],
      13,
      "2023-09-20T21:53:43.000Z",
      "Processor",
    ],
  ];
  for (const [rel, fmspc, comps, pcesvn, notBefore, ca] of cases) {
    it(`${rel}: FMSPC ${fmspc}, SVNs, validity, chain signatures`, async () => {
      const [leaf, inter, root] = quoteChain(rel) as [
        ReturnType<typeof parseCertificate>,
        ReturnType<typeof parseCertificate>,
        ReturnType<typeof parseCertificate>,
      ];
      const ext = parsePckExtensions(leaf);
      expect(toHex(ext.fmspc)).toBe(fmspc);
      expect(toHex(ext.pceId)).toBe("0000");
      expect(ext.tcbComponents.slice(0, 8)).toEqual(comps);
      expect(ext.tcbComponents.slice(8)).toEqual(new Array(8).fill(0));
      expect(ext.pceSvn).toBe(pcesvn);
      expect(ext.ppid.length).toBe(16);
      expect(new Date(leaf.notBefore).toISOString()).toBe(notBefore);
      expect(inter.subjectCn).toBe(`Intel SGX PCK ${ca} CA`);
      expect(toHex(root.der)).toBe(toHex(intelSgxRootCa()));
      const c = nodeCrypto()!;
      expect(await c.verifyP256(inter.publicKey, leaf.tbs, leaf.signature)).toBe(true);
      expect(await c.verifyP256(root.publicKey, inter.tbs, inter.signature)).toBe(true);
      expect(await c.verifyP256(root.publicKey, leaf.tbs, leaf.signature)).toBe(false);
    });
  }
});

describe("CRLs", () => {
  it("parses the raw PCS CRLs of case L and checks their signatures", async () => {
    const root = parseCertificate(intelSgxRootCa());
    const rootCrl = parseCrl(fixture("collateral/gtdx-pcs-raw/rootcrl-2023.der"));
    expect(rootCrl.issuerCn).toBe("Intel SGX Root CA");
    expect(new Date(rootCrl.thisUpdate).toISOString()).toBe("2023-04-03T10:22:51.000Z");
    expect(rootCrl.revoked.length).toBe(0);
    expect(await nodeCrypto()!.verifyP256(root.publicKey, rootCrl.tbs, rootCrl.signature)).toBe(true);
    const pckCrl = parseCrl(fixture("collateral/gtdx-pcs-raw/pckcrl-platform-2023.der"));
    expect(pckCrl.issuerCn).toBe("Intel SGX PCK Platform CA");
    expect(new Date(pckCrl.nextUpdate).toISOString()).toBe("2023-07-08T07:27:52.000Z");
    expect(pckCrl.revoked.length).toBe(44);
    const inter = quoteChain("quotes/gtdx-spr-e4-v4.dat")[1]!;
    expect(await nodeCrypto()!.verifyP256(inter.publicKey, pckCrl.tbs, pckCrl.signature)).toBe(true);
  });
});

describe("strict DER", () => {
  it("rejects non-minimal lengths, indefinite lengths and trailing bytes", () => {
    expect(() => decodeDer(Uint8Array.from([0x04, 0x81, 0x01, 0x00]), TAG.OCTET_STRING, "x")).toThrow(
      /non-minimal/,
    );
    expect(() => decodeDer(Uint8Array.from([0x30, 0x80, 0x00, 0x00]), TAG.SEQUENCE, "x")).toThrow(
      /indefinite/,
    );
    expect(() => decodeDer(Uint8Array.from([0x05, 0x00, 0x00]), TAG.NULL, "x")).toThrow(/trailing/);
    expect(() => readTlv(Uint8Array.from([0x04, 0x05, 0x00]), 0, "x")).toThrow(/declares 5/);
  });
  it("converts ECDSA signatures strictly", () => {
    const sig = Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x7f]);
    const raw = ecdsaDerToRaw(sig, "sig");
    expect(raw[31]).toBe(1);
    expect(raw[63]).toBe(0x7f);
    // needless leading zero
    expect(() =>
      ecdsaDerToRaw(Uint8Array.from([0x30, 0x07, 0x02, 0x02, 0x00, 0x01, 0x02, 0x01, 0x01]), "sig"),
    ).toThrow(/non-minimal/);
    // negative integer
    expect(() =>
      ecdsaDerToRaw(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x81, 0x02, 0x01, 0x01]), "sig"),
    ).toThrow(/negative/);
  });
  it("any bytes give a certificate or a TdxError, never another exception", () => {
    const leaf = quoteChain("quotes/dcapqvl-tdx-v4.dat")[0]!.der;
    fc.assert(
      fc.property(fc.nat(leaf.length - 1), fc.integer({ min: 1, max: 255 }), (pos, x) => {
        const b = leaf.slice();
        b[pos] = (b[pos] as number) ^ x;
        try {
          const c = parseCertificate(b);
          if (c) parsePckExtensions(c);
        } catch (e) {
          expect(e).toBeInstanceOf(TdxError);
        }
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseCrl(b);
        } catch (e) {
          expect(e).toBeInstanceOf(TdxError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
