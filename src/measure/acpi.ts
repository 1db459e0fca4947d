/**
 * ACPI tables of the simulated VMM, in QEMU's fw_cfg form (tdx-reference.md §12.6 item 5): the
 * `etc/acpi/tables` blob (MADT, SRAT, XSDT), the `etc/acpi/rsdp` blob and the `etc/table-loader`
 * command list (QEMU `bios-linker-loader` format) that TDVF measures into RTMR0. The MADT has one
 * processor entry per possible vCPU (QEMU `-smp maxcpus`: present ones enabled, the others
 * online-capable) and the SRAT lists the guest RAM ranges, so vCPU counts and memory size reach
 * RTMR0 as on real QEMU. The table set is a model, not a byte copy of QEMU's.
 */
import { asciiBytes, ByteWriter, concatBytes } from "../bytes.js";
import { ConfigError } from "../errors.js";
import { ramRanges } from "../firmware/td-hob.js";

export interface AcpiInput {
  readonly vcpus: number;
  readonly maxVcpus: number;
  readonly memorySize: bigint;
}

export interface AcpiBlobs {
  readonly loader: Uint8Array;
  readonly rsdp: Uint8Array;
  readonly tables: Uint8Array;
}

const HEADER = 36;
const LOADER_CMD = 128;
const FILE_NAME = 56;

function header(w: ByteWriter, sig: string, length: number, revision: number): void {
  w.raw(asciiBytes(sig)).u32(length).u8(revision).u8(0); // checksum filled by the loader
  w.raw(asciiBytes("BOCHS "))
    .raw(asciiBytes(`BXPC${sig}`))
    .u32(1)
    .raw(asciiBytes("BXPC"))
    .u32(1);
}

/** MADT (APIC): local APIC / x2APIC entries for every possible vCPU, plus one I/O APIC. */
export function buildMadt(vcpus: number, maxVcpus: number): Uint8Array {
  const entries: Uint8Array[] = [];
  for (let i = 0; i < maxVcpus; i++) {
    const flags = i < vcpus ? 1 : 2; // ENABLED, or ONLINE_CAPABLE for hot-pluggable CPUs
    if (i < 255) entries.push(new ByteWriter(8).u8(0).u8(8).u8(i).u8(i).u32(flags).bytes);
    else entries.push(new ByteWriter(16).u8(9).u8(16).u16(0).u32(i).u32(flags).u32(i).bytes);
  }
  entries.push(new ByteWriter(12).u8(1).u8(12).u8(0).u8(0).u32(0xfec00000).u32(0).bytes);
  const body = concatBytes(...entries);
  const w = new ByteWriter(HEADER + 8 + body.length);
  header(w, "APIC", HEADER + 8 + body.length, 3);
  w.u32(0xfee00000).u32(1).raw(body);
  return w.bytes;
}

/** SRAT with one memory-affinity entry per RAM range (the guest memory map). */
export function buildSrat(memorySize: bigint): Uint8Array {
  const ranges = ramRanges(memorySize);
  const len = HEADER + 12 + 40 * ranges.length;
  const w = new ByteWriter(len);
  header(w, "SRAT", len, 3);
  w.u32(1).zeros(8);
  for (const [start, end] of ranges) {
    w.u8(1)
      .u8(40)
      .u32(0)
      .u16(0)
      .u64(start)
      .u64(end - start)
      .u32(0)
      .u32(1)
      .zeros(8);
  }
  return w.bytes;
}

function cmd(kind: number): ByteWriter {
  return new ByteWriter(LOADER_CMD).u32(kind);
}

function fileName(w: ByteWriter, name: string): ByteWriter {
  const b = asciiBytes(name);
  return w.raw(b).zeros(FILE_NAME - b.length);
}

/** QEMU bios-linker-loader commands (128 bytes each): ALLOCATE, ADD_POINTER, ADD_CHECKSUM. */
function allocate(file: string, align: number, zone: number): Uint8Array {
  return fileName(cmd(1), file).u32(align).u8(zone).bytes;
}
function addPointer(dest: string, src: string, offset: number, size: number): Uint8Array {
  return fileName(fileName(cmd(2), dest), src)
    .u32(offset)
    .u8(size).bytes;
}
function addChecksum(file: string, offset: number, start: number, length: number): Uint8Array {
  return fileName(cmd(3), file).u32(offset).u32(start).u32(length).bytes;
}

/** Builds the three fw_cfg blobs for a machine. */
export function buildAcpiBlobs(input: AcpiInput): AcpiBlobs {
  if (input.maxVcpus < input.vcpus || input.vcpus < 1) {
    throw new ConfigError(
      "ERR_CONFIG",
      `ACPI: vcpus ${input.vcpus} / maxVcpus ${input.maxVcpus} are inconsistent`,
      { field: "maxVcpus" },
    );
  }
  const madt = buildMadt(input.vcpus, input.maxVcpus);
  const srat = buildSrat(input.memorySize);
  const xsdtOff = madt.length + srat.length;
  const xsdtLen = HEADER + 16;
  const x = new ByteWriter(xsdtLen);
  header(x, "XSDT", xsdtLen, 1);
  x.u64(0n).u64(BigInt(madt.length)); // offsets in the blob; the loader adds the blob address
  const tables = concatBytes(madt, srat, x.bytes);
  const rsdp = new ByteWriter(36);
  rsdp
    .raw(asciiBytes("RSD PTR "))
    .u8(0)
    .raw(asciiBytes("BOCHS "))
    .u8(2)
    .u32(0)
    .u32(36)
    .u64(BigInt(xsdtOff))
    .u8(0)
    .zeros(3);
  const T = "etc/acpi/tables";
  const R = "etc/acpi/rsdp";
  const loader = concatBytes(
    allocate(R, 16, 2),
    allocate(T, 64, 1),
    addPointer(T, T, xsdtOff + HEADER, 8),
    addPointer(T, T, xsdtOff + HEADER + 8, 8),
    addPointer(R, T, 24, 8),
    addChecksum(T, 9, 0, madt.length),
    addChecksum(T, madt.length + 9, madt.length, srat.length),
    addChecksum(T, xsdtOff + 9, xsdtOff, xsdtLen),
    addChecksum(R, 8, 0, 20),
  );
  return { loader, rsdp: rsdp.bytes, tables };
}
