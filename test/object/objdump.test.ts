/**
 * Every fixture object comes with `llvm-objdump-19 -d -r` output saved beside
 * it (tools/build-fixtures.sh). For every instruction of every executable
 * section, tsbpf must decode the same bytes, encode them back exactly, and
 * disassemble to the same opcode and operands (registers, access sizes and
 * numbers in order; the two tools spell the syntax slightly differently).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseElf } from "../../src/elf/elf.js";
import { decodeInsns } from "../../src/isa/decode.js";
import { formatInsn } from "../../src/isa/disasm.js";
import { encodeInsns } from "../../src/isa/encode.js";
import { isExecutable } from "../../src/object/programs.js";

const fixtures = join(import.meta.dirname, "../fixtures");
const dumps = readdirSync(fixtures).filter((f) => f.endsWith(".objdump"));

interface DumpedInsn {
  readonly index: number;
  readonly bytes: number[];
  readonly text: string;
}

function parseDump(text: string): Map<string, DumpedInsn[]> {
  const sections = new Map<string, DumpedInsn[]>();
  let current: DumpedInsn[] | undefined;
  for (const line of text.split("\n")) {
    const header = /^Disassembly of section (.+):$/.exec(line);
    if (header) {
      current = [];
      sections.set(header[1]!, current);
      continue;
    }
    const m = /^\s+(\d+):\t((?:[0-9a-f]{2} ?)+)\t(.*)$/.exec(line);
    if (m && current) {
      current.push({
        index: Number(m[1]),
        bytes: m[2]!
          .trim()
          .split(" ")
          .map((b) => Number.parseInt(b, 16)),
        text: m[3]!,
      });
    }
  }
  return sections;
}

/** Registers, access sizes, byte-swap widths and numbers, in order. */
function operands(text: string): string[] {
  const cleaned = text
    .replace(/ <[A-Za-z_.][\w.]*(\+0x[0-9a-f]+)?>/g, "")
    .replace(/ ll$/, "")
    .replace(/ ([-+]) (?=\d)/g, " $1")
    // llvm leaves out a zero offset of an indirect packet load: skb[r7] is skb[r7 + 0]
    .replace(/skb\[(r\d+)\]/, "skb[$1 + 0]");
  const tokens: string[] = [];
  const re = /\b([rw]\d+)\b|\b([us]\d+)\b|\b((?:be|le|bswap)\d+)\b|([-+]?)\b(0x[0-9a-f]+|\d+)\b/g;
  for (const m of cleaned.matchAll(re)) {
    if (m[1] !== undefined) {
      // llvm names the 32-bit view of a register in 32-bit loads and stores, the kernel does not;
      // the opcode, compared separately, says the width
      tokens.push(`r${m[1].slice(1)}`);
      continue;
    }
    if (m[2] ?? m[3]) {
      tokens.push(m[2] ?? m[3]!);
      continue;
    }
    const value = BigInt(m[5]!) * (m[4] === "-" ? -1n : 1n);
    // one tool prints an immediate signed, the other as its unsigned 32-bit pattern
    tokens.push(`#${BigInt.asUintN(32, value)}`);
  }
  return tokens;
}

describe("fixtures against llvm-objdump-19", () => {
  it("has dumps to compare against", () => {
    expect(dumps.length).toBeGreaterThan(15);
  });

  it.each(dumps)("%s", (dump) => {
    const elf = parseElf(readFileSync(join(fixtures, dump.replace(/\.objdump$/, ".o"))));
    const expected = parseDump(readFileSync(join(fixtures, dump), "utf8"));
    let compared = 0;
    for (const section of elf.sections.filter(isExecutable)) {
      const insns = decodeInsns(section.data);
      expect(Array.from(encodeInsns(insns))).toEqual(Array.from(section.data));
      const dumped = expected.get(section.name);
      expect(dumped, `section ${section.name} in the dump`).toBeDefined();
      for (const d of dumped!) {
        const insn = insns[d.index]!;
        const raw = Array.from(encodeInsns(insns.slice(d.index, d.index + d.bytes.length / 8)));
        expect(raw, `${section.name} insn ${d.index} bytes`).toEqual(d.bytes);
        const ours = formatInsn(insns, d.index, { kfuncName: () => "kfunc" });
        expect(ours.slice(1, 3), `${section.name} insn ${d.index} opcode`).toBe(
          d.bytes[0]!.toString(16).padStart(2, "0"),
        );
        expect(insn.code).toBe(d.bytes[0]);
        // opcodes llvm cannot decode leave only the bytes to compare
        if (d.text === "<unknown>") {
          compared++;
          continue;
        }
        const theirs = operands(d.text);
        let mine = operands(ours.slice(5));
        // llvm's atomic syntax leaves the access size to the mnemonic; the opcode pins it
        if (!theirs.some((t) => /^[us]\d/.test(t))) mine = mine.filter((t) => !/^[us]\d/.test(t));
        expect(mine, `${section.name} insn ${d.index}: ours '${ours}' llvm '${d.text}'`).toEqual(
          theirs,
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
  });
});
