/**
 * `tdx-attest measure`: golden MRTD and TD identity fields from a launch configuration (a JSON
 * file and/or flags), replayed through the QEMU/KVM models onto the simulated TDX module.
 * File paths in a config are relative to the config file; all reading happens here.
 */
import { dirname, resolve } from "node:path";
import { attributeNames, u64MemoryHex, xfamNames } from "../abi/flags.js";
import { toHex } from "../bytes.js";
import { ConfigError } from "../errors.js";
import type { LaunchConfigInput } from "../measure/config.js";
import { type GoldenMeasurements, type MeasureProgress, measureLaunch } from "../measure/launch.js";
import { goldenRtmrsForLaunch, rtmrOutput } from "../measure/rtmr-launch.js";
import { MEASURE_REFERENCE_OPTIONS, writeMeasureReference } from "./appraise-measure.js";
import { type CommandContext, EXIT, parseOptions, readJsonObjectFile, readRaw, toJson } from "./common.js";
import { payloadSource } from "./measure-file.js";

export const MEASURE_USAGE = `usage: tdx-attest measure --config launch.json [--json] [--trace]
       tdx-attest measure --firmware OVMF.fd [options] [--json] [--trace]

Replays a TD launch (QEMU -> KVM -> simulated TDX module) and prints the golden values a quote
must carry: MRTD, TDATTRIBUTES, XFAM, MRCONFIGID, MROWNER, MROWNERCONFIG, plus MAX_VCPUS and
where it came from (no quote field carries MAX_VCPUS).

options (override the config file):
  --config <file>          launch configuration JSON (paths relative to the file)
  --firmware <file>        TDVF image (OVMF.fd)
  --vcpus <n>              vCPUs created (default 1)
  --max-vcpus <n>          v19: KVM_ENABLE_CAP value; 6.16: QEMU -smp maxcpus (default vcpus)
  --kvm 6.16|v19           KVM ABI generation (default 6.16; v19 for QEMU < 9)
  --host-cpus <n>          present host CPUs (6.16 sets MAX_VCPUS from it; default 64)
  --memory <size>          guest RAM, e.g. 2G (does not change MRTD)
  --qemu-version <v>       page order: < 9 per-section two-pass, >= 9 single pass (default 10.1)
  --attributes <v>         hex or names (sept-ve-disable,debug,pks,perfmon)
  --xfam <v>               hex or names
  --mr-config-id <hex>     48 bytes; also --mr-owner, --mr-owner-config
  --tsc-mhz <n>            TSC frequency (multiple of 25 MHz)
  --module-version 1.0|1.5 simulated TDX module generation (default 1.5)
  --payload <gpa>:<file>[:nomeasure]   raw region (td-shim style), repeatable
  --json                   one JSON object (lowercase hex)
  --events                 also list the planned RTMR events (needs a kernel or referenceEventLog)
  --guest-agent            predict the RTMR3 vCPU-info event (docs/eventlog.md)
  --trace                  also print the launch trace (ioctls, SEAMCALLs, running MRTD)
  --out <file>             write a reference-value file instead (docs/appraise.md):
    --format json|cbor     file format (default json; --sign implies cbor)
    --sign <key.pem>       COSE_Sign1 over the CBOR payload
    --name <name>          set name (default "golden")
    --matrix <k>=<v1,v2>   one set per value of vcpus, maxVcpus, memory or hostCpus
    --mrconfigid-binding   MRCONFIGID = SHA-384 of the config's deterministic CBOR
  -h, --help               this text

Progress is shown on stderr while pages load when stderr is a terminal.
`;

const OPTIONS = {
  config: { type: "string" },
  firmware: { type: "string" },
  vcpus: { type: "string" },
  "max-vcpus": { type: "string" },
  kvm: { type: "string" },
  "host-cpus": { type: "string" },
  memory: { type: "string" },
  "qemu-version": { type: "string" },
  attributes: { type: "string" },
  xfam: { type: "string" },
  "mr-config-id": { type: "string" },
  "mr-owner": { type: "string" },
  "mr-owner-config": { type: "string" },
  "tsc-mhz": { type: "string" },
  "module-version": { type: "string" },
  payload: { type: "string", multiple: true },
  json: { type: "boolean" },
  events: { type: "boolean" },
  "guest-agent": { type: "boolean" },
  trace: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  ...MEASURE_REFERENCE_OPTIONS,
} as const;

