/**
 * Inputs of the golden RTMR computation and the per-component digests derived from them
 * (tdx-reference.md §9.4, §11, §12.6-12.7). Components the QEMU machine model decides (TD HOB,
 * ACPI blobs) may be given as bytes or as digests, or left to a reference event log.
 */
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ConfigError } from "../errors.js";
import type { EventLog, TcgEvent } from "../eventlog/types.js";
import { buildTdHob, type HobSection } from "../firmware/td-hob.js";
import { parseTdvfMetadata, type TdvfSection } from "../firmware/tdvf.js";
import {
  cmdlineDigest,
  type InitrdOptionStyle,
  initrdDigest,
  kernelDigest,
  ovmfLoadOptions,
} from "./kernel.js";
import type { OvmfVariantInput } from "./rtmr-ovmf.js";

/** Bytes to hash, or an already computed SHA-384 digest. */
export type BlobOrDigest = Uint8Array | { readonly digest: Uint8Array };

export interface GoldenRtmrInput extends OvmfVariantInput {
  /** TDVF image: gives the TDVF sections (TD HOB layout, CFV) and the CFV bytes. */
  readonly firmware?: Uint8Array;
  /** TDVF sections, if the image itself is not given. */
  readonly tdvfSections?: readonly (HobSection & Partial<Pick<TdvfSection, "dataOffset" | "rawDataSize">>)[];
  /** Guest RAM (bytes): TD HOB (§11) and kernel patching (§9.4). */
  readonly memorySize?: bigint;
  /** TD HOB as measured (without the end HOB), or its digest; default: built from memory + sections. */
  readonly tdHob?: BlobOrDigest;
  /** CFV bytes or digest; default: the CFV section of `firmware`. */
  readonly cfv?: BlobOrDigest;
  /** Secure Boot variable data (absent = empty, an unprovisioned OVMF). */
  readonly secureBootVariables?: Readonly<
    Partial<Record<"SecureBoot" | "PK" | "KEK" | "db" | "dbx", Uint8Array>>
  >;
  /** QEMU fw_cfg ACPI blobs (`etc/table-loader`, `etc/acpi/rsdp`, `etc/acpi/tables`). */
  readonly acpi?: {
    readonly loader?: BlobOrDigest;
    readonly rsdp?: BlobOrDigest;
    readonly tables?: BlobOrDigest;
  };
  /** EV_EFI_VARIABLE_BOOT variables; default OVMF's BootOrder = 0000 and Boot0000 = UiApp. */
  readonly bootVariables?: readonly { readonly name: string; readonly data: Uint8Array }[];
  readonly kernel?: BlobOrDigest;
  /** Apply QEMU's setup-header patches before Authenticode (default true, §9.4). */
  readonly kernelPatch?: boolean;
  /** dstack-mr's Authenticode padding rule (§12.7). */
  readonly dstackPadding?: boolean;
  readonly acpiDataSize?: number;
  /** initrd bytes, or its digest (then give `initrdSize` for the kernel patch). */
  readonly initrd?: BlobOrDigest;
  readonly initrdSize?: number;
  readonly cmdline?: string;
  /** An initrd is loaded even if not given here (kept from a reference log): OVMF adds `initrd=initrd`. */
  readonly hasInitrd?: boolean;
  /** Digest of the measured LoadOptions, when the command line itself is not known. */
  readonly cmdlineDigest?: Uint8Array;
  /** OVMF's `initrd=initrd` rule (§12.6): "suffix" before edk2-stable202508, "prefix" after. */
  readonly initrdOption?: InitrdOptionStyle;
  /** Predict the tdx-attest guest agent's RTMR3 vCPU-info event. */
  readonly vcpuInfo?: { readonly numVcpus: number; readonly maxVcpus: number };
  /** A real boot's log: components not given above keep their logged digests (what-if). */
  readonly referenceEventLog?: EventLog | readonly TcgEvent[];
}

/** Components whose digests the golden computation derives and a reference log can supply. */
export type Component =
  | "TD HOB"
  | "CFV"
  | "ACPI table-loader"
  | "ACPI RSDP"
  | "ACPI tables"
  | "kernel"
  | "cmdline"
  | "initrd";

