/**
 * DCAP quotes v3 (SGX), v4 (TDX, TD 1.0 body) and v5 (body descriptor; SGX, TD 1.0 or TD 1.5
 * body): decode and byte-exact encode (tdx-reference.md §13).
 *
 * Decoding never copies the quote: every byte field, `signedBytes` and the trailing bytes are
 * views of the input. Bytes after the signature data (fixed-size, zero-padded buffers) are
 * reported in `trailing`, not rejected: no signature covers them. Everything else is checked:
 * version, key type, TEE type, body type and size, and every nested length.
 */
import { ByteReader, concatBytes, isAllZero } from "../bytes.js";
import { hexOffset, ParseError } from "../errors.js";
import {
  encodeCertificationData,
  encodeQeReportPayload,
  expectConsumed,
  readCertificationData,
  readDeclared,
  readQeReportPayload,
} from "./cert-data.js";
import {
  ATTESTATION_KEY_TYPE,
  BODY_SIZE_BY_TYPE,
  BODY_TYPE,
  ECDSA_PUBLIC_KEY_SIZE,
  ECDSA_SIGNATURE_SIZE,
  QUOTE_HEADER_SIZE,
  TEE_TYPE,
} from "./constants.js";
import {
  encodeQuoteHeader,
  encodeSgxReportBody,
  encodeTdQuoteBody,
  readQuoteHeader,
  readSgxReportBody,
  readTdQuoteBody,
} from "./quote-body.js";
import type { Quote, QuoteBody, QuoteHeader, QuoteSignatureData } from "./types.js";

function fail(
  code:
    | "ERR_UNSUPPORTED_VERSION"
    | "ERR_UNSUPPORTED_KEY_TYPE"
    | "ERR_UNSUPPORTED_TEE_TYPE"
    | "ERR_UNSUPPORTED_BODY_TYPE"
    | "ERR_BODY_SIZE_MISMATCH"
    | "ERR_BAD_VALUE",
  field: string,
  offset: number,
  why: string,
): never {
  throw new ParseError(code, `Quote.${field}: ${why} at ${hexOffset(offset)}`, {
    field: `Quote.${field}`,
    offset,
  });
}

function checkHeader(h: QuoteHeader): void {
  if (h.version !== 3 && h.version !== 4 && h.version !== 5) {
    fail("ERR_UNSUPPORTED_VERSION", "header.version", 0, `version ${h.version} is not 3, 4 or 5`);
  }
  if (h.attestationKeyType !== ATTESTATION_KEY_TYPE.ECDSA_P256) {
    fail(
      "ERR_UNSUPPORTED_KEY_TYPE",
      "header.attestationKeyType",
      2,
      `key type ${h.attestationKeyType} is not 2 (ECDSA-256-with-P-256)`,
    );
  }
  const want = h.version === 3 ? TEE_TYPE.SGX : h.version === 4 ? TEE_TYPE.TDX : undefined;
  if (want !== undefined && h.teeType !== want) {
    fail(
      "ERR_UNSUPPORTED_TEE_TYPE",
      "header.teeType",
      4,
      `TEE type 0x${h.teeType.toString(16)} does not match quote version ${h.version}`,
    );
  }
  if (h.teeType !== TEE_TYPE.SGX && h.teeType !== TEE_TYPE.TDX) {
    fail("ERR_UNSUPPORTED_TEE_TYPE", "header.teeType", 4, `unknown TEE type 0x${h.teeType.toString(16)}`);
  }
}

/** Reads the body (and for v5 the descriptor) after the header. */
function readBody(r: ByteReader, h: QuoteHeader): { body: QuoteBody; bodyType?: number } {
  if (h.version === 3) return { body: readSgxReportBody(r.sub(384, "body", r.context), "body") };
  if (h.version === 4) return { body: readTdQuoteBody(r.sub(584, "body", r.context), "td10") };
  const typeOffset = r.absolute;
  const bodyType = r.u16("bodyType");
  const sizeOffset = r.absolute;
  const size = r.u32("bodySize");
  const expected = BODY_SIZE_BY_TYPE[bodyType];
  if (expected === undefined)
    fail("ERR_UNSUPPORTED_BODY_TYPE", "bodyType", typeOffset, `body type ${bodyType} is not 1, 2 or 3`);
  if (size !== expected)
    fail(
      "ERR_BODY_SIZE_MISMATCH",
      "bodySize",
      sizeOffset,
      `body type ${bodyType} needs ${expected} bytes, descriptor says ${size}`,
    );
  const wantTee = bodyType === BODY_TYPE.SGX ? TEE_TYPE.SGX : TEE_TYPE.TDX;
  if (h.teeType !== wantTee)
    fail(
      "ERR_UNSUPPORTED_TEE_TYPE",
      "header.teeType",
      4,
      `TEE type 0x${h.teeType.toString(16)} does not match body type ${bodyType}`,
    );
  const br = readDeclared(r, size, "body");
  const body =
    bodyType === BODY_TYPE.SGX
      ? readSgxReportBody(br, "body")
      : readTdQuoteBody(br, bodyType === BODY_TYPE.TD15 ? "td15" : "td10");
  return { body, bodyType };
}

