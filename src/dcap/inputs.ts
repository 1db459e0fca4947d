/**
 * Shape checks of verifyQuote's arguments for JavaScript callers without a type checker: a
 * malformed collateral object or option is a typed error, never a TypeError from deep inside
 * (fail closed, tdx-reference.md section 16.1).
 */
import { CollateralError, ConfigError } from "../errors.js";
import type { Collateral } from "./collateral.js";

const BYTES = [
  "rootCaCrl",
  "pckCrl",
  "tcbInfo",
  "tcbInfoSignature",
  "qeIdentity",
  "qeIdentitySignature",
] as const;
const CHAINS = ["pckCrlIssuerChain", "tcbInfoIssuerChain", "qeIdentityIssuerChain"] as const;

function collateralError(field: string, why: string): CollateralError {
  const code = why === "missing" ? "ERR_COLLATERAL_MISSING" : "ERR_COLLATERAL_FORMAT";
  return new CollateralError(code, `collateral${field ? `.${field}` : ""}: ${why}`, {
    field: `collateral${field ? `.${field}` : ""}`,
  });
}

function isChain(v: unknown): boolean {
  return Array.isArray(v) && v.every((x) => x instanceof Uint8Array);
}

/** Every field of a Collateral has its declared type (bytes, or arrays of DER bytes). */
export function checkCollateralShape(c: unknown): asserts c is Collateral {
  if (typeof c !== "object" || c === null) throw collateralError("", "expected a Collateral object");
  const o = c as Record<string, unknown>;
  for (const k of BYTES) {
    if (o[k] === undefined) throw collateralError(k, "missing");
    if (!(o[k] instanceof Uint8Array)) throw collateralError(k, "expected bytes (Uint8Array)");
  }
  for (const k of CHAINS) {
    if (o[k] === undefined) throw collateralError(k, "missing");
    if (!isChain(o[k])) throw collateralError(k, "expected an array of DER certificates (Uint8Array)");
  }
  const pck = o["pckCertificateChain"];
  if (pck !== undefined && !isChain(pck)) {
    throw collateralError("pckCertificateChain", "expected an array of DER certificates (Uint8Array)");
  }
}

function configError(field: string, why: string): ConfigError {
  return new ConfigError("ERR_CONFIG", `options.${field}: ${why}`, { field: `options.${field}` });
}

/** The options whose shape verifyQuote relies on: now, trustedRoots, tee. */
export function checkOptionsShape(o: unknown): void {
  if (typeof o !== "object" || o === null) throw configError("", "expected an options object");
  const r = o as Record<string, unknown>;
  const now = r["now"];
  if (now !== undefined && typeof now !== "number" && !(now instanceof Date)) {
    throw configError("now", "expected a Date or milliseconds since the epoch");
  }
  const roots = r["trustedRoots"];
  if (roots !== undefined && !isChain(roots)) {
    throw configError("trustedRoots", "expected an array of DER certificates (Uint8Array)");
  }
  const tee = r["tee"];
  if (tee !== undefined && tee !== "tdx" && tee !== "sgx" && tee !== "any") {
    throw configError("tee", `expected "tdx", "sgx" or "any", got ${JSON.stringify(tee)}`);
  }
}
