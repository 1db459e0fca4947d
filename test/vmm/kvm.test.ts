/** Max-vCPU rules of both KVM generations (tdx-reference.md §8.2) and the KVM ioctl error paths. */
import { describe, expect, it } from "vitest";
import { parseTdParams } from "../../src/abi/td-params.js";
import { TdxModule } from "../../src/module/tdx-module.js";
import { Kvm } from "../../src/vmm/kvm.js";
import {
  KVM_CAP_MAX_VCPUS,
  KVM_CAP_SPLIT_IRQCHIP,
  KVM_CAP_VM_TYPES,
  KVM_X86_DEFAULT_VM,
  KVM_X86_TDX_VM,
  type KvmTdxInitVm,
} from "../../src/vmm/kvm-types.js";
import type { KvmVm } from "../../src/vmm/kvm-vm.js";

const REQ: KvmTdxInitVm = {
  attributes: 1n << 28n,
  xfam: 0x602e7n,
  cpuid: [{ function: 0x80000008, index: 0, eax: 0x303034, ebx: 0, ecx: 0, edx: 0 }],
};

function tdVm(kvm: Kvm): KvmVm {
  const r = kvm.createVm(KVM_X86_TDX_VM);
  if (!r.ok) throw new Error(r.reason);
  expect(r.vm.enableCap(KVM_CAP_SPLIT_IRQCHIP, 24).ok).toBe(true);
  return r.vm;
}

const errnoOf = (r: { ok: boolean; errno?: string }) => (r.ok ? "OK" : r.errno);

