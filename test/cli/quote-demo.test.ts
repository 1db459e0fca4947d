import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

describe("tdx-attest demo (npm start)", () => {
  it("decodes and prints the bundled sample quote", async () => {
    const { code, stdout: out } = await runCli(["demo", "--sample-quote"]);
    expect(code).toBe(0);
    expect(out).toMatch(
      /^tdx-attest demo: decoding the bundled sample quote .*fixtures\/sample-quote-v4\.dat/,
    );
    expect(out).toContain("DCAP quote v4 (TDX, TD 1.0 body)");
    expect(out).toContain("CN=tdx-attest Sample PCK Certificate");
  });

  it("--json wraps the quote view", async () => {
    const { code, stdout: out } = await runCli(["demo", "--sample-quote", "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out);
    expect(j.ok).toBe(true);
    expect(j.quote.version).toBe(4);
    expect(j.quote.certificationData.inner.certificates).toHaveLength(3);
  });
});
