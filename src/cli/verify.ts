/**
 * `tdx-attest verify <quote> (--collateral <file.json> | --pccs URL) [--at <ISO time>]
 * [--root <pem>] [--tee tdx|sgx|any] [--cache-dir DIR] [--json]`: full DCAP verification
 * (tdx-reference.md section 16), then with --reference an appraisal; `--batch <dir>` does it for
 * every quote file of a directory (verify-batch.ts). Exit 0 only when verification succeeded.
 */
import { findPckChain } from "../abi/cert-data.js";
import { quoteToJson } from "../abi/json.js";
import { parseQuote } from "../abi/quote.js";
import { toHex, u64le } from "../bytes.js";
import { type Collateral, collateralFromJson } from "../dcap/collateral.js";
import { pemCertificates } from "../dcap/pem.js";
import { parsePckExtensions } from "../dcap/sgx-extension.js";
import { type VerifiedQuote, verifyQuote } from "../dcap/verify.js";
import { parseCertificate } from "../dcap/x509.js";
import { CollateralError, ConfigError, TdxError } from "../errors.js";
import { APPRAISE_OPTIONS, appraisalArgs, loadAppraisalSetup, verifyThenAppraise } from "./appraise.js";
import {
  type CommandContext,
  EXIT,
  exitCodeFor,
  type InputFormat,
  parseFormat,
  parseOptions,
  readInput,
  readRaw,
  toJson,
} from "./common.js";
import { fetchCollateral } from "./pccs.js";
import { runBatch } from "./verify-batch.js";

export const VERIFY_USAGE = `usage: tdx-attest verify <quote|-> (--collateral <file.json> | --pccs <URL>) [options]
       tdx-attest verify --batch <dir> (--collateral <file.json> | --pccs <URL>) [options]

Verifies a DCAP quote (TDX v4/v5; SGX v3 with --tee sgx) against Intel collateral: PCK chain to
the pinned Intel SGX Root CA, CRLs, TCB info, QE identity, QE report and quote signatures, then
Intel's TCB level selection and status merge. Exit status 0 only when verification succeeded
(with --reference: only for an affirming verdict, or warning with --accept-warning).

options:
  --collateral <f>  collateral JSON in dcap-qvl's shape (pck_crl_issuer_chain, root_ca_crl, ...)
  --pccs <URL>      fetch collateral from Intel PCS or a PCCS (v4 API), cached on disk
  --cache-dir <d>   cache for --pccs (default ~/.cache/tdx-attest/pccs; honours nextUpdate)
  --at <time>       verification time, ISO 8601 (default: now)
  --root <pem>      trust this root certificate instead of the pinned Intel SGX Root CA
  --tee <t>         accepted TEE: tdx (default), sgx or any
  --format <fmt>    quote encoding: auto (default), binary, hex or base64
  --json            one JSON object: the verdict plus "ok", or "ok": false and "error"
  --reference <f>   then appraise against reference values; with it (and only with it):
                    --reference-key, --policy, --eventlog, --nonce, --accept-warning, --ear,
                    --ear-json, --iat (see docs/appraise.md)
  --batch <dir>     every regular file of <dir> is a quote (binary, hex or base64); one line per
                    file and a summary (or one JSON object); exit 0 only if all pass. Not with
                    --eventlog or --ear/--ear-json (one TD each)
  -h, --help        this text
`;

function parseAt(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const t = typeof v === "string" && /^\d{4}-\d\d-\d\d/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(t))
    throw new ConfigError("ERR_USAGE", `--at: "${String(v)}" is not an ISO 8601 time`, { field: "--at" });
  return t;
}

function parseTee(v: unknown): "tdx" | "sgx" | "any" {
  if (v === undefined) return "tdx";
  if (v === "tdx" || v === "sgx" || v === "any") return v;
  throw new ConfigError("ERR_USAGE", `--tee must be tdx, sgx or any (got ${String(v)})`, { field: "--tee" });
}

