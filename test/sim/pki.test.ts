/** The committed test PKI (fixtures/test-pki) and createTestPki's shape (sections 14-15). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { collateralFromJson } from "../../src/dcap/collateral.js";
import { pemCertificates } from "../../src/dcap/pem.js";
import { parsePckExtensions } from "../../src/dcap/sgx-extension.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { parseCertificate, parseCrl } from "../../src/dcap/x509.js";
import { TEST_PKI_NOW } from "../../src/sim/pki.js";
import { NOW, PKI_DIR, pki } from "../dcap/test-pki.js";

const file = (n: string) => readFileSync(join(PKI_DIR, n));

describe("test PKI", () => {
  it("has Intel's chain shapes, CNs, CA constraints and a PCK SGX extension", async () => {
    const p = await pki();
    const [leaf, ca, root] = p.pckChain.map((d) => parseCertificate(d)) as [
      ReturnType<typeof parseCertificate>,
      ReturnType<typeof parseCertificate>,
      ReturnType<typeof parseCertificate>,
    ];
    expect([leaf.subjectCn, ca.subjectCn, root.subjectCn]).toEqual([
      "Intel SGX PCK Certificate",
      "Intel SGX PCK Platform CA",
      "Intel SGX Root CA",
    ]);
    expect(root.basicConstraints).toEqual({ ca: true, pathLen: 1 });
    expect(ca.basicConstraints).toEqual({ ca: true, pathLen: 0 });
    expect(leaf.basicConstraints).toEqual({ ca: false });
    const ext = parsePckExtensions(leaf);
    expect(toHex(ext.fmspc)).toBe("90c06f000000");
    expect(ext.tcbComponents).toEqual([6, 6, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect([ext.pceSvn, ext.sgxType, ext.ppid.length]).toEqual([13, 1, 16]);
    expect(parseCertificate(p.tcbSigning).subjectCn).toBe("Intel SGX TCB Signing");
    const crl = parseCrl(p.pckCrl);
    expect(crl.revoked.map(toHex)).toEqual(["7e57ed"]);
    expect(JSON.parse(p.tcbInfoText).tcbLevels.length).toBe(8);
  });

  it("the committed files verify: quote-v4.dat and quote-v5.dat with collateral.json and root-ca.pem", async () => {
    expect(NOW).toBe(TEST_PKI_NOW);
    const col = collateralFromJson(file("collateral.json").toString("utf8"));
    const root = pemCertificates(file("root-ca.pem").toString("utf8"), "root-ca.pem");
    for (const q of ["quote-v4.dat", "quote-v5.dat"]) {
      const r = await verifyQuote(new Uint8Array(file(q)), col, { now: NOW, trustedRoots: root });
      expect(r.status).toBe("UpToDate");
    }
  });

  it("keys.json holds the keys of the committed certificates", async () => {
    const p = await pki();
    const root = parseCertificate(pemCertificates(file("root-ca.pem").toString("utf8"), "root")[0]!);
    expect(toHex(root.publicKey)).toBe(toHex(p.signers.root.publicKey));
  });
});