describe("KVM 6.16 (merged)", () => {
  it("system fd reports the global KVM_MAX_VCPUS; a TD VM fd reports min(KVM_MAX_VCPUS, present CPUs)", () => {
    const kvm = new Kvm(new TdxModule(), { hostCpus: 96 });
    expect(kvm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(4096);
    const vm = tdVm(kvm);
    expect(vm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(96);
    const plain = kvm.createVm(KVM_X86_DEFAULT_VM);
    expect(plain.ok && plain.vm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(4096);
  });
  it("has no KVM_ENABLE_CAP(KVM_CAP_MAX_VCPUS)", () => {
    const vm = tdVm(new Kvm(new TdxModule(), { hostCpus: 8 }));
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 4))).toBe("EINVAL");
    expect(vm.maxVcpus).toBe(8);
  });
  it("TD_PARAMS.MAX_VCPUS equals the VM's value; vCPU creation is capped at it (EINVAL)", () => {
    const kvm = new Kvm(new TdxModule(), { hostCpus: 3 });
    const vm = tdVm(kvm);
    const init = vm.tdxInitVm(REQ);
    if (!init.ok) throw new Error(init.reason);
    expect(parseTdParams(init.tdParams).maxVcpus).toBe(3);
    for (let i = 0; i < 3; i++) expect(errnoOf(vm.createVcpu(i))).toBe("OK");
    expect(errnoOf(vm.createVcpu(3))).toBe("EINVAL");
  });
  it("TDX is unavailable when MAX_VCPUS_PER_TD < present CPUs", () => {
    const kvm = new Kvm(new TdxModule({ maxVcpusPerTd: 32 }), { hostCpus: 64 });
    expect(kvm.checkExtension(KVM_CAP_VM_TYPES) & (1 << KVM_X86_TDX_VM)).toBe(0);
    expect(errnoOf(kvm.createVm(KVM_X86_TDX_VM))).toBe("EINVAL");
    expect(errnoOf(kvm.createVm(KVM_X86_DEFAULT_VM))).toBe("OK");
  });
  it("rejects DEBUG (KVM_SUPPORTED_TD_ATTRS is SEPT_VE_DISABLE only) and a max_vcpus field", () => {
    const vm = tdVm(new Kvm(new TdxModule(), { hostCpus: 4 }));
    expect(errnoOf(vm.tdxInitVm({ ...REQ, attributes: 1n | (1n << 28n) }))).toBe("EINVAL");
    expect(errnoOf(vm.tdxInitVm({ ...REQ, maxVcpus: 4 }))).toBe("EINVAL");
    expect(errnoOf(vm.tdxInitVm({ ...REQ, cpuid: [] }))).toBe("EINVAL");
    expect(errnoOf(vm.tdxInitVm(REQ))).toBe("OK");
    expect(errnoOf(vm.tdxInitVm(REQ))).toBe("EINVAL");
  });
  it("vCPU creation needs INIT_VM (EIO) and a split IRQ chip (EINVAL); INIT_MEM_REGION flag/alignment rules", () => {
    const kvm = new Kvm(new TdxModule(), { hostCpus: 4 });
    const r = kvm.createVm(KVM_X86_TDX_VM);
    if (!r.ok) throw new Error(r.reason);
    expect(errnoOf(r.vm.createVcpu(0))).toBe("EIO");
    expect(errnoOf(r.vm.tdxInitVm(REQ))).toBe("OK");
    expect(errnoOf(r.vm.createVcpu(0))).toBe("EINVAL");
    const vm = tdVm(kvm);
    vm.tdxInitVm(REQ);
    const c = vm.createVcpu(0);
    if (!c.ok) throw new Error(c.reason);
    expect(errnoOf(vm.createVcpu(0))).toBe("EEXIST");
    expect(errnoOf(c.vcpu.tdxInitVcpu(0x809000n))).toBe("OK");
    const src = new Uint8Array(8192);
    expect(errnoOf(c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x1000, nrPages: 2 }, 2))).toBe("EINVAL");
    expect(errnoOf(c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x1800, nrPages: 1 }, 1))).toBe("EINVAL");
    expect(errnoOf(c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x1000, nrPages: 0 }, 1))).toBe("EINVAL");
    expect(errnoOf(c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x1000, nrPages: 3 }, 1))).toBe("EFAULT");
    expect(errnoOf(c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x1000, nrPages: 2 }, 1))).toBe("OK");
    const again = c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x2000, nrPages: 1 }, 0);
    expect(again.ok ? 0n : again.hwError).toBe(0xc0000b0d00000001n);
    expect(errnoOf(c.vcpu.tdxExtendMemory(0x1000, 1))).toBe("EINVAL");
    expect(errnoOf(vm.tdxFinalizeVm())).toBe("OK");
    expect(errnoOf(vm.tdxFinalizeVm())).toBe("EINVAL");
    expect(errnoOf(c.vcpu.tdxInitMemRegion({ source: src, gpa: 0x8000, nrPages: 1 }, 0))).toBe("EINVAL");
  });
  it("FINALIZE with no initialized vCPU fails with the module's TDX_NO_VCPUS in hw_error", () => {
    const vm = tdVm(new Kvm(new TdxModule(), { hostCpus: 4 }));
    vm.tdxInitVm(REQ);
    const f = vm.tdxFinalizeVm();
    expect(f.ok ? 0n : f.hwError).toBe(0xc000060900000000n);
  });
});

