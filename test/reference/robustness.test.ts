/**
 * Hostile input: arbitrary JSON documents, mutated valid documents and random bytes end as a
 * value or a TdxError (AppraisalError for reference/policy content), never another exception.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePolicy } from "../../src/appraise/policy.js";
import { AppraisalError, TdxError } from "../../src/errors.js";
import {
  encodeReferenceValuesJson,
  loadReferenceValues,
  parseReferenceValuesJson,
  referenceValuesToJsonValue,
} from "../../src/reference/index.js";
import { sampleSet } from "./helpers.js";

function onlyAppraisalErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(AppraisalError);
  }
}

const valid = referenceValuesToJsonValue({ version: 1, sets: [sampleSet("a")] }) as Record<string, unknown>;

describe("robustness", () => {
  it("arbitrary JSON as reference values or policy: a value or AppraisalError", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (doc) => {
        onlyAppraisalErrors(() => parseReferenceValuesJson(doc));
        onlyAppraisalErrors(() => parsePolicy(doc));
        onlyAppraisalErrors(() => parseReferenceValuesJson({ ...valid, sets: [doc] }));
      }),
      { numRuns: 500 },
    );
  });

  it("a valid set with one member replaced by arbitrary JSON: a value or AppraisalError", () => {
    const set = (valid["sets"] as Record<string, unknown>[])[0] as Record<string, unknown>;
    const keys = Object.keys(set);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.jsonValue({ maxDepth: 3 }), (k, v) => {
        onlyAppraisalErrors(() => parseReferenceValuesJson({ ...valid, sets: [{ ...set, [k]: v }] }));
      }),
      { numRuns: 500 },
    );
  });

  it("random and truncated bytes as a reference file: only TdxErrors", async () => {
    const json = new TextEncoder().encode(encodeReferenceValuesJson({ version: 1, sets: [sampleSet("a")] }));
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.integer({ min: 0, max: json.length }).map((n) => json.subarray(0, n)),
        ),
        async (bytes) => {
          try {
            await loadReferenceValues(bytes);
          } catch (e) {
            expect(e).toBeInstanceOf(TdxError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