/** Collateral from --collateral or --pccs (FMSPC and CA taken from the quote's PCK leaf). */
async function loadCollateral(
  ctx: CommandContext,
  values: Record<string, unknown>,
  quote: Uint8Array,
  now: number | undefined,
) {
  const file = values["collateral"];
  const pccs = values["pccs"];
  if (typeof file === "string" && pccs === undefined)
    return collateralFromJson(new TextDecoder().decode(readRaw(ctx, file)));
  if (typeof pccs !== "string" || file !== undefined) {
    throw new ConfigError("ERR_USAGE", "give exactly one of --collateral <file> or --pccs <URL>", {
      field: "argv",
    });
  }
  const q = parseQuote(quote);
  const chain = findPckChain(q.signatureData.certificationData);
  if (!chain || chain.certificates.length < 2) {
    throw new CollateralError(
      "ERR_COLLATERAL_MISSING",
      "--pccs: the quote carries no PCK chain to take the FMSPC from",
    );
  }
  const ext = parsePckExtensions(parseCertificate(chain.certificates[0] as Uint8Array));
  const ca = parseCertificate(chain.certificates[1] as Uint8Array).subjectCn?.includes("Processor")
    ? "processor"
    : "platform";
  const cacheDir = values["cache-dir"];
  return fetchCollateral(
    {
      baseUrl: pccs,
      ...(typeof cacheDir === "string" ? { cacheDir } : {}),
      ...(now === undefined ? {} : { now }),
    },
    toHex(ext.fmspc),
    ca,
    q.body.kind === "sgx" ? "sgx" : "tdx",
  );
}

/**
 * Intel reports a revoked TCB (platform, TDX module or QE level) as a status, and verifyQuote
 * returns it so callers can see which level; the CLI fails closed on it: no "OK", exit 4.
 */
export function isRevoked(r: VerifiedQuote): boolean {
  return r.status === "Revoked";
}

function revokedMessage(r: VerifiedQuote): string {
  return `the quote is genuine but its TCB is Revoked (platform ${r.platformStatus}, QE ${r.qeIdentityStatus}${
    r.tdxModuleStatus ? `, TDX module ${r.tdxModuleStatus}` : ""
  })`;
}

/** The JSON form of a verdict (bigint attributes as hex, the quote through abi/json). */
export function verdictToJson(r: VerifiedQuote): Record<string, unknown> {
  const { quote, td, ...rest } = r;
  const revoked = isRevoked(r);
  return {
    ok: !revoked,
    ...(revoked ? { error: { code: "ERR_TCB_REVOKED", message: revokedMessage(r) } } : {}),
    ...rest,
    ...(td ? { td: { debug: td.debug, attributes: toHex(u64le(td.attributes)) } } : {}),
    quote: quoteToJson(quote),
  };
}

function human(r: VerifiedQuote): string {
  const kind = r.td ? "TDX" : "SGX";
  const lines = [
    `${isRevoked(r) ? "REVOKED" : "OK"}: ${r.status} (${kind} quote v${r.quote.header.version}, FMSPC ${r.fmspc}, TCB date ${r.tcbDate})`,
    `  advisories:        ${r.advisoryIds.length > 0 ? r.advisoryIds.join(", ") : "none"}`,
    `  platform level:    ${r.platformStatus}`,
    `  QE identity:       ${r.qeIdentityStatus}`,
  ];
  if (r.tdxModuleStatus) lines.push(`  TDX module:        ${r.tdxModuleStatus}`);
  lines.push(
    `  TCB eval number:   ${r.tcbEvaluationDataNumber}`,
    `  PCK:               ${r.pck.ca} CA, PCESVN ${r.pck.pceSvn}, SVNs ${r.pck.tcbComponents.join(",")}, PCE-ID ${r.pck.pceId}`,
  );
  if (r.td)
    lines.push(
      `  TD attributes:     ${toHex(u64le(r.td.attributes))}${r.td.debug ? "  DEBUG (not for production)" : ""}`,
    );
  if (r.enclave?.debug) lines.push("  enclave:           DEBUG (not for production)");
  return `${lines.join("\n")}\n`;
}

