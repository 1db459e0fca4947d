/**
 * Quoting Enclave checks (tdx-reference.md section 16.1 steps 9-12): QE report signature by the
 * PCK key, QE report data binding of the attestation key, QE identity match, quote signature.
 */

import type { QeReportCertificationData, SgxReportBody } from "../abi/types.js";
import { concatBytes, equalBytes, isAllZero } from "../bytes.js";
import { type CryptoBackend, startVerifyP256 } from "../crypto/types.js";
import { VerifyError } from "../errors.js";
import type { IsvLevel, QeIdentity, TcbStatus } from "./tcb-info.js";
import { isvLevelFor } from "./tcb-status.js";

/** QE report signature: ECDSA-P256-SHA256 by the PCK leaf key over the 384 report bytes. */
export async function checkQeReportSignature(
  cd: QeReportCertificationData,
  pckKey: Uint8Array,
  crypto: CryptoBackend,
  started?: boolean | PromiseLike<boolean>,
): Promise<void> {
  const result = started ?? startVerifyP256(crypto, pckKey, cd.qeReportBytes, cd.qeReportSignature);
  if (!(await result)) {
    throw new VerifyError(
      "ERR_QE_REPORT_SIGNATURE",
      "Quote.qeReportSignature: does not verify with the PCK key",
      {
        field: "Quote.qeReportSignature",
      },
    );
  }
}

/**
 * REPORTDATA = SHA-256(attestation key || QE auth data) || 32 zero bytes. Intel QVL compares
 * the first 32 bytes only; we also require the zero half, as go-tdx-guest and dcap-qvl do
 * (section 18 item 9), since the real QE always writes zeros there.
 */
export function checkQeReportData(
  cd: QeReportCertificationData,
  attestationKey: Uint8Array,
  crypto: CryptoBackend,
): void {
  const want = crypto.hash("sha256", concatBytes(attestationKey, cd.qeAuthData));
  const rd = cd.qeReport.reportData;
  if (!equalBytes(rd.subarray(0, 32), want) || !isAllZero(rd.subarray(32))) {
    throw new VerifyError(
      "ERR_QE_REPORT_DATA",
      "Quote.qeReport.reportData: is not SHA-256(attestation key || QE auth data) followed by 32 zero bytes",
      { field: "Quote.qeReport.reportData" },
    );
  }
}

function mismatch(what: string): never {
  throw new VerifyError(
    "ERR_QE_IDENTITY_MISMATCH",
    `Quote.qeReport.${what}: does not match the QE identity`,
    {
      field: `Quote.qeReport.${what}`,
    },
  );
}

/** QE identity match (MISCSELECT/ATTRIBUTES under masks, MRSIGNER, ISVPRODID) and TCB level. */
export function matchQeIdentity(report: SgxReportBody, id: QeIdentity): IsvLevel {
  if ((report.miscSelect & id.miscselectMask) >>> 0 !== (id.miscselect & id.miscselectMask) >>> 0)
    mismatch("miscSelect");
  for (let i = 0; i < 16; i++) {
    const m = id.attributesMask[i] as number;
    if (((report.attributes[i] as number) & m) !== ((id.attributes[i] as number) & m)) mismatch("attributes");
  }
  if (!equalBytes(report.mrSigner, id.mrSigner)) mismatch("mrSigner");
  if (report.isvProdId !== id.isvProdId) mismatch("isvProdId");
  const level = isvLevelFor(id.tcbLevels, report.isvSvn);
  if (!level) {
    throw new VerifyError(
      "ERR_QE_TCB_NOT_SUPPORTED",
      `Quote.qeReport.isvSvn: ${report.isvSvn} is below every QE identity level`,
      {
        field: "Quote.qeReport.isvSvn",
      },
    );
  }
  return level;
}

/**
 * The QE status Intel's EnclaveReportVerifier reports for a QE level: UpToDate and Revoked stand,
 * every other level status (ConfigurationNeeded, OutOfDate, OutOfDateConfigurationNeeded) means
 * "ISVSVN out of date" and converges as OutOfDate (tdx-reference.md 16.3).
 */
export function qeStatusOf(level: IsvLevel): TcbStatus {
  return level.tcbStatus === "UpToDate" || level.tcbStatus === "Revoked" ? level.tcbStatus : "OutOfDate";
}

/** Quote signature: the attestation key over header || [descriptor] || body (13.2/13.3). */
export async function checkQuoteSignature(result: boolean | PromiseLike<boolean>): Promise<void> {
  if (!(await result)) {
    throw new VerifyError(
      "ERR_QUOTE_SIGNATURE",
      "Quote.signature: does not verify with the attestation key",
      {
        field: "Quote.signature",
      },
    );
  }
}
