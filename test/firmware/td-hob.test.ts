/**
 * QEMU TD HOB (tdx-reference.md §11) against real logs: the dstack CVM of case I (2 GiB, OVMF with
 * the same TD_HOB/TempMem layout as the Debian OVMF of case K) logged the TD HOB digest we rebuild
 * here from the memory size and the Debian image's TDVF sections.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readU16, readU32, readU64, toHex } from "../../src/bytes.js";
import { sha384 } from "../../src/crypto/index.js";
import { buildTdHob, ramRanges, tdHobRanges } from "../../src/firmware/td-hob.js";
import { parseTdvfMetadata } from "../../src/firmware/tdvf.js";
import { fixture, fixtureText } from "../support/fixtures.js";

const sections = parseTdvfMetadata(fixture("firmware/debian-bookworm-ovmf-2022.11.fd")).sections;

function loggedTdHobDigest(): string {
  const resp = JSON.parse(fixtureText("eventlogs/dstack-lite-getquote.json")) as {
    event_log: string;
    vm_config: string;
  };
  const events = JSON.parse(resp.event_log) as { imr: number; event_type: number; digest: string }[];
  const memory = (JSON.parse(resp.vm_config) as { memory_size: number }).memory_size;
  expect(memory).toBe(2 * 1024 ** 3);
  const hob = events.find((e) => e.event_type === 0x8000000b);
  if (!hob) throw new Error("no TD HOB event in case I");
  return hob.digest;
}

describe("QEMU TD HOB", () => {
  it("reproduces the TD HOB digest logged by a real 2 GiB dstack TD (case I) and trustee's OVMF log", () => {
    const hob = buildTdHob({ memorySize: 2n * 1024n ** 3n, sections });
    expect(toHex(sha384(hob.measured))).toBe(loggedTdHobDigest());
    expect(hob.base).toBe(0x809000);
  });

  it("lays out PHIT, resource descriptors and the end HOB as §11 says", () => {
    const hob = buildTdHob({ memorySize: 4n * 1024n ** 3n, sections });
    const b = hob.bytes;
    expect(readU16(b, 0)).toBe(1);
    expect(readU16(b, 2)).toBe(56);
    expect(readU32(b, 8)).toBe(9);
    expect(readU64(b, 48)).toBe(BigInt(0x809000 + b.length)); // EfiEndOfHobList: after the END HOB
    expect(readU16(b, b.length - 8)).toBe(0xffff);
    expect(hob.measured.length).toBe(b.length - 8);
    // 4 GiB RAM: below_4g = 2 GiB, the other 2 GiB above 4 GiB (§9.4).
    expect(ramRanges(4n * 1024n ** 3n)).toEqual([
      [0n, 0x80000000n],
      [0x100000000n, 0x180000000n],
    ]);
    const ranges = tdHobRanges({ memorySize: 4n * 1024n ** 3n, sections });
    const total = ranges.reduce((s, r) => s + r.length, 0n);
    expect(total).toBe(4n * 1024n ** 3n);
    expect(ranges.filter((r) => r.resourceType === 0).map((r) => r.start)).toEqual([
      0x800000n,
      0x809000n,
      0x80b000n,
      0x810000n,
    ]);
  });

  it("changes with the memory size", () => {
    const a = sha384(buildTdHob({ memorySize: 2n * 1024n ** 3n, sections }).measured);
    const b = sha384(buildTdHob({ memorySize: 3n * 1024n ** 3n, sections }).measured);
    expect(toHex(a)).not.toBe(toHex(b));
  });

  it("for any memory size, the ranges tile QEMU's RAM exactly, ascending, accepted sections intact", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0x1000000n, max: 1n << 40n }), (m) => {
        const memorySize = m & ~0xfffn;
        const ranges = tdHobRanges({ memorySize, sections });
        expect(ranges.reduce((s, r) => s + r.length, 0n)).toBe(memorySize);
        for (let i = 1; i < ranges.length; i++) {
          const prev = ranges[i - 1];
          const cur = ranges[i];
          if (!prev || !cur) throw new Error("unreachable");
          expect(cur.start >= prev.start + prev.length).toBe(true);
        }
        expect(ranges.filter((r) => r.resourceType === 0)).toHaveLength(4);
        const hob = buildTdHob({ memorySize, sections });
        expect(hob.bytes.length).toBe(56 + 48 * ranges.length + 8);
      }),
      { numRuns: 200 },
    );
  });
});
