/**
 * A complete test PKI shaped like Intel's (tdx-reference.md sections 14-15): root CA, PCK
 * Platform CA, a PCK leaf with the SGX extension, the TCB Signing certificate, root and PCK
 * CRLs (the PCK CRL lists a revoked serial), and signed TCB info v3 / QE identity v2. Keys are
 * passed in (committed ones from fixtures/test-pki/keys.json, or fresh ones) so tests can build
 * variants: every knob below changes one thing and everything is re-signed consistently.
 */
import { encodePemCertificates } from "../abi/pem.js";
import { toHex, utf8 } from "../bytes.js";
import { generateP256Signer, importP256Signer, type P256Signer } from "../crypto/p256-sign.js";
import type { Collateral } from "../dcap/collateral.js";
import { OID } from "../dcap/x509.js";
import {
  defaultQeIdentity,
  defaultTcbInfo,
  type JsonObject,
  TEST_PCESVN,
  TEST_SGX_SVNS,
} from "./pki-collateral.js";
import { buildCertificate, buildCrl, name, type SgxExtensionSpec, sgxExtension } from "./pki-x509.js";

export const TEST_PKI_KEY_NAMES = ["root", "platformCa", "pck", "tcbSigning", "attestation"] as const;
export type TestPkiKeyName = (typeof TEST_PKI_KEY_NAMES)[number];
/** Private JWKs of the test PKI. */
export type TestPkiKeys = Record<TestPkiKeyName, JsonWebKey>;

/** A time inside every default validity window of the test PKI. */
export const TEST_PKI_NOW = Date.UTC(2026, 5, 1);

export interface TestPkiOptions {
  /** SGX extension of the PCK leaf (defaults: FMSPC 90C06F000000, PCE-ID 0000, the default SVNs). */
  pck?: Partial<SgxExtensionSpec>;
  pckSerial?: string;
  /** Validity windows (ms) per certificate. */
  validity?: Partial<Record<"root" | "platformCa" | "pck" | "tcbSigning", [number, number]>>;
  /** Serials (hex) listed in the PCK CRL; default one unrelated serial. */
  pckCrlRevoked?: string[];
  rootCrlRevoked?: string[];
  crlWindow?: [number, number];
  collateralWindow?: [number, number];
  /** Edits of the default TCB info / QE identity before signing. */
  tcbInfo?: (doc: JsonObject) => JsonObject | undefined;
  qeIdentity?: (doc: JsonObject) => JsonObject | undefined;
  /** Use this key instead of the root for the whole chain's anchor (a "wrong root" PKI). */
  rootKey?: TestPkiKeyName;
}

export interface TestPki {
  signers: Record<TestPkiKeyName, P256Signer>;
  rootCa: Uint8Array;
  platformCa: Uint8Array;
  pckLeaf: Uint8Array;
  pckSerial: string;
  tcbSigning: Uint8Array;
  rootCrl: Uint8Array;
  pckCrl: Uint8Array;
  tcbInfoText: string;
  tcbInfoSignature: Uint8Array;
  qeIdentityText: string;
  qeIdentitySignature: Uint8Array;
  /** PEM chain PCK leaf, Platform CA, root (certification data type 5). */
  pckChain: Uint8Array[];
  collateral: Collateral;
  /** The same collateral in dcap-qvl's JSON shape (section 15.5). */
  collateralJson: Record<string, string>;
}

export async function generateTestPkiKeys(): Promise<TestPkiKeys> {
  const out: Partial<TestPkiKeys> = {};
  for (const n of TEST_PKI_KEY_NAMES) out[n] = (await generateP256Signer()).jwk;
  return out as TestPkiKeys;
}

async function importKeys(keys: TestPkiKeys): Promise<Record<TestPkiKeyName, P256Signer>> {
  const out: Partial<Record<TestPkiKeyName, P256Signer>> = {};
  for (const n of TEST_PKI_KEY_NAMES) out[n] = await importP256Signer(keys[n]);
  return out as Record<TestPkiKeyName, P256Signer>;
}

const pem = (ders: Uint8Array[]) => encodePemCertificates(ders);

function pckSpec(o: Partial<SgxExtensionSpec> | undefined): SgxExtensionSpec {
  const comps = o?.tcbComponents ?? TEST_SGX_SVNS;
  return {
    ppid: o?.ppid ?? Uint8Array.from({ length: 16 }, (_, i) => 0x50 + i),
    tcbComponents: comps,
    pceSvn: o?.pceSvn ?? TEST_PCESVN,
    cpuSvn: o?.cpuSvn ?? Uint8Array.from(comps),
    pceId: o?.pceId ?? Uint8Array.of(0, 0),
    fmspc: o?.fmspc ?? Uint8Array.of(0x90, 0xc0, 0x6f, 0, 0, 0),
    sgxType: o?.sgxType ?? 1,
    ...(o?.platformInstanceId ? { platformInstanceId: o.platformInstanceId } : {}),
  };
}

