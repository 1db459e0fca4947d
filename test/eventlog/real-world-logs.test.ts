/**
 * Log shapes the fixtures do not cover (tdx-reference.md §12.2-12.5): several digest algorithms
 * per event in any order, SHA-256-only logs, vendorInfo of various sizes, EV_NO_ACTION records
 * after the header, 0x00 vs 0xFF padding, truncation mid-record, MR index > 4, huge EventSize,
 * and decoders on unusual payloads. Logs are written byte by byte here, independently of
 * src/eventlog/encode.ts (which only writes SHA-384 logs).
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { appraisalEventsFromLog } from "../../src/appraise/from-eventlog.js";
import { asciiBytes, concatBytes, toHex, u16le, u32le, u64le, utf16le } from "../../src/bytes.js";
import { ParseError, TdxError } from "../../src/errors.js";
import { decodeEvent } from "../../src/eventlog/decode.js";
import { labelEvents } from "../../src/eventlog/label.js";
import { replayRtmrs } from "../../src/eventlog/replay.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { EV, eventTypeName, TPM_ALG } from "../../src/eventlog/types.js";
import { guidBytes } from "../../src/eventlog/uefi.js";

const NAMES: Record<number, string> = { 4: "sha1", 11: "sha256", 12: "sha384", 13: "sha512" };
const SIZES: Record<number, number> = { 4: 20, 11: 32, 12: 48, 13: 64 };

function specId(algs: readonly number[], vendorInfo: Uint8Array): Uint8Array {
  return concatBytes(
    asciiBytes("Spec ID Event03\0"),
    u32le(0),
    Uint8Array.of(0, 2, 0, 2),
    u32le(algs.length),
    ...algs.map((a) => concatBytes(u16le(a), u16le(SIZES[a] as number))),
    Uint8Array.of(vendorInfo.length),
    vendorInfo,
  );
}

interface Rec {
  mr: number;
  type: number;
  data: Uint8Array;
  /** Algorithms in record order (default: header order); digests are hash(data) per algorithm. */
  algs?: readonly number[];
  zeroDigests?: boolean;
}

function record(r: Rec, algs: readonly number[]): Uint8Array {
  const order = r.algs ?? algs;
  return concatBytes(
    u32le(r.mr),
    u32le(r.type),
    u32le(order.length),
    ...order.map((a) =>
      concatBytes(
        u16le(a),
        r.zeroDigests
          ? new Uint8Array(SIZES[a] as number)
          : createHash(NAMES[a] as string)
              .update(r.data)
              .digest(),
      ),
    ),
    u32le(r.data.length),
    r.data,
  );
}

function log(algs: readonly number[], recs: readonly Rec[], vendorInfo = new Uint8Array(0)): Uint8Array {
  const spec = specId(algs, vendorInfo);
  const header = concatBytes(u32le(0), u32le(EV.NO_ACTION), new Uint8Array(20), u32le(spec.length), spec);
  return concatBytes(header, ...recs.map((r) => record(r, algs)));
}

/** Expected RTMRs computed longhand with node:crypto. */
function expectedRtmrs(recs: readonly Rec[]): string[] {
  const m = Array.from({ length: 4 }, () => Buffer.alloc(48));
  for (const r of recs) {
    if (r.type === EV.NO_ACTION || r.mr < 1 || r.mr > 4) continue;
    const d = createHash("sha384").update(r.data).digest();
    m[r.mr - 1] = createHash("sha384")
      .update(m[r.mr - 1] as Buffer)
      .update(d)
      .digest();
  }
  return m.map((b) => b.toString("hex"));
}

const startupLocality: Rec = {
  mr: 0,
  type: EV.NO_ACTION,
  data: concatBytes(asciiBytes("StartupLocality\0"), Uint8Array.of(3)),
  zeroDigests: true,
};
const RECS: Rec[] = [
  startupLocality,
  {
    mr: 1,
    type: EV.EFI_PLATFORM_FIRMWARE_BLOB2,
    data: concatBytes(Uint8Array.of(3), asciiBytes("CFV"), u64le(1n), u64le(2n)),
  },
  { mr: 2, type: EV.IPL, data: asciiBytes("grub_cmd: linux /vmlinuz\0") },
  { mr: 1, type: EV.SEPARATOR, data: new Uint8Array(4) },
  { mr: 3, type: EV.EVENT_TAG, data: concatBytes(u32le(7), u32le(2), Uint8Array.of(0x41, 0x42)) },
];

