/**
 * COSE_Sign1 (RFC 9052 section 4.2) over a CBOR payload, ES256 / ES384 through WebCrypto.
 *
 * Layout: tag 18 [protected: bstr(map {1: alg, 3: content type}), unprotected: {}, payload:
 * bstr, signature: bstr(r || s)]. The signature covers the Sig_structure
 * ["Signature1", protected, external_aad (empty), payload] (RFC 9052 section 4.4), encoded
 * deterministically. ECDSA signatures are the fixed-size r || s form (RFC 9053 section 2.1),
 * which is what WebCrypto produces and expects. Runtime-agnostic: only `globalThis.crypto.subtle`.
 *
 * Every failure to verify (bad structure, unknown algorithm, key/curve mismatch, wrong key,
 * tampered payload or signature) is AppraisalError('ERR_REFERENCE_SIGNATURE'): fail closed.
 */
import { fromBase64 } from "../bytes.js";
import { AppraisalError } from "../errors.js";
import { CborTagged, type CborValue, decodeDeterministic, encodeDeterministic } from "./cbor.js";

/** COSE algorithm identifiers (RFC 9053 section 2.1). */
export const COSE_ALG = { ES256: -7, ES384: -35 } as const;
export type CoseAlgorithm = keyof typeof COSE_ALG;

const CURVE: Record<CoseAlgorithm, { namedCurve: "P-256" | "P-384"; hash: "SHA-256" | "SHA-384" }> = {
  ES256: { namedCurve: "P-256", hash: "SHA-256" },
  ES384: { namedCurve: "P-384", hash: "SHA-384" },
};

/** Content type carried in the protected header (COSE header 3). */
export const REFERENCE_CONTENT_TYPE = "application/vnd.tdx-attest.reference-values+cbor";

const COSE_SIGN1_TAG = 18;

function sigFail(why: string, cause?: unknown): never {
  throw new AppraisalError(
    "ERR_REFERENCE_SIGNATURE",
    `COSE_Sign1: ${why}`,
    { field: "signature" },
    { cause },
  );
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new AppraisalError("ERR_REFERENCE_SIGNATURE", "WebCrypto (crypto.subtle) is not available");
  return s;
}

