/**
 * Building reference values from a measurement (what `tdx-attest measure --out` writes), the
 * optional MRCONFIGID binding, and loading a reference file in any of its three forms
 * (JSON text, deterministic CBOR, COSE_Sign1-signed CBOR).
 */
import { fromHex, fromUtf8, readU64 } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { AppraisalError } from "../errors.js";
import { encodeDeterministic } from "./cbor.js";
import {
  decodeReferenceValuesCbor,
  encodeReferenceValuesCbor,
  encodeReferenceValuesJson,
  parseReferenceValuesJson,
} from "./codec.js";
import { isCoseSign1, signCoseSign1, verifyCoseSign1 } from "./cose.js";
import { FieldReader } from "./fields.js";
import type {
  JsonValue,
  ReferenceEvent,
  ReferenceInputFile,
  ReferenceValueSet,
  ReferenceValues,
} from "./types.js";

/** Bytes given as Uint8Array or hex text (measurement results may use either). */
export type BytesLike = Uint8Array | string;
/** A u64 given as bigint, number or 16-hex-digit quote-order text. */
export type U64Like = bigint | number | string;

/** The measurement fields `referenceSetFromMeasurement` reads (structural; any extra ignored). */
export interface MeasurementLike {
  readonly mrTd?: BytesLike;
  /** RTMR0..3; entries may be undefined/null when not predicted. */
  readonly rtmr?: readonly (BytesLike | null | undefined)[];
  readonly tdAttributes?: U64Like;
  readonly xfam?: U64Like;
  readonly mrConfigId?: BytesLike;
  readonly mrOwner?: BytesLike;
  readonly mrOwnerConfig?: BytesLike;
  readonly maxVcpus?: number;
}

export interface ReferenceSetOptions {
  /** Set name (default "default"). */
  readonly name?: string;
  /** The launch config the measurement came from (JSON, no floats). */
  readonly config?: JsonValue;
  /** Input files: bytes are hashed here; or give a precomputed sha384. */
  readonly inputs?: readonly { name: string; path?: string; bytes?: Uint8Array; sha384?: Uint8Array }[];
  readonly toolVersion?: string;
  readonly events?: readonly ReferenceEvent[];
  /** Which RTMRs to pin (default: 0, 1, 2 when present; RTMR3 only if listed here). */
  readonly rtmrs?: readonly (0 | 1 | 2 | 3)[];
  readonly crypto?: CryptoBackend;
}

function asBytes(v: BytesLike, field: string): Uint8Array {
  return typeof v === "string" ? fromHex(v, field, 48) : v;
}

function asU64(v: U64Like, field: string): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") return BigInt(v);
  if (/^[0-9a-fA-F]{16}$/.test(v)) return readU64(fromHex(v, field, 8), 0);
  return BigInt(v);
}

/**
 * Turns a measurement result (e.g. `measureLaunch(config)` output) into one reference set.
 * Input files are identified by SHA-384 so the set records exactly what was measured.
 */
export function referenceSetFromMeasurement(
  m: MeasurementLike,
  opts: ReferenceSetOptions = {},
): ReferenceValueSet {
  const crypto = opts.crypto ?? defaultCrypto();
  const set: Record<string, unknown> = { name: opts.name ?? "default" };
  if (m.mrTd !== undefined) set["mrTd"] = asBytes(m.mrTd, "mrTd");
  const pick = opts.rtmrs ?? [0, 1, 2];
  for (const i of pick) {
    const v = m.rtmr?.[i];
    if (v !== undefined && v !== null) set[`rtmr${i}`] = asBytes(v, `rtmr${i}`);
  }
  if (m.tdAttributes !== undefined) set["tdAttributes"] = asU64(m.tdAttributes, "tdAttributes");
  if (m.xfam !== undefined) set["xfam"] = asU64(m.xfam, "xfam");
  for (const k of ["mrConfigId", "mrOwner", "mrOwnerConfig"] as const) {
    const v = m[k];
    if (v !== undefined) set[k] = asBytes(v, k);
  }
  if (m.maxVcpus !== undefined) set["maxVcpus"] = m.maxVcpus;
  if (opts.config !== undefined || opts.inputs) {
    const inputs: ReferenceInputFile[] = (opts.inputs ?? []).map((f) => {
      const sha384 = f.sha384 ?? (f.bytes ? crypto.hash("sha384", f.bytes) : undefined);
      if (!sha384)
        throw new AppraisalError("ERR_REFERENCE_FORMAT", `inputs.${f.name}: needs bytes or sha384`);
      return { name: f.name, ...(f.path !== undefined ? { path: f.path } : {}), sha384 };
    });
    set["launchConfig"] = { config: opts.config ?? null, inputs };
  }
  if (opts.toolVersion !== undefined) set["toolVersion"] = opts.toolVersion;
  if (opts.events) set["events"] = opts.events;
  // Round-trip through the validator so a bad measurement cannot produce an unreadable file.
  const checked = decodeReferenceValuesCbor(
    encodeReferenceValuesCbor({ version: 1, sets: [set as unknown as ReferenceValueSet] }),
  );
  return checked.sets[0] as ReferenceValueSet;
}

