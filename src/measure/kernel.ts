/**
 * Linux direct boot under QEMU + OVMF (tdx-reference.md §9.4, §12.6): the setup-header patches
 * QEMU applies to the bzImage copy it hands to OVMF (which OVMF then measures with Authenticode
 * into RTMR1), and the RTMR2 digests of the command line and initrd measured by the EFI stub.
 */
import { concatBytes, readU16, readU32, utf16le } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { ConfigError, hexOffset, ParseError } from "../errors.js";
import { authenticodeHash } from "../firmware/pe-authenticode.js";
import { below4gMemory } from "../firmware/td-hob.js";

/** q35 ACPI data size QEMU reserves below 4 GiB (§9.4). */
export const QEMU_ACPI_DATA_SIZE = 0x28000;
const SETUP_HEADER_END = 0x250;

export interface KernelPatchInput {
  /** Guest RAM in bytes (decides the below-4G size, §9.4). */
  readonly memorySize: bigint;
  /** initrd size in bytes; 0 or undefined = no initrd. */
  readonly initrdSize?: number;
  /** Kernel command line (only its length matters, for old boot protocols). */
  readonly cmdline?: string;
  readonly acpiDataSize?: number;
}

function put32(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(off, v >>> 0, true);
}

function put16(b: Uint8Array, off: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint16(off, v & 0xffff, true);
}

/** "HdrS" read as a little-endian u32 at 0x202: marks a setup header with a boot protocol field. */
export const SETUP_HEADER_MAGIC = 0x53726448;

/**
 * The boot protocol as QEMU's `x86_load_linux()` sees it (§9.4): the u16 at 0x206 when the "HdrS"
 * magic sits at 0x202, else 0 (a pre-2.00 image: legacy cmdline fields, no loader type, no heap,
 * no initrd). QEMU first tries such an image as multiboot; that path is not modelled here.
 */
export function bootProtocol(kernel: Uint8Array): number {
  return readU32(kernel, 0x202) === SETUP_HEADER_MAGIC ? readU16(kernel, 0x206) : 0;
}

/** Where QEMU places the initrd (§9.4); throws ConfigError if it does not fit. */
export function qemuInitrdAddress(kernel: Uint8Array, protocol: number, input: KernelPatchInput): number {
  const size = input.initrdSize ?? 0;
  const xlf = readU16(kernel, 0x236);
  let max: number;
  if (protocol >= 0x20c && (xlf & 0x40) !== 0) max = 0xffffffff;
  // QEMU takes initrd_addr_max as it is (a zero field leaves no room: the initrd does not fit).
  else if (protocol >= 0x203) max = readU32(kernel, 0x22c);
  else max = 0x37ffffff;
  const avail = below4gMemory(input.memorySize) - BigInt(input.acpiDataSize ?? QEMU_ACPI_DATA_SIZE);
  if (avail <= 0n)
    throw new ConfigError("ERR_CONFIG", "kernel: memory too small for ACPI data", { field: "memorySize" });
  if (BigInt(max) >= avail) max = Number(avail - 1n);
  if (size >= max)
    throw new ConfigError("ERR_CONFIG", `initrd: ${size} bytes does not fit below 0x${max.toString(16)}`, {
      field: "initrd",
    });
  return Number(BigInt(max - size) & ~0xfffn);
}

/**
 * QEMU's `vga=` handling: the first "vga=" anywhere in the command line sets vid_mode (0x1FA):
 * normal/ext/ask prefixes, else an unsigned number in C base-0 notation ending the word.
 */
export function qemuVgaMode(cmdline: string): number | undefined {
  const at = cmdline.indexOf("vga=");
  if (at < 0) return undefined;
  const v = cmdline.slice(at + 4);
  if (v.startsWith("normal")) return 0xffff;
  if (v.startsWith("ext")) return 0xfffe;
  if (v.startsWith("ask")) return 0xfffd;
  const t = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?=$| )/.exec(v)?.[1];
  const n =
    t === undefined
      ? Number.NaN
      : /^0[xX]/.test(t)
        ? Number.parseInt(t.slice(2), 16)
        : Number.parseInt(t, t.startsWith("0") ? 8 : 10);
  if (!(n <= 0xffffffff))
    throw new ConfigError(
      "ERR_CONFIG",
      `cmdline: invalid 'vga=' parameter ${JSON.stringify(v.split(" ")[0])}`,
      {
        field: "cmdline",
      },
    );
  return n & 0xffff;
}

