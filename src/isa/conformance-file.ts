/**
 * Reader for the BPF conformance suite's test files (`*.data`): sections
 * introduced by `-- name` lines, `#` comment lines outside the assembly.
 *
 * - `-- asm`: assembly (see asm.ts); kept as text with its first line number.
 * - `-- raw`: instructions given directly, either as 64-bit words (`0x...`
 *   or decimal, one slot each, the opcode in the low byte) or as a hex byte
 *   dump (`07 00 01 00 01 00 00 00`, 8 bytes per slot).
 * - `-- mem`: hex bytes of the input memory.
 * - `-- result`: the expected r0 at exit (hex with `0x`, else decimal).
 * - `-- error`: the run must fail with a message containing this text; an
 *   empty section means any failure will do.
 * - `-- c`: the C source the assembly came from (informational).
 * - `-- no register offset`: a flag; lines after it describe it and are ignored.
 */
import { assemble } from "./asm.js";
import { decodeInsns } from "./decode.js";
import { ConformanceFileError } from "./errors.js";
import type { Insn } from "./insn.js";

export interface ConformanceCase {
  readonly name: string | undefined;
  /** The `-- asm` section's text. */
  readonly asm?: string;
  /** File line number of the first line of `asm`, for error messages. */
  readonly asmFirstLine?: number;
  /** The `-- raw` section's instructions. */
  readonly raw?: Insn[];
  /** Input memory (empty when there is no `-- mem` section). */
  readonly mem: Uint8Array;
  /** Expected r0 at exit, as an unsigned 64-bit value. */
  readonly result?: bigint;
  /** Expected failure text (empty: any failure). */
  readonly error?: string;
  readonly c?: string;
  readonly noRegisterOffset: boolean;
}

type Section = "asm" | "raw" | "mem" | "result" | "error" | "c" | "no register offset" | "comment";

const SECTIONS: ReadonlySet<string> = new Set([
  "asm",
  "raw",
  "mem",
  "result",
  "error",
  "c",
  "no register offset",
]);

function parseRaw(lines: readonly string[], name: string | undefined, firstLine: number): Insn[] {
  const tokens: { text: string; line: number }[] = [];
  lines.forEach((line, i) => {
    for (const text of line.trim().split(/\s+/)) {
      if (text !== "") tokens.push({ text, line: firstLine + i });
    }
  });
  const isByteDump = tokens.length > 0 && tokens.every((t) => /^[0-9a-fA-F]{2}$/.test(t.text));
  if (isByteDump) {
    if (tokens.length % 8 !== 0) {
      throw new ConformanceFileError(
        `-- raw byte dump has ${tokens.length} bytes, not a multiple of 8`,
        name,
        firstLine,
      );
    }
    return decodeInsns(Uint8Array.from(tokens, (t) => Number.parseInt(t.text, 16)));
  }
  const bytes = new Uint8Array(tokens.length * 8);
  const view = new DataView(bytes.buffer);
  tokens.forEach((t, i) => {
    if (!/^(0[xX][0-9a-fA-F]{1,16}|[0-9]+)$/.test(t.text) || BigInt(t.text) >= 1n << 64n) {
      throw new ConformanceFileError(`-- raw word is not a 64-bit number: ${t.text}`, name, t.line);
    }
    view.setBigUint64(i * 8, BigInt(t.text), true);
  });
  return decodeInsns(bytes);
}

function parseMem(
  lines: readonly string[],
  name: string | undefined,
  firstLine: number,
): Uint8Array {
  const bytes: number[] = [];
  lines.forEach((line, i) => {
    for (const text of line.trim().split(/\s+/)) {
      if (text === "") continue;
      if (!/^[0-9a-fA-F]{1,2}$/.test(text)) {
        throw new ConformanceFileError(`-- mem byte is not hex: ${text}`, name, firstLine + i);
      }
      bytes.push(Number.parseInt(text, 16));
    }
  });
  return Uint8Array.from(bytes);
}

function parseResult(
  lines: readonly string[],
  name: string | undefined,
  firstLine: number,
): bigint {
  const values = lines.map((l) => l.trim()).filter((l) => l !== "");
  if (values.length !== 1) {
    throw new ConformanceFileError(
      `-- result must hold one value, has ${values.length}`,
      name,
      firstLine,
    );
  }
  const text = values[0]!;
  if (!/^(0[xX][0-9a-fA-F]{1,16}|[0-9]+)$/.test(text) || BigInt(text) >= 1n << 64n) {
    throw new ConformanceFileError(`-- result is not a 64-bit number: ${text}`, name, firstLine);
  }
  return BigInt(text);
}

/** Parses one `.data` file; `name` (e.g. the file name) appears in error messages. */
export function parseConformanceFile(text: string, name?: string): ConformanceCase {
  const sections = new Map<Section, { lines: string[]; firstLine: number }>();
  let current: Section = "comment";
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const directive = /^--\s*(.*?)\s*$/.exec(line);
    if (directive) {
      const section = directive[1]!;
      if (!SECTIONS.has(section)) {
        throw new ConformanceFileError(`unknown directive "${line.trim()}"`, name, i + 1);
      }
      if (sections.has(section as Section)) {
        throw new ConformanceFileError(`section "-- ${section}" appears twice`, name, i + 1);
      }
      current = section as Section;
      sections.set(current, { lines: [], firstLine: i + 2 });
      continue;
    }
    sections.get(current)?.lines.push(line);
  }

  const asm = sections.get("asm");
  const raw = sections.get("raw");
  const mem = sections.get("mem");
  const result = sections.get("result");
  const error = sections.get("error");
  const c = sections.get("c");
  if (asm === undefined && raw === undefined) {
    throw new ConformanceFileError("no instructions: neither an -- asm nor a -- raw section", name);
  }
  if (result === undefined && error === undefined) {
    throw new ConformanceFileError(
      "no expectation: neither a -- result nor an -- error section",
      name,
    );
  }
  const errorText = error?.lines
    .map((l) => l.trim())
    .filter((l) => l !== "")
    .join("\n");
  return {
    name,
    ...(asm && { asm: asm.lines.join("\n"), asmFirstLine: asm.firstLine }),
    ...(raw && { raw: parseRaw(raw.lines, name, raw.firstLine) }),
    mem: mem ? parseMem(mem.lines, name, mem.firstLine) : new Uint8Array(0),
    ...(result && { result: parseResult(result.lines, name, result.firstLine) }),
    ...(error && { error: errorText }),
    ...(c && { c: c.lines.join("\n") }),
    noRegisterOffset: sections.has("no register offset"),
  };
}

/**
 * The case's program: its `-- raw` instructions when present (they are what
 * the test means to run), else its assembled `-- asm` section.
 */
export function conformanceInsns(testCase: ConformanceCase): Insn[] {
  if (testCase.raw !== undefined) return testCase.raw;
  if (testCase.asm !== undefined) {
    return assemble(testCase.asm, { firstLine: testCase.asmFirstLine ?? 1 });
  }
  throw new ConformanceFileError("no instructions", testCase.name);
}
