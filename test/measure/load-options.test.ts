/**
 * OVMF's LoadOptions for QEMU direct boot (tdx-reference.md §12.6, edk2
 * `OvmfPkg/Library/X86QemuLoadImageLib`): QEMU always passes the command line with its NUL
 * (FW_CFG_CMDLINE_SIZE = strlen + 1), and OVMF formats `"%a%a"` with the command line and
 * `" initrd=initrd"` (before edk2-stable202508) or `"initrd=initrd "` and the command line (from
 * 202508). The separator space is part of the literal, so an empty command line with an initrd
 * keeps it: " initrd=initrd" / "initrd=initrd ". Expected strings are the edk2 format written out.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { cmdlineDigest, ovmfLoadOptions } from "../../src/measure/kernel.js";

describe("OVMF LoadOptions with an initrd", () => {
  it("suffix style (pre-202508): cmdline + ' initrd=initrd', also for an empty cmdline", () => {
    expect(ovmfLoadOptions("console=hvc0", true, "suffix")).toBe("console=hvc0 initrd=initrd");
    expect(ovmfLoadOptions("", true, "suffix")).toBe(" initrd=initrd");
  });
  it("prefix style (202508+): 'initrd=initrd ' + cmdline, also for an empty cmdline", () => {
    expect(ovmfLoadOptions("console=hvc0", true, "prefix")).toBe("initrd=initrd console=hvc0");
    expect(ovmfLoadOptions("", true, "prefix")).toBe("initrd=initrd ");
  });
  it("the digest covers UTF-16LE of that string and the NUL", () => {
    const expected = createHash("sha384")
      .update(Buffer.concat([Buffer.from(" initrd=initrd", "utf16le"), Buffer.alloc(2)]))
      .digest("hex");
    expect(toHex(cmdlineDigest(ovmfLoadOptions("", true, "suffix")))).toBe(expected);
  });
});
