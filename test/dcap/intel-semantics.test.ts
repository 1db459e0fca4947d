/**
 * Review against Intel QVL semantics (tdx-reference.md sections 15.2, 15.4, 16.2-16.4):
 * status vocabularies per structure, QE status mapping, dates, chain shapes, fail-closed.
 */
import { describe, expect, it } from "vitest";
import { pckChainCertificationData } from "../../src/abi/cert-data.js";
import { parseQuote } from "../../src/abi/quote.js";
import { TAG } from "../../src/crypto/der.js";
import { bitString, ecdsaRawToDer, oid, seq, time, tlv, uint } from "../../src/crypto/der-encode.js";
import type { Collateral } from "../../src/dcap/collateral.js";
import { parseTcbInfo } from "../../src/dcap/tcb-info.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { OID, parseCertificate } from "../../src/dcap/x509.js";
import { TdxError } from "../../src/errors.js";
import { defaultTcbInfo, type JsonObject } from "../../src/sim/pki-collateral.js";
import { signQuote } from "../../src/sim/qe.js";
import { NOW, pki, quoteFor, run, status } from "./test-pki.js";

type Level = { tcbStatus: string };
const setQeTop = (s: string) => (d: JsonObject) => {
  ((d["tcbLevels"] as Level[])[0] as Level).tcbStatus = s;
  return d;
};
const setModuleTop = (s: string) => (d: JsonObject) => {
  const ids = d["tdxModuleIdentities"] as { tcbLevels: Level[] }[];
  for (const m of ids) (m.tcbLevels[0] as Level).tcbStatus = s;
  return d;
};
const svn = (a: number, b: number, c: number) => Uint8Array.of(a, b, c, ...new Array(13).fill(0));

describe("QE identity level statuses (EnclaveReportVerifier: anything but UpToDate/Revoked is OutOfDate)", () => {
  it("a QE level ConfigurationNeeded makes an UpToDate platform OutOfDate", async () => {
    const p = await pki({ qeIdentity: setQeTop("ConfigurationNeeded") });
    expect(status(await run(p, await quoteFor(p)))).toBe("OutOfDate");
  });
  it("a QE level OutOfDateConfigurationNeeded makes an UpToDate platform OutOfDate", async () => {
    const p = await pki({ qeIdentity: setQeTop("OutOfDateConfigurationNeeded") });
    expect(status(await run(p, await quoteFor(p)))).toBe("OutOfDate");
  });
  it("SWHardening statuses are not QE identity statuses: a format error", async () => {
    for (const s of ["SWHardeningNeeded", "ConfigurationAndSWHardeningNeeded", "Unknown"]) {
      const p = await pki({ qeIdentity: setQeTop(s) });
      expect(await run(p, await quoteFor(p))).toBe("ERR_COLLATERAL_FORMAT");
    }
  });
});

describe("TDX module identity level statuses (VALID_MODULE_TCB_STATUSES)", () => {
  it("only UpToDate, OutOfDate and Revoked are accepted", async () => {
    for (const s of ["ConfigurationNeeded", "SWHardeningNeeded", "OutOfDateConfigurationNeeded"]) {
      const p = await pki({ tcbInfo: setModuleTop(s) });
      expect(await run(p, await quoteFor(p, { teeTcbSvn: svn(4, 1, 2) }))).toBe("ERR_COLLATERAL_FORMAT");
    }
  });
});

describe("collateral dates (RFC 3339, tdx-reference.md 15.2)", () => {
  const doc = (issueDate: string) =>
    JSON.stringify({
      ...defaultTcbInfo(new Uint8Array(6), new Uint8Array(2), Date.UTC(2026, 0, 1), Date.UTC(2026, 11, 1)),
      issueDate,
    });
  const parsed = (s: string) => {
    try {
      return parseTcbInfo(doc(s)).issueDate;
    } catch (e) {
      return e instanceof TdxError ? e.code : "untyped";
    }
  };
  it("calendar-invalid dates are a typed error, not rolled over by Date.parse", () => {
    for (const s of [
      "2025-02-30T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2025-06-19T24:00:00Z",
      "2025-04-31T00:00:00Z",
    ]) {
      expect(parsed(s), s).toBe("ERR_COLLATERAL_FORMAT");
    }
    expect(parsed("2024-02-29T00:00:00Z")).toBe(Date.UTC(2024, 1, 29));
  });
  it("RFC 3339 variants: fractional seconds, lowercase t/z, numeric offsets", () => {
    const t = Date.UTC(2025, 5, 19, 10, 16, 3);
    expect(parsed("2025-06-19T10:16:03.123456Z")).toBe(t + 123);
    expect(parsed("2025-06-19t10:16:03z")).toBe(t);
    expect(parsed("2025-06-19T12:16:03+02:00")).toBe(t);
    expect(parsed("2025-06-19T10:16:03")).toBe("ERR_COLLATERAL_FORMAT");
    expect(parsed("2025-06-19 10:16:03Z")).toBe("ERR_COLLATERAL_FORMAT");
  });
});