async function certificates(s: Record<TestPkiKeyName, P256Signer>, o: TestPkiOptions, ext: SgxExtensionSpec) {
  const v = (k: "root" | "platformCa" | "pck" | "tcbSigning", d: [number, number]) => o.validity?.[k] ?? d;
  const rootSigner = s[o.rootKey ?? "root"];
  const [rn, pn, ln, tn] = [
    "Intel SGX Root CA",
    "Intel SGX PCK Platform CA",
    "Intel SGX PCK Certificate",
    "Intel SGX TCB Signing",
  ].map(name) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const base = { issuer: rn, ca: true };
  const [rb, ra] = v("root", [Date.UTC(2020, 0, 1), Date.UTC(2049, 11, 31)]);
  const rootCa = await buildCertificate(
    {
      ...base,
      serial: "01a2b3c4d5e6f7",
      subject: rn,
      notBefore: rb,
      notAfter: ra,
      publicKey: rootSigner.publicKey,
      pathLen: 1,
    },
    rootSigner,
  );
  const [pb, pa] = v("platformCa", [Date.UTC(2021, 0, 1), Date.UTC(2040, 0, 1)]);
  const platformCa = await buildCertificate(
    {
      ...base,
      serial: "02c0ffee",
      subject: pn,
      notBefore: pb,
      notAfter: pa,
      publicKey: s.platformCa.publicKey,
      pathLen: 0,
    },
    rootSigner,
  );
  const [tb, ta] = v("tcbSigning", [Date.UTC(2021, 0, 1), Date.UTC(2035, 0, 1)]);
  const tcbSigning = await buildCertificate(
    {
      ...base,
      ca: false,
      serial: "03beef",
      subject: tn,
      notBefore: tb,
      notAfter: ta,
      publicKey: s.tcbSigning.publicKey,
    },
    rootSigner,
  );
  const pckSerial = o.pckSerial ?? "4a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
  const [lb, la] = v("pck", [Date.UTC(2025, 0, 1), Date.UTC(2032, 0, 1)]);
  const pckLeaf = await buildCertificate(
    {
      serial: pckSerial,
      issuer: pn,
      subject: ln,
      notBefore: lb,
      notAfter: la,
      publicKey: s.pck.publicKey,
      ca: false,
      extra: [[OID.sgxExtensions, sgxExtension(ext)]],
    },
    s.platformCa,
  );
  return { rootCa, platformCa, tcbSigning, pckLeaf, pckSerial, rn, pn };
}

async function signJson(doc: JsonObject, signer: P256Signer): Promise<{ text: string; sig: Uint8Array }> {
  const text = JSON.stringify(doc);
  return { text, sig: await signer.sign(utf8(text)) };
}

/** Builds (and signs) a test PKI from `keys` with the given variations. */
export async function createTestPki(keys: TestPkiKeys, o: TestPkiOptions = {}): Promise<TestPki> {
  const s = await importKeys(keys);
  const ext = pckSpec(o.pck);
  const c = await certificates(s, o, ext);
  const [cb, ca] = o.crlWindow ?? [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)];
  const rootSigner = s[o.rootKey ?? "root"];
  const rootCrl = await buildCrl(
    { issuer: c.rn, thisUpdate: cb, nextUpdate: ca, revoked: o.rootCrlRevoked ?? [] },
    rootSigner,
  );
  const revoked = o.pckCrlRevoked ?? ["7e57ed"];
  const pckCrl = await buildCrl({ issuer: c.pn, thisUpdate: cb, nextUpdate: ca, revoked }, s.platformCa);
  const [ib, ia] = o.collateralWindow ?? [Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1)];
  const tcbDoc = defaultTcbInfo(ext.fmspc, ext.pceId, ib, ia);
  const qeDoc = defaultQeIdentity(ib, ia);
  const tcb = await signJson(o.tcbInfo?.(tcbDoc) ?? tcbDoc, s.tcbSigning);
  const qe = await signJson(o.qeIdentity?.(qeDoc) ?? qeDoc, s.tcbSigning);
  const pckChain = [c.pckLeaf, c.platformCa, c.rootCa];
  const collateral: Collateral = {
    pckCrlIssuerChain: [c.platformCa, c.rootCa],
    rootCaCrl: rootCrl,
    pckCrl,
    tcbInfoIssuerChain: [c.tcbSigning, c.rootCa],
    tcbInfo: utf8(tcb.text),
    tcbInfoSignature: tcb.sig,
    qeIdentityIssuerChain: [c.tcbSigning, c.rootCa],
    qeIdentity: utf8(qe.text),
    qeIdentitySignature: qe.sig,
  };
  return {
    signers: s,
    ...c,
    rootCrl,
    pckCrl,
    tcbInfoText: tcb.text,
    tcbInfoSignature: tcb.sig,
    qeIdentityText: qe.text,
    qeIdentitySignature: qe.sig,
    pckChain,
    collateral,
    collateralJson: {
      pck_crl_issuer_chain: pem([c.platformCa, c.rootCa]),
      root_ca_crl: toHex(rootCrl),
      pck_crl: toHex(pckCrl),
      tcb_info_issuer_chain: pem([c.tcbSigning, c.rootCa]),
      tcb_info: tcb.text,
      tcb_info_signature: toHex(tcb.sig),
      qe_identity_issuer_chain: pem([c.tcbSigning, c.rootCa]),
      qe_identity: qe.text,
      qe_identity_signature: toHex(qe.sig),
    },
  };
}
