/**
 * One error hierarchy for the whole toolkit (shape after panva/jose `src/util/errors.ts`).
 *
 * Every failure caused by input (bytes, JSON, configuration, collateral, policy) ends as a
 * `TdxError` with a stable machine-readable `code`. The subclass marks the stage that failed,
 * so a CLI can map families to exit codes. Bugs in this program are not `TdxError`s.
 *
 * Codes are grouped by stage. Add new codes to the group of the stage that throws them;
 * never rename or reuse a code (callers and JSON output depend on them).
 */

/** Malformed or unsupported binary/text input (quotes, reports, TD_PARAMS, firmware, logs). */
export type ParseErrorCode =
  | "ERR_TRUNCATED"
  | "ERR_TRAILING_BYTES"
  | "ERR_UNSUPPORTED_VERSION"
  | "ERR_UNSUPPORTED_KEY_TYPE"
  | "ERR_UNSUPPORTED_TEE_TYPE"
  | "ERR_UNSUPPORTED_BODY_TYPE"
  | "ERR_BODY_SIZE_MISMATCH"
  | "ERR_LENGTH_MISMATCH"
  | "ERR_BAD_LENGTH"
  | "ERR_BAD_VALUE"
  | "ERR_RESERVED_NONZERO"
  | "ERR_BAD_ENCODING"
  | "ERR_BAD_CERT_DATA"
  | "ERR_BAD_PEM"
  | "ERR_BAD_DER"
  | "ERR_BAD_JSON"
  | "ERR_TDVF_METADATA"
  | "ERR_PE_FORMAT"
  | "ERR_EVENTLOG_FORMAT"
  | "ERR_UNSUPPORTED_ALGORITHM"
  | "ERR_CCEL_TABLE";

/** Signature, chain, revocation and collateral checks (DCAP verification). */
export type VerifyErrorCode =
  | "ERR_QUOTE_SIGNATURE"
  | "ERR_QE_REPORT_SIGNATURE"
  | "ERR_QE_REPORT_DATA"
  | "ERR_QE_VENDOR"
  | "ERR_UNTRUSTED_ROOT"
  | "ERR_CERT_CHAIN"
  | "ERR_CERT_SIGNATURE"
  | "ERR_CERT_EXPIRED"
  | "ERR_CERT_NOT_YET_VALID"
  | "ERR_CERT_CONSTRAINTS"
  | "ERR_CERT_REVOKED"
  | "ERR_PCK_REVOKED"
  | "ERR_TCB_REVOKED"
  | "ERR_CRL_SIGNATURE"
  | "ERR_CRL_EXPIRED"
  | "ERR_CRL_NOT_YET_VALID"
  | "ERR_CRL_ISSUER"
  | "ERR_SGX_EXTENSION"
  | "ERR_TCB_INFO_SIGNATURE"
  | "ERR_TCB_INFO_EXPIRED"
  | "ERR_TCB_INFO_NOT_YET_VALID"
  | "ERR_TCB_INFO_MISMATCH"
  | "ERR_FMSPC_MISMATCH"
  | "ERR_PCEID_MISMATCH"
  | "ERR_QE_IDENTITY_SIGNATURE"
  | "ERR_QE_IDENTITY_EXPIRED"
  | "ERR_QE_IDENTITY_NOT_YET_VALID"
  | "ERR_QE_IDENTITY_MISMATCH"
  | "ERR_QE_TCB_NOT_SUPPORTED"
  | "ERR_TCB_NOT_SUPPORTED"
  | "ERR_TDX_MODULE_MISMATCH"
  | "ERR_UNSUPPORTED_CERT_DATA"
  | "ERR_SIGNATURE_FORMAT";

/** Collateral that is missing, malformed or cannot be fetched. */
export type CollateralErrorCode = "ERR_COLLATERAL_MISSING" | "ERR_COLLATERAL_FORMAT" | "ERR_COLLATERAL_FETCH";

/** Launch configurations and CLI arguments. */
export type ConfigErrorCode = "ERR_CONFIG" | "ERR_USAGE" | "ERR_IO";

/** Simulation misuse that is not an ABI status (ABI failures are returned as status codes). */
export type SimulationErrorCode = "ERR_SIMULATION" | "ERR_KVM";

/** Reference values, policies and appraisal inputs. */
export type AppraisalErrorCode =
  | "ERR_REFERENCE_FORMAT"
  | "ERR_REFERENCE_SIGNATURE"
  | "ERR_POLICY_FORMAT"
  | "ERR_EVENTLOG_MISMATCH";

export type ErrorCode =
  | ParseErrorCode
  | VerifyErrorCode
  | CollateralErrorCode
  | ConfigErrorCode
  | SimulationErrorCode
  | AppraisalErrorCode;

/** Where in the input the problem is: a dotted field path and, for binary input, a byte offset. */
export interface ErrorLocation {
  readonly field: string;
  readonly offset?: number;
}

export class TdxError extends Error {
  readonly code: ErrorCode;
  readonly at: ErrorLocation | undefined;

  constructor(code: ErrorCode, message: string, at?: ErrorLocation, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.at = at;
    this.name = new.target.name;
  }

  /** JSON form used by `--json` error output. */
  toJSON(): { code: ErrorCode; message: string; name: string; field?: string; offset?: number } {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      ...(this.at ? { field: this.at.field } : {}),
      ...(this.at?.offset !== undefined ? { offset: this.at.offset } : {}),
    };
  }
}

/** Input bytes or text are malformed or of an unsupported kind. */
export class ParseError extends TdxError {}
/** A cryptographic or collateral check failed (fails closed). */
export class VerifyError extends TdxError {}
/** Collateral is missing, malformed or could not be fetched. */
export class CollateralError extends TdxError {}
/** A launch configuration, CLI argument or file is invalid. */
export class ConfigError extends TdxError {}
/** The simulated platform was driven in a way it cannot model (not an ABI status). */
export class SimulationError extends TdxError {}
/** Reference values, policy or appraisal inputs are invalid. */
export class AppraisalError extends TdxError {}

/** Format a byte offset the way every message in this project does. */
export function hexOffset(offset: number): string {
  return `0x${offset.toString(16)}`;
}

export function isTdxError(e: unknown): e is TdxError {
  return e instanceof TdxError;
}