/**
 * Applies QEMU's `x86_load_linux()` setup-header patches (§9.4) to a copy of a bzImage.
 * Throws ParseError(ERR_PE_FORMAT) if the image is too short to have a setup header.
 */
export function patchKernelForQemu(kernel: Uint8Array, input: KernelPatchInput): Uint8Array {
  if (kernel.length < SETUP_HEADER_END) {
    throw new ParseError(
      "ERR_PE_FORMAT",
      `kernel: ${kernel.length} bytes, setup header needs ${SETUP_HEADER_END} at ${hexOffset(0)}`,
      { field: "kernel", offset: 0 },
    );
  }
  const k = kernel.slice();
  const protocol = bootProtocol(k);
  const cmdline = input.cmdline ?? "";
  const loadedHigh = protocol >= 0x202 && ((k[0x211] as number) & 1) !== 0;
  const realAddr = loadedHigh ? 0x10000 : 0x90000;
  // QEMU reserves strlen + 1 rounded up to 16 bytes below 0x9A000 for old kernels.
  const cmdlineSize = (utf8Length(cmdline) + 16) & ~15;
  const cmdlineAddr = loadedHigh ? 0x20000 : 0x9a000 - cmdlineSize;
  if (protocol >= 0x202) put32(k, 0x228, cmdlineAddr);
  else {
    put16(k, 0x20, 0xa33f);
    put16(k, 0x22, cmdlineAddr - realAddr);
  }
  const vga = qemuVgaMode(cmdline);
  if (vga !== undefined) put16(k, 0x1fa, vga);
  if (protocol >= 0x200) k[0x210] = 0xb0;
  if (protocol >= 0x201) {
    k[0x211] = (k[0x211] as number) | 0x80;
    put16(k, 0x224, cmdlineAddr - realAddr - 0x200);
  }
  const initrdSize = input.initrdSize ?? 0;
  if (initrdSize > 0) {
    if (protocol < 0x200)
      throw new ConfigError("ERR_CONFIG", "kernel: boot protocol too old for an initrd", { field: "kernel" });
    put32(k, 0x218, qemuInitrdAddress(k, protocol, input));
    put32(k, 0x21c, initrdSize);
  }
  return k;
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

export interface KernelDigestOptions extends KernelPatchInput {
  /** Apply QEMU's patches (direct boot through the legacy fw_cfg kernel blob). Default true. */
  readonly patch?: boolean;
  readonly dstackPadding?: boolean;
  readonly crypto?: CryptoBackend;
}

/** RTMR1 EV_EFI_BOOT_SERVICES_APPLICATION digest of a direct-boot kernel. */
export function kernelDigest(kernel: Uint8Array, opts: KernelDigestOptions): Uint8Array {
  const image = opts.patch === false ? kernel : patchKernelForQemu(kernel, opts);
  return authenticodeHash(image, {
    ...(opts.crypto ? { crypto: opts.crypto } : {}),
    ...(opts.dstackPadding ? { dstackPadding: true } : {}),
  });
}

/** How OVMF adds `initrd=initrd` to the LoadOptions (§12.6): before edk2-stable202508 a suffix. */
export type InitrdOptionStyle = "none" | "suffix" | "prefix";

/**
 * The LoadOptions string OVMF passes to the kernel for direct boot (§12.6). OVMF formats "%a%a"
 * with the literal " initrd=initrd" after (or "initrd=initrd " before) the command line, so the
 * space stays even when the command line QEMU passes is empty. An empty result means no
 * LoadOptions at all (empty command line, no initrd): nothing is measured.
 */
export function ovmfLoadOptions(
  cmdline: string,
  hasInitrd: boolean,
  style: InitrdOptionStyle = "suffix",
): string {
  if (!hasInitrd || style === "none") return cmdline;
  if (style === "prefix") return `initrd=initrd ${cmdline}`;
  return `${cmdline} initrd=initrd`;
}

/** RTMR2 command-line digest: SHA-384(UTF-16LE(cmdline) || 00 00) (§12.6). */
export function cmdlineDigest(loadOptions: string, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  return crypto.hash("sha384", cmdlineBytes(loadOptions));
}

export function cmdlineBytes(loadOptions: string): Uint8Array {
  return concatBytes(utf16le(loadOptions), new Uint8Array(2));
}

/** RTMR2 initrd digest: SHA-384 of the file (§12.4). */
export function initrdDigest(initrd: Uint8Array, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  return crypto.hash("sha384", initrd);
}
