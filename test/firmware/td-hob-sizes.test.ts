/**
 * TD HOB for several memory sizes (tdx-reference.md §11, §9.4) against a second, independent
 * construction written here the way dstack-mr's `measure_td_hob` does it: one range [0, RAM),
 * accepted sections cut out of it in metadata order, then the last (highest) unaccepted range split
 * at 2 GiB with its upper part moved to 4 GiB when RAM ≥ 0xB0000000 (q35 `lowmem`). The
 * accepted sections of the Debian OVMF all sit below 2 GiB, where both constructions must agree.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { buildTdHob } from "../../src/firmware/td-hob.js";
import { parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { fixture } from "../support/fixtures.js";

const sections = parseTdvfMetadata(fixture("firmware/debian-bookworm-ovmf-2022.11.fd")).sections;

function dstackStyleHob(memory: bigint): Buffer {
  let ranges: [boolean, bigint, bigint][] = [[false, 0n, memory]];
  let base = 0x809000n;
  for (const s of sections) {
    const a = BigInt(s.memoryAddress);
    const b = a + BigInt(s.memoryDataSize);
    if (s.type === "TD_HOB") base = a;
    if (s.type !== "TD_HOB" && s.type !== "TEMP_MEM") continue;
    const next: [boolean, bigint, bigint][] = [];
    for (const r of ranges) {
      if (r[0] || r[2] <= a || r[1] >= b) next.push(r);
      else {
        if (r[1] < a) next.push([false, r[1], a]);
        if (r[2] > b) next.push([false, b, r[2]]);
      }
    }
    next.push([true, a, b]);
    ranges = next.sort((x, y) => (x[1] < y[1] ? -1 : 1));
  }
  const parts: Buffer[] = [];
  const phit = Buffer.alloc(56);
  phit.writeUInt16LE(1, 0);
  phit.writeUInt16LE(56, 2);
  phit.writeUInt32LE(9, 8);
  parts.push(phit);
  const res = (type: number, start: bigint, len: bigint) => {
    const b = Buffer.alloc(48);
    b.writeUInt16LE(3, 0);
    b.writeUInt16LE(48, 2);
    b.writeUInt32LE(type, 24);
    b.writeUInt32LE(7, 28);
    b.writeBigUInt64LE(start, 32);
    b.writeBigUInt64LE(len, 40);
    parts.push(b);
  };
  const last = ranges.pop();
  if (!last) throw new Error("no ranges");
  for (const [acc, s, e] of ranges) res(acc ? 0 : 7, s, e - s);
  if (memory >= 0xb0000000n) {
    if (last[1] < 0x80000000n) res(7, last[1], 0x80000000n - last[1]);
    if (last[2] > 0x80000000n) res(7, 0x100000000n, last[2] - 0x80000000n);
  } else res(7, last[1], last[2] - last[1]);
  const hob = Buffer.concat(parts);
  hob.writeBigUInt64LE(base + BigInt(hob.length) + 8n, 48);
  return hob;
}

describe("TD HOB across memory sizes", () => {
  for (const gib of [1, 2, 3, 4, 8, 16]) {
    it(`${gib} GiB: same bytes as the dstack-style construction`, () => {
      const memory = BigInt(gib) * 1024n ** 3n;
      const ours = buildTdHob({ memorySize: memory, sections });
      const ref = dstackStyleHob(memory);
      expect(toHex(ours.measured)).toBe(ref.toString("hex"));
      expect(toHex(createHash("sha384").update(ours.measured).digest())).toBe(
        createHash("sha384").update(ref).digest("hex"),
      );
      const above = ours.ranges.filter((r) => r.start >= 0x100000000n);
      expect(above.length).toBe(gib >= 3 ? 1 : 0);
    });
  }
  it("0xB0000000 bytes exactly: lowmem becomes 2 GiB, 0x30000000 bytes go above 4 GiB", () => {
    const ours = buildTdHob({ memorySize: 0xb0000000n, sections });
    expect(toHex(ours.measured)).toBe(dstackStyleHob(0xb0000000n).toString("hex"));
    expect(ours.ranges.at(-1)).toEqual({ start: 0x100000000n, length: 0x30000000n, resourceType: 7 });
  });
});
