/**
 * `tdx-attest verify --batch <dir>`: verifies (and with --reference appraises) every regular file
 * of a directory as a quote. One bad file is reported with its error code and never aborts the
 * batch; the exit status is 0 only when every quote verified (or, with --reference, every verdict
 * was accepted). Files are taken in code-unit order of their names so the output is deterministic;
 * directories, sockets, FIFOs (reading one could block forever) and dangling links are skipped.
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Verdict } from "../appraise/types.js";
import type { Collateral } from "../dcap/collateral.js";
import type { VerifiedQuote } from "../dcap/verify.js";
import { ConfigError, TdxError } from "../errors.js";
import { type AppraisalSetup, appraiseWithSetup } from "./appraise.js";
import { verdictLine } from "./appraise-render.js";
import { type CommandContext, decodeInput, EXIT, type InputFormat, readRaw, toJson } from "./common.js";

export interface BatchOptions {
  json: boolean;
  format: InputFormat;
  /** DCAP verification of one quote (collateral from the file or the PCCS). */
  verify: (quote: Uint8Array) => Promise<{ verified: VerifiedQuote; collateral: Collateral }>;
  /** Present with --reference: every verified quote is then appraised. */
  appraisal?: { setup: AppraisalSetup; now: Date; acceptWarning: boolean };
}

/** One file's outcome (the JSON form of a batch lists these). */
export interface BatchEntry {
  file: string;
  ok: boolean;
  /** Intel TCB status after verification. */
  status?: string;
  fmspc?: string;
  verdict?: Verdict;
  /** With --reference: the checks that failed, and those that only warned. */
  failed?: string[];
  warnings?: string[];
  /** Human summary: the verification line, the verdict line, or the error. */
  summary: string;
  error?: { code: string; message: string };
}

/** The regular files of `dir` (links followed), sorted by name; the rest are skipped. */
export function listQuoteFiles(dir: string): { files: string[]; skipped: string[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new ConfigError("ERR_IO", `--batch: cannot read directory ${dir}: ${why}`, { field: "--batch" });
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: string[] = [];
  const skipped: string[] = [];
  for (const n of names) {
    let regular = false;
    try {
      regular = statSync(join(dir, n)).isFile();
    } catch {
      regular = false; // dangling link or a file removed meanwhile
    }
    (regular ? files : skipped).push(n);
  }
  return { files, skipped };
}

/**
 * Progress on stderr for a terminal only ("verifying 12/40 name"), redrawn at most every
 * `intervalMs` (about 10 times a second) and erased by `done()`; silent when stderr is not a TTY.
 */
export function batchProgress(
  ctx: Pick<CommandContext, "stderr" | "isTTY">,
  total: number,
  clock: () => number = Date.now,
  intervalMs = 100,
) {
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    tick(done: number, name: string): void {
      if (!ctx.isTTY) return;
      const t = clock();
      if (t - last < intervalMs) return;
      last = t;
      shown = true;
      const label = name.length > 40 ? `${name.slice(0, 39)}…` : name;
      ctx.stderr(`\rverifying ${done}/${total} ${label}\x1b[K`);
    },
    done(): void {
      if (shown) ctx.stderr("\r\x1b[K");
    },
  };
}

function errorEntry(file: string, e: unknown): BatchEntry {
  const code = e instanceof TdxError ? e.code : "ERR_INTERNAL";
  const message = e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e);
  return { file, ok: false, summary: `${code}: ${message}`, error: { code, message } };
}

async function oneFile(dir: string, file: string, o: BatchOptions, ctx: CommandContext): Promise<BatchEntry> {
  try {
    const quote = decodeInput(readRaw(ctx, join(dir, file)), o.format, file);
    const { verified, collateral } = await o.verify(quote);
    const base = { file, status: verified.status, fmspc: verified.fmspc };
    if (!o.appraisal) {
      const kind = verified.td ? "TDX" : "SGX";
      const summary = `${verified.status} (${kind} v${verified.quote.header.version}, FMSPC ${verified.fmspc})`;
      // A revoked TCB is a genuine quote that must not pass (fail closed, as for one quote).
      return { ...base, ok: verified.status !== "Revoked", summary };
    }
    const { setup, now, acceptWarning } = o.appraisal;
    const { result } = appraiseWithSetup(setup, verified, collateral, now);
    // A warning passes with --accept-warning or the policy's acceptWarning (as for one quote).
    const warnOk = acceptWarning || setup.policy.acceptWarning;
    const accepted = result.verdict === "affirming" || (result.verdict === "warning" && warnOk);
    const named = (st: string) => [
      ...new Set(result.fields.filter((f) => f.status === st).map((f) => f.field)),
    ];
    return {
      ...base,
      ok: accepted,
      verdict: result.verdict,
      failed: named("fail"),
      warnings: named("warn"),
      summary: verdictLine(result),
    };
  } catch (e) {
    return errorEntry(file, e);
  }
}

function counts(entries: readonly BatchEntry[], skipped: number, appraising: boolean) {
  const c: Record<string, number> = {
    total: entries.length,
    ok: entries.filter((e) => e.ok).length,
    failed: entries.filter((e) => !e.ok).length,
    errors: entries.filter((e) => e.error).length,
    skipped,
  };
  if (appraising)
    for (const v of ["affirming", "warning", "contraindicated"] as const)
      c[v] = entries.filter((e) => e.verdict === v).length;
  return c;
}

function summaryLine(c: Record<string, number>, appraising: boolean): string {
  const skipped = c["skipped"] ? `; ${c["skipped"]} skipped (not regular files)` : "";
  if (c["total"] === 0) return `no quote files${skipped}: nothing verified`;
  const head = `${c["total"]} quote file(s): ${c["ok"]} ok, ${c["failed"]} failed`;
  const detail = appraising
    ? ` (${c["affirming"]} affirming, ${c["warning"]} warning, ${c["contraindicated"]} contraindicated, ${c["errors"]} error(s))`
    : ` (${c["errors"]} error(s))`;
  return `${head}${detail}${skipped}`;
}

/** Runs the batch and prints it; exit 0 only when there were quotes and every one was ok. */
export async function runBatch(ctx: CommandContext, dir: string, o: BatchOptions): Promise<number> {
  const { files, skipped } = listQuoteFiles(dir);
  const progress = batchProgress(ctx, files.length);
  const entries: BatchEntry[] = [];
  for (const [i, file] of files.entries()) {
    progress.tick(i + 1, file);
    entries.push(await oneFile(dir, file, o, ctx));
  }
  progress.done();
  const c = counts(entries, skipped.length, o.appraisal !== undefined);
  const ok = entries.length > 0 && c["failed"] === 0;
  if (o.json) {
    ctx.stdout(`${toJson({ ok, directory: dir, counts: c, results: entries, skipped })}\n`);
  } else {
    const w = Math.max(0, ...entries.map((e) => e.file.length));
    for (const e of entries) ctx.stdout(`${e.ok ? "ok  " : "FAIL"}  ${e.file.padEnd(w)}  ${e.summary}\n`);
    ctx.stdout(`${summaryLine(c, o.appraisal !== undefined)}\n`);
  }
  return ok ? EXIT.ok : EXIT.negative;
}
