/**
 * CLI helpers for writing reference values ("golden" files), for `tdx-attest measure --out`
 * and `tdx-attest simulate`: one set per measured configuration (e.g. `--matrix vcpus=1,2,4`),
 * JSON or deterministic CBOR, optionally COSE_Sign1-signed with a PKCS#8 PEM key.
 *
 * Options a command can pass through: `--out FILE`, `--format json|cbor`, `--sign KEY.pem`,
 * `--name NAME`. `--mrconfigid-binding` is applied before measuring (MRCONFIGID is a launch
 * input): see `bindMrConfigId`.
 */
import { writeFileSync } from "node:fs";
import { toHex } from "../bytes.js";
import { ConfigError } from "../errors.js";
import {
  encodeReferenceValues,
  type MeasurementLike,
  mrConfigIdBinding,
  referenceSetFromMeasurement,
} from "../reference/build.js";
import { combineReferenceValues } from "../reference/codec.js";
import type { JsonValue, ReferenceEvent, ReferenceValues } from "../reference/types.js";
import { type CommandContext, readRaw } from "./common.js";
import { VERSION } from "./main.js";

/** One measured configuration to record as a reference set. */
export interface GoldenEntry {
  readonly name: string;
  readonly measurement: MeasurementLike;
  /** The launch config as the user wrote it (JSON, file paths as strings). */
  readonly config?: JsonValue;
  /** Input files read for the launch: hashed into the set. */
  readonly inputs?: readonly { name: string; path?: string; bytes: Uint8Array }[];
  readonly events?: readonly ReferenceEvent[];
  /** Which RTMRs to pin (default 0..2 when the measurement has them). */
  readonly rtmrs?: readonly (0 | 1 | 2 | 3)[];
}

export interface GoldenOutputOptions {
  readonly out: string;
  readonly format?: string;
  /** Path of a PKCS#8 PEM signing key (P-256 -> ES256, P-384 -> ES384). */
  readonly sign?: string;
}

/** Builds the reference values for several measured configurations (names must be unique). */
export function goldenReferenceValues(entries: readonly GoldenEntry[]): ReferenceValues {
  return combineReferenceValues(
    entries.map((e) =>
      referenceSetFromMeasurement(e.measurement, {
        name: e.name,
        ...(e.config !== undefined ? { config: e.config } : {}),
        ...(e.inputs ? { inputs: e.inputs } : {}),
        ...(e.events ? { events: e.events } : {}),
        ...(e.rtmrs ? { rtmrs: e.rtmrs } : {}),
        toolVersion: `tdx-attest ${VERSION}`,
      }),
    ),
  );
}

/** Writes reference values to `opts.out` in the requested form; returns the bytes written. */
export async function writeGoldenFile(
  ctx: CommandContext,
  values: ReferenceValues,
  opts: GoldenOutputOptions,
): Promise<Uint8Array> {
  const format = opts.format ?? (opts.sign ? "cbor" : "json");
  if (format !== "json" && format !== "cbor") {
    throw new ConfigError("ERR_USAGE", `--format must be json or cbor (got ${format})`, {
      field: "--format",
    });
  }
  const key = opts.sign ? new TextDecoder().decode(readRaw(ctx, opts.sign)) : undefined;
  const bytes = await encodeReferenceValues(values, format, key);
  try {
    writeFileSync(opts.out, bytes);
  } catch (e) {
    throw new ConfigError("ERR_IO", `cannot write ${opts.out}: ${(e as Error).message}`, { field: "--out" });
  }
  return bytes;
}

/**
 * `--mrconfigid-binding`: the MRCONFIGID to launch with, SHA-384 of the deterministic CBOR of the
 * config JSON (its own mrConfigId member excluded). Returns lowercase hex (what configs take).
 */
export function bindMrConfigId(configJson: JsonValue): string {
  return toHex(mrConfigIdBinding(configJson));
}
