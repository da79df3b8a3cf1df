import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ElfError,
  EM_BPF,
  parseElf,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS32,
  R_BPF_64_ABS64,
  R_BPF_64_NODYLD32,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHT_NOBITS,
  SHT_PROGBITS,
  SHT_REL,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FUNC,
  STT_OBJECT,
  STT_SECTION,
} from "../../src/elf/elf.js";

// Expected values below come from `llvm-readelf-19 -S -s -r` and
// `llvm-objdump-19 -h -t -r` on data/sections.bpf.o.
const object = new Uint8Array(readFileSync(new URL("data/sections.bpf.o", import.meta.url)));
const SHOFF = 0x1430;

function mutate(edit: (view: DataView, bytes: Uint8Array) => void, bytes = object): Uint8Array {
  const copy = bytes.slice();
  edit(new DataView(copy.buffer), copy);
  return copy;
}

/** Byte offset of field `at` of section header `index`. */
const shdr = (index: number, at: number): number => SHOFF + index * 64 + at;

function elfError(bytes: Uint8Array): ElfError {
  try {
    parseElf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return e as ElfError;
  }
  throw new Error("expected an ElfError");
}

describe("parseElf on a clang object", () => {
  const elf = parseElf(object);

  it("reads the machine and every section header", () => {
    expect(elf.machine).toBe(EM_BPF);
    expect(elf.sections).toHaveLength(34);
    expect(elf.sections.map((s) => s.index)).toEqual([...Array(34).keys()]);
    expect(elf.sections.slice(0, 13).map((s) => s.name)).toEqual([
      "",
      ".strtab",
      ".text",
      ".rel.text",
      "xdp",
      ".relxdp",
      "socket",
      ".relsocket",
      ".data",
      ".rodata",
      ".maps",
      ".bss",
      "license",
    ]);
    expect(elf.sections[23]!.name).toBe(".BTF");
    expect(elf.sections[33]!.name).toBe(".symtab");
  });

  it("reads types, flags, offsets, sizes, links and alignment", () => {
    const xdp = elf.sectionByName("xdp")!;
    expect(xdp).toMatchObject({
      index: 4,
      type: SHT_PROGBITS,
      offset: 0x68,
      size: 0xa0,
      addralign: 8,
    });
    expect(xdp.flags).toBe(SHF_ALLOC | SHF_EXECINSTR);
    expect(xdp.data).toHaveLength(0xa0);
    expect(xdp.data[0]).toBe(object[0x68]);

    expect(elf.sectionByName(".data")!.flags).toBe(SHF_WRITE | SHF_ALLOC);
    expect(elf.sectionByName(".rodata")!.flags).toBe(SHF_ALLOC);

    const relxdp = elf.sectionByName(".relxdp")!;
    expect(relxdp).toMatchObject({
      type: SHT_REL,
      link: 33,
      info: 4,
      entsize: 16,
      offset: 0xe08,
      size: 0x30,
    });

    const symtab = elf.sectionByName(".symtab")!;
    expect(symtab).toMatchObject({ type: SHT_SYMTAB, link: 1, info: 14, entsize: 24, size: 0x210 });
  });

  it("gives SHT_NOBITS sections no data", () => {
    const bss = elf.sectionByName(".bss")!;
    expect(bss.type).toBe(SHT_NOBITS);
    expect(bss.size).toBe(4);
    expect(bss.data).toHaveLength(0);
  });

  it("returns undefined for a missing section name", () => {
    expect(elf.sectionByName(".nope")).toBeUndefined();
  });

  it("reads the symbol table with the null symbol at index 0", () => {
    expect(elf.symbols).toHaveLength(22);
    expect(elf.symbols.every((s, i) => s.index === i)).toBe(true);
    expect(elf.symbols[0]).toMatchObject({ name: "", shndx: 0, bind: STB_LOCAL });
    expect(elf.symbols[1]).toMatchObject({ name: "sections.bpf.c", shndx: SHN_ABS });
    // readelf shows a section symbol under its section's name; the stored name is empty
    expect(elf.symbols[3]).toMatchObject({
      name: "",
      type: STT_SECTION,
      bind: STB_LOCAL,
      shndx: 4,
    });
    expect(elf.symbols[14]).toMatchObject({
      name: "scale",
      type: STT_FUNC,
      bind: STB_GLOBAL,
      shndx: 2,
      size: 40,
      value: 0,
      visibility: 0,
    });
    expect(elf.symbols[17]).toMatchObject({
      name: "counts",
      type: STT_OBJECT,
      shndx: 10,
      size: 32,
    });
    expect(elf.symbols[20]).toMatchObject({ name: "greeting", shndx: 9, size: 6 });
  });

  it("groups relocations by the section they apply to", () => {
    expect(elf.relocationsFor(4)).toEqual([
      { offset: 0x20, type: R_BPF_64_64, symbol: 17, addend: 0 },
      { offset: 0x38, type: R_BPF_64_64, symbol: 18, addend: 0 },
      { offset: 0x78, type: R_BPF_64_32, symbol: 14, addend: 0 },
    ]);
    expect(elf.relocationsFor(2)).toEqual([
      { offset: 0, type: R_BPF_64_64, symbol: 15, addend: 0 },
    ]);
    expect(elf.relocationsFor(6)).toEqual([
      { offset: 8, type: R_BPF_64_32, symbol: 14, addend: 0 },
    ]);
    expect(elf.relocationsFor(8)).toEqual([]);
  });

  it("reads the data relocation types of the debug and BTF sections", () => {
    const btf = elf.relocationsFor(elf.sectionByName(".BTF")!.index);
    expect(btf.map((r) => [r.offset, r.type, elf.symbols[r.symbol]!.name])).toEqual([
      [0x1fc, R_BPF_64_NODYLD32, "hits"],
      [0x214, R_BPF_64_NODYLD32, "threshold"],
      [0x22c, R_BPF_64_NODYLD32, "counts"],
      [0x244, R_BPF_64_ABS32, "greeting"],
      [0x25c, R_BPF_64_NODYLD32, "_license"],
    ]);
    const addr = elf.relocationsFor(elf.sectionByName(".debug_addr")!.index);
    expect(addr[0]).toEqual({ offset: 8, type: R_BPF_64_ABS64, symbol: 15, addend: 0 });
  });

  it("accepts a view into a larger buffer", () => {
    const padded = new Uint8Array(object.length + 16);
    padded.set(object, 8);
    const elf2 = parseElf(padded.subarray(8, 8 + object.length));
    expect(elf2.sectionByName("xdp")!.data).toEqual(elf.sectionByName("xdp")!.data);
  });
});