/** DER bytes of a PEM block with the given label (e.g. "PRIVATE KEY", "PUBLIC KEY"). */
export function pemToDer(pem: string, label: string): Uint8Array {
  const re = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`);
  const m = re.exec(pem);
  if (!m?.[1]) sigFail(`expected a PEM "${label}" block`);
  try {
    return fromBase64(m[1].replace(/\s+/g, ""), `PEM ${label}`);
  } catch (e) {
    return sigFail(`PEM "${label}" block is not valid base64`, e);
  }
}

function keyBytes(key: string | Uint8Array, label: string): Uint8Array {
  return typeof key === "string" ? pemToDer(key, label) : key;
}

function buf(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

/** Imports a PKCS#8 ECDSA private key, finding its curve (P-256 -> ES256, P-384 -> ES384). */
async function importPrivate(der: Uint8Array): Promise<{ key: CryptoKey; alg: CoseAlgorithm }> {
  for (const alg of ["ES256", "ES384"] as const) {
    try {
      const key = await subtle().importKey(
        "pkcs8",
        buf(der),
        { name: "ECDSA", namedCurve: CURVE[alg].namedCurve },
        false,
        ["sign"],
      );
      return { key, alg };
    } catch {
      // try the next curve
    }
  }
  return sigFail("signing key is not a PKCS#8 ECDSA P-256 or P-384 key");
}

function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encodeDeterministic(
    ["Signature1", protectedBytes, new Uint8Array(0), payload],
    "ERR_REFERENCE_SIGNATURE",
  );
}

/**
 * Signs `payload` (deterministic CBOR) into a tagged COSE_Sign1. `privateKey` is a PKCS#8 PEM
 * string or DER bytes; the algorithm follows the key's curve.
 */
export async function signCoseSign1(
  payload: Uint8Array,
  privateKey: string | Uint8Array,
  contentType: string = REFERENCE_CONTENT_TYPE,
): Promise<Uint8Array> {
  const { key, alg } = await importPrivate(keyBytes(privateKey, "PRIVATE KEY"));
  const protectedBytes = encodeDeterministic(
    new Map<CborValue, CborValue>([
      [1, COSE_ALG[alg]],
      [3, contentType],
    ]),
  );
  const sig = new Uint8Array(
    await subtle().sign(
      { name: "ECDSA", hash: CURVE[alg].hash },
      key,
      buf(sigStructure(protectedBytes, payload)),
    ),
  );
  return encodeDeterministic(new CborTagged(COSE_SIGN1_TAG, [protectedBytes, new Map(), payload, sig]));
}

/** Is `bytes` a tagged COSE_Sign1 (starts with tag 18 and a 4-element array)? */
export function isCoseSign1(bytes: Uint8Array): boolean {
  return bytes[0] === 0xd2 && bytes[1] === 0x84;
}

interface ParsedSign1 {
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  alg: CoseAlgorithm;
}

function parseSign1(bytes: Uint8Array): ParsedSign1 {
  let v: CborValue;
  try {
    v = decodeDeterministic(bytes, "ERR_REFERENCE_SIGNATURE");
  } catch (e) {
    return sigFail("not a deterministic CBOR COSE_Sign1 message", e);
  }
  if (!(v instanceof CborTagged) || v.tag !== COSE_SIGN1_TAG) sigFail("missing tag 18");
  const arr = v.value;
  if (!Array.isArray(arr) || arr.length !== 4) sigFail("must be a 4-element array");
  const [protectedBytes, unprotected, payload, signature] = arr as CborValue[];
  if (
    !(protectedBytes instanceof Uint8Array) ||
    !(payload instanceof Uint8Array) ||
    !(signature instanceof Uint8Array)
  ) {
    sigFail("protected header, payload and signature must be byte strings (detached payloads unsupported)");
  }
  if (!(unprotected instanceof Map)) sigFail("unprotected header must be a map");
  const header = decodeDeterministic(protectedBytes, "ERR_REFERENCE_SIGNATURE");
  if (!(header instanceof Map)) sigFail("protected header must be a map");
  for (const k of header.keys()) {
    if (k !== 1 && k !== 3) sigFail(`unsupported protected header parameter ${String(k)}`);
  }
  const algId = header.get(1);
  const alg = (Object.keys(COSE_ALG) as CoseAlgorithm[]).find((a) => COSE_ALG[a] === algId);
  if (!alg) sigFail(`unsupported algorithm ${String(algId)} (ES256 -7 and ES384 -35 are supported)`);
  return { protectedBytes, payload, signature, alg };
}

/**
 * Verifies a tagged COSE_Sign1 with an SPKI public key (PEM string or DER) and returns the
 * payload. The key's curve must match the message's algorithm.
 */
export async function verifyCoseSign1(
  message: Uint8Array,
  publicKey: string | Uint8Array,
): Promise<Uint8Array> {
  const m = parseSign1(message);
  const der = keyBytes(publicKey, "PUBLIC KEY");
  let key: CryptoKey;
  try {
    key = await subtle().importKey(
      "spki",
      buf(der),
      { name: "ECDSA", namedCurve: CURVE[m.alg].namedCurve },
      false,
      ["verify"],
    );
  } catch (e) {
    return sigFail(
      `public key is not an SPKI ECDSA ${CURVE[m.alg].namedCurve} key (message uses ${m.alg})`,
      e,
    );
  }
  let ok = false;
  try {
    ok = await subtle().verify(
      { name: "ECDSA", hash: CURVE[m.alg].hash },
      key,
      buf(m.signature),
      buf(sigStructure(m.protectedBytes, m.payload)),
    );
  } catch (e) {
    return sigFail("signature could not be checked", e);
  }
  if (!ok) sigFail(`${m.alg} signature does not verify with the given public key`);
  return m.payload;
}
