import type { ElfFile, ElfSection } from "../elf/elf.js";
import { SHF_EXECINSTR, SHT_PROGBITS, STB_LOCAL, STT_FUNC } from "../elf/elf.js";
import { decodeInsns } from "../isa/decode.js";
import type { Insn } from "../isa/insn.js";
import { LoadError } from "./errors.js";

const INSN_SIZE = 8;

/** One function of an executable section: an entry program or a subprogram. */
export interface FunctionCode {
  readonly name: string;
  readonly section: ElfSection;
  /** first instruction, as an index into the section's instructions */
  readonly start: number;
  readonly length: number;
  /** functions in `.text` are subprograms; every function elsewhere is an entry program */
  readonly isSubprogram: boolean;
}

export interface ExecutableSection {
  readonly section: ElfSection;
  /** the section's instructions, patched in place by CO-RE before linking */
  readonly insns: Insn[];
  readonly functions: FunctionCode[];
}

export function isExecutable(section: ElfSection): boolean {
  return section.type === SHT_PROGBITS && (section.flags & SHF_EXECINSTR) !== 0 && section.size > 0;
}

/**
 * Every FUNC symbol of every executable section, ordered as libbpf orders
 * programs: by section, then by position in the section.
 */
export function collectFunctions(elf: ElfFile): Map<number, ExecutableSection> {
  const sections = new Map<number, ExecutableSection>();
  for (const section of elf.sections) {
    if (!isExecutable(section)) continue;
    if (section.size % INSN_SIZE !== 0) {
      throw new LoadError(
        `section '${section.name}' has size ${section.size}, not a multiple of ${INSN_SIZE}`,
        {
          section: section.name,
        },
      );
    }
    sections.set(section.index, { section, insns: decodeInsns(section.data), functions: [] });
  }
  for (const sym of elf.symbols) {
    if (sym.type !== STT_FUNC) continue;
    const exec = sections.get(sym.shndx);
    if (exec === undefined) continue;
    const { section } = exec;
    const isText = section.name === ".text";
    if (!isText && sym.bind === STB_LOCAL) {
      throw new LoadError(
        `sec '${section.name}': program '${sym.name}' is static and not supported`,
        {
          section: section.name,
          offset: sym.value,
        },
      );
    }
    if (
      sym.value % INSN_SIZE !== 0 ||
      sym.value + sym.size > section.size ||
      sym.size % INSN_SIZE !== 0
    ) {
      throw new LoadError(
        `sec '${section.name}': program '${sym.name}' at offset ${sym.value} (size ${sym.size}) crosses section boundary`,
        { section: section.name, offset: sym.value },
      );
    }
    exec.functions.push({
      name: sym.name,
      section,
      start: sym.value / INSN_SIZE,
      length: sym.size / INSN_SIZE,
      isSubprogram: isText,
    });
  }
  for (const exec of sections.values()) exec.functions.sort((a, b) => a.start - b.start);
  return sections;
}

/** The function of a section that starts at, or contains, a section instruction index. */
export function functionAt(exec: ExecutableSection, insn: number): FunctionCode | undefined {
  return exec.functions.find((f) => insn >= f.start && insn < f.start + f.length);
}
