#!/usr/bin/env node
/**
 * Generates fixtures/sample-quote-v4.dat: a synthetic TDX DCAP quote v4 built with this project's
 * own encoders (dist/abi), signed with throwaway keys generated on each run. It is NOT an Intel
 * quote: the PCK chain is self-made (its root is not the Intel SGX Root CA), the measurements are
 * SHA-384 digests of labels, and the keys are discarded after signing.
 *
 * What is real is the structure: header, TD 1.0 body, ECDSA-P256 quote signature over
 * header+body, certification data type 6 (QE report signed by the "PCK" leaf key, QE report
 * data = SHA-256(attestation key || QE auth data) || 32 zero bytes) wrapping type 5 (a PEM chain
 * of three real X.509 certificates: leaf, intermediate CA, root CA).
 *
 * usage: npm run build && node scripts/make-sample-quote.mjs [out-file]
 */
import { createHash, generateKeyPairSync, sign } from "node:crypto";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { pckChainCertificationData } from "../dist/abi/cert-data.js";
import { INTEL_QE_VENDOR_ID } from "../dist/abi/constants.js";
import { TD_ATTRIBUTES } from "../dist/abi/flags.js";
import { encodeQuote, encodeSignedPart } from "../dist/abi/quote.js";
import { emptySgxReportBody, emptyTdQuoteBody, encodeSgxReportBody } from "../dist/abi/quote-body.js";

const out = process.argv[2] ?? fileURLToPath(new URL("../fixtures/sample-quote-v4.dat", import.meta.url));
const h = (alg, label) => new Uint8Array(createHash(alg).update(label).digest());

// ---- minimal DER writer (definite, minimal lengths) ----
const len = (n) => (n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]);
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts.map((p) => Buffer.from(p)));
  return Buffer.concat([Buffer.from([tag, ...len(body.length)]), body]);
};
const seq = (...p) => tlv(0x30, ...p);
const oid = (s) => {
  const a = s.split(".").map(Number);
  const bytes = [40 * a[0] + a[1]];
  for (const v of a.slice(2)) {
    const b = [v & 0x7f];
    for (let x = v >> 7; x > 0; x >>= 7) b.unshift(0x80 | (x & 0x7f));
    bytes.push(...b);
  }
  return tlv(0x06, bytes);
};
const int = (n) => tlv(0x02, n < 0x80 ? [n] : [0, n]);
const utf8s = (s) => tlv(0x0c, Buffer.from(s, "utf8"));
const utc = (d) => tlv(0x17, Buffer.from(`${d.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`));
const name = (cn) =>
  seq(tlv(0x31, seq(oid("2.5.4.3"), utf8s(cn))), tlv(0x31, seq(oid("2.5.4.10"), utf8s("tdx-attest sample (not Intel)"))));
const ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"));

function certificate({ serial, subject, issuer, key, issuerKey, ca }) {
  const spki = key.publicKey.export({ type: "spki", format: "der" });
  const bc = seq(oid("2.5.29.19"), tlv(0x01, [0xff]), tlv(0x04, ca ? seq(tlv(0x01, [0xff])) : seq()));
  const ku = seq(oid("2.5.29.15"), tlv(0x01, [0xff]), tlv(0x04, tlv(0x03, ca ? [1, 0x06] : [7, 0x80])));
  const tbs = seq(
    tlv(0xa0, int(2)),
    int(serial),
    ECDSA_SHA256,
    name(issuer),
    seq(utc(new Date("2026-01-01T00:00:00Z")), utc(new Date("2049-12-31T23:59:59Z"))),
    name(subject),
    spki,
    tlv(0xa3, seq(bc, ku)),
  );
  const sig = sign("sha256", tbs, issuerKey.privateKey); // DER ECDSA-Sig-Value
  return new Uint8Array(seq(tbs, ECDSA_SHA256, tlv(0x03, [0], sig)));
}

const p256 = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
const rawXY = (key) => new Uint8Array(key.publicKey.export({ type: "spki", format: "der" }).subarray(-64));
const signRS = (data, key) => new Uint8Array(sign("sha256", data, { key: key.privateKey, dsaEncoding: "ieee-p1363" }));

const rootKey = p256();
const caKey = p256();
const pckKey = p256();
const attKey = p256();
const root = certificate({ serial: 1, subject: "tdx-attest Sample Root CA", issuer: "tdx-attest Sample Root CA", key: rootKey, issuerKey: rootKey, ca: true });
const ca = certificate({ serial: 2, subject: "tdx-attest Sample PCK Platform CA", issuer: "tdx-attest Sample Root CA", key: caKey, issuerKey: rootKey, ca: true });
const pck = certificate({ serial: 3, subject: "tdx-attest Sample PCK Certificate", issuer: "tdx-attest Sample PCK Platform CA", key: pckKey, issuerKey: caKey, ca: false });

const header = {
  version: 4,
  attestationKeyType: 2,
  teeType: 0x81,
  qeSvn: 0,
  pceSvn: 0,
  qeVendorId: INTEL_QE_VENDOR_ID,
  userData: new Uint8Array(20).fill(0).map((_, i) => "tdx-attest sample".charCodeAt(i) || 0),
};
const body = {
  ...emptyTdQuoteBody("td10"),
  teeTcbSvn: Uint8Array.from([6, 1, 3, ...new Array(13).fill(0)]),
  mrSeam: h("sha384", "tdx-attest sample: MRSEAM"),
  tdAttributes: TD_ATTRIBUTES.SEPT_VE_DISABLE,
  xfam: 0x602e7n,
  mrTd: h("sha384", "tdx-attest sample: MRTD"),
  rtmr: [0, 1, 2, 3].map((i) => (i === 3 ? new Uint8Array(48) : h("sha384", `tdx-attest sample: RTMR${i}`))),
  reportData: h("sha512", "tdx-attest sample: REPORTDATA"),
};
const attestationKey = rawXY(attKey);
const qeAuthData = Uint8Array.from({ length: 32 }, (_, i) => i);
const qeReport = {
  ...emptySgxReportBody(),
  cpuSvn: Uint8Array.from([7, 7, 2, 2, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0]),
  attributes: Uint8Array.from([0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0]),
  mrEnclave: h("sha256", "tdx-attest sample: QE MRENCLAVE"),
  mrSigner: h("sha256", "tdx-attest sample: QE MRSIGNER"),
  isvProdId: 2,
  isvSvn: 6,
  reportData: new Uint8Array([...h("sha256", Buffer.concat([attestationKey, qeAuthData])), ...new Uint8Array(32)]),
};
const qeReportBytes = encodeSgxReportBody(qeReport);
const quote = {
  header,
  body,
  signedBytes: new Uint8Array(0),
  signatureDataLength: 0,
  signatureData: {
    signature: signRS(encodeSignedPart({ header, body }), attKey),
    attestationKey,
    certificationData: {
      type: 6,
      qeReport,
      qeReportBytes,
      qeReportSignature: signRS(qeReportBytes, pckKey),
      qeAuthData,
      inner: pckChainCertificationData([pck, ca, root], 1),
    },
  },
  trailing: { length: 0, allZero: true, bytes: new Uint8Array(0) },
};
const bytes = encodeQuote(quote);
writeFileSync(out, bytes);
console.log(`wrote ${out} (${bytes.length} bytes)`);
