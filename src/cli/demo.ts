/**
 * `tdx-attest demo` (what `npm start` runs): the whole attestation story on embedded defaults,
 * with no hardware, files or network. It builds a synthetic TDVF and kernel, computes golden
 * values from the launch configuration, launches and boots the TD with max_vcpus 4 on the
 * simulated platform, quotes it under a fresh test PKI, verifies (DCAP) and appraises it
 * (affirming), then launches the same TD with max_vcpus 8 and shows why it is rejected: RTMR0
 * differs, traced to the ACPI events (QEMU's MADT lists one processor per possible vCPU).
 *
 * `--sample-quote` keeps the earlier behaviour: decode the bundled synthetic sample quote.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { quoteToJson } from "../abi/json.js";
import { parseQuote } from "../abi/quote.js";
import { quoteToText } from "../abi/text.js";
import { appraise } from "../appraise/appraise.js";
import { appraisalInputFromVerified } from "../appraise/from-dcap.js";
import { appraisalInputEvents } from "../appraise/from-eventlog.js";
import { DEFAULT_POLICY } from "../appraise/policy.js";
import type { AppraisalResult } from "../appraise/types.js";
import { toHex, utf8 } from "../bytes.js";
import { verifyQuote } from "../dcap/verify.js";
import { ConfigError } from "../errors.js";
import { parseTcg2Log } from "../eventlog/tcg2.js";
import { eventTypeName } from "../eventlog/types.js";
import { type CommandContext, EXIT, parseOptions, toJson } from "./common.js";
import { madtProcessorCount, syntheticKernel, syntheticTdvf } from "./demo-assets.js";
import { describeCertificate } from "./quote.js";
import { writeSimulation } from "./simulate.js";
import { runSimulation, type SimulationResult, simulationPki } from "./simulate-core.js";

/** Works from src/cli (tests) and dist/cli (installed package): both sit two levels below the root. */
export const SAMPLE_QUOTE_URL = new URL("../../fixtures/sample-quote-v4.dat", import.meta.url);

const USAGE = `usage: tdx-attest demo [--json] [--out-dir DIR] | --sample-quote [--json]

Runs the end-to-end demo on a simulated TDX platform. --out-dir also writes both simulated TDs'
files (quote.bin, ccel.bin, collateral.json, root.pem, golden.json, ...) to DIR/vcpus-4 and
DIR/vcpus-8 so you can replay the steps with 'tdx-attest appraise'.
`;

const short = (b: Uint8Array | string) => `${(typeof b === "string" ? b : toHex(b)).slice(0, 16)}…`;

async function appraiseSim(sim: SimulationResult, golden: SimulationResult, nonce: Uint8Array) {
  const verified = await verifyQuote(sim.quote, sim.pki.collateral, { trustedRoots: [sim.pki.rootCa] });
  const events = appraisalInputEvents(parseTcg2Log(sim.boot.ccelData));
  const input = appraisalInputFromVerified(verified, sim.pki.collateral, events);
  const result = appraise(input, { version: 1, sets: [golden.reference] }, DEFAULT_POLICY, { nonce });
  return { verified, result };
}

/** Failing fields, then the events behind each (the MADT entry counts of both TDs shown). */
function explain(r: AppraisalResult, madt: { golden?: number; actual?: number }): string[] {
  const failing = r.fields.filter((x) => !x.ok);
  const lines = [`   appraise  ${r.verdict.toUpperCase()}: ${failing.map((f) => f.field).join(", ")}`];
  for (const f of failing) {
    lines.push(`             ${f.field} expected ${short(f.expected[0] ?? "")}, got ${short(f.actual)}`);
    const evs = f.events ?? [];
    if (evs.length > 0) lines.push(`   why       the TD's event log differs from the golden log at:`);
    for (const e of evs) {
      const what = (e.label ?? eventTypeName(e.type)).padEnd(18);
      const madtNote =
        e.label === "ACPI tables" && madt.golden !== undefined && madt.actual !== undefined
          ? `  <- its MADT lists ${madt.actual} CPUs, the golden MADT ${madt.golden}`
          : "";
      const at = `RTMR${e.rtmr} #${e.index ?? e.referenceIndex}`.padEnd(9);
      lines.push(`               ${at} ${what} ${e.kind}${madtNote}`);
    }
  }
  return lines;
}