const FILE_FIELDS = ["firmware", "kernel", "initrd", "acpiTables", "referenceEventLog", "tdHob"] as const;

function intFlag(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !/^\d+$/.test(v))
    throw new ConfigError("ERR_USAGE", `${flag}: expected a number, got ${String(v)}`, { field: flag });
  return Number(v);
}

/** Reads a config JSON file and replaces file paths by their bytes. */
function loadConfigFile(ctx: CommandContext, file: string): Record<string, unknown> {
  const json = readJsonObjectFile(ctx, file);
  const base = file === "-" ? process.cwd() : dirname(resolve(file));
  const cfg: Record<string, unknown> = { ...json };
  for (const f of FILE_FIELDS) {
    const v = cfg[f];
    if (v === undefined) continue;
    if (typeof v !== "string")
      throw new ConfigError("ERR_CONFIG", `LaunchConfig.${f}: must be a file path`, {
        field: `LaunchConfig.${f}`,
      });
    cfg[f] = readRaw(ctx, resolve(base, v));
  }
  if (Array.isArray(cfg["payloads"])) {
    cfg["payloads"] = cfg["payloads"].map((p: unknown, i) => {
      const r = (typeof p === "object" && p !== null ? p : {}) as Record<string, unknown>;
      if (typeof r["file"] !== "string")
        throw new ConfigError("ERR_CONFIG", `LaunchConfig.payloads[${i}].file: must be a file path`, {
          field: `LaunchConfig.payloads[${i}].file`,
        });
      const { file: path, ...rest } = r;
      return { ...rest, data: payloadSource(ctx, resolve(base, path as string)) };
    });
  }
  return cfg;
}

function payloadFlag(ctx: CommandContext, spec: string): Record<string, unknown> {
  const m = /^(0x[0-9a-f]+|\d+):(.+?)(:nomeasure|:measure)?$/i.exec(spec);
  if (!m)
    throw new ConfigError("ERR_USAGE", `--payload: expected <gpa>:<file>[:nomeasure], got ${spec}`, {
      field: "--payload",
    });
  return {
    gpa: m[1],
    data: payloadSource(ctx, m[2] as string),
    measure: m[3]?.toLowerCase() !== ":nomeasure",
    name: m[2],
  };
}

function buildInput(ctx: CommandContext, v: Record<string, unknown>): LaunchConfigInput {
  const cfg: Record<string, unknown> =
    typeof v["config"] === "string" ? loadConfigFile(ctx, v["config"]) : {};
  const set = (k: string, val: unknown) => {
    if (val !== undefined) cfg[k] = val;
  };
  if (typeof v["firmware"] === "string") cfg["firmware"] = readRaw(ctx, v["firmware"]);
  set("vcpus", intFlag(v["vcpus"], "--vcpus"));
  set("maxVcpus", intFlag(v["max-vcpus"], "--max-vcpus"));
  set("hostCpus", intFlag(v["host-cpus"], "--host-cpus"));
  set("tscFrequencyMHz", intFlag(v["tsc-mhz"], "--tsc-mhz"));
  set("kvm", v["kvm"]);
  set("memory", v["memory"]);
  set("qemuVersion", v["qemu-version"]);
  set("attributes", v["attributes"]);
  set("xfam", v["xfam"]);
  set("mrConfigId", v["mr-config-id"]);
  set("mrOwner", v["mr-owner"]);
  set("mrOwnerConfig", v["mr-owner-config"]);
  set("moduleVersion", v["module-version"]);
  const payloads = v["payload"];
  if (Array.isArray(payloads))
    cfg["payloads"] = [
      ...((cfg["payloads"] as unknown[]) ?? []),
      ...payloads.map((p) => payloadFlag(ctx, String(p))),
    ];
  return cfg as LaunchConfigInput;
}

/** The JSON object `--json` prints (bytes and flag words as lowercase hex, memory order). */
export function goldenToJson(g: GoldenMeasurements, withTrace: boolean): Record<string, unknown> {
  return {
    ok: true,
    mrTd: toHex(g.mrTd),
    tdAttributes: u64MemoryHex(g.tdAttributes),
    tdAttributeNames: attributeNames(g.tdAttributes),
    xfam: u64MemoryHex(g.xfam),
    xfamNames: xfamNames(g.xfam),
    mrConfigId: toHex(g.mrConfigId),
    mrOwner: toHex(g.mrOwner),
    mrOwnerConfig: toHex(g.mrOwnerConfig),
    maxVcpus: g.maxVcpus,
    maxVcpusSource: g.maxVcpusSource,
    kvm: g.kvm,
    qemuVersion: g.qemuVersion,
    pageOrder: g.pageOrder,
    stats: g.stats,
    ...(withTrace ? { trace: g.trace.toJSON() } : {}),
  };
}

