/**
 * The parser on hostile input: random bytes, truncations and length mutations of a real log must
 * yield either a parsed log or a TdxError (never a TypeError/RangeError or a hang), and crafted
 * headers must give the specific typed errors with offsets.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { u32le } from "../../src/bytes.js";
import { isTdxError, ParseError } from "../../src/errors.js";
import { decodeEvent } from "../../src/eventlog/decode.js";
import { parseDstackJson } from "../../src/eventlog/dstack-json.js";
import { replayRtmrs } from "../../src/eventlog/replay.js";
import { parseTcg2Log } from "../../src/eventlog/tcg2.js";
import { fixture } from "../support/fixtures.js";

const REAL = fixture("eventlogs/goel-cos113-dupsep-unpadded.bin");
/** Offset of the first TCG_PCR_EVENT2 record: 32-byte legacy header + u32 at 28 = Spec ID size. */
const FIRST = 32 + new DataView(REAL.buffer, REAL.byteOffset).getUint32(28, true);

function parseAll(b: Uint8Array): void {
  try {
    const log = parseTcg2Log(b);
    for (const e of log.events) decodeEvent(e);
    replayRtmrs(log);
  } catch (e) {
    if (!isTdxError(e)) throw e;
  }
}

function expectParseError(b: Uint8Array, code: string, offset?: number): ParseError {
  try {
    parseTcg2Log(b);
  } catch (e) {
    expect(e).toBeInstanceOf(ParseError);
    const pe = e as ParseError;
    expect(pe.code).toBe(code);
    if (offset !== undefined) expect(pe.at?.offset).toBe(offset);
    return pe;
  }
  throw new Error("expected a ParseError");
}

function withU32(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  c.set(u32le(v), at);
  return c;
}

describe("event log parser robustness", () => {
  it("random bytes yield a log or a TdxError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (b) => parseAll(b)),
      { numRuns: 300 },
    );
  });

  it("random bytes after a valid header yield a log or a TdxError", () => {
    const head = REAL.subarray(0, FIRST);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (b) => {
        const x = new Uint8Array(head.length + b.length);
        x.set(head);
        x.set(b, head.length);
        parseAll(x);
      }),
      { numRuns: 300 },
    );
  });

  it("every truncation of the real log yields a log or a TdxError", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: REAL.length }), (n) => parseAll(REAL.subarray(0, n))),
      { numRuns: 300 },
    );
  });

  it("u32 overwrites (lengths, counts, ids) anywhere in the real log yield a log or a TdxError, quickly", () => {
    const start = Date.now();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: REAL.length - 4 }),
        fc.oneof(
          fc.constant(0xffffffff),
          fc.constant(0x7fffffff),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.integer({ min: 0, max: 64 }),
        ),
        (at, v) => parseAll(withU32(REAL, at, v)),
      ),
      { numRuns: 400 },
    );
    expect(Date.now() - start).toBeLessThan(15_000);
  });

  it("a record cut short reports ERR_TRUNCATED at the missing field", () => {
    const pe = expectParseError(REAL.subarray(0, FIRST + 20), "ERR_TRUNCATED");
    expect(pe.message).toMatch(/EventLog\.events\[0\]\.digests\[0\]\.digest: needs 48 bytes at 0x/);
  });

  it("an event size past the end reports ERR_TRUNCATED", () => {
    // First record: 4 mr + 4 type + 4 count + 2 alg + 48 digest, then the u32 event size.
    expectParseError(withU32(REAL, FIRST + 62, 0xfffffff0), "ERR_TRUNCATED", FIRST + 66);
  });

  it("a digest count above the header's algorithm count is refused with its offset", () => {
    expectParseError(withU32(REAL, FIRST + 8, 5), "ERR_EVENTLOG_FORMAT", FIRST + 8);
    expectParseError(withU32(REAL, FIRST + 8, 0), "ERR_EVENTLOG_FORMAT", FIRST + 8);
  });

  it("an algorithm id not declared in the header is refused", () => {
    const c = REAL.slice();
    c[FIRST + 12] = 0x0b; // SHA-256 instead of SHA-384
    expectParseError(c, "ERR_EVENTLOG_FORMAT", FIRST + 12);
  });

  it("an absurd numberOfAlgorithms in the Spec ID header is refused", () => {
    expectParseError(withU32(REAL, 32 + 24, 0x10000), "ERR_EVENTLOG_FORMAT", 32 + 24);
  });

  it("a digest size that contradicts the algorithm is refused", () => {
    const c = REAL.slice();
    c[32 + 30] = 47; // SHA-384 declared with 47 bytes
    expectParseError(c, "ERR_EVENTLOG_FORMAT", 32 + 28);
  });

  it("a first record that is not the Spec ID header is refused", () => {
    expectParseError(withU32(REAL, 4, 4), "ERR_EVENTLOG_FORMAT", 4);
  });

  it("malformed dstack JSON gives ERR_BAD_JSON", () => {
    for (const t of [
      "{",
      '{"event_log": 3}',
      '[{"imr": 9, "event_type": 1}]',
      '[{"imr": 0, "event_type": -1}]',
    ]) {
      expect(() => parseDstackJson(t)).toThrow(ParseError);
    }
    expect(() => parseDstackJson('[{"imr":0,"event_type":4,"digest":"00"}]')).toThrow(/expected 48 bytes/);
  });
});