describe("PCK chain shape (Intel QVL: EXPECTED_CERTIFICATE_COUNT_IN_PCK_CHAIN = 3)", () => {
  it("a chain without the root, or with an extra certificate, is refused; the root is never appended", async () => {
    const p = await pki();
    const [leaf, ca, root] = p.pckChain as [Uint8Array, Uint8Array, Uint8Array];
    for (const chain of [
      [leaf, ca],
      [leaf, ca, root, root],
      [leaf, ca, ca, root],
    ]) {
      const q = await quoteFor(p, {}, { innerCertData: pckChainCertificationData(chain) });
      expect(await run(p, q)).toBe("ERR_CERT_CHAIN");
    }
  });
});

describe("TCB info structure rules", () => {
  it("tcbType other than 0 is refused (component semantics unknown; fail closed)", async () => {
    const p = await pki({ tcbInfo: (d) => ({ ...d, tcbType: 1 }) });
    expect(await run(p, await quoteFor(p))).toBe("ERR_COLLATERAL_FORMAT");
  });
  it("TD relaunch against a TEE_TCB_SVN2 module identity with no levels: TCB_NOT_SUPPORTED (TDRelaunchCheck)", async () => {
    const p = await pki({
      tcbInfo: (d) => {
        const ids = d["tdxModuleIdentities"] as JsonObject[];
        ids.push({ ...(ids[0] as JsonObject), id: "TDX_02", tcbLevels: [] });
        return d;
      },
    });
    const q = await quoteFor(
      p,
      { teeTcbSvn: svn(2, 1, 2), teeTcbSvn2: svn(4, 2, 2) },
      { version: 5, bodyType: 3 },
    );
    expect(await run(p, q)).toBe("ERR_TCB_NOT_SUPPORTED");
  });
});

describe("SEAMATTRIBUTES (QuoteVerifier 4.1.2.4.11.2: zero and equal to the TCB info value, mask unused)", () => {
  const moduleAttrs = (attributes: string, attributesMask: string) => (d: JsonObject) => {
    const set = (m: JsonObject) => Object.assign(m, { attributes, attributesMask });
    set(d["tdxModule"] as JsonObject);
    for (const m of d["tdxModuleIdentities"] as JsonObject[]) set(m);
    return d;
  };
  async function withSeamAttributes(p: Awaited<ReturnType<typeof pki>>, attrs: bigint, major: number) {
    const q = parseQuote(await quoteFor(p, { teeTcbSvn: svn(4, major, 2) }));
    if (q.body.kind === "sgx") throw new Error("unexpected");
    q.body.seamAttributes = attrs;
    return run(p, await signQuote(q, p));
  }
  it("non-zero SEAMATTRIBUTES are refused even when the mask would hide them", async () => {
    const p = await pki({ tcbInfo: moduleAttrs("0000000000000000", "FEFFFFFFFFFFFFFF") });
    for (const major of [0, 1])
      expect(await withSeamAttributes(p, 1n, major)).toBe("ERR_TDX_MODULE_MISMATCH");
    expect(status(await withSeamAttributes(p, 0n, 1))).toBe("UpToDate");
  });
  it("non-zero expected attributes are refused even when the quote matches them", async () => {
    const p = await pki({ tcbInfo: moduleAttrs("0100000000000000", "FFFFFFFFFFFFFFFF") });
    expect(await withSeamAttributes(p, 1n, 1)).toBe("ERR_TDX_MODULE_MISMATCH");
  });
});

describe("collateral window boundaries (inclusive, as Intel's nextUpdate < now and dcap-qvl's now > nextUpdate)", () => {
  it("valid at exactly issueDate and nextUpdate, not 1 ms outside", async () => {
    const issue = Date.UTC(2026, 4, 1);
    const next = Date.UTC(2026, 5, 1, 12);
    const p = await pki({ collateralWindow: [issue, next] });
    const q = await quoteFor(p);
    expect(status(await run(p, q, { now: issue }))).toBe("UpToDate");
    expect(status(await run(p, q, { now: next }))).toBe("UpToDate");
    expect(await run(p, q, { now: issue - 1 })).toBe("ERR_TCB_INFO_NOT_YET_VALID");
    expect(await run(p, q, { now: next + 1 })).toBe("ERR_TCB_INFO_EXPIRED");
  });
});

