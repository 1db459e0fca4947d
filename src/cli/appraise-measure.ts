/**
 * Reference-value output for `tdx-attest measure` (a hook: measure spreads
 * MEASURE_REFERENCE_OPTIONS into its options and, when `--out` is given, calls
 * `writeMeasureReference(ctx, values, input)` with the launch input it built):
 *   --out FILE                 write golden values as a reference-value file
 *   --format json|cbor         (default json; --sign implies cbor)
 *   --sign KEY.pem             COSE_Sign1 with a PKCS#8 P-256/P-384 key
 *   --name NAME                set name (default "golden"; with --matrix, "<key>-<value>")
 *   --matrix KEY=V1,V2,...     one set per value, e.g. maxVcpus=1,2,4,8 (vcpus, maxVcpus, memory, hostCpus)
 *   --mrconfigid-binding       launch with MRCONFIGID = SHA-384(deterministic CBOR of the config)
 * Each set records the config (as written in the --config file, with the matrix value and the
 * binding applied) and the SHA-384 of every input file.
 */
import { readFileSync } from "node:fs";
import { appraisalEventsFromLog } from "../appraise/from-eventlog.js";
import { ConfigError } from "../errors.js";
import type { LaunchConfigInput } from "../measure/config.js";
import { measureLaunch } from "../measure/launch.js";
import { goldenRtmrsForLaunch } from "../measure/rtmr-launch.js";
import type { JsonValue } from "../reference/types.js";
import {
  bindMrConfigId,
  type GoldenEntry,
  goldenReferenceValues,
  writeGoldenFile,
} from "./appraise-golden.js";
import { type CommandContext, EXIT } from "./common.js";

export const MEASURE_REFERENCE_OPTIONS = {
  out: { type: "string" },
  format: { type: "string" },
  sign: { type: "string" },
  name: { type: "string" },
  matrix: { type: "string" },
  "mrconfigid-binding": { type: "boolean" },
} as const;

const MATRIX_KEYS = ["vcpus", "maxVcpus", "memory", "hostCpus"] as const;
const FILE_FIELDS = ["firmware", "kernel", "initrd", "acpiTables", "referenceEventLog", "tdHob"] as const;

function parseMatrix(spec: string | undefined): { key: string; values: (string | number)[] } | undefined {
  if (spec === undefined) return undefined;
  const m = /^([A-Za-z]+)=([^=]+)$/.exec(spec);
  const key = m?.[1];
  if (!m || !key || !(MATRIX_KEYS as readonly string[]).includes(key)) {
    throw new ConfigError(
      "ERR_USAGE",
      `--matrix: expected <${MATRIX_KEYS.join("|")}>=v1,v2,... (got ${spec})`,
      {
        field: "--matrix",
      },
    );
  }
  const values = (m[2] as string).split(",").map((v) => (/^\d+$/.test(v) ? Number(v) : v));
  return { key, values };
}

/** The config JSON as the user wrote it (paths as strings), or the input's scalar fields. */
function configJsonOf(values: Record<string, unknown>, input: LaunchConfigInput): Record<string, JsonValue> {
  if (typeof values["config"] === "string") {
    try {
      return JSON.parse(readFileSync(values["config"], "utf8")) as Record<string, JsonValue>;
    } catch (e) {
      throw new ConfigError("ERR_CONFIG", `${values["config"]}: ${(e as Error).message}`, {
        field: "--config",
      });
    }
  }
  const out: Record<string, JsonValue> = {};
  for (const [k, v] of Object.entries(input)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[k] = v;
  }
  return out;
}

function inputsOf(input: LaunchConfigInput, json: Record<string, JsonValue>) {
  return FILE_FIELDS.flatMap((f) => {
    const bytes = input[f];
    if (!(bytes instanceof Uint8Array)) return [];
    const path = json[f];
    return [{ name: f, ...(typeof path === "string" ? { path } : {}), bytes }];
  });
}

/** Measures one configuration (or a matrix) and writes the reference-value file. */
export async function writeMeasureReference(
  ctx: CommandContext,
  values: Record<string, unknown>,
  input: LaunchConfigInput,
): Promise<number> {
  const out = values["out"];
  if (typeof out !== "string")
    throw new ConfigError("ERR_USAGE", "--out: missing file name", { field: "--out" });
  const matrix = parseMatrix(typeof values["matrix"] === "string" ? values["matrix"] : undefined);
  const baseJson = configJsonOf(values, input);
  const runs = matrix
    ? matrix.values.map((v) => ({ name: `${matrix.key}-${v}`, over: { [matrix.key]: v } }))
    : [{ name: undefined, over: {} }];
  const entries: GoldenEntry[] = runs.map(({ name, over }) => {
    const json: Record<string, JsonValue> = { ...baseJson, ...over };
    const launch: Record<string, unknown> = { ...input, ...over };
    if (values["mrconfigid-binding"]) {
      const binding = bindMrConfigId(json);
      json["mrConfigId"] = binding;
      launch["mrConfigId"] = binding;
    }
    const g = measureLaunch(launch as LaunchConfigInput);
    const rt = goldenRtmrsForLaunch(g.config);
    return {
      name: name ?? (typeof values["name"] === "string" ? values["name"] : "golden"),
      measurement: { ...g, ...(rt ? { rtmr: rt.rtmrs } : {}) },
      config: json,
      inputs: inputsOf(input, json),
      ...(rt ? { events: appraisalEventsFromLog(rt.tcgEvents) } : {}),
    };
  });
  const rv = goldenReferenceValues(entries);
  await writeGoldenFile(ctx, rv, {
    out,
    ...(typeof values["format"] === "string" ? { format: values["format"] } : {}),
    ...(typeof values["sign"] === "string" ? { sign: values["sign"] } : {}),
  });
  ctx.stderr(
    `wrote ${rv.sets.length} reference set(s) to ${out}: ${rv.sets.map((s) => s.name).join(", ")}\n`,
  );
  return EXIT.ok;
}
