/**
 * `tdx-attest appraise <quote> --collateral c.json --reference golden.json [...]`: verifies the
 * quote (DCAP, src/dcap), then appraises it against reference values and a policy
 * (src/appraise). Prints one verdict line and a table, or `--json`; writes an EAR claims set with
 * `--ear out.cbor` / `--ear-json out.json`. Exit 0 only for `affirming` (also `warning` with
 * --accept-warning or the policy's acceptWarning); 1 for any other verdict; the error families'
 * codes when verification itself fails. Meant to become `verify --reference` (see docs/appraise.md).
 */
import { writeFileSync } from "node:fs";
import { parsePemCertificates } from "../abi/pem.js";
import { appraise } from "../appraise/appraise.js";
import { buildEar, encodeEarCbor } from "../appraise/ear.js";
import { appraisalInputFromVerified } from "../appraise/from-dcap.js";
import { appraisalInputEvents } from "../appraise/from-eventlog.js";
import { DEFAULT_POLICY, parsePolicyJson } from "../appraise/policy.js";
import type { AppraisalResult } from "../appraise/types.js";
import { fromHex, fromUtf8, toHex } from "../bytes.js";
import { sha384 } from "../crypto/index.js";
import { type Collateral, collateralFromJson } from "../dcap/collateral.js";
import { type VerifiedQuote, verifyQuote } from "../dcap/verify.js";
import { ConfigError } from "../errors.js";
import { loadEventLog } from "../eventlog/summary.js";
import { loadReferenceValues } from "../reference/build.js";
import { renderAppraisal } from "./appraise-render.js";
import { type CommandContext, EXIT, parseOptions, readInput, readRaw, toJson } from "./common.js";
import { VERSION } from "./main.js";

const USAGE = `usage: tdx-attest appraise <quote> --collateral <c.json> --reference <golden.json|.cbor|.cose>
         [--reference-key <pub.pem>] [--policy <p.json>] [--eventlog <ccel.bin>] [--nonce <hex>]
         [--at <ISO time>] [--root <ca.pem>] [--accept-warning] [--json] [--ear <out.cbor>]
         [--ear-json <out.json>] [--iat <seconds>]
`;

/** The appraisal options (`verify` accepts them too, with --reference). */
export const APPRAISE_OPTIONS = {
  reference: { type: "string" },
  "reference-key": { type: "string" },
  policy: { type: "string" },
  eventlog: { type: "string" },
  nonce: { type: "string" },
  "accept-warning": { type: "boolean" },
  ear: { type: "string" },
  "ear-json": { type: "string" },
  iat: { type: "string" },
} as const;

const OPTIONS = {
  ...APPRAISE_OPTIONS,
  collateral: { type: "string" },
  at: { type: "string" },
  root: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean" },
} as const;

function usage(why: string): never {
  throw new ConfigError("ERR_USAGE", `${why}\n${USAGE}`, { field: "argv" });
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function parseTime(v: string | undefined): Date {
  if (v === undefined) return new Date();
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new ConfigError("ERR_USAGE", `--at: not an ISO 8601 time: ${v}`, { field: "--at" });
  return new Date(t);
}

export interface AppraiseArgs {
  quote: string;
  collateral: string;
  reference: string;
  referenceKey?: string;
  policy?: string;
  eventlog?: string;
  nonce?: string;
  at?: string;
  root?: string;
}

/** What an appraisal needs besides the quote, loaded once (a batch reuses it for every quote). */
export async function loadAppraisalSetup(
  ctx: CommandContext,
  a: Omit<AppraiseArgs, "quote" | "collateral" | "root">,
) {
  const key = a.referenceKey ? fromUtf8(readRaw(ctx, a.referenceKey)) : undefined;
  const loaded = await loadReferenceValues(readRaw(ctx, a.reference), key ? { publicKey: key } : {});
  const policyBytes = a.policy === undefined ? undefined : readRaw(ctx, a.policy);
  const policy = policyBytes ? parsePolicyJson(fromUtf8(policyBytes)) : DEFAULT_POLICY;
  // Names the policy in the EAR: the default, or the SHA-384 of the policy file's bytes.
  const policyId = policyBytes
    ? `urn:tdx-attest:policy:sha384:${toHex(sha384(policyBytes))}`
    : "urn:tdx-attest:policy:default";
  const events = a.eventlog
    ? appraisalInputEvents(loadEventLog(readRaw(ctx, a.eventlog)).eventLog)
    : undefined;
  const nonce = a.nonce !== undefined ? fromHex(a.nonce, "--nonce") : undefined;
  return { loaded, policy, policyId, events, nonce };
}

export type AppraisalSetup = Awaited<ReturnType<typeof loadAppraisalSetup>>;

/** Appraises one verified quote with a loaded setup (synchronous, no I/O). */
export function appraiseWithSetup(
  setup: AppraisalSetup,
  verified: VerifiedQuote,
  collateral: Collateral,
  now: Date,
) {
  const { loaded, policy, policyId, events, nonce } = setup;
  const input = appraisalInputFromVerified(verified, collateral, events);
  const result = appraise(input, loaded.values, policy, { now, ...(nonce ? { nonce } : {}) });
  return { result, input, policy, policyId, now, nonce, loaded, verified };
}

/** Appraisal of an already verified quote: the part `verify --reference` shares. */
export async function appraiseVerified(
  ctx: CommandContext,
  a: Omit<AppraiseArgs, "quote" | "collateral" | "root">,
  verified: VerifiedQuote,
  collateral: Collateral,
  now: Date,
) {
  return appraiseWithSetup(await loadAppraisalSetup(ctx, a), verified, collateral, now);
}

/** Verify + appraise (no output, no exit-code policy). */
export async function runAppraisal(ctx: CommandContext, a: AppraiseArgs) {
  const now = parseTime(a.at);
  const quote = readInput(ctx, a.quote, "auto", "quote");
  const collateral = collateralFromJson(fromUtf8(readRaw(ctx, a.collateral)));
  const trustedRoots = a.root ? parsePemCertificates(readRaw(ctx, a.root), "--root") : undefined;
  const verified = await verifyQuote(quote, collateral, { now, ...(trustedRoots ? { trustedRoots } : {}) });
  return appraiseVerified(ctx, a, verified, collateral, now);
}

/** Exit code of a verdict under the policy and flags. */
export function verdictExit(r: AppraisalResult, acceptWarning: boolean): number {
  if (r.verdict === "affirming") return EXIT.ok;
  if (r.verdict === "warning" && acceptWarning) return EXIT.ok;
  return EXIT.negative;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values: v, positionals } = parseOptions(ctx.argv, OPTIONS);
  if (v["help"]) {
    ctx.stdout(USAGE);
    return EXIT.ok;
  }
  const quote = positionals[0] ?? usage("missing <quote>");
  const collateral = str(v["collateral"]) ?? usage("missing --collateral");
  const reference = str(v["reference"]) ?? usage("missing --reference");
  const args: AppraiseArgs = { quote, collateral, reference };
  for (const [k, name] of [
    ["referenceKey", "reference-key"],
    ["policy", "policy"],
    ["eventlog", "eventlog"],
    ["nonce", "nonce"],
    ["at", "at"],
    ["root", "root"],
  ] as const) {
    const s = str(v[name]);
    if (s !== undefined) args[k] = s;
  }
  return finishAppraisal(ctx, v, await runAppraisal(ctx, args));
}