describe("malformed programmatic inputs are typed errors (JavaScript callers, no type checker)", () => {
  it("collateral objects and options of the wrong shape", async () => {
    const p = await pki();
    const q = await quoteFor(p);
    const code = async (c: unknown, o: object = {}, quote: unknown = q) => {
      try {
        await verifyQuote(quote as Uint8Array, c as Collateral, { now: NOW, trustedRoots: [p.rootCa], ...o });
        return "accepted";
      } catch (e) {
        return e instanceof TdxError ? e.code : `UNTYPED ${String(e)}`;
      }
    };
    const col = p.collateral;
    for (const c of [
      {},
      null,
      5,
      { ...col, pckCrlIssuerChain: "x" },
      { ...col, tcbInfo: 5 },
      { ...col, rootCaCrl: [1] },
      { ...col, pckCrlIssuerChain: [5, 6] },
      { ...col, pckCertificateChain: {} },
    ]) {
      expect(await code(c), JSON.stringify(c)?.slice(0, 60)).toMatch(/^ERR_COLLATERAL_/);
    }
    for (const o of [{ trustedRoots: "x" }, { trustedRoots: [5] }, { now: "2026" }, { tee: "zz" }]) {
      expect(await code(col, o), JSON.stringify(o)).toBe("ERR_CONFIG");
    }
    for (const bad of ["quote", 5, null, {}])
      expect(await code(col, {}, bad)).not.toMatch(/^UNTYPED|accepted/);
  });
});

describe("identity encodings", () => {
  it("MISCSELECT hex is a little-endian u32 (EnclaveReportVerifier swapBytes)", async () => {
    const p = await pki({
      qeIdentity: (d) => ({ ...d, miscselect: "01000000", miscselectMask: "FFFFFFFF" }),
    });
    const withMisc = async (m: number) =>
      run(p, await quoteFor(p, {}, { editQeReport: (r) => Object.assign(r, { miscSelect: m }) }));
    expect(status(await withMisc(1))).toBe("UpToDate");
    expect(await withMisc(0x01000000)).toBe("ERR_QE_IDENTITY_MISMATCH");
  });
  it("module identity ids match case-insensitively (tdx_01 for TEE_TCB_SVN[1] = 1)", async () => {
    const p = await pki({
      tcbInfo: (d) => {
        for (const m of d["tdxModuleIdentities"] as JsonObject[]) m["id"] = String(m["id"]).toLowerCase();
        return d;
      },
    });
    expect(status(await run(p, await quoteFor(p, { teeTcbSvn: svn(4, 1, 2) })))).toBe("UpToDate");
  });
});

describe("CRL entries with non-DER serials (RFC 5280 4.1.2.2: handle non-conforming CAs gracefully)", () => {
  /** A PCK CRL signed by the Platform CA whose single entry is the INTEGER with content `serial`. */
  async function crlWithRawSerial(p: Awaited<ReturnType<typeof pki>>, serial: Uint8Array) {
    const issuer = parseCertificate(p.platformCa, "ca").subjectRaw;
    const entry = seq(tlv(TAG.INTEGER, serial), time(NOW - 1000));
    const tbs = seq(
      uint(1),
      seq(oid(OID.ecdsaWithSha256)),
      issuer,
      time(NOW - 1000),
      time(NOW + 86_400_000),
      seq(entry),
    );
    const sig = await p.signers.platformCa.sign(tbs);
    return seq(tbs, seq(oid(OID.ecdsaWithSha256)), bitString(ecdsaRawToDer(sig)));
  }
  it("a non-minimal (zero-padded) entry for the PCK serial still revokes it; the CRL still parses", async () => {
    const p = await pki();
    const leafSerial = parseCertificate(p.pckLeaf, "leaf").serialBytes;
    const q = await quoteFor(p);
    const padded = Uint8Array.of(0, 0, ...leafSerial);
    const revoking = { ...p.collateral, pckCrl: await crlWithRawSerial(p, padded) };
    expect(await run({ ...p, collateral: revoking }, q)).toBe("ERR_PCK_REVOKED");
    const other = { ...p.collateral, pckCrl: await crlWithRawSerial(p, Uint8Array.of(0, 0, 0x12)) };
    expect(status(await run({ ...p, collateral: other }, q))).toBe("UpToDate");
    const negative = { ...p.collateral, pckCrl: await crlWithRawSerial(p, Uint8Array.of(0x80, 0x01)) };
    expect(status(await run({ ...p, collateral: negative }, q))).toBe("UpToDate");
  });
});

describe("TCB level component arrays", () => {
  it("a level with 15 SGX or TDX components, or without tdxtcbcomponents in a TDX TCB info, is a format error", async () => {
    type L = { tcb: Record<string, unknown[]> };
    const edits: ((l: L) => void)[] = [
      (l) => l.tcb["sgxtcbcomponents"]?.pop(),
      (l) => l.tcb["tdxtcbcomponents"]?.pop(),
      (l) => delete l.tcb["tdxtcbcomponents"],
    ];
    for (const edit of edits) {
      const p = await pki({
        tcbInfo: (d) => {
          edit((d["tcbLevels"] as L[])[3] as L);
          return d;
        },
      });
      expect(await run(p, await quoteFor(p))).toBe("ERR_COLLATERAL_FORMAT");
    }
  });
});
