/**
 * Certificates and CRLs shaped like Intel's real ones rather than the test PKI's minimal ones:
 * a PCK chain issued by the "Intel SGX PCK Processor CA" (SGX platforms), certificates carrying
 * authority/subject key identifiers and CRL distribution points with the extensions in another
 * order, and a PCK CRL with a CRL number, per-entry reason codes. Built here with the DER encoder
 * and the test PKI's keys (root signs the CA, the CA key signs leaf and CRL).
 */
import { describe, expect, it } from "vitest";
import { TAG } from "../../src/crypto/der.js";
import {
  bitString,
  bool,
  ecdsaRawToDer,
  explicit,
  octets,
  oid,
  seq,
  set,
  time,
  tlv,
  uint,
  uintBytes,
  utf8String,
} from "../../src/crypto/der-encode.js";
import type { P256Signer } from "../../src/crypto/p256-sign.js";
import { OID, parseCertificate } from "../../src/dcap/x509.js";
import type { TestPki } from "../../src/sim/pki.js";
import { pki, quoteFor, run, status } from "./test-pki.js";

const sigAlg = () => seq(oid(OID.ecdsaWithSha256));
const ext = (id: string, value: Uint8Array, critical = false) =>
  critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
const keyId = (b: number) => new Uint8Array(20).fill(b);
const aki = (b: number) => ext("2.5.29.35", seq(tlv(0x80, keyId(b))));
const ski = (b: number) => ext("2.5.29.14", octets(keyId(b)));
const crlDp = ext(
  "2.5.29.31",
  seq(seq(explicit(0, explicit(0, tlv(0x86, new TextEncoder().encode("https://example.test/crl")))))),
);
const procName = seq(
  set(seq(oid(OID.commonName), utf8String("Intel SGX PCK Processor CA"))),
  set(seq(oid("2.5.4.10"), utf8String("tdx-attest TEST PKI"))),
);
const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));

async function signed(tbs: Uint8Array, signer: P256Signer): Promise<Uint8Array> {
  return seq(tbs, sigAlg(), bitString(ecdsaRawToDer(await signer.sign(tbs))));
}

async function cert(
  serial: string,
  issuer: Uint8Array,
  subject: Uint8Array,
  key: Uint8Array,
  exts: Uint8Array[],
  signer: P256Signer,
): Promise<Uint8Array> {
  const validity = seq(time(Date.UTC(2025, 0, 1)), time(Date.UTC(2032, 0, 1)));
  const spki = seq(seq(oid(OID.ecPublicKey), oid(OID.prime256v1)), bitString(key));
  const tbs = seq(
    explicit(0, uint(2)),
    uintBytes(hex(serial)),
    sigAlg(),
    issuer,
    validity,
    subject,
    spki,
    explicit(3, seq(...exts)),
  );
  return signed(tbs, signer);
}

/** The test PKI re-issued under a Processor CA with Intel-like extensions and CRL. */
async function processorPki(revoked: string[]): Promise<TestPki> {
  const p = await pki();
  const root = parseCertificate(p.rootCa);
  const leaf0 = parseCertificate(p.pckLeaf);
  const sgx = leaf0.extensions.get(OID.sgxExtensions)?.value;
  if (!sgx) throw new Error("test PKI leaf lacks the SGX extension");
  const ca = await cert(
    "0badcafe",
    root.subjectRaw,
    procName,
    p.signers.platformCa.publicKey,
    [
      aki(1),
      ski(2),
      ext(OID.keyUsage, Uint8Array.of(TAG.BIT_STRING, 2, 1, 0x06), true),
      ext(OID.basicConstraints, seq(bool(true), uint(0)), true),
    ],
    p.signers.root,
  );
  const leaf = await cert(
    "7a6b5c4d3e2f1001",
    procName,
    leaf0.subjectRaw,
    p.signers.pck.publicKey,
    [
      ext(OID.sgxExtensions, sgx),
      aki(2),
      crlDp,
      ski(3),
      ext(OID.keyUsage, Uint8Array.of(TAG.BIT_STRING, 2, 6, 0xc0), true),
      ext(OID.basicConstraints, seq(), true),
    ],
    p.signers.platformCa,
  );
  const t = (ms: number) => time(ms);
  const entries = revoked.map((s) =>
    seq(uintBytes(hex(s)), t(Date.UTC(2026, 0, 2)), seq(ext("2.5.29.21", tlv(0x0a, Uint8Array.of(1))))),
  );
  const crlTbs = seq(
    uint(1),
    sigAlg(),
    procName,
    t(Date.UTC(2026, 0, 1)),
    t(Date.UTC(2027, 0, 1)),
    ...(entries.length > 0 ? [seq(...entries)] : []),
    explicit(0, seq(ext("2.5.29.20", uint(7)), aki(2))),
  );
  const pckCrl = await signed(crlTbs, p.signers.platformCa);
  return {
    ...p,
    pckLeaf: leaf,
    pckChain: [leaf, ca, p.rootCa],
    collateral: { ...p.collateral, pckCrlIssuerChain: [ca, p.rootCa], pckCrl },
  };
}

describe("Processor CA chain with Intel-like extensions and CRL", () => {
  it("verifies, and reports the processor CA", async () => {
    const p = await processorPki(["01", "0fedcba987654321"]);
    const r = await run(p, await quoteFor(p));
    expect(typeof r === "string" ? r : [r.status, r.pck.ca]).toEqual(["UpToDate", "processor"]);
  });

  it("a CRL with no entries but with CRL extensions", async () => {
    const p = await processorPki([]);
    expect(status(await run(p, await quoteFor(p)))).toBe("UpToDate");
  });

  it("the leaf listed (with an entry extension) in the Processor CA's CRL → ERR_PCK_REVOKED", async () => {
    const p = await processorPki(["01", "7a6b5c4d3e2f1001"]);
    expect(await run(p, await quoteFor(p))).toBe("ERR_PCK_REVOKED");
  });

  it("a Platform CA CRL for a Processor CA chain → ERR_CRL_ISSUER", async () => {
    const base = await pki();
    const p = await processorPki([]);
    const mixed = { ...p, collateral: { ...p.collateral, pckCrl: base.collateral.pckCrl } };
    // Same key (the test CA key signs both), so only the issuer name tells them apart.
    expect(await run(mixed, await quoteFor(mixed))).toBe("ERR_CRL_ISSUER");
  });
});