describe("multi-algorithm and unusual headers", () => {
  for (const algs of [
    [TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384],
    [TPM_ALG.SHA384, TPM_ALG.SHA1],
    [TPM_ALG.SHA256, TPM_ALG.SHA512, TPM_ALG.SHA384],
  ]) {
    it(`algorithms ${algs.map((a) => NAMES[a]).join("+")}: parse, replay with the SHA-384 digests`, () => {
      for (const vendor of [0, 1, 7, 255]) {
        const l = parseTcg2Log(log(algs, RECS, new Uint8Array(vendor).fill(0x5a)));
        expect(l.specId?.vendorInfo.length).toBe(vendor);
        expect(l.events).toHaveLength(RECS.length);
        expect(replayRtmrs(l).rtmrs.map(toHex)).toEqual(expectedRtmrs(RECS));
      }
    });
  }

  it("digests may come in a different order in each record", () => {
    const algs = [TPM_ALG.SHA1, TPM_ALG.SHA256, TPM_ALG.SHA384];
    const recs = RECS.map((r, i) => ({
      ...r,
      algs: i % 2 ? [...algs].reverse() : ([algs[2], algs[0], algs[1]] as number[]),
    }));
    expect(replayRtmrs(parseTcg2Log(log(algs, recs))).rtmrs.map(toHex)).toEqual(expectedRtmrs(recs));
  });

  it("a SHA-256-only log cannot produce RTMRs: typed error naming the header, not zeros", () => {
    const l = parseTcg2Log(log([TPM_ALG.SHA256], RECS));
    let err: unknown;
    try {
      replayRtmrs(l);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).code).toBe("ERR_UNSUPPORTED_ALGORITHM");
    expect((err as ParseError).message).toMatch(/SHA-384/);
    expect((err as ParseError).message).toMatch(/sha256|0xb/i);
  });

  it("appraisal events from a SHA-256-only log: ERR_UNSUPPORTED_ALGORITHM like the replay", () => {
    const l = parseTcg2Log(log([TPM_ALG.SHA256], RECS));
    let err: unknown;
    try {
      appraisalEventsFromLog(l);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).code).toBe("ERR_UNSUPPORTED_ALGORITHM");
    expect((err as ParseError).message).toMatch(/SHA-384/);
    // A SHA-384 log still converts (the check does not reject good logs).
    expect(appraisalEventsFromLog(parseTcg2Log(log([TPM_ALG.SHA384], RECS))).length).toBeGreaterThan(0);
  });

  it("EV_NO_ACTION StartupLocality after the header is decoded and not replayed", () => {
    const l = parseTcg2Log(log([TPM_ALG.SHA384], RECS));
    const d = decodeEvent(l.events[0]!);
    expect(d).toMatchObject({ kind: "no-action", signature: "StartupLocality" });
    expect(replayRtmrs(l).notReplayed).toHaveLength(0);
  });
});

describe("padding, truncation and bad sizes", () => {
  const base = log([TPM_ALG.SHA384], RECS);
  it("0xFF and 0x00 padding both end the log after the last record", () => {
    for (const fill of [0xff, 0x00]) {
      const padded = concatBytes(base, new Uint8Array(4096).fill(fill));
      const l = parseTcg2Log(padded);
      expect(l.events).toHaveLength(RECS.length);
      expect(l.stopReason).toBe(fill === 0xff ? "ff-padding" : "zero-padding");
      expect(l.endOffset).toBe(base.length);
    }
  });

  it("every cut inside the last record is ERR_TRUNCATED with an offset", () => {
    const last = record(RECS.at(-1)!, [TPM_ALG.SHA384]).length;
    for (let cut = 1; cut < last; cut++) {
      try {
        parseTcg2Log(base.subarray(0, base.length - cut));
        throw new Error(`cut ${cut} parsed`);
      } catch (e) {
        expect(e).toBeInstanceOf(TdxError);
        expect((e as TdxError).code).toBe("ERR_TRUNCATED");
        expect((e as TdxError).at?.offset).toBeGreaterThanOrEqual(base.length - last);
      }
    }
  });

  it("a huge EventSize is ERR_TRUNCATED, not an allocation", () => {
    const b = base.slice();
    const lastAt = base.length - record(RECS.at(-1)!, [TPM_ALG.SHA384]).length;
    b.set(u32le(0xfffffff0), lastAt + 12 + 2 + 48);
    expect(() => parseTcg2Log(b)).toThrow(/needs 4294967280 bytes/);
  });

  it("MR index > 4 is listed, not replayed and not an error", () => {
    const recs = [...RECS, { mr: 5, type: EV.EFI_ACTION, data: asciiBytes("odd") }];
    const r = replayRtmrs(parseTcg2Log(log([TPM_ALG.SHA384], recs)));
    expect(r.notReplayed.map((e) => e.mrIndex)).toEqual([5]);
    expect(r.rtmrs.map(toHex)).toEqual(expectedRtmrs(RECS));
  });
});

