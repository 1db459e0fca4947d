/**
 * The bundled synthetic sample (fixtures/sample-quote-v4.dat, see fixtures/README.md) must be a
 * structurally valid, correctly self-signed quote: these checks recompute every binding with the
 * crypto backend and the DCAP X.509 parser, independently of the generator script.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findPckChain } from "../../src/abi/cert-data.js";
import { attributeNames } from "../../src/abi/flags.js";
import { encodeQuote, parseQuote } from "../../src/abi/quote.js";
import { concatBytes, equalBytes } from "../../src/bytes.js";
import { defaultCrypto } from "../../src/crypto/index.js";
import { parseCertificate } from "../../src/dcap/x509.js";
import { repoPath } from "../support/fixtures.js";

const bytes = new Uint8Array(readFileSync(repoPath("fixtures/sample-quote-v4.dat")));

describe("fixtures/sample-quote-v4.dat", () => {
  const q = parseQuote(bytes);
  const crypto = defaultCrypto();

  it("is a v4 TDX quote with the documented fields, no trailing bytes, byte-exact re-encoding", () => {
    expect(q.header.version).toBe(4);
    expect(q.body.kind).toBe("td10");
    if (q.body.kind !== "td10") return;
    expect(attributeNames(q.body.tdAttributes)).toEqual(["SEPT_VE_DISABLE"]);
    expect(
      equalBytes(q.body.mrTd, crypto.hash("sha384", new TextEncoder().encode("tdx-attest sample: MRTD"))),
    ).toBe(true);
    expect(q.trailing.length).toBe(0);
    expect(equalBytes(encodeQuote(q), bytes)).toBe(true);
  });

  it("quote signature, QE report data binding and QE report signature verify", async () => {
    const sd = q.signatureData;
    expect(await crypto.verifyP256(sd.attestationKey, q.signedBytes, sd.signature)).toBe(true);
    const cd = sd.certificationData;
    expect(cd.type).toBe(6);
    if (cd.type !== 6) return;
    const binding = crypto.hash("sha256", concatBytes(sd.attestationKey, cd.qeAuthData));
    expect(equalBytes(cd.qeReport.reportData, concatBytes(binding, new Uint8Array(32)))).toBe(true);
    const chain = findPckChain(cd);
    expect(chain?.certificates).toHaveLength(3);
    const certs = (chain?.certificates ?? []).map((d) => parseCertificate(d));
    expect(certs.map((c) => c.subjectCn)).toEqual([
      "tdx-attest Sample PCK Certificate",
      "tdx-attest Sample PCK Platform CA",
      "tdx-attest Sample Root CA",
    ]);
    const leaf = certs[0]!;
    expect(await crypto.verifyP256(leaf.publicKey, cd.qeReportBytes, cd.qeReportSignature)).toBe(true);
    // Each certificate is signed by the next one's key (the root by itself).
    for (let i = 0; i < 3; i++) {
      const issuer = certs[Math.min(i + 1, 2)]!;
      expect(await crypto.verifyP256(issuer.publicKey, certs[i]!.tbs, certs[i]!.signature)).toBe(true);
    }
  });
});
