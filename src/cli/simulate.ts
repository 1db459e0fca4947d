/**
 * `tdx-attest simulate --config launch.json [--report-data hex] [--quote-version 4|5]
 * [--guest-agent] --out-dir DIR [--json]`: launches and boots the TD on the simulated platform,
 * quotes it with the simulated QE under a freshly generated test PKI, and writes
 *   quote.bin        the quote (signed by the test PKI)
 *   ccel.bin         the CCEL log area (TCG2 event log) the simulated TDVF wrote
 *   ccel-table.bin   the CCEL ACPI table
 *   collateral.json  collateral for the test PKI (dcap-qvl JSON shape), valid 30 days from now
 *   root.pem         the test root CA (pass it to --root)
 *   trace.json       the launch trace (ioctls and SEAMCALLs)
 *   golden.json      reference values computed from the config (not read from the TD)
 * and prints the golden values. The files verify with
 *   tdx-attest appraise DIR/quote.bin --collateral DIR/collateral.json --root DIR/root.pem
 *     --reference DIR/golden.json --eventlog DIR/ccel.bin
 * Config file paths (firmware, kernel, initrd, ...) are relative to the config file.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fromHex, toHex } from "../bytes.js";
import { ConfigError } from "../errors.js";
import type { LaunchConfigInput } from "../measure/config.js";
import { encodeReferenceValuesJson } from "../reference/codec.js";
import type { JsonValue } from "../reference/types.js";
import { type CommandContext, EXIT, parseOptions, readJsonObjectFile, readRaw, toJson } from "./common.js";
import { VERSION } from "./main.js";
import { runSimulation, type SimulationResult } from "./simulate-core.js";

const USAGE = `usage: tdx-attest simulate --config launch.json --out-dir DIR [--report-data <hex>]
         [--quote-version 4|5] [--guest-agent] [--json]

Launches the TD in the simulated TDX module and guest firmware, quotes it with a test PKI and
writes quote.bin, ccel.bin, ccel-table.bin, collateral.json, root.pem, trace.json, golden.json.
`;

const OPTIONS = {
  config: { type: "string" },
  "out-dir": { type: "string" },
  "report-data": { type: "string" },
  "quote-version": { type: "string" },
  "guest-agent": { type: "boolean" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const FILE_FIELDS = ["firmware", "kernel", "initrd", "acpiTables", "tdHob"] as const;

/** Reads the config JSON; returns the launch input (files as bytes) and the JSON as written. */
export function loadSimulationConfig(ctx: CommandContext, file: string) {
  const json = readJsonObjectFile(ctx, file);
  const base = dirname(resolve(file));
  const cfg: Record<string, unknown> = { ...json };
  const inputs: { name: string; path: string; bytes: Uint8Array }[] = [];
  for (const f of FILE_FIELDS) {
    const v = cfg[f];
    if (v === undefined) continue;
    if (typeof v !== "string") {
      throw new ConfigError("ERR_CONFIG", `LaunchConfig.${f}: must be a file path`, {
        field: `LaunchConfig.${f}`,
      });
    }
    const bytes = readRaw(ctx, resolve(base, v));
    cfg[f] = bytes;
    inputs.push({ name: f, path: v, bytes });
  }
  return { config: cfg as LaunchConfigInput, configJson: json as JsonValue, inputs };
}

function quoteVersion(v: unknown): 4 | 5 {
  if (v === undefined || v === "4") return 4;
  if (v === "5") return 5;
  throw new ConfigError("ERR_USAGE", `--quote-version must be 4 or 5 (got ${String(v)})`, {
    field: "--quote-version",
  });
}

function write(dir: string, name: string, data: string | Uint8Array): void {
  try {
    writeFileSync(join(dir, name), data);
  } catch (e) {
    throw new ConfigError("ERR_IO", `cannot write ${join(dir, name)}: ${(e as Error).message}`, {
      field: "--out-dir",
    });
  }
}

/** Writes the simulation's files into `dir`. */
export function writeSimulation(dir: string, r: SimulationResult): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new ConfigError("ERR_IO", `cannot create ${dir}: ${(e as Error).message}`, { field: "--out-dir" });
  }
  write(dir, "quote.bin", r.quote);
  write(dir, "ccel.bin", r.boot.ccelData);
  write(dir, "ccel-table.bin", r.boot.ccelTable);
  write(dir, "collateral.json", `${JSON.stringify(r.pki.collateralJson, null, 2)}\n`);
  write(dir, "root.pem", r.rootPem);
  write(dir, "trace.json", `${toJson(r.golden.trace.toJSON())}\n`);
  write(dir, "golden.json", encodeReferenceValuesJson({ version: 1, sets: [r.reference] }));
}

function goldenText(r: SimulationResult): string {
  const s = r.reference;
  const row = (k: string, v: string | undefined) => (v === undefined ? "" : `  ${k.padEnd(14)}${v}\n`);
  const hex = (b?: Uint8Array) => (b ? toHex(b) : undefined);
  return (
    "golden values (computed from the config, not read from the TD):\n" +
    row("MRTD", hex(s.mrTd)) +
    row("RTMR0", hex(s.rtmr0)) +
    row("RTMR1", hex(s.rtmr1)) +
    row("RTMR2", hex(s.rtmr2)) +
    row("RTMR3", hex(s.rtmr3)) +
    row("MAX_VCPUS", s.maxVcpus === undefined ? undefined : `${s.maxVcpus} (${r.golden.maxVcpusSource})`)
  );
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values: v } = parseOptions(ctx.argv, OPTIONS, false);
  if (v["help"]) {
    ctx.stdout(USAGE);
    return EXIT.ok;
  }
  const configFile = typeof v["config"] === "string" ? v["config"] : undefined;
  const outDir = typeof v["out-dir"] === "string" ? v["out-dir"] : undefined;
  if (!configFile || !outDir)
    throw new ConfigError("ERR_USAGE", `missing --config or --out-dir\n${USAGE}`, { field: "argv" });
  const { config, configJson, inputs } = loadSimulationConfig(ctx, configFile);
  const rd = typeof v["report-data"] === "string" ? fromHex(v["report-data"], "--report-data") : undefined;
  if (rd && rd.length > 64)
    throw new ConfigError("ERR_USAGE", "--report-data: at most 64 bytes", { field: "--report-data" });
  const reportData = rd ? Uint8Array.from({ length: 64 }, (_, i) => rd[i] ?? 0) : undefined;
  const r = await runSimulation({
    config,
    configJson,
    inputs,
    quoteVersion: quoteVersion(v["quote-version"]),
    guestAgent: Boolean(v["guest-agent"]),
    toolVersion: `tdx-attest ${VERSION}`,
    ...(reportData ? { reportData } : {}),
  });
  writeSimulation(outDir, r);
  if (v["json"]) {
    const golden = JSON.parse(encodeReferenceValuesJson({ version: 1, sets: [r.reference] }));
    ctx.stdout(`${toJson({ ok: true, outDir, files: FILES, golden: golden.sets[0] })}\n`);
  } else {
    ctx.stdout(`wrote ${FILES.map((f) => join(outDir, f)).join(", ")}\n${goldenText(r)}`);
  }
  return EXIT.ok;
}

const FILES = [
  "quote.bin",
  "ccel.bin",
  "ccel-table.bin",
  "collateral.json",
  "root.pem",
  "trace.json",
  "golden.json",
];
