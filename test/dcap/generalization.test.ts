/**
 * Real-world input shapes the fixtures do not cover, built with the test PKI: CRLs without
 * revoked entries, TCB info without advisory IDs or module identities, raw PCS responses with
 * CRLs as DER / PEM (PCS default) / hex (PCCS) and issuer chains with CRLF line endings, extra
 * whitespace or percent-encoding, and dcap-qvl JSON with CRLF PEM chains.
 */
import { describe, expect, it } from "vitest";
import { encodePem } from "../../src/abi/pem.js";
import { toHex } from "../../src/bytes.js";
import { type Collateral, collateralFromJson, collateralFromPcs } from "../../src/dcap/collateral.js";
import type { TestPki } from "../../src/sim/pki.js";
import { pki, quoteFor, run, status } from "./test-pki.js";

const svn = (a: number, b: number, c: number) => Uint8Array.of(a, b, c, ...new Array<number>(13).fill(0));
const pem = (der: Uint8Array, label: string) => encodePem(der, label);
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const crlf = (s: string) => s.replaceAll("\n", "\r\n");

/** An edit that deletes `key` everywhere in a JSON document. */
function without<T>(key: string): (doc: T) => T {
  return (doc) => {
    strip(doc, key);
    return doc;
  };
}

/** Deletes `key` everywhere in a JSON document. */
function strip(doc: unknown, key: string): void {
  if (Array.isArray(doc)) for (const x of doc) strip(x, key);
  else if (doc && typeof doc === "object") {
    delete (doc as Record<string, unknown>)[key];
    for (const v of Object.values(doc)) strip(v, key);
  }
}

/** The PKI's collateral as raw PCS responses, with chains and CRLs encoded by the callers. */
function pcs(
  p: TestPki,
  chain: (ders: Uint8Array[]) => string,
  crl: (der: Uint8Array) => Uint8Array | string,
): Collateral {
  const c = p.collateral;
  return collateralFromPcs({
    tcbInfo: `{"tcbInfo":${text(c.tcbInfo)},"signature":"${toHex(c.tcbInfoSignature)}"}`,
    tcbInfoIssuerChain: chain(c.tcbInfoIssuerChain),
    qeIdentity: `{"enclaveIdentity":${text(c.qeIdentity)},"signature":"${toHex(c.qeIdentitySignature)}"}`,
    qeIdentityIssuerChain: chain(c.qeIdentityIssuerChain),
    pckCrl: crl(c.pckCrl),
    pckCrlIssuerChain: chain(c.pckCrlIssuerChain),
    rootCaCrl: crl(c.rootCaCrl),
  });
}

describe("generalization (test PKI)", () => {
  it("CRLs with no revoked certificates", async () => {
    const p = await pki({ pckCrlRevoked: [], rootCrlRevoked: [] });
    expect(status(await run(p, await quoteFor(p)))).toBe("UpToDate");
  });

  it("TCB info and QE identity without any advisoryIDs", async () => {
    const p = await pki({
      tcbInfo: without("advisoryIDs"),
      qeIdentity: without("advisoryIDs"),
    });
    expect(text(p.collateral.tcbInfo)).not.toContain("advisoryIDs");
    for (const [s0, want] of [
      [7, "UpToDate"],
      [3, "OutOfDate"],
      [1, "Revoked"],
    ] as const) {
      const r = await run(p, await quoteFor(p, { teeTcbSvn: svn(s0, 0, 2) }));
      expect(typeof r === "string" ? r : [r.status, r.advisoryIds]).toEqual([want, []]);
    }
  });

  it("TCB info v3 without tdxModuleIdentities: fine for TEE_TCB_SVN[1] = 0, a mismatch above", async () => {
    const p = await pki({ tcbInfo: without("tdxModuleIdentities") });
    expect(text(p.collateral.tcbInfo)).not.toContain("tdxModuleIdentities");
    expect(status(await run(p, await quoteFor(p, { teeTcbSvn: svn(7, 0, 2) })))).toBe("UpToDate");
    expect(await run(p, await quoteFor(p, { teeTcbSvn: svn(7, 1, 2) }))).toBe("ERR_TDX_MODULE_MISMATCH");
  });

  it("raw PCS responses: CRLs as DER, PEM, CRLF PEM, hex and upper-case hex; chains in any PEM layout", async () => {
    const p = await pki();
    const q = await quoteFor(p);
    const pemChain = (ders: Uint8Array[]) => ders.map((d) => pem(d, "CERTIFICATE")).join("");
    const chains: ((ders: Uint8Array[]) => string)[] = [
      pemChain,
      (ders) => crlf(pemChain(ders)),
      (ders) => encodeURIComponent(pemChain(ders)),
      (ders) => encodeURIComponent(crlf(pemChain(ders))),
      (ders) => `\n  ${ders.map((d) => pem(d, "CERTIFICATE").replaceAll("\n", "\n  ")).join("\n\n")}\n`,
    ];
    const crls: ((der: Uint8Array) => Uint8Array | string)[] = [
      (d) => d,
      (d) => pem(d, "X509 CRL"),
      (d) => crlf(pem(d, "X509 CRL")),
      (d) => new TextEncoder().encode(pem(d, "X509 CRL")),
      (d) => toHex(d),
      (d) => `${toHex(d).toUpperCase()}\n`,
    ];
    const got: string[] = [];
    for (const chain of chains) {
      for (const crl of crls) {
        const r = await run({ ...p, collateral: pcs(p, chain, crl) }, q);
        got.push(status(r));
      }
    }
    expect(got).toEqual(new Array(chains.length * crls.length).fill("UpToDate"));
  });

  it("quotes whose PEM chain has CRLF line endings, blank lines, indentation or NUL padding", async () => {
    const p = await pki();
    const blocks = p.pckChain.map((d) => pem(d, "CERTIFICATE"));
    const layouts = [
      crlf(blocks.join("")),
      `${blocks.join("\n\n")}\n\n`,
      blocks.map((b) => b.replaceAll("\n", "\n ")).join(""),
      `${crlf(blocks.join("\r\n"))}\0\0\0`,
    ];
    for (const layout of layouts) {
      const q = await quoteFor(
        p,
        {},
        {
          innerCertData: { type: 5, pem: new TextEncoder().encode(layout), certificates: p.pckChain },
        },
      );
      expect(status(await run(p, q)), JSON.stringify(layout.slice(0, 80))).toBe("UpToDate");
    }
  });

  it("dcap-qvl JSON with CRLF PEM chains and PEM CRLs", async () => {
    const p = await pki();
    const o: Record<string, string> = { ...p.collateralJson };
    for (const k of ["pck_crl_issuer_chain", "tcb_info_issuer_chain", "qe_identity_issuer_chain"]) {
      o[k] = crlf(o[k] as string);
    }
    o["pck_crl"] = crlf(pem(p.collateral.pckCrl, "X509 CRL"));
    const r = await run({ ...p, collateral: collateralFromJson(o) }, await quoteFor(p));
    expect(status(r)).toBe("UpToDate");
  });
});