function digestOf(b: BlobOrDigest, crypto: CryptoBackend): Uint8Array {
  return b instanceof Uint8Array ? crypto.hash("sha384", b) : b.digest;
}

export function sectionsOf(
  input: GoldenRtmrInput,
): readonly (HobSection & Partial<Pick<TdvfSection, "dataOffset" | "rawDataSize">>)[] | undefined {
  return input.tdvfSections ?? (input.firmware ? parseTdvfMetadata(input.firmware).sections : undefined);
}

/** The CFV section's bytes in the firmware image (what TDVF hashes for the CFV event). */
function cfvBytes(input: GoldenRtmrInput): Uint8Array | undefined {
  const cfv = sectionsOf(input)?.find((s) => s.type === "CFV");
  if (!input.firmware || !cfv || cfv.dataOffset === undefined || cfv.rawDataSize === undefined)
    return undefined;
  if (cfv.dataOffset + cfv.rawDataSize > input.firmware.length)
    throw new ConfigError("ERR_CONFIG", "CFV section runs past the firmware image", { field: "firmware" });
  return input.firmware.subarray(cfv.dataOffset, cfv.dataOffset + cfv.rawDataSize);
}

/** The LoadOptions string OVMF hands the kernel, or undefined when it measures none (§12.6). */
export function loadOptionsOf(input: GoldenRtmrInput): string | undefined {
  const cmdline = input.cmdline ?? "";
  const hasInitrd = input.initrd !== undefined || input.hasInitrd === true;
  if (cmdline === "" && !hasInitrd) return undefined;
  return ovmfLoadOptions(cmdline, hasInitrd, input.initrdOption ?? "suffix");
}

/** Derives every component digest the input determines. */
export function componentDigests(
  input: GoldenRtmrInput,
  crypto: CryptoBackend = defaultCrypto(),
): Map<Component, Uint8Array> {
  const out = new Map<Component, Uint8Array>();
  const initrdSize = input.initrd instanceof Uint8Array ? input.initrd.length : input.initrdSize;
  const sections = sectionsOf(input);
  if (input.tdHob) out.set("TD HOB", digestOf(input.tdHob, crypto));
  // td-shim images may have no TD_HOB section: then there is no TD HOB to measure.
  else if (input.memorySize !== undefined && sections?.some((s) => s.type === "TD_HOB"))
    out.set("TD HOB", crypto.hash("sha384", buildTdHob({ memorySize: input.memorySize, sections }).measured));
  const cfv = input.cfv ?? cfvBytes(input);
  if (cfv) out.set("CFV", digestOf(cfv, crypto));
  if (input.acpi?.loader) out.set("ACPI table-loader", digestOf(input.acpi.loader, crypto));
  if (input.acpi?.rsdp) out.set("ACPI RSDP", digestOf(input.acpi.rsdp, crypto));
  if (input.acpi?.tables) out.set("ACPI tables", digestOf(input.acpi.tables, crypto));
  if (input.kernel instanceof Uint8Array) {
    if (input.memorySize === undefined && input.kernelPatch !== false) {
      throw new ConfigError(
        "ERR_CONFIG",
        "kernel: memorySize is needed to apply QEMU's setup-header patches",
        { field: "memorySize" },
      );
    }
    out.set(
      "kernel",
      kernelDigest(input.kernel, {
        memorySize: input.memorySize ?? 0n,
        ...(initrdSize !== undefined ? { initrdSize } : {}),
        ...(input.cmdline !== undefined ? { cmdline: input.cmdline } : {}),
        ...(input.acpiDataSize !== undefined ? { acpiDataSize: input.acpiDataSize } : {}),
        patch: input.kernelPatch !== false,
        ...(input.dstackPadding ? { dstackPadding: true } : {}),
        crypto,
      }),
    );
  } else if (input.kernel) out.set("kernel", input.kernel.digest);
  const lo = loadOptionsOf(input);
  if (input.cmdlineDigest) out.set("cmdline", input.cmdlineDigest);
  else if (lo !== undefined) out.set("cmdline", cmdlineDigest(lo, crypto));
  if (input.initrd)
    out.set(
      "initrd",
      input.initrd instanceof Uint8Array ? initrdDigest(input.initrd, crypto) : input.initrd.digest,
    );
  return out;
}
