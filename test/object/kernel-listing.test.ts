/**
 * The kernel's verifier log (level 2) opens with the whole program as libbpf
 * handed it over, in the kernel's syntax. tools/record-kernel-listings.sh saved
 * those listings for every fixture program; tsbpf's loader and disassembler
 * must reproduce them line for line. This pins three things at once: which
 * subprograms are appended in which order, every relocated offset and
 * immediate, and the disassembler's text.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { disassembleProgram, objectNameFromPath, parseObject } from "../../src/api.js";
import { BPF_PSEUDO_FUNC, BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from "../../src/isa/opcodes.js";

const root = join(import.meta.dirname, "../..");
const listingsDir = join(root, "test/fixtures/kernel-listings");

function objectPath(base: string): string {
  for (const dir of ["test/fixtures", "examples"]) {
    const path = join(root, dir, `${base}.o`);
    try {
      readFileSync(path);
      return path;
    } catch {}
  }
  throw new Error(`no object for listing ${base}`);
}

/** Values the kernel owns print differently: map and function addresses, kfunc BTF ids. */
function normalise(line: string): string {
  return line.replace(/(call [a-z_0-9]+)#\d+$/, "$1#<btf id>");
}

const listings = readdirSync(listingsDir).filter((f) => f.endsWith(".txt"));

describe("programs as the kernel lists them", () => {
  it("has listings to compare against", () => {
    expect(listings.length).toBeGreaterThan(20);
  });

  it.each(listings)("%s", (file) => {
    const [base, prog] = file.replace(/\.txt$/, "").split(/\.(?=[^.]+$)/) as [string, string];
    const path = objectPath(base);
    const spec = parseObject(readFileSync(path), { name: objectNameFromPath(path) });
    const program = spec.programs.find((p) => p.name === prog);
    expect(program, `program ${prog}`).toBeDefined();
    const kernel = readFileSync(join(listingsDir, file), "utf8").trimEnd().split("\n");
    const ours = disassembleProgram(program!, { sourceLines: false });
    expect(ours.length).toBe(kernel.length);
    ours.forEach((line, i) => {
      const index = Number.parseInt(line, 10);
      const insn = program!.insns[index]!;
      const pointerLoad =
        insn.code === 0x18 &&
        [BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE, BPF_PSEUDO_FUNC].includes(insn.src);
      if (pointerLoad) {
        // the kernel prints the address it resolved; the rest must agree
        expect(kernel[i]!.replace(/= 0x[0-9a-f]+$/, "= <address>")).toBe(
          line.replace(/= \S+$/, "= <address>"),
        );
      } else {
        expect(normalise(line), `insn ${index}`).toBe(normalise(kernel[i]!));
      }
    });
  });
});
