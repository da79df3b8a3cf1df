import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { assemble } from "../../src/isa/asm.js";
import { conformanceInsns, parseConformanceFile } from "../../src/isa/conformance-file.js";
import { encodeInsns } from "../../src/isa/encode.js";
import { AsmError, ConformanceFileError, IsaError } from "../../src/isa/errors.js";
import { validateInsns } from "../../src/isa/validate.js";

const root = new URL("../../../shared/conformance/", import.meta.url);
const testsDir = new URL("tests/", root);
const negativeDir = new URL("negative/", root);

function dataFiles(dir: URL): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".data"))
    .sort();
}

function read(dir: URL, file: string): string {
  return readFileSync(new URL(file, dir), "utf8");
}

/** The raw 64-bit words of a `-- raw` section written as `0x...` words. */
function rawWords(text: string): bigint[] {
  const section = /^-- raw\n([\s\S]*?)(?=^--|(?![\s\S]))/m.exec(text);
  if (section === null) return [];
  return section[1]!
    .split(/\s+/)
    .filter((t) => t !== "")
    .map((t) => BigInt(t));
}

function words(bytes: Uint8Array): bigint[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: bytes.length / 8 }, (_, i) => view.getBigUint64(i * 8, true));
}

describe("conformance suite tests/*.data", () => {
  const files = dataFiles(testsDir);

  it("has the 313 files the suite ships", () => {
    expect(files).toHaveLength(313);
  });

  it.each(files)("%s parses, assembles and is well-formed", (file) => {
    const text = read(testsDir, file);
    const testCase = parseConformanceFile(text, file);
    expect(testCase.asm).toBeDefined();
    expect(testCase.result !== undefined || testCase.error !== undefined).toBe(true);
    const insns = assemble(testCase.asm!, { firstLine: testCase.asmFirstLine });
    expect(insns.length).toBeGreaterThan(0);
    validateInsns(insns);
    if (testCase.raw !== undefined) {
      expect(words(encodeInsns(insns))).toEqual(rawWords(text));
      expect(conformanceInsns(testCase)).toEqual(testCase.raw);
    }
  });

  it("reads mem, result and flags as written", () => {
    const ldxb = parseConformanceFile(read(testsDir, "ldxb.data"), "ldxb.data");
    expect(Array.from(ldxb.mem)).toEqual([0xaa, 0xbb, 0x11, 0xcc, 0xdd]);
    expect(ldxb.result).toBe(0x11n);
    expect(ldxb.noRegisterOffset).toBe(false);
    const lddw = parseConformanceFile(read(testsDir, "lddw.data"), "lddw.data");
    expect(lddw.result).toBe(0x1122334455667788n);
    expect(lddw.raw).toEqual([
      { code: 0x18, dst: 0, src: 0, off: 0, imm: 0x55667788 },
      { code: 0, dst: 0, src: 0, off: 0, imm: 0x11223344 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ]);
    const memLen = parseConformanceFile(read(testsDir, "mem-len.data"), "mem-len.data");
    expect(memLen.noRegisterOffset).toBe(true);
    expect(memLen.result).toBe(8n);
    expect(memLen.mem).toHaveLength(8);
    const prime = parseConformanceFile(read(testsDir, "prime.data"), "prime.data");
    expect(prime.c).toContain("return");
  });
});

describe("conformance suite negative/*.data", () => {
  const files = dataFiles(negativeDir);

  /**
   * Rejection as a runner sees it: the file does not parse, its assembly does
   * not assemble, or its instructions are malformed.
   */
  function reject(file: string): Error | undefined {
    try {
      const testCase = parseConformanceFile(read(negativeDir, file), file);
      validateInsns(conformanceInsns(testCase));
      return undefined;
    } catch (e) {
      if (e instanceof AsmError || e instanceof IsaError || e instanceof ConformanceFileError) {
        return e;
      }
      throw e;
    }
  }

  // These two are well-formed programs whose expectation the run itself
  // must contradict: `or %r0, %r10` expects an error, and
  // incorrect_return_value_high_bits expects a wrong r0. Only running them
  // rejects them.
  const rejectedWhenRun = ["error.data", "incorrect_return_value_high_bits.data"];

  it("has the 60 files the suite ships", () => {
    expect(files).toHaveLength(60);
  });

  it.each(files.filter((f) => !rejectedWhenRun.includes(f)))("%s is rejected", (file) => {
    const error = reject(file);
    expect(error, `${file} was accepted`).toBeInstanceOf(Error);
    const expected = /^-- error\n([\s\S]*?)(?=^--|(?![\s\S]))/m.exec(read(negativeDir, file));
    const expectedText = expected?.[1]?.trim() ?? "";
    // invalid_unknown_directive's expected text ("Invalid register") belongs to
    // the assembly it never reaches: the file is rejected for its directive.
    if (file === "invalid_unknown_directive.data") {
      expect(error!.message).toContain('unknown directive "-- Unknown directive"');
    } else {
      expect(error!.message).toContain(expectedText);
    }
  });

  it.each(rejectedWhenRun)("%s is well-formed (its rejection needs a run)", (file) => {
    expect(reject(file)).toBeUndefined();
  });
});