const VERIFY_OPTIONS = {
  ...APPRAISE_OPTIONS,
  collateral: { type: "string" },
  pccs: { type: "string" },
  "cache-dir": { type: "string" },
  at: { type: "string" },
  root: { type: "string" },
  tee: { type: "string" },
  format: { type: "string" },
  batch: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Options that only mean something for an appraisal: refused without --reference (not ignored). */
function checkOptionCombinations(values: Record<string, unknown>): void {
  if (typeof values["reference"] !== "string") {
    const stray = Object.keys(APPRAISE_OPTIONS).filter((k) => k !== "reference" && values[k] !== undefined);
    if (stray.length > 0) {
      throw new ConfigError(
        "ERR_USAGE",
        `${stray.map((k) => `--${k}`).join(", ")} only apply with --reference (appraisal); see --help`,
        { field: "argv" },
      );
    }
  }
  if (typeof values["batch"] === "string") {
    const single = ["eventlog", "ear", "ear-json", "iat"].filter((k) => values[k] !== undefined);
    if (single.length > 0) {
      throw new ConfigError(
        "ERR_USAGE",
        `${single.map((k) => `--${k}`).join(", ")} describe one TD and cannot be used with --batch`,
        { field: "argv" },
      );
    }
  }
}

interface Prepared {
  now: number | undefined;
  tee: "tdx" | "sgx" | "any";
  trustedRoots: Uint8Array[] | undefined;
}

function verifyOptions(p: Prepared) {
  return {
    tee: p.tee,
    ...(p.now === undefined ? {} : { now: p.now }),
    ...(p.trustedRoots ? { trustedRoots: p.trustedRoots } : {}),
  };
}

async function batch(
  ctx: CommandContext,
  values: Record<string, unknown>,
  dir: string,
  p: Prepared,
  format: InputFormat,
): Promise<number> {
  // A --collateral file is read once (and a bad one stops everything); --pccs fetches per FMSPC.
  const fixed =
    typeof values["collateral"] === "string"
      ? await loadCollateral(ctx, values, new Uint8Array(0), p.now)
      : undefined;
  const appraisal =
    typeof values["reference"] === "string"
      ? {
          setup: await loadAppraisalSetup(ctx, appraisalArgs(values)),
          now: new Date(p.now ?? Date.now()),
          acceptWarning: values["accept-warning"] === true,
        }
      : undefined;
  return runBatch(ctx, dir, {
    json: values["json"] === true,
    format,
    verify: async (quote) => {
      const collateral = fixed ?? (await loadCollateral(ctx, values, quote, p.now));
      return { verified: await verifyQuote(quote, collateral, verifyOptions(p)), collateral };
    },
    ...(appraisal ? { appraisal } : {}),
  });
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(ctx.argv, VERIFY_OPTIONS);
  if (values["help"]) {
    ctx.stdout(VERIFY_USAGE);
    return EXIT.ok;
  }
  checkOptionCombinations(values);
  const dir = values["batch"];
  const [file, ...extra] = positionals;
  if (typeof dir === "string" ? positionals.length > 0 : file === undefined || extra.length > 0)
    throw new ConfigError("ERR_USAGE", "expected 'verify <quote|->' or 'verify --batch <dir>' (see --help)");
  const json = values["json"] === true;
  const root = values["root"];
  const p: Prepared = {
    now: parseAt(values["at"]),
    tee: parseTee(values["tee"]),
    trustedRoots:
      typeof root === "string"
        ? pemCertificates(new TextDecoder().decode(readRaw(ctx, root)), root)
        : undefined,
  };
  const format = parseFormat(values["format"]);
  if (typeof dir === "string") return batch(ctx, values, dir, p, format);
  const quote = readInput(ctx, file as string, format, "quote");
  try {
    const collateral: Collateral = await loadCollateral(ctx, values, quote, p.now);
    const r = await verifyQuote(quote, collateral, verifyOptions(p));
    if (typeof values["reference"] === "string")
      return await verifyThenAppraise(ctx, values, r, collateral, p.now);
    ctx.stdout(json ? `${toJson(verdictToJson(r))}\n` : human(r));
    if (isRevoked(r)) {
      if (!json) ctx.stderr(`tdx-attest: ERR_TCB_REVOKED: ${revokedMessage(r)}\n`);
      return EXIT.verify;
    }
    return EXIT.ok;
  } catch (e) {
    if (!(e instanceof TdxError)) throw e;
    if (json) ctx.stdout(`${toJson({ ok: false, error: { code: e.code, message: e.message } })}\n`);
    else ctx.stdout(`FAILED: ${e.code}: ${e.message}\n`);
    return exitCodeFor(e);
  }
}