function goldenToText(g: GoldenMeasurements): string {
  const row = (k: string, v: string) => `${k.padEnd(15)}${v}\n`;
  return (
    row("MRTD", toHex(g.mrTd)) +
    row(
      "TDATTRIBUTES",
      `${u64MemoryHex(g.tdAttributes)}  (${attributeNames(g.tdAttributes).join(", ") || "none"})`,
    ) +
    row("XFAM", `${u64MemoryHex(g.xfam)}  (${xfamNames(g.xfam).join(", ")})`) +
    row("MRCONFIGID", toHex(g.mrConfigId)) +
    row("MROWNER", toHex(g.mrOwner)) +
    row("MROWNERCONFIG", toHex(g.mrOwnerConfig)) +
    row("MAX_VCPUS", String(g.maxVcpus)) +
    `  where from: ${g.maxVcpusSource}.\n` +
    "  No quote field carries MAX_VCPUS (it is not part of TDINFO); the guest sees it through TDG.VP.INFO.\n" +
    row(
      "launch",
      `QEMU ${g.qemuVersion} (${g.pageOrder}), KVM ${g.kvm}; ${g.stats.pagesAdded} pages added, ${g.stats.chunksExtended} chunks extended`,
    )
  );
}

/** Minimum time between two progress lines (at most ~10 updates per second). */
const PROGRESS_INTERVAL_MS = 100;

/**
 * A progress display for `measureLaunch` on stderr, or undefined when stderr is not a terminal
 * (pipes and logs stay clean). One carriage-return line, rate-limited, erased when done.
 */
export function measureProgress(
  ctx: Pick<CommandContext, "stderr" | "isTTY">,
  now: () => number = Date.now,
): ((p: MeasureProgress) => void) | undefined {
  if (!ctx.isTTY) return undefined;
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  const mib = (pages: number) => ((pages * 4096) / (1024 * 1024)).toFixed(0);
  return ({ pagesDone, pagesTotal }) => {
    if (pagesDone >= pagesTotal) {
      if (shown) ctx.stderr("\r\x1b[K");
      shown = false;
      return;
    }
    const t = now();
    if (t - last < PROGRESS_INTERVAL_MS) return;
    last = t;
    const pct = Math.floor((100 * pagesDone) / pagesTotal);
    ctx.stderr(`\rmeasuring: ${mib(pagesDone)} / ${mib(pagesTotal)} MiB of guest pages (${pct}%)`);
    shown = true;
  };
}

export async function run(ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseOptions(ctx.argv, OPTIONS, false);
  if (values["help"]) {
    ctx.stdout(MEASURE_USAGE);
    return EXIT.ok;
  }
  if (positionals.length > 0)
    throw new ConfigError("ERR_USAGE", "measure takes no positional arguments (see --help)", {
      field: "argv",
    });
  if (values["config"] === undefined && values["firmware"] === undefined && values["payload"] === undefined) {
    throw new ConfigError("ERR_USAGE", "give --config or --firmware (see --help)", { field: "argv" });
  }
  if (typeof values["out"] === "string") return writeMeasureReference(ctx, values, buildInput(ctx, values));
  const trace = values["trace"] === true;
  const onProgress = measureProgress(ctx);
  const g = measureLaunch(buildInput(ctx, values), {
    runningMrtd: trace,
    ...(onProgress ? { onProgress } : {}),
  });
  const rtmrOpts = values["guest-agent"] ? { guestAgentMaxVcpus: g.maxVcpus } : {};
  const rt = rtmrOutput(goldenRtmrsForLaunch(g.config, rtmrOpts), values["events"] === true);
  if (values["json"]) ctx.stdout(`${toJson({ ...goldenToJson(g, trace), ...rt.json })}\n`);
  else
    ctx.stdout(
      goldenToText(g) + rt.text + (trace ? `\nlaunch trace (KVM ${g.kvm}):\n${g.trace.format()}` : ""),
    );
  return EXIT.ok;
}
