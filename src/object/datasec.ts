import { Btf } from "../btf/btf.js";
import type { BtfType } from "../btf/types.js";
import type { ElfFile } from "../elf/elf.js";
import { STT_OBJECT } from "../elf/elf.js";

/**
 * clang leaves the size of each DATASEC and the offsets of its variables at 0
 * in object files; libbpf fills them in from the ELF section and symbol table
 * before anything reads them (`btf_fixup_datasec`). So does tsbpf, so that
 * global data maps' value types say where each variable is.
 */
export function fixupDatasecs(elf: ElfFile, btf: Btf): Btf {
  let changed = false;
  const types = btf.types.map((t): BtfType => {
    if (t.kind !== "datasec") return t;
    const section = elf.sectionByName(t.name);
    if (section === undefined) return t;
    const vars = t.vars.map((v) => {
      const variable = btf.types[v.type];
      if (variable?.kind !== "var") return v;
      const sym = elf.symbols.find(
        (s) =>
          s.shndx === section.index &&
          s.name === variable.name &&
          (s.type === STT_OBJECT || s.size > 0),
      );
      if (sym === undefined) return v;
      return { ...v, offset: sym.value, size: v.size !== 0 ? v.size : sym.size };
    });
    changed = true;
    return { ...t, size: t.size !== 0 ? t.size : section.size, vars };
  });
  return changed ? new Btf(types, btf.stringAt) : btf;
}
