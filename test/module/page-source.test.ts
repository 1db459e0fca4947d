import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { OPERAND, TDX_OPERAND_INVALID, withOperand } from "../../src/module/status.js";
import type { PageProvider } from "../../src/module/td-state.js";
import { TdxModule } from "../../src/module/tdx-module.js";
import { initializedTd, sept, vcpu } from "./helpers.js";

const BASE = 0xffe00000;
const pageBytes = (p: number) => Uint8Array.from({ length: 4096 }, (_, i) => (i * 11 + p * 3) & 0xff);

/** A provider that synthesizes pages and counts reads (pages are never held by the module). */
function provider(pages: number): PageProvider & { reads: number } {
  const pr = {
    byteLength: pages * 4096,
    reads: 0,
    readPage(offset: number, out: Uint8Array) {
      pr.reads++;
      out.set(pageBytes(offset / 4096));
    },
  };
  return pr;
}

/** Adds `n` pages through `add`, extends each (single pass or two pass), returns MRTD hex. */
function launch(
  m: TdxModule,
  n: number,
  twoPass: boolean,
  add: (tdr: number, gpa: number, p: number) => bigint,
): string {
  const tdr = initializedTd(m);
  vcpu(m, tdr);
  sept(m, tdr, BASE);
  const ext = (p: number) => expect(m.mrExtendPage(tdr, BASE + p * 4096).status).toBe(0n);
  for (let p = 0; p < n; p++) {
    expect(add(tdr, BASE + p * 4096, p)).toBe(0n);
    if (!twoPass) ext(p);
  }
  if (twoPass) for (let p = 0; p < n; p++) ext(p);
  expect(m.mrFinalize(tdr).status).toBe(0n);
  return toHex(m.mngRd(tdr).td?.mrTd ?? new Uint8Array());
}

describe("TDH.MEM.PAGE.ADD from (source, offset): memPageAddFrom", () => {
  for (const twoPass of [false, true]) {
    it(`a provider or a buffer at an offset gives memPageAdd's MRTD (${twoPass ? "two" : "single"} pass, both retentions)`, () => {
      const n = 5;
      // Expectation: per-page views through the original memPageAdd (checked against an
      // independent MRTD implementation in tdx-module.test.ts).
      const viaPageAdd = (retention: "copy" | "reference") => {
        const m = new TdxModule({}, { pageRetention: retention });
        return launch(m, n, twoPass, (tdr, gpa, p) => m.memPageAdd(tdr, gpa, pageBytes(p)).status);
      };
      const reference = viaPageAdd("copy");
      expect(reference).toMatch(/^[0-9a-f]{96}$/);
      expect(viaPageAdd("reference")).toBe(reference);
      // One buffer holding all pages behind a 3-byte prefix (unaligned offsets take the cache path).
      const all = new Uint8Array(3 + n * 4096);
      for (let p = 0; p < n; p++) all.set(pageBytes(p), 3 + p * 4096);
      for (const retention of ["copy", "reference"] as const) {
        const m = new TdxModule({}, { pageRetention: retention });
        expect(
          launch(m, n, twoPass, (tdr, gpa, p) => m.memPageAddFrom(tdr, gpa, all, 3 + p * 4096).status),
        ).toBe(reference);
        const pr = provider(n);
        const m2 = new TdxModule({}, { pageRetention: retention });
        expect(
          launch(m2, n, twoPass, (tdr, gpa, p) => m2.memPageAddFrom(tdr, gpa, pr, p * 4096).status),
        ).toBe(reference);
        // Copy reads each page at PAGE.ADD; reference reads it only when it is measured.
        expect(pr.reads).toBe(n);
      }
    });
  }

  it("a source without 4096 bytes at the offset is TDX_OPERAND_INVALID on R9, state unchanged", () => {
    const m = new TdxModule({}, { pageRetention: "reference" });
    const tdr = initializedTd(m);
    vcpu(m, tdr);
    sept(m, tdr, BASE);
    const r9 = withOperand(TDX_OPERAND_INVALID, OPERAND.R9);
    expect(m.memPageAddFrom(tdr, BASE, new Uint8Array(8192), 4097).status).toBe(r9);
    expect(m.memPageAddFrom(tdr, BASE, new Uint8Array(8192), -1).status).toBe(r9);
    expect(m.memPageAddFrom(tdr, BASE, provider(1), 4096).status).toBe(r9);
    expect(m.memPageAdd(tdr, BASE, new Uint8Array(4095)).status).toBe(r9);
    // Nothing was added: the GPA is still free.
    expect(m.memPageAddFrom(tdr, BASE, provider(1), 0).status).toBe(0n);
  });
});
