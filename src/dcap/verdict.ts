/**
 * The verdict of a verification: identity checks of the collateral against the quote and PCK,
 * the TDX module identity, and Intel's TCB level selection and status merge (tdx-reference.md
 * sections 16.1 steps 6-8 and 13, 16.2-16.4).
 */
import type { Quote, TdQuoteBody } from "../abi/types.js";
import { equalBytes, toHex } from "../bytes.js";
import { VerifyError } from "../errors.js";
import type { VerifiedPck } from "./pck.js";
import { qeStatusOf } from "./qe-report.js";
import type { IsvLevel, TcbInfo, TcbLevel, TcbStatus } from "./tcb-info.js";
import {
  converge,
  mergeAdvisories,
  moduleIdentityFor,
  moduleLevel,
  type QuoteStatus,
  relaunchStatus,
  selectTcbLevel,
} from "./tcb-status.js";
import type { AuthenticatedCollateral } from "./verify-collateral.js";

export interface PckInfo {
  ppid: string;
  cpuSvn: string;
  pceSvn: number;
  fmspc: string;
  pceId: string;
  sgxType: number;
  tcbComponents: number[];
  platformInstanceId?: string;
  ca: "platform" | "processor";
  serial: string;
}

export interface VerifiedQuote {
  /** Intel's merged status (16.3). */
  status: QuoteStatus;
  advisoryIds: string[];
  tcbDate: string;
  tcbLevel: TcbLevel;
  fmspc: string;
  /** Status of the selected TDX level (TDX) or SGX level (SGX) before merging. */
  platformStatus: TcbStatus;
  /** Intel's QE status: UpToDate, Revoked, or OutOfDate for any other QE level status. */
  qeIdentityStatus: TcbStatus;
  /** TDX only: the module identity level's status; "UpToDate" when TEE_TCB_SVN[1] = 0 (Intel: OK). */
  tdxModuleStatus?: TcbStatus;
  tcbEvaluationDataNumber: number;
  pck: PckInfo;
  /** TDX quotes: TDATTRIBUTES and its DEBUG bit (bit 0), for the appraisal policy. */
  td?: { debug: boolean; attributes: bigint };
  /** SGX quotes: the enclave's DEBUG attribute (ATTRIBUTES.flags bit 1). */
  enclave?: { debug: boolean };
  quote: Quote;
}

/** TCB info / QE identity kind, FMSPC and PCE-ID against the TEE type and the PCK (16.1 steps 6-7). */
export function checkIdentities(isTdx: boolean, col: AuthenticatedCollateral, pck: VerifiedPck): void {
  const want = isTdx ? ["TDX", "TD_QE"] : ["SGX", "QE"];
  if (col.tcbInfo.id !== want[0]) {
    throw new VerifyError(
      "ERR_TCB_INFO_MISMATCH",
      `collateral.tcbInfo.id: "${col.tcbInfo.id}" (quote needs "${want[0]}")`,
      {
        field: "collateral.tcbInfo.id",
      },
    );
  }
  if (col.qeIdentity.id !== want[1]) {
    throw new VerifyError(
      "ERR_QE_IDENTITY_MISMATCH",
      `collateral.qeIdentity.id: "${col.qeIdentity.id}" (quote needs "${want[1]}")`,
      {
        field: "collateral.qeIdentity.id",
      },
    );
  }
  if (!equalBytes(col.tcbInfo.fmspc, pck.extensions.fmspc)) {
    throw new VerifyError(
      "ERR_FMSPC_MISMATCH",
      `collateral.tcbInfo.fmspc: ${toHex(col.tcbInfo.fmspc)} is not the PCK FMSPC ${toHex(pck.extensions.fmspc)}`,
      { field: "collateral.tcbInfo.fmspc" },
    );
  }
  if (!equalBytes(col.tcbInfo.pceId, pck.extensions.pceId)) {
    throw new VerifyError(
      "ERR_PCEID_MISMATCH",
      `collateral.tcbInfo.pceId: ${toHex(col.tcbInfo.pceId)} is not the PCK PCE-ID ${toHex(pck.extensions.pceId)}`,
      { field: "collateral.tcbInfo.pceId" },
    );
  }
}