async function endToEnd(ctx: CommandContext, json: boolean, outDir?: string): Promise<number> {
  const say = json ? () => {} : (s: string) => ctx.stdout(`${s}\n`);
  say("tdx-attest demo: TDX attestation end to end on a simulated platform (no hardware, no network)");
  say("A relying party holds golden values; the TD proves what it runs with a signed quote.\n");
  const firmware = syntheticTdvf();
  const kernel = syntheticKernel(1);
  const base = { firmware, kernel, memory: "2G", vcpus: 2, cmdline: "console=ttyS0" };
  say(
    `1. build     synthetic TDVF firmware (${firmware.length >> 10} KiB) and kernel (${kernel.length >> 10} KiB)`,
  );
  const nonce = utf8("demo-nonce-0001");
  const reportData = Uint8Array.from({ length: 64 }, (_, i) => nonce[i] ?? 0);
  const pki = await simulationPki();
  const good = await runSimulation({ config: { ...base, maxVcpus: 4 }, reportData, pki, setName: "vcpus-4" });
  const g = good.reference;
  say("2. golden    computed from the launch config alone (2 vCPUs, max_vcpus 4, 2 GiB):");
  say(`               MRTD  ${short(g.mrTd!)} (firmware)  RTMR0 ${short(g.rtmr0!)} (firmware config, ACPI)`);
  say(`               RTMR1 ${short(g.rtmr1!)} (kernel)    RTMR2 ${short(g.rtmr2!)} (cmdline)`);
  say(
    `3. launch    QEMU/KVM model -> simulated TDX module; the simulated TDVF boots and logs ${good.boot.events.length} events`,
  );
  say(
    "4. quote     the simulated Quoting Enclave signs the TD report, verifier nonce in REPORTDATA (DCAP v4)",
  );
  const a = await appraiseSim(good, good, nonce);
  say(
    `5. verify    PCK chain (to the test root), CRLs, TCB info, QE identity, signatures: genuine, TCB ${a.verified.status}`,
  );
  say(
    `6. appraise  against the golden values and the nonce: ${a.result.verdict.toUpperCase()} (${a.result.fields.length} checks passed)\n`,
  );
  const bad = await runSimulation({ config: { ...base, maxVcpus: 8 }, reportData, pki, setName: "vcpus-8" });
  say("7. the same TD launched with max_vcpus 8 instead of 4:");
  const b = await appraiseSim(bad, good, nonce);
  say(
    `   verify    genuine quote, TCB ${b.verified.status}; MRTD ${toHex(bad.reference.mrTd!) === toHex(g.mrTd!) ? "unchanged (same firmware)" : "changed"}`,
  );
  const madt = {
    ...optional("golden", madtProcessorCount(good.boot.acpi.tables)),
    ...optional("actual", madtProcessorCount(bad.boot.acpi.tables)),
  };
  for (const l of explain(b.result, madt)) say(l);
  say("   The host picks max_vcpus, but the firmware measures the ACPI tables it is given into RTMR0,");
  say("   so the golden RTMR0 pins the vCPU list: this TD is rejected. More: docs/appraise.md");
  if (outDir) {
    writeSimulation(`${outDir}/vcpus-4`, good);
    writeSimulation(`${outDir}/vcpus-8`, bad);
    writeInputs(outDir, firmware, kernel);
    say(`\nwrote ${outDir}/vcpus-4 and ${outDir}/vcpus-8 (golden.json in vcpus-4 is the reference for both)`);
    say(
      `and the inputs ${outDir}/tdvf.fd, vmlinuz, launch.json, launch-vcpus8.json for 'tdx-attest simulate'`,
    );
  }
  const ok = a.result.verdict === "affirming" && b.result.verdict === "contraindicated";
  if (json) {
    const summary = (r: AppraisalResult) => ({ verdict: r.verdict, failed: r.fields.filter((f) => !f.ok) });
    ctx.stdout(
      `${toJson({ ok, golden: { mrTd: g.mrTd, rtmr0: g.rtmr0 }, madtCpus: madt, maxVcpus4: summary(a.result), maxVcpus8: summary(b.result) })}\n`,
    );
  }
  return ok ? EXIT.ok : EXIT.negative;
}

function optional<K extends string>(k: K, v: number | undefined): Partial<Record<K, number>> {
  return v === undefined ? {} : ({ [k]: v } as Record<K, number>);
}

/** The demo's inputs as files, with launch configs that `simulate --config` reads. */
function writeInputs(dir: string, firmware: Uint8Array, kernel: Uint8Array): void {
  const cfg = {
    firmware: "tdvf.fd",
    kernel: "vmlinuz",
    memory: "2G",
    vcpus: 2,
    maxVcpus: 4,
    cmdline: "console=ttyS0",
  };
  try {
    writeFileSync(join(dir, "tdvf.fd"), firmware);
    writeFileSync(join(dir, "vmlinuz"), kernel);
    writeFileSync(join(dir, "launch.json"), `${JSON.stringify(cfg, null, 2)}\n`);
    writeFileSync(join(dir, "launch-vcpus8.json"), `${JSON.stringify({ ...cfg, maxVcpus: 8 }, null, 2)}\n`);
  } catch (e) {
    throw new ConfigError("ERR_IO", `cannot write to ${dir}: ${(e as Error).message}`, {
      field: "--out-dir",
    });
  }
}

function sampleQuote(ctx: CommandContext, json: boolean): number {
  const path = fileURLToPath(SAMPLE_QUOTE_URL);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new ConfigError("ERR_IO", `cannot read the bundled sample quote ${path}`, { field: path });
  }
  const q = parseQuote(bytes);
  if (json) {
    ctx.stdout(`${toJson({ ok: true, sample: path, quote: quoteToJson(q) })}\n`);
    return EXIT.ok;
  }
  ctx.stdout(
    `tdx-attest demo: decoding the bundled sample quote ${path}\n` +
      "(synthetic TDX quote v4 made by this project with throwaway test keys; not an Intel quote)\n\n",
  );
  ctx.stdout(quoteToText(q, describeCertificate));
  return EXIT.ok;
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values } = parseOptions(
    ctx.argv,
    {
      json: { type: "boolean" },
      "sample-quote": { type: "boolean" },
      "out-dir": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    false,
  );
  if (values["help"]) {
    ctx.stdout(USAGE);
    return EXIT.ok;
  }
  const json = Boolean(values["json"]);
  if (values["sample-quote"]) return sampleQuote(ctx, json);
  const outDir = typeof values["out-dir"] === "string" ? values["out-dir"] : undefined;
  return endToEnd(ctx, json, outDir);
}
