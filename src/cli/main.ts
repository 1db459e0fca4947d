/**
 * tdx-attest command-line entry point: dispatches to one module per subcommand. Each command
 * module exports `run(ctx)` returning an exit code; logic stays in the library.
 */
import { readFileSync } from "node:fs";
import { type Command, type CommandContext, reportError } from "./common.js";

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: Command }> }> = {
  quote: { summary: "quote show <file|->: decode a DCAP quote (v3/v4/v5)", load: () => import("./quote.js") },
  report: { summary: "report show <file|->: decode a 1024-byte TDREPORT", load: () => import("./report.js") },
  verify: {
    summary: "verify <quote> --collateral c.json | --pccs URL: DCAP quote verification",
    load: () => import("./verify.js"),
  },
  eventlog: {
    summary: "eventlog show|replay|diff: decode, replay and compare CCEL/TCG2 event logs",
    load: () => import("./eventlog.js"),
  },
  measure: {
    summary: "measure --config launch.json | --firmware OVMF.fd: golden MRTD via the simulated TDX module",
    load: () => import("./measure.js"),
  },
  appraise: {
    summary: "appraise <quote> --collateral c --reference golden: verify, then appraise (verdict, EAR)",
    load: () => import("./appraise.js"),
  },
  simulate: {
    summary: "simulate --config launch.json --out-dir DIR: simulated TD boot + quote + golden values",
    load: () => import("./simulate.js"),
  },
  reference: {
    summary: "reference show|convert|combine|binding: reference-value files (JSON, CBOR, COSE-signed)",
    load: () => import("./appraise-reference.js"),
  },
  demo: {
    summary: "end-to-end demo on embedded defaults (what `npm start` runs)",
    load: () => import("./demo.js"),
  },
};

const HELP = `tdx-attest: Intel TDX attestation toolkit

usage: tdx-attest <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join("\n")}

Run 'tdx-attest <command> --help' for a command's options. Add --json for machine-readable output.
`;

export async function main(argv: readonly string[], partial: Partial<CommandContext> = {}): Promise<number> {
  const ctx: CommandContext = {
    argv,
    stdout: partial.stdout ?? ((s) => process.stdout.write(s)),
    stderr: partial.stderr ?? ((s) => process.stderr.write(s)),
    readStdin:
      partial.readStdin ??
      (() => {
        const b = readFileSync(0);
        return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
      }),
    isTTY: partial.isTTY ?? Boolean(process.stderr.isTTY),
  };
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    ctx.stdout(HELP);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    ctx.stdout(`${VERSION}\n`);
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    ctx.stderr(`tdx-attest: ERR_USAGE: unknown command '${name}' (try --help)\n`);
    return 2;
  }
  const json = rest.includes("--json");
  try {
    const mod = await entry.load();
    return await mod.run({ ...ctx, argv: rest });
  } catch (e) {
    return reportError(ctx, e, json);
  }
}

export const VERSION = "0.1.0";
