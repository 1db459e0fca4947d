/**
 * Certification data of the ECDSA quote signature data (tdx-reference.md §13.5): u16 type, u32
 * size, payload. Type 6 (QE report certification data) and type 5 (PEM PCK chain) are decoded,
 * types 1-4 and 7 are kept raw, anything else is ERR_BAD_CERT_DATA. Decoding returns views.
 */
import { type ByteReader, utf8 } from "../bytes.js";
import { hexOffset, ParseError } from "../errors.js";
import { CERT_DATA_TYPE, ECDSA_SIGNATURE_SIZE, SGX_REPORT_BODY_SIZE } from "./constants.js";
import { encodePemCertificates, parsePemCertificates } from "./pem.js";
import { encodeSgxReportBody, readSgxReportBody } from "./quote-body.js";
import type { CertificationData, PckChainCertificationData, QeReportCertificationData } from "./types.js";

/** Reads `size` bytes that a length field declared, with a "declares" message when they are missing. */
export function readDeclared(r: ByteReader, size: number, field: string): ByteReader {
  if (size > r.remaining) {
    throw new ParseError(
      "ERR_TRUNCATED",
      `${r.context}.${field}: declares ${size} bytes at ${hexOffset(r.absolute)}, ${r.remaining} remain`,
      { field: `${r.context}.${field}`, offset: r.absolute },
    );
  }
  // Keep the parent context: nested field names are already full dotted paths.
  return r.sub(size, field, r.context);
}

/** Throws ERR_LENGTH_MISMATCH if a length-delimited structure has unconsumed bytes. */
export function expectConsumed(r: ByteReader, what: string): void {
  if (r.remaining !== 0) {
    throw new ParseError(
      "ERR_LENGTH_MISMATCH",
      `${r.context}: ${what} leaves ${r.remaining} unused bytes at ${hexOffset(r.absolute)}`,
      { field: r.context, offset: r.absolute },
    );
  }
}

/** Reads u16 type, u32 size and the payload; `field` names it (e.g. `signatureData.certificationData`). */
export function readCertificationData(r: ByteReader, field: string, nested = false): CertificationData {
  const typeOffset = r.absolute;
  const type = r.u16(`${field}.type`);
  const size = r.u32(`${field}.size`);
  if (type < 1 || type > 7 || (nested && type === CERT_DATA_TYPE.QE_REPORT_CERTIFICATION_DATA)) {
    const why = nested && type === 6 ? "type 6 may not nest inside type 6" : `unknown type ${type}`;
    throw new ParseError(
      "ERR_BAD_CERT_DATA",
      `${r.context}.${field}.type: ${why} at ${hexOffset(typeOffset)}`,
      {
        field: `${r.context}.${field}.type`,
        offset: typeOffset,
      },
    );
  }
  const payload = readDeclared(r, size, `${field}.data`);
  return decodeCertificationPayload(type, payload, field);
}

function decodeCertificationPayload(type: number, p: ByteReader, field: string): CertificationData {
  if (type === CERT_DATA_TYPE.QE_REPORT_CERTIFICATION_DATA) {
    const cd = readQeReportPayload(p, field);
    expectConsumed(p, `${field} (type 6)`);
    return cd;
  }
  if (type === CERT_DATA_TYPE.PCK_CERT_CHAIN) {
    const base = p.absolute;
    const pem = p.subarray(p.remaining, `${field}.pem`);
    return { type: 5, pem, certificates: parsePemCertificates(pem, `${p.context}.${field}.pem`, base) };
  }
  return { type: type as 1 | 2 | 3 | 4 | 7, data: p.subarray(p.remaining, `${field}.data`) };
}

/**
 * The part shared by type 6 and the v3 signature data: QE report, its signature, u16 auth data
 * size + auth data, nested certification data (§13.5).
 */
export function readQeReportPayload(p: ByteReader, field: string): QeReportCertificationData {
  const reportOffset = p.pos;
  const qeReport = readSgxReportBody(p, `${field}.qeReport`);
  const qeReportBytes = p.bytes.subarray(reportOffset, reportOffset + SGX_REPORT_BODY_SIZE);
  const qeReportSignature = p.subarray(ECDSA_SIGNATURE_SIZE, `${field}.qeReportSignature`);
  const authSize = p.u16(`${field}.qeAuthData.size`);
  const qeAuthData = readDeclared(p, authSize, `${field}.qeAuthData`).bytes;
  const inner = readCertificationData(p, `${field}.inner`, true);
  return { type: 6, qeReportBytes, qeReport, qeReportSignature, qeAuthData, inner };
}

/** Encodes the QE report part (no type/size prefix): used for type 6 payloads and v3 signature data. */
export function encodeQeReportPayload(cd: QeReportCertificationData): Uint8Array {
  const report = encodeSgxReportBody(cd.qeReport);
  if (cd.qeReportSignature.length !== ECDSA_SIGNATURE_SIZE) {
    throw new ParseError("ERR_BAD_LENGTH", "QeReportCertificationData.qeReportSignature: must be 64 bytes", {
      field: "QeReportCertificationData.qeReportSignature",
    });
  }
  if (cd.qeAuthData.length > 0xffff) {
    throw new ParseError("ERR_BAD_LENGTH", "QeReportCertificationData.qeAuthData: longer than 65535 bytes", {
      field: "QeReportCertificationData.qeAuthData",
    });
  }
  const inner = encodeCertificationData(cd.inner);
  const out = new Uint8Array(384 + 64 + 2 + cd.qeAuthData.length + inner.length);
  out.set(report, 0);
  out.set(cd.qeReportSignature, 384);
  new DataView(out.buffer).setUint16(448, cd.qeAuthData.length, true);
  out.set(cd.qeAuthData, 450);
  out.set(inner, 450 + cd.qeAuthData.length);
  return out;
}

function payloadOf(cd: CertificationData): Uint8Array {
  if (cd.type === 6) return encodeQeReportPayload(cd);
  if (cd.type === 5) return cd.pem;
  if (cd.type >= 1 && cd.type <= 7) return cd.data;
  throw new ParseError("ERR_BAD_CERT_DATA", `CertificationData.type: unknown type ${String(cd.type)}`, {
    field: "CertificationData.type",
  });
}

/** Encodes u16 type + u32 size + payload. Type 5 writes `pem` as is (including NUL padding). */
export function encodeCertificationData(cd: CertificationData): Uint8Array {
  const payload = payloadOf(cd);
  const out = new Uint8Array(6 + payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, cd.type, true);
  v.setUint32(2, payload.length, true);
  out.set(payload, 6);
  return out;
}

/** Type 5 certification data for DER certificates (leaf first), with optional NUL padding. */
export function pckChainCertificationData(
  ders: readonly Uint8Array[],
  nulPadding = 0,
): PckChainCertificationData {
  const text = utf8(encodePemCertificates(ders));
  const pem = new Uint8Array(text.length + nulPadding);
  pem.set(text);
  return { type: 5, pem, certificates: ders.map((d) => d.slice()) };
}

/** The PCK chain of a quote's certification data (type 5 directly or nested in type 6), if any. */
export function findPckChain(cd: CertificationData): PckChainCertificationData | undefined {
  if (cd.type === 5) return cd;
  if (cd.type === 6 && cd.inner.type === 5) return cd.inner;
  return undefined;
}
