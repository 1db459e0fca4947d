/**
 * Node-only CLI plumbing shared by every subcommand: reading inputs (file or stdin; binary,
 * hex or base64), JSON output, and mapping errors to one stderr line (or a JSON object) plus an
 * exit code per error family (go-tdx-guest tools/check style). Uses process.exitCode, never
 * process.exit(), so output flushes.
 */
import { readFileSync } from "node:fs";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { fromBase64, fromHex, isBase64Text, isHexText } from "../bytes.js";
import {
  AppraisalError,
  CollateralError,
  ConfigError,
  ParseError,
  SimulationError,
  TdxError,
  VerifyError,
} from "../errors.js";

/** Exit codes: one per error family. */
export const EXIT = {
  ok: 0,
  /** The command ran and its answer is negative (verification failed, mismatch, not affirming). */
  negative: 1,
  usage: 2,
  parse: 3,
  verify: 4,
  collateral: 5,
  appraisal: 6,
  internal: 70,
} as const;

export function exitCodeFor(e: unknown): number {
  if (e instanceof ConfigError) return EXIT.usage;
  if (e instanceof ParseError) return EXIT.parse;
  if (e instanceof VerifyError) return EXIT.verify;
  if (e instanceof CollateralError) return EXIT.collateral;
  if (e instanceof AppraisalError) return EXIT.appraisal;
  if (e instanceof SimulationError) return EXIT.usage;
  return EXIT.internal;
}

export interface CommandContext {
  readonly argv: readonly string[];
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Reads stdin fully (only called for the `-` argument). */
  readonly readStdin: () => Uint8Array;
  readonly isTTY: boolean;
}

export type Command = (ctx: CommandContext) => Promise<number>;

/** Parses options with node:util parseArgs, turning its errors into ConfigError(ERR_USAGE). */
export function parseOptions<T extends ParseArgsConfig["options"]>(
  argv: readonly string[],
  options: T,
  allowPositionals = true,
): { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args: [...argv], options, allowPositionals, strict: true });
    return {
      values: r.values as Record<string, string | boolean | string[] | boolean[] | undefined>,
      positionals: r.positionals,
    };
  } catch (e) {
    throw new ConfigError("ERR_USAGE", (e as Error).message, { field: "argv" });
  }
}

export type InputFormat = "auto" | "binary" | "hex" | "base64";

export function parseFormat(v: unknown): InputFormat {
  if (v === undefined) return "auto";
  if (v === "auto" || v === "binary" || v === "hex" || v === "base64") return v;
  throw new ConfigError("ERR_USAGE", `--format must be auto, binary, hex or base64 (got ${String(v)})`, {
    field: "--format",
  });
}

/** Reads a JSON file (or `-`) that must hold one object; ConfigError naming the file otherwise. */
export function readJsonObjectFile(ctx: CommandContext, file: string): Record<string, unknown> {
  const text = new TextDecoder().decode(readRaw(ctx, file));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError("ERR_CONFIG", `${file}: not valid JSON (${(e as Error).message})`, { field: file });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new ConfigError("ERR_CONFIG", `${file}: must be a JSON object`, { field: file });
  return json as Record<string, unknown>;
}

/** What `<command> show <file|-> [--json] [--format ...]` asked for. */
export interface ShowArgs {
  readonly file: string;
  readonly json: boolean;
  readonly format: InputFormat;
}

/**
 * Parses the arguments of a decode-only `show` command (quote, report). Prints `usage` and
 * returns undefined for --help; anything but `show <file|->` is ERR_USAGE.
 */
export function parseShowArgs(ctx: CommandContext, command: string, usage: string): ShowArgs | undefined {
  const { values, positionals } = parseOptions(ctx.argv, {
    json: { type: "boolean" },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values["help"]) {
    ctx.stdout(usage);
    return undefined;
  }
  const [sub, file, ...extra] = positionals;
  if (sub !== "show" || file === undefined || extra.length > 0) {
    throw new ConfigError("ERR_USAGE", `expected '${command} show <file|->' (see --help)`, { field: "argv" });
  }
  return { file, json: values["json"] === true, format: parseFormat(values["format"]) };
}

/** Reads a file (or stdin for "-") as raw bytes. */
export function readRaw(ctx: CommandContext, file: string): Uint8Array {
  if (file === "-") return ctx.readStdin();
  try {
    const b = readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new ConfigError(
      "ERR_IO",
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      {
        field: file,
      },
    );
  }
}

/** True if every byte is printable ASCII or whitespace (the whole input, not a prefix). */
function looksLikeText(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i] as number;
    if (c === 9 || c === 10 || c === 13 || c === 32) continue;
    if (c < 33 || c > 126) return false;
  }
  return b.length > 0;
}

/** Drops a UTF-8 byte-order mark (text files saved by some editors start with one). */
function withoutBom(b: Uint8Array): Uint8Array {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? b.subarray(3) : b;
}

/**
 * Decodes an input that may be raw binary, hex text or base64 text. Auto-detection: input that is
 * entirely printable text is hex when it is all hex digits once whitespace (line breaks of
 * `xxd -p` output) and a `0x` prefix are removed, else base64 when valid; anything else is binary.
 */
export function decodeInput(raw: Uint8Array, format: InputFormat, what: string): Uint8Array {
  if (format === "binary") return raw;
  const src = withoutBom(raw);
  const text = format === "auto" && !looksLikeText(src) ? undefined : new TextDecoder().decode(src).trim();
  if (text === undefined) return raw;
  const compact = text.replace(/\s+/g, "");
  if (format === "hex") return fromHex(compact, what);
  if (format === "base64") return fromBase64(text, what);
  if (isHexText(compact)) return fromHex(compact, what);
  if (isBase64Text(text)) return fromBase64(text, what);
  return raw;
}

export function readInput(ctx: CommandContext, file: string, format: InputFormat, what: string): Uint8Array {
  return decodeInput(readRaw(ctx, file), format, what);
}

/** JSON.stringify that writes bigint as a decimal string and Uint8Array as lowercase hex. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_k, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return Array.from(v, (x) => x.toString(16).padStart(2, "0")).join("");
      return v;
    },
    indent,
  );
}

/** Prints an error the CLI way and returns its exit code. */
export function reportError(ctx: CommandContext, e: unknown, json: boolean): number {
  const code = exitCodeFor(e);
  if (e instanceof TdxError) {
    if (json) ctx.stdout(`${toJson({ ok: false, error: e.toJSON() })}\n`);
    else ctx.stderr(`tdx-attest: ${e.code}: ${e.message}\n`);
    return code;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (json) ctx.stdout(`${toJson({ ok: false, error: { code: "ERR_INTERNAL", message: err.message } })}\n`);
  else ctx.stderr(`tdx-attest: internal error: ${err.stack ?? err.message}\n`);
  return code;
}
