/**
 * Fail-closed on validly signed but hostile collateral: any field of the TCB info or QE identity
 * replaced by a value of any JSON type (then re-signed by the test PKI, so the signature passes)
 * must give a verdict or a TdxError, never another exception type.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collateralFromJson } from "../../src/dcap/collateral.js";
import { verifyQuote } from "../../src/dcap/verify.js";
import { TdxError } from "../../src/errors.js";
import { defaultQeIdentity, defaultTcbInfo, type JsonObject } from "../../src/sim/pki-collateral.js";
import { NOW, pki, quoteFor } from "./test-pki.js";

type Path = (string | number)[];

function paths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = prefix.length > 0 ? [prefix] : [];
  if (Array.isArray(v)) {
    for (const [i, x] of v.entries()) out.push(...paths(x, [...prefix, i]));
  } else if (typeof v === "object" && v !== null)
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function setAt(doc: JsonObject, path: Path, value: unknown): JsonObject {
  const copy = structuredClone(doc);
  let cur: Record<string | number, unknown> = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
  cur[path[path.length - 1] as string | number] = value;
  return copy;
}

const hostile = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 1.5, 256, 65536, 2 ** 53, Number.MAX_VALUE, "", "zz", "TDX_01", "9999-99-99T99:99:99Z"),
);

const t0 = Date.UTC(2026, 0, 1);
const t1 = Date.UTC(2026, 11, 1);
const base = {
  tcb: defaultTcbInfo(new Uint8Array(6), new Uint8Array(2), t0, t1),
  qe: defaultQeIdentity(t0, t1),
};

async function outcome(which: "tcb" | "qe", path: Path, value: unknown, major: number): Promise<string> {
  // The PKI edits its own default document (same shape as `base`) and signs the result.
  const edit = (d: JsonObject) => setAt(d, path, value);
  const p = await pki(which === "tcb" ? { tcbInfo: edit } : { qeIdentity: edit });
  const q = await quoteFor(p, { teeTcbSvn: Uint8Array.of(4, major, 2, ...new Array(13).fill(0)) });
  try {
    await verifyQuote(q, p.collateral, { now: NOW, trustedRoots: [p.rootCa] });
    return "verdict";
  } catch (e) {
    if (e instanceof TdxError) return e.code;
    return `UNTYPED ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`;
  }
}

describe("signed hostile collateral fields", () => {
  for (const which of ["tcb", "qe"] as const) {
    it(`${which}: every field, any JSON type → verdict or TdxError`, async () => {
      const all = paths(base[which]);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...all),
          hostile,
          fc.constantFrom(0, 1),
          async (path, value, major) => {
            expect(await outcome(which, path, value, major)).not.toMatch(/^UNTYPED/);
          },
        ),
        { numRuns: 250 },
      );
    });
  }
});

describe("dcap-qvl collateral JSON with hostile members", () => {
  it("any member replaced by any JSON value → verdict or TdxError", async () => {
    const p = await pki();
    const q = await quoteFor(p);
    const keys = Object.keys(p.collateralJson);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), hostile, async (k, v) => {
        let r: string;
        try {
          const c = collateralFromJson({ ...p.collateralJson, [k]: v });
          await verifyQuote(q, c, { now: NOW, trustedRoots: [p.rootCa] });
          r = "verdict";
        } catch (e) {
          r = e instanceof TdxError ? e.code : `UNTYPED ${String(e)}`;
        }
        expect(r).not.toMatch(/^UNTYPED/);
      }),
      { numRuns: 200 },
    );
  });
});

describe("random TEE_TCB_SVN / TEE_TCB_SVN2 and QE ISVSVN", () => {
  it("always a known status or a TdxError", async () => {
    const p = await pki();
    const known = new Set([
      "UpToDate",
      "SWHardeningNeeded",
      "ConfigurationNeeded",
      "ConfigurationAndSWHardeningNeeded",
      "OutOfDate",
      "OutOfDateConfigurationNeeded",
      "Revoked",
      "TDRelaunchAdvised",
      "TDRelaunchAdvisedConfigurationNeeded",
    ]);
    const svn = fc.uint8Array({ minLength: 16, maxLength: 16, max: 8 });
    await fc.assert(
      fc.asyncProperty(
        svn,
        svn,
        fc.nat(6),
        fc.constantFrom(2, 3) as fc.Arbitrary<2 | 3>,
        async (a, b, qeSvn, bodyType) => {
          const q = await quoteFor(p, { teeTcbSvn: a, teeTcbSvn2: b }, { version: 5, bodyType, qeSvn });
          let r: string;
          try {
            r = (await verifyQuote(q, p.collateral, { now: NOW, trustedRoots: [p.rootCa] })).status;
          } catch (e) {
            r = e instanceof TdxError ? "typed" : `UNTYPED ${String(e)}`;
          }
          expect(r === "typed" || known.has(r), r).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