/**
 * TDX module identity (Intel 4.1.2.4.11, section 16.1 step 8): MRSIGNERSEAM equal to the expected
 * signer, SEAMATTRIBUTES zero and equal to the expected attributes, mask unused (Intel's rule,
 * section 18 item 8; stricter than dcap-qvl's and go-tdx-guest's masked compares).
 */
export function checkModuleIdentity(info: TcbInfo, body: TdQuoteBody): void {
  const major = body.teeTcbSvn[1] ?? 0;
  const expected = major > 0 ? moduleIdentityFor(info, major) : info.tdxModule;
  const fail = (why: string): never => {
    throw new VerifyError("ERR_TDX_MODULE_MISMATCH", `Quote.body: ${why}`, { field: "Quote.body" });
  };
  if (!expected) {
    fail(`no TDX module identity for major version ${major}`);
    return;
  }
  if (!equalBytes(body.mrSignerSeam, expected.mrSigner))
    fail("MRSIGNERSEAM does not match the TDX module identity");
  // Intel 4.1.2.4.11.2: every SEAMATTRIBUTES byte must be zero AND equal to the expected byte;
  // the mask is not used (a zero mask bit must not hide a set attribute).
  const attrs = new Uint8Array(8);
  new DataView(attrs.buffer).setBigUint64(0, body.seamAttributes, true);
  for (let i = 0; i < 8; i++) {
    if (attrs[i] !== 0 || attrs[i] !== expected.attributes[i])
      fail("SEAMATTRIBUTES are not zero and equal to the TDX module identity's attributes");
  }
}

/** The PCK facts reported in the verdict (hex at the edge). */
export function pckInfo(p: VerifiedPck): PckInfo {
  const e = p.extensions;
  const out: PckInfo = {
    ppid: toHex(e.ppid),
    cpuSvn: toHex(e.cpuSvn),
    pceSvn: e.pceSvn,
    fmspc: toHex(e.fmspc),
    pceId: toHex(e.pceId),
    sgxType: e.sgxType,
    tcbComponents: e.tcbComponents,
    ca: p.ca,
    serial: p.leaf.serial,
  };
  if (e.platformInstanceId) out.platformInstanceId = toHex(e.platformInstanceId);
  return out;
}

/** Status merge and advisory union (16.2-16.4). */
export function tcbVerdict(
  q: Quote,
  col: AuthenticatedCollateral,
  pck: VerifiedPck,
  qeLevel: IsvLevel,
): Omit<VerifiedQuote, "pck" | "quote" | "fmspc" | "tcbEvaluationDataNumber"> {
  const info = col.tcbInfo;
  const qeStatus = qeStatusOf(qeLevel);
  const body = q.body.kind === "sgx" ? undefined : q.body;
  const match = selectTcbLevel(info, pck.extensions.tcbComponents, pck.extensions.pceSvn, body?.teeTcbSvn);
  const platformStatus = match.tdxLevel.tcbStatus;
  let status: QuoteStatus = platformStatus;
  let mod: ReturnType<typeof moduleLevel>;
  if (body) {
    mod = moduleLevel(info, body.teeTcbSvn);
    status = converge(status, mod?.tcbStatus);
    if (status !== "Revoked" && body.kind === "td15" && body.teeTcbSvn2) {
      status = relaunchStatus(status, {
        sgxStatus: match.sgxLevel.tcbStatus,
        tdxStatus: status,
        moduleStatus: mod?.tcbStatus,
        qeStatus,
        teeTcbSvn2: body.teeTcbSvn2,
        info,
      });
    }
  }
  status = converge(status, qeStatus);
  const out: ReturnType<typeof tcbVerdict> = {
    status,
    advisoryIds: mergeAdvisories(match.tdxLevel.advisoryIds, mod?.advisoryIds, qeLevel.advisoryIds),
    tcbDate: match.tdxLevel.tcbDate,
    tcbLevel: match.tdxLevel,
    platformStatus,
    qeIdentityStatus: qeStatus,
  };
  if (body) {
    out.tdxModuleStatus = mod?.tcbStatus ?? "UpToDate";
    out.td = { debug: (body.tdAttributes & 1n) === 1n, attributes: body.tdAttributes };
  } else if (q.body.kind === "sgx") {
    out.enclave = { debug: ((q.body.attributes[0] as number) & 2) !== 0 };
  }
  return out;
}