describe("decoders on unusual payloads", () => {
  function ev(type: number, data: Uint8Array) {
    return { seq: 0, offset: 0, mrIndex: 1, eventType: type, digests: [], data };
  }
  it("UEFI variables with odd name lengths and empty data", () => {
    for (const name of ["", "X", "Boot0001", "dbx\u00e9"]) {
      const data = concatBytes(new Uint8Array(16), u64le(BigInt(name.length)), u64le(0n), utf16le(name));
      const d = decodeEvent(ev(EV.EFI_VARIABLE_BOOT, data));
      expect(d).toMatchObject({ kind: "uefi-variable", variable: { name } });
    }
  });
  it("a UEFI variable name counted with its NUL terminator is labelled without it", () => {
    const name = "SecureBoot\0";
    const data = concatBytes(
      new Uint8Array(16),
      u64le(BigInt(name.length)),
      u64le(1n),
      utf16le(name),
      Uint8Array.of(1),
    );
    expect(labelEvents([ev(EV.EFI_VARIABLE_DRIVER_CONFIG, data)])[0]?.label).toBe("UEFI variable SecureBoot");
  });
  it("EV_IPL with binary data stays raw; a UTF-16LE command line (systemd-stub) is text", () => {
    expect(decodeEvent(ev(EV.IPL, Uint8Array.of(0, 1, 2, 0xff, 0x80)))).toMatchObject({ kind: "raw" });
    expect(decodeEvent(ev(EV.IPL, Uint8Array.of(0, 0x41, 0x42, 0x43)))).toMatchObject({ kind: "raw" });
    const u16 = utf16le("console=ttyS0 root=/dev/vda1\0");
    expect(decodeEvent(ev(EV.IPL, u16))).toEqual({
      kind: "text",
      text: "console=ttyS0 root=/dev/vda1",
      encoding: "utf-16le",
    });
    // Labelled as load options, not as grub kernel/initrd files by the grub path rules.
    const opts = utf16le("BOOT_IMAGE=/vmlinuz initrd=\\initrd.img\0");
    expect(labelEvents([ev(EV.IPL, opts)])[0]?.label).toBe("load options (UTF-16)");
    expect(labelEvents([ev(EV.IPL, asciiBytes("/boot/initrd.img-6.1\0"))])[0]?.label).toBe(
      "initrd file (grub)",
    );
  });
  it("device paths with truncated or unknown nodes still decode", () => {
    const dp = concatBytes(Uint8Array.of(0x99, 0x01, 8, 0), new Uint8Array(4), Uint8Array.of(4, 4, 200, 0));
    const data = concatBytes(u64le(0x1000n), u64le(0x2000n), u64le(0n), u64le(BigInt(dp.length)), dp);
    const d = decodeEvent(ev(EV.EFI_BOOT_SERVICES_APPLICATION, data));
    expect(d).toMatchObject({ kind: "image-load", image: { devicePathText: "Node(153,1)" } });
  });
  it("EV_S_CRTM_VERSION (UTF-16LE) is text, EV_EFI_HANDOFF_TABLES lists its tables, TCG names for other types", () => {
    expect(decodeEvent(ev(EV.S_CRTM_VERSION, utf16le("1.0.2\0")))).toEqual({
      kind: "text",
      text: "1.0.2",
      encoding: "utf-16le",
    });
    const smbios = guidBytes("eb9d2d31-2d88-11d3-9a16-0090273fc14d");
    const d = decodeEvent(ev(EV.EFI_HANDOFF_TABLES, concatBytes(u64le(1n), smbios, u64le(0xf0000n))));
    expect(d).toEqual({
      kind: "handoff-tables",
      tables: [{ guid: "eb9d2d31-2d88-11d3-9a16-0090273fc14d", address: 0xf0000n }],
    });
    expect(eventTypeName(0x80000010)).toBe("EV_EFI_HCRTM_EVENT");
    expect(eventTypeName(0x00000008)).toBe("EV_S_CRTM_VERSION");
    expect(eventTypeName(0x800000e1)).toBe("EV_EFI_SPDM_FIRMWARE_BLOB");
  });
});
