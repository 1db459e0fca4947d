/**
 * KVM uAPI constants and result shapes for the TD launch model (tdx-reference.md §8).
 */

import type { PageProvider } from "../module/td-state.js";

export type { PageProvider } from "../module/td-state.js";

/** KVM ABI generation: what Linux 6.16 merged, or the v19 series proposal (§8.2). */
export type KvmGeneration = "6.16" | "v19";

export const KVM_CAP_NR_VCPUS = 9;
export const KVM_CAP_MAX_VCPUS = 66;
export const KVM_CAP_SPLIT_IRQCHIP = 121;
export const KVM_CAP_VM_TYPES = 235;
export const KVM_X86_DEFAULT_VM = 0;
export const KVM_X86_TDX_VM = 5;
export const KVM_TDX_MEASURE_MEMORY_REGION = 1;
/** x86 KVM_MAX_VCPUS with CONFIG_MAXSMP (the global per-VM default). */
export const DEFAULT_KVM_MAX_VCPUS = 4096;
/** Upper bound on `struct kvm_cpuid2.nent` (KVM_MAX_CPUID_ENTRIES). */
export const KVM_MAX_CPUID_ENTRIES = 256;

export type Errno = "EINVAL" | "E2BIG" | "EBUSY" | "EIO" | "EEXIST" | "EFAULT";

export type KvmFailure = {
  readonly ok: false;
  readonly errno: Errno;
  /** kvm_tdx_cmd.hw_error: the raw TDX status when a SEAMCALL failed. */
  readonly hwError?: bigint;
  readonly reason: string;
};

export type KvmResult<T extends object = object> = ({ readonly ok: true } & T) | KvmFailure;

export function fail(errno: Errno, reason: string, hwError?: bigint): KvmFailure {
  return { ok: false, errno, reason, ...(hwError !== undefined ? { hwError } : {}) };
}

/** One `struct kvm_cpuid_entry2` (the fields TD setup uses). */
export interface KvmCpuidEntry {
  readonly function: number;
  readonly index: number;
  readonly eax: number;
  readonly ebx: number;
  readonly ecx: number;
  readonly edx: number;
}

/** `struct kvm_tdx_init_vm` (§8.4) plus the v19-era `max_vcpus` field. */
export interface KvmTdxInitVm {
  readonly attributes: bigint;
  readonly xfam: bigint;
  readonly mrConfigId?: Uint8Array;
  readonly mrOwner?: Uint8Array;
  readonly mrOwnerConfig?: Uint8Array;
  readonly cpuid: readonly KvmCpuidEntry[];
  /** v19 ABI only: must equal the VM's recorded maximum (else -EINVAL before any SEAMCALL). */
  readonly maxVcpus?: number;
  readonly flags?: number;
}

/** Bytes of guest-physical contents: a buffer, or pages produced on demand (no big copies). */
export type RegionSource = Uint8Array | PageProvider;

/** `struct kvm_tdx_init_mem_region` (§8.6), with the source as bytes instead of a pointer. */
export interface KvmTdxInitMemRegion {
  readonly source: RegionSource;
  /** Byte offset of the first page inside `source` (source_addr). */
  readonly sourceOffset?: number;
  readonly gpa: number;
  readonly nrPages: number;
}

const CAP_NAMES: Readonly<Record<number, string>> = {
  [KVM_CAP_MAX_VCPUS]: "KVM_CAP_MAX_VCPUS",
  [KVM_CAP_NR_VCPUS]: "KVM_CAP_NR_VCPUS",
  [KVM_CAP_SPLIT_IRQCHIP]: "KVM_CAP_SPLIT_IRQCHIP",
  [KVM_CAP_VM_TYPES]: "KVM_CAP_VM_TYPES",
};

export function capName(cap: number): string {
  return CAP_NAMES[cap] ?? String(cap);
}
