/** Collateral loaders: dcap-qvl JSON and raw PCS bodies (MANIFEST case L). */
import { describe, expect, it } from "vitest";
import { toHex, utf8 } from "../../src/bytes.js";
import { nodeCrypto } from "../../src/crypto/index.js";
import {
  collateralFromJson,
  collateralFromPcs,
  crlBytes,
  splitSignedBody,
} from "../../src/dcap/collateral.js";
import { topLevelValueText } from "../../src/dcap/json-fields.js";
import { pemCertificates } from "../../src/dcap/pem.js";
import { parseQeIdentity, parseTcbInfo } from "../../src/dcap/tcb-info.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { parseCertificate } from "../../src/dcap/x509.js";
import { TdxError } from "../../src/errors.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const tcbChain = fixtureText("collateral/qpl-2023-raw/tcb-signing-chain.pem");
const signer = parseCertificate(pemCertificates(tcbChain, "chain")[0]!);

describe("case L: raw PCS bodies", () => {
  const bodies = [
    "collateral/gtdx-pcs-raw/tcbinfo-50806f-2023.json",
    "collateral/gtdx-pcs-raw/tcbinfo-90c06f-2026.json",
    "collateral/qpl-2023-raw/tcbinfo-00806f-2023.json",
  ];
  for (const b of bodies) {
    it(`${b}: the signature verifies over the exact tcbInfo bytes; the model parses`, () => {
      const s = splitSignedBody(fixtureText(b), "tcbInfo");
      expect(nodeCrypto()!.verifyP256(signer.publicKey, s.signed, s.signature)).toBe(true);
      const info = parseTcbInfo(new TextDecoder().decode(s.signed));
      expect(info.id).toBe("TDX");
      // A re-serialization is not what was signed when key order or spacing differ: we never re-serialize.
      expect(new TextDecoder().decode(s.signed).startsWith('{"id":"TDX","version":3')).toBe(true);
    });
  }
  it("the 90c06f TCB info has tdxModuleIdentities TDX_01 and TDX_03", () => {
    const s = splitSignedBody(fixtureText("collateral/gtdx-pcs-raw/tcbinfo-90c06f-2026.json"), "tcbInfo");
    expect(
      parseTcbInfo(new TextDecoder().decode(s.signed))
        .tdxModuleIdentities.map((m) => m.id)
        .sort(),
    ).toEqual(["TDX_01", "TDX_03"]);
  });
  for (const b of [
    "collateral/gtdx-pcs-raw/qeidentity-tdqe-2023.json",
    "collateral/qpl-2023-raw/qeidentity-tdqe-2023.json",
  ]) {
    it(`${b}: QE identity signature verifies`, () => {
      const s = splitSignedBody(fixtureText(b), "enclaveIdentity");
      expect(nodeCrypto()!.verifyP256(signer.publicKey, s.signed, s.signature)).toBe(true);
      expect(parseQeIdentity(new TextDecoder().decode(s.signed)).id).toBe("TD_QE");
    });
  }
  it("a full verification from raw PCS responses (case E quote, June 2023 collateral)", async () => {
    const col = collateralFromPcs({
      tcbInfo: fixtureText("collateral/gtdx-pcs-raw/tcbinfo-50806f-2023.json"),
      tcbInfoIssuerChain: encodeURIComponent(tcbChain),
      qeIdentity: fixtureText("collateral/gtdx-pcs-raw/qeidentity-tdqe-2023.json"),
      qeIdentityIssuerChain: encodeURIComponent(tcbChain),
      pckCrl: fixture("collateral/gtdx-pcs-raw/pckcrl-platform-2023.der"),
      pckCrlIssuerChain: encodeURIComponent(fixtureText("collateral/qpl-2023-raw/pckcrl-signing-chain.pem")),
      rootCaCrl: fixture("collateral/gtdx-pcs-raw/rootcrl-2023.der"),
    });
    const r = await verifyQuote(fixture("quotes/trustee-q4-debug-v4.dat"), col, {
      now: new Date("2023-07-01T01:00:00Z"),
    });
    expect([r.status, r.td?.debug, r.tcbEvaluationDataNumber]).toEqual(["UpToDate", true, 15]);
  });
});

describe("loaders", () => {
  it("dcap-qvl JSON: the signed texts are the strings as given", () => {
    const text = fixtureText("collateral/dcapqvl-tdx-b0c06f.json");
    const c = collateralFromJson(text);
    const raw = JSON.parse(text) as Record<string, string>;
    expect(toHex(c.tcbInfo)).toBe(toHex(utf8(raw["tcb_info"]!)));
    expect(c.tcbInfoIssuerChain.length).toBe(2);
    expect(collateralFromJson(raw).pckCrl.length).toBe(c.pckCrl.length);
  });
  it("missing fields and bad encodings are CollateralErrors / ParseErrors with codes", () => {
    const raw = JSON.parse(fixtureText("collateral/dcapqvl-tdx-b0c06f.json")) as Record<string, string>;
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof TdxError ? e.code : "OTHER";
      }
      return "ACCEPTED";
    };
    expect(code(() => collateralFromJson({ ...raw, tcb_info: undefined }))).toBe("ERR_COLLATERAL_MISSING");
    expect(code(() => collateralFromJson({ ...raw, tcb_info_signature: "00" }))).toBe(
      "ERR_COLLATERAL_FORMAT",
    );
    expect(code(() => collateralFromJson({ ...raw, pck_crl_issuer_chain: "nothing" }))).toBe("ERR_BAD_PEM");
    expect(code(() => collateralFromJson("{"))).toBe("ERR_BAD_JSON");
    expect(code(() => crlBytes("zz", "crl"))).toBe("ERR_COLLATERAL_FORMAT");
  });
  it("topLevelValueText finds the exact value, ignoring nested keys and strings", () => {
    const t = '{"a":{"tcbInfo":1},"s":"\\"tcbInfo\\":{","tcbInfo" : {"x":"}","y":[{}]},"signature":"00"}';
    expect(topLevelValueText(t, "tcbInfo", "t")).toBe('{"x":"}","y":[{}]}');
  });
});