/**
 * MRCONFIGID binding: SHA-384 of the deterministic CBOR of the launch config (48 bytes, the
 * size of TD_PARAMS.MRCONFIGID). The config's own `mrConfigId` member is left out (it would be
 * circular). See docs/appraise.md for what this does and does not prove.
 */
export function mrConfigIdBinding(config: JsonValue, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  const r = new FieldReader("ERR_REFERENCE_FORMAT", "json");
  const normalized = r.json(config, "launchConfig");
  const { mrConfigId: _omit, ...rest } =
    typeof normalized === "object" && normalized !== null && !Array.isArray(normalized)
      ? (normalized as { [key: string]: JsonValue })
      : r.fail("launchConfig", "must be an object");
  return crypto.hash("sha384", encodeDeterministic(rest, "ERR_REFERENCE_FORMAT"));
}

/** Reference values encoded for output: JSON text, CBOR, or COSE_Sign1-signed CBOR. */
export async function encodeReferenceValues(
  rv: ReferenceValues,
  format: "json" | "cbor",
  signingKey?: string | Uint8Array,
): Promise<Uint8Array> {
  if (format === "json" && signingKey === undefined) {
    return new TextEncoder().encode(encodeReferenceValuesJson(rv));
  }
  if (format === "json") {
    throw new AppraisalError(
      "ERR_REFERENCE_FORMAT",
      "signed reference values are always CBOR (use --format cbor)",
      {
        field: "format",
      },
    );
  }
  const payload = encodeReferenceValuesCbor(rv);
  return signingKey === undefined ? payload : signCoseSign1(payload, signingKey);
}

export interface LoadReferenceOptions {
  /** SPKI public key (PEM or DER). When given, the file must be signed by it. */
  readonly publicKey?: string | Uint8Array;
}

/** What was loaded and whether a signature was checked. */
export interface LoadedReferenceValues {
  readonly values: ReferenceValues;
  readonly format: "json" | "cbor" | "cose-sign1";
  readonly signatureVerified: boolean;
}

/**
 * Loads a reference file in any form. Fails closed: with a public key the file must be a
 * COSE_Sign1 that verifies; a signed file without a key is refused (its signature could not be
 * checked, and silently ignoring it would hide a missing --reference-key).
 */
export async function loadReferenceValues(
  bytes: Uint8Array,
  opts: LoadReferenceOptions = {},
): Promise<LoadedReferenceValues> {
  if (isCoseSign1(bytes)) {
    if (opts.publicKey === undefined) {
      throw new AppraisalError(
        "ERR_REFERENCE_SIGNATURE",
        "reference values are signed (COSE_Sign1): give the signer's public key (--reference-key)",
        { field: "reference" },
      );
    }
    const payload = await verifyCoseSign1(bytes, opts.publicKey);
    return { values: decodeReferenceValuesCbor(payload), format: "cose-sign1", signatureVerified: true };
  }
  if (opts.publicKey !== undefined) {
    throw new AppraisalError(
      "ERR_REFERENCE_SIGNATURE",
      "a public key was given but the reference values are not signed",
      {
        field: "reference",
      },
    );
  }
  const first = bytes.find((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
  if (first === 0x7b)
    return { values: parseReferenceValuesJson(fromUtf8(bytes)), format: "json", signatureVerified: false };
  return { values: decodeReferenceValuesCbor(bytes), format: "cbor", signatureVerified: false };
}