describe("KVM v19 (proposal)", () => {
  it("VM fd reports the VM's maximum (default min(KVM_MAX_VCPUS, MAX_VCPUS_PER_TD)); system fd the global one", () => {
    const kvm = new Kvm(new TdxModule(), { generation: "v19", hostCpus: 8 });
    const vm = tdVm(kvm);
    expect(vm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(576);
    expect(vm.enableCap(KVM_CAP_MAX_VCPUS, 12).ok).toBe(true);
    expect(vm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(12);
    expect(kvm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(4096);
    const plain = kvm.createVm(KVM_X86_DEFAULT_VM);
    expect(plain.ok && plain.vm.checkExtension(KVM_CAP_MAX_VCPUS)).toBe(4096);
    expect(plain.ok && errnoOf(plain.vm.enableCap(KVM_CAP_MAX_VCPUS, 4))).toBe("EINVAL");
  });
  it("KVM_ENABLE_CAP: 0 or flags → EINVAL; above KVM_MAX_VCPUS or MAX_VCPUS_PER_TD → E2BIG", () => {
    const vm = tdVm(new Kvm(new TdxModule({ maxVcpusPerTd: 100 }), { generation: "v19", kvmMaxVcpus: 1024 }));
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 0))).toBe("EINVAL");
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 4, 1))).toBe("EINVAL");
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 1025))).toBe("E2BIG");
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 101))).toBe("E2BIG");
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 100))).toBe("OK");
  });
  it("KVM_ENABLE_CAP after a vCPU exists → EBUSY; after INIT_VM → EINVAL", () => {
    const vm = tdVm(new Kvm(new TdxModule(), { generation: "v19" }));
    expect(vm.enableCap(KVM_CAP_MAX_VCPUS, 2).ok).toBe(true);
    expect(vm.tdxInitVm({ ...REQ, maxVcpus: 2 }).ok).toBe(true);
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 3))).toBe("EINVAL");
    expect(vm.createVcpu(0).ok).toBe(true);
    expect(errnoOf(vm.enableCap(KVM_CAP_MAX_VCPUS, 3))).toBe("EBUSY");
  });
  it("INIT_VM writes the recorded value into TD_PARAMS.MAX_VCPUS; a different max_vcpus field is rejected before any SEAMCALL", () => {
    const kvm = new Kvm(new TdxModule(), { generation: "v19" });
    const vm = tdVm(kvm);
    vm.enableCap(KVM_CAP_MAX_VCPUS, 2);
    const before = kvm.trace.count("TDH.MNG.CREATE");
    expect(errnoOf(vm.tdxInitVm({ ...REQ, maxVcpus: 3 }))).toBe("EINVAL");
    expect(kvm.trace.count("TDH.MNG.CREATE")).toBe(before);
    const init = vm.tdxInitVm({ ...REQ, maxVcpus: 2 });
    if (!init.ok) throw new Error(init.reason);
    expect(parseTdParams(init.tdParams).maxVcpus).toBe(2);
    expect(errnoOf(vm.createVcpu(0))).toBe("OK");
    expect(errnoOf(vm.createVcpu(1))).toBe("OK");
    expect(errnoOf(vm.createVcpu(2))).toBe("EINVAL");
  });
  it("a VMM driving the module directly past MAX_VCPUS gets TDX_MAX_VCPUS_EXCEEDED at VP.INIT", () => {
    const kvm = new Kvm(new TdxModule(), { generation: "v19" });
    const vm = tdVm(kvm);
    vm.enableCap(KVM_CAP_MAX_VCPUS, 1);
    vm.tdxInitVm(REQ);
    const c = vm.createVcpu(0);
    if (!c.ok) throw new Error(c.reason);
    expect(c.vcpu.tdxInitVcpu(0n).ok).toBe(true);
    const m = kvm.module;
    const tdr = vm.tdr as number;
    const { tdvpr } = m.vpCreate(tdr);
    for (let i = 0; i < m.platform.tdcxPages; i++) m.vpAddCx(tdvpr as number);
    expect(m.vpInit(tdvpr as number, 0n, 1).status).toBe(0xc000070500000000n);
  });
  it("MNG.INIT rejects MAX_VCPUS above MAX_VCPUS_PER_TD (+68) when KVM lets it through", () => {
    // A KVM that trusted user space (v19 default of KVM_MAX_VCPUS) on a "newer" module:
    const kvm = new Kvm(new TdxModule({ maxVcpusPerTd: 576 }), { generation: "v19" });
    const vm = tdVm(kvm);
    vm.maxVcpus = 600; // simulate KVM recording an unchecked value
    const r = vm.tdxInitVm(REQ);
    expect(r.ok ? 0n : r.hwError).toBe(0xc000010000000044n);
    expect(errnoOf(r)).toBe("EINVAL");
  });
});