function readSignatureData(s: ByteReader, version: number): QuoteSignatureData {
  const signature = s.subarray(ECDSA_SIGNATURE_SIZE, "signatureData.signature");
  const attestationKey = s.subarray(ECDSA_PUBLIC_KEY_SIZE, "signatureData.attestationKey");
  // v3 carries the QE report part directly, without the type-6 wrapper (§13.5).
  const certificationData =
    version === 3
      ? readQeReportPayload(s, "signatureData.certificationData")
      : readCertificationData(s, "signatureData.certificationData");
  expectConsumed(s, "signature data");
  return { signature, attestationKey, certificationData };
}

/** Decodes a DCAP quote (v3, v4 or v5). Throws ParseError with a stable code on malformed input. */
export function parseQuote(bytes: Uint8Array): Quote {
  const r = new ByteReader(bytes, "Quote");
  const header = readQuoteHeader(r);
  checkHeader(header);
  const { body, bodyType } = readBody(r, header);
  const signedBytes = bytes.subarray(0, r.pos);
  const signatureDataLength = r.u32("signatureDataLength");
  const signatureData = readSignatureData(
    readDeclared(r, signatureDataLength, "signatureData"),
    header.version,
  );
  const rest = bytes.subarray(r.pos);
  const quote: Quote = {
    header,
    body,
    signedBytes,
    signatureDataLength,
    signatureData,
    trailing: { length: rest.length, allZero: isAllZero(rest), bytes: rest },
  };
  if (bodyType !== undefined) quote.bodyType = bodyType;
  return quote;
}

function bodyTypeOf(q: Quote): number {
  if (q.bodyType !== undefined) return q.bodyType;
  return q.body.kind === "sgx" ? BODY_TYPE.SGX : q.body.kind === "td15" ? BODY_TYPE.TD15 : BODY_TYPE.TD10;
}

/** Header + [v5 descriptor] + body: the bytes the attestation key signs (§13.2, §13.3). */
export function encodeSignedPart(q: Pick<Quote, "header" | "body" | "bodyType">): Uint8Array {
  const v = q.header.version;
  const kind = q.body.kind;
  const ok = v === 3 ? kind === "sgx" : v === 4 ? kind === "td10" : v === 5;
  if (!ok)
    fail(
      "ERR_BAD_VALUE",
      "body",
      QUOTE_HEADER_SIZE,
      `a ${kind} body cannot be carried by a version ${v} quote`,
    );
  const header = encodeQuoteHeader(q.header);
  const body = kind === "sgx" ? encodeSgxReportBody(q.body) : encodeTdQuoteBody(q.body);
  if (v !== 5) return concatBytes(header, body);
  const bodyType = bodyTypeOf(q as Quote);
  if (BODY_SIZE_BY_TYPE[bodyType] !== body.length) {
    fail(
      "ERR_BODY_SIZE_MISMATCH",
      "bodyType",
      QUOTE_HEADER_SIZE,
      `body type ${bodyType} does not match a ${kind} body`,
    );
  }
  const desc = new Uint8Array(6);
  new DataView(desc.buffer).setUint16(0, bodyType, true);
  new DataView(desc.buffer).setUint32(2, body.length, true);
  return concatBytes(header, desc, body);
}

/** The signature data bytes (without the u32 length prefix) in the layout of `version`. */
export function encodeSignatureData(sd: QuoteSignatureData, version: number): Uint8Array {
  if (sd.signature.length !== 64 || sd.attestationKey.length !== 64) {
    fail("ERR_BAD_VALUE", "signatureData", 0, "signature and attestation key must be 64 bytes each");
  }
  let cert: Uint8Array;
  if (version === 3) {
    if (sd.certificationData.type !== 6)
      fail(
        "ERR_BAD_VALUE",
        "signatureData.certificationData",
        0,
        "a v3 quote needs QE report certification data",
      );
    cert = encodeQeReportPayload(sd.certificationData);
  } else {
    cert = encodeCertificationData(sd.certificationData);
  }
  return concatBytes(sd.signature, sd.attestationKey, cert);
}

/**
 * Encodes a quote. The signature data length is recomputed from the contents; `trailing.bytes`
 * are appended as they are, so encode(parse(x)) == x for every well-formed input.
 */
export function encodeQuote(q: Quote): Uint8Array {
  const signed = encodeSignedPart(q);
  const sig = encodeSignatureData(q.signatureData, q.header.version);
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, sig.length, true);
  return concatBytes(signed, len, sig, q.trailing.bytes);
}
