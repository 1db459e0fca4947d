/** Shared helpers for module tests: a valid TD_PARAMS and a TD driven to a chosen state. */
import { emptyTdParams, encodeTdParams } from "../../src/abi/td-params.js";
import type { TdParams } from "../../src/abi/types.js";
import type { ModuleVersion } from "../../src/module/platform.js";
import { TdxModule } from "../../src/module/tdx-module.js";

export function goodParams(version: ModuleVersion = "1.5", patch: Partial<TdParams> = {}): TdParams {
  const p = emptyTdParams(version === "1.5" ? 12 : 6);
  Object.assign(p, {
    attributes: 1n << 28n,
    xfam: 0x602e7n,
    maxVcpus: 4,
    eptpControls: 0x1en,
    configFlags: version === "1.5" ? 4n : 0n,
    tscFrequency: 80,
    ...patch,
  });
  return p;
}

export function tdParamsBytes(version: ModuleVersion = "1.5", patch: Partial<TdParams> = {}): Uint8Array {
  return encodeTdParams(goodParams(version, patch));
}

/** A TD with keys configured and all TDCS pages added (ready for TDH.MNG.INIT). */
export function readyTd(m: TdxModule): number {
  const { tdr } = m.mngCreate();
  m.mngKeyConfig(tdr);
  for (let i = 0; i < m.platform.tdcsPages; i++) m.mngAddCx(tdr);
  return tdr;
}

export function initializedTd(m: TdxModule, patch: Partial<TdParams> = {}): number {
  const tdr = readyTd(m);
  const s = m.mngInit(tdr, tdParamsBytes(m.platform.version, patch)).status;
  if (s !== 0n) throw new Error(`mngInit failed 0x${s.toString(16)}`);
  return tdr;
}

/** VP.CREATE + all TDCX pages (+ VP.INIT when `init`). Returns the TDVPR. */
export function vcpu(m: TdxModule, tdr: number, init = true): number {
  const r = m.vpCreate(tdr);
  if (r.tdvpr === undefined) throw new Error(`vpCreate failed 0x${r.status.toString(16)}`);
  for (let i = 0; i < m.platform.tdcxPages; i++) m.vpAddCx(r.tdvpr);
  if (init) m.vpInit(r.tdvpr, 0n, 0);
  return r.tdvpr;
}

/** SEPT.ADD for the 2 MiB region holding `gpa`. */
export function sept(m: TdxModule, tdr: number, gpa: number): void {
  m.memSeptAdd(tdr, Math.floor(gpa / 0x200000) * 0x200000, 1);
}

export const PAGE = new Uint8Array(4096);

export function newModule(version: ModuleVersion = "1.5"): TdxModule {
  return new TdxModule({ version });
}