/** Writes EAR files, prints the result (human or --json) and returns the verdict's exit code. */
export async function finishAppraisal(
  ctx: CommandContext,
  v: Record<string, unknown>,
  out: Outcome,
): Promise<number> {
  await writeEar(v, out);
  const exit = verdictExit(out.result, Boolean(v["accept-warning"]) || out.policy.acceptWarning);
  if (v["json"]) {
    const { status, advisoryIds, tcbDate, fmspc, tcbEvaluationDataNumber } = out.verified;
    const verification = { status, advisoryIds, tcbDate, fmspc, tcbEvaluationDataNumber };
    ctx.stdout(`${toJson({ ok: exit === EXIT.ok, ...out.result, verification })}\n`);
  } else ctx.stdout(renderAppraisal(out.result));
  return exit;
}

/**
 * Hook for `verify --reference`: appraises the verified quote with the appraisal options found
 * in `values` (see APPRAISE_OPTIONS) and prints like `appraise`.
 */
export async function verifyThenAppraise(
  ctx: CommandContext,
  values: Record<string, unknown>,
  verified: VerifiedQuote,
  collateral: Collateral,
  nowMs: number | undefined,
): Promise<number> {
  const a = appraisalArgs(values);
  const out = await appraiseVerified(ctx, a, verified, collateral, new Date(nowMs ?? Date.now()));
  return finishAppraisal(ctx, values, out);
}

/** The appraisal arguments among parsed `verify` options (see APPRAISE_OPTIONS). */
export function appraisalArgs(
  values: Record<string, unknown>,
): Omit<AppraiseArgs, "quote" | "collateral" | "root"> {
  const a: Omit<AppraiseArgs, "quote" | "collateral" | "root"> = { reference: String(values["reference"]) };
  for (const [k, name] of [
    ["referenceKey", "reference-key"],
    ["policy", "policy"],
    ["eventlog", "eventlog"],
    ["nonce", "nonce"],
  ] as const) {
    const s = str(values[name]);
    if (s !== undefined) a[k] = s;
  }
  return a;
}

type Outcome = Awaited<ReturnType<typeof appraiseVerified>>;

async function writeEar(v: Record<string, unknown>, out: Outcome): Promise<void> {
  const cborFile = str(v["ear"]);
  const jsonFile = str(v["ear-json"]);
  if (!cborFile && !jsonFile) return;
  const iatText = str(v["iat"]);
  const iat = iatText !== undefined ? Number(iatText) : Math.floor(out.now.getTime() / 1000);
  if (!Number.isSafeInteger(iat) || iat < 0)
    throw new ConfigError("ERR_USAGE", "--iat: seconds since the epoch", { field: "--iat" });
  const ear = buildEar(out.result, out.input, {
    iat,
    build: `tdx-attest ${VERSION}`,
    policyId: out.policyId,
    ...(out.nonce ? { nonce: out.nonce } : {}),
  });
  try {
    if (cborFile) writeFileSync(cborFile, encodeEarCbor(ear));
    if (jsonFile) writeFileSync(jsonFile, `${JSON.stringify(ear, null, 2)}\n`);
  } catch (e) {
    throw new ConfigError("ERR_IO", `cannot write EAR: ${(e as Error).message}`, { field: "--ear" });
  }
}