describe("parseElf on bad input", () => {
  it("rejects a non-ELF file", () => {
    expect(elfError(new TextEncoder().encode("#!/bin/sh\necho hello\n")).message).toMatch(
      /bad magic/,
    );
    expect(elfError(new Uint8Array(3)).message).toMatch(/not an ELF file/);
  });

  it("rejects 32-bit ELF", () => {
    const e = elfError(mutate((v) => v.setUint8(4, 1)));
    expect(e.message).toMatch(/32-bit ELF/);
    expect(e.offset).toBe(4);
  });

  it("rejects big-endian objects", () => {
    expect(elfError(mutate((v) => v.setUint8(5, 2))).message).toBe(
      "big-endian BPF objects are not supported",
    );
  });

  it("names the machine of a non-BPF object", () => {
    expect(elfError(mutate((v) => v.setUint16(18, 62, true))).message).toBe(
      "machine 62 (x86-64) is not BPF (247)",
    );
    expect(elfError(mutate((v) => v.setUint16(18, 999, true))).message).toBe(
      "machine 999 is not BPF (247)",
    );
  });

  it("rejects a truncated header", () => {
    expect(elfError(object.slice(0, 40)).message).toMatch(/truncated ELF header/);
  });

  it("rejects a truncated section header table", () => {
    const e = elfError(object.slice(0, SHOFF + 100));
    expect(e.message).toMatch(/truncated section header table: 34 headers at offset 0x1430/);
    expect(e.offset).toBe(SHOFF);
  });

  it("rejects section data past the end of the file", () => {
    const e = elfError(mutate((v) => v.setBigUint64(shdr(4, 24), 0x100000n, true)));
    expect(e.message).toMatch(
      /section 4: data at offset 0x100000 size 160 runs past the end of the file/,
    );
    expect(e.offset).toBe(0x100000);
  });

  it("rejects a section name past the string table", () => {
    const e = elfError(mutate((v) => v.setUint32(shdr(2, 0), 0xffff, true)));
    expect(e.message).toMatch(
      /section 2: name offset 65535 is past the end of string table section 1/,
    );
    expect(e.section).toBe("");
  });

  it("rejects an out-of-range section name table index", () => {
    expect(elfError(mutate((v) => v.setUint16(62, 200, true))).message).toMatch(
      /string table index 200 is out of range \(34 sections\)/,
    );
  });

  it("rejects an out-of-range sh_link", () => {
    const e = elfError(mutate((v) => v.setUint32(shdr(33, 40), 77, true)));
    expect(e.message).toMatch(/section 33: sh_link 77 is out of range/);
    expect(e.offset).toBe(shdr(33, 0));
  });

  it("rejects a symbol naming a section that does not exist", () => {
    // symbol 14 (scale) starts at .symtab offset 0xbe8 + 14 * 24
    const e = elfError(mutate((v) => v.setUint16(0xbe8 + 14 * 24 + 6, 99, true)));
    expect(e.message).toMatch(/symbol 14 .*section index 99 is out of range \(34 sections\)/);
    expect(e.section).toBe(".symtab");
  });

  it("rejects a symbol name past the string table", () => {
    const e = elfError(mutate((v) => v.setUint32(0xbe8 + 14 * 24, 0x10000, true)));
    expect(e.message).toMatch(/symbol 14 .*name offset 65536 is past the end of string table/);
  });

  it("rejects a relocation naming a symbol that does not exist", () => {
    const e = elfError(mutate((v) => v.setUint32(0xe08 + 12, 500, true)));
    expect(e.message).toMatch(/section 5 ".relxdp": relocation 0 at offset 0xe08 names symbol 500/);
    expect(e.section).toBe(".relxdp");
    expect(e.offset).toBe(0xe08);
  });

  it("rejects a relocation section targeting a section that does not exist", () => {
    expect(elfError(mutate((v) => v.setUint32(shdr(5, 44), 99, true))).message).toMatch(
      /section 5 ".relxdp": target section index 99 is out of range/,
    );
  });

  it("rejects a symbol table with the wrong entry size", () => {
    expect(elfError(mutate((v) => v.setBigUint64(shdr(33, 56), 16n, true))).message).toMatch(
      /".symtab": symbol entry size 16, expected 24/,
    );
  });
});
