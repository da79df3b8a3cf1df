import {
  EM_BPF,
  MACHINE_NAMES,
  SHN_LORESERVE,
  SHN_UNDEF,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_REL,
  SHT_RELA,
  SHT_SYMTAB,
} from "./constants.js";
import { ElfError } from "./errors.js";

export * from "./constants.js";
export { ElfError } from "./errors.js";

export interface ElfSection {
  /** index in the section header table */
  readonly index: number;
  readonly name: string;
  /** SHT_* */
  readonly type: number;
  /**
   * SHF_* bits. A number: every flag the gABI and LLVM define fits in the low
   * 32 bits, so bit tests like `flags & SHF_EXECINSTR` work directly.
   */
  readonly flags: number;
  /** file offset of the contents */
  readonly offset: number;
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
  /** the contents, a view into the input bytes; empty for SHT_NOBITS */
  readonly data: Uint8Array;
}

export interface ElfSymbol {
  /** index in the symbol table; `symbols[i].index === i` */
  readonly index: number;
  /** as stored: empty for STT_SECTION symbols, whose name is their section's */
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STB_* */
  readonly bind: number;
  /** STT_* */
  readonly type: number;
  /** STV_* */
  readonly visibility: number;
  /** section index, or SHN_UNDEF / SHN_ABS / SHN_COMMON */
  readonly shndx: number;
}

export interface ElfRelocation {
  /** byte offset inside the section the relocation applies to */
  readonly offset: number;
  /** R_BPF_* */
  readonly type: number;
  /** index into `ElfFile.symbols` */
  readonly symbol: number;
  /** explicit addend of SHT_RELA entries; 0 for SHT_REL */
  readonly addend: number;
}

export interface ElfFile {
  /** all sections by index, including the null section 0 */
  readonly sections: readonly ElfSection[];
  /** the SHT_SYMTAB entries, including the null symbol 0; empty without a symbol table */
  readonly symbols: readonly ElfSymbol[];
  /** e_machine; always EM_BPF for a parsed file */
  readonly machine: number;
  sectionByName(name: string): ElfSection | undefined;
  /** relocations (SHT_REL and SHT_RELA) whose sh_info targets this section index */
  relocationsFor(sectionIndex: number): readonly ElfRelocation[];
}

const EHDR_SIZE = 64;
const SHDR_SIZE = 64;
const SYM_SIZE = 24;
const REL_SIZE = 16;
const RELA_SIZE = 24;

const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;

const hex = (n: number): string => `0x${n.toString(16)}`;

const utf8 = new TextDecoder("utf-8");

/** Reads fixed-size little-endian fields, refusing any that lie past the end. */
class Reader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  has(offset: number, length: number): boolean {
    return offset >= 0 && length >= 0 && offset + length <= this.bytes.length;
  }

  u8(offset: number): number {
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  /** A 64-bit field as a number; values past 2^53 lose precision, which only bad input produces. */
  u64(offset: number): number {
    return Number(this.view.getBigUint64(offset, true));
  }

  i64(offset: number): number {
    return Number(this.view.getBigInt64(offset, true));
  }
}

function sectionLabel(index: number, name: string | undefined): string {
  return name === undefined || name === "" ? `section ${index}` : `section ${index} "${name}"`;
}

/** A NUL-terminated string at `offset` inside a string table section. */
function stringAt(table: ElfSection, offset: number, what: string): string {
  if (offset >= table.data.length) {
    throw new ElfError(
      `${what}: name offset ${offset} is past the end of string table ${sectionLabel(table.index, table.name)} (${table.data.length} bytes)`,
      { section: table.name, offset: table.offset + offset },
    );
  }
  const end = table.data.indexOf(0, offset);
  if (end < 0) {
    throw new ElfError(
      `${what}: name at offset ${offset} in ${sectionLabel(table.index, table.name)} is not NUL-terminated`,
      { section: table.name, offset: table.offset + offset },
    );
  }
  return utf8.decode(table.data.subarray(offset, end));
}

function checkIdent(r: Reader): void {
  if (r.bytes.length < 16) {
    throw new ElfError(
      `not an ELF file: ${r.bytes.length} bytes is shorter than the ELF identification`,
      {
        offset: 0,
      },
    );
  }
  if (r.u8(0) !== 0x7f || r.u8(1) !== 0x45 || r.u8(2) !== 0x4c || r.u8(3) !== 0x46) {
    throw new ElfError("not an ELF file: bad magic (expected 7f 45 4c 46)", { offset: 0 });
  }
  const cls = r.u8(4);
  if (cls !== ELFCLASS64) {
    const what = cls === 1 ? "32-bit ELF" : `ELF class ${cls}`;
    throw new ElfError(`${what} is not supported: BPF objects are ELF64`, { offset: 4 });
  }
  const data = r.u8(5);
  if (data === ELFDATA2MSB) {
    throw new ElfError("big-endian BPF objects are not supported", { offset: 5 });
  }
  if (data !== ELFDATA2LSB) {
    throw new ElfError(`unknown ELF data encoding ${data}`, { offset: 5 });
  }
}

interface RawHeader {
  readonly machine: number;
  readonly shoff: number;
  readonly shnum: number;
  readonly shstrndx: number;
}

function readHeader(r: Reader): RawHeader {
  checkIdent(r);
  if (!r.has(0, EHDR_SIZE)) {
    throw new ElfError(
      `truncated ELF header: ${r.bytes.length} bytes, the ELF64 header needs ${EHDR_SIZE}`,
      { offset: 0 },
    );
  }
  const machine = r.u16(18);
  if (machine !== EM_BPF) {
    const name = MACHINE_NAMES.get(machine);
    throw new ElfError(
      `machine ${machine}${name === undefined ? "" : ` (${name})`} is not BPF (${EM_BPF})`,
      { offset: 18 },
    );
  }
  const shoff = r.u64(40);
  const shentsize = r.u16(58);
  let shnum = r.u16(60);
  let shstrndx = r.u16(62);
  if (shoff === 0) {
    if (shnum !== 0) {
      throw new ElfError(`ELF header lists ${shnum} sections but no section header table`, {
        offset: 40,
      });
    }
    return { machine, shoff, shnum: 0, shstrndx: 0 };
  }
  if (shentsize !== SHDR_SIZE) {
    throw new ElfError(`section header size ${shentsize} is not the ELF64 size ${SHDR_SIZE}`, {
      offset: 58,
    });
  }
  if (!r.has(shoff, SHDR_SIZE)) {
    throw new ElfError(
      `truncated section header table: it starts at offset ${hex(shoff)}, past the end of the file (${r.bytes.length} bytes)`,
      { offset: shoff },
    );
  }
  // Extended numbering: with 0xff00 or more sections the real count and
  // string table index live in section 0's sh_size and sh_link.
  if (shnum === 0) shnum = r.u64(shoff + 32);
  if (shstrndx === SHN_XINDEX) shstrndx = r.u32(shoff + 40);
  if (!r.has(shoff, shnum * SHDR_SIZE)) {
    throw new ElfError(
      `truncated section header table: ${shnum} headers at offset ${hex(shoff)} need ${shnum * SHDR_SIZE} bytes, the file has ${r.bytes.length}`,
      { offset: shoff },
    );
  }
  if (shnum > 0 && shstrndx >= shnum) {
    throw new ElfError(
      `section name string table index ${shstrndx} is out of range (${shnum} sections)`,
      { offset: 62 },
    );
  }
  return { machine, shoff, shnum, shstrndx };
}

interface RawSection extends Omit<ElfSection, "name"> {
  readonly nameOffset: number;
}

function readSectionHeader(r: Reader, shoff: number, index: number, shnum: number): RawSection {
  const at = shoff + index * SHDR_SIZE;
  const type = r.u32(at + 4);
  const offset = r.u64(at + 24);
  const size = r.u64(at + 32);
  const link = r.u32(at + 40);
  const where = { section: `${index}`, offset: at };
  if (link >= shnum && index !== 0) {
    throw new ElfError(
      `section ${index}: sh_link ${link} is out of range (${shnum} sections), header at offset ${hex(at)}`,
      where,
    );
  }
  let data: Uint8Array = new Uint8Array(0);
  if (type !== SHT_NOBITS && index !== 0) {
    if (!r.has(offset, size)) {
      throw new ElfError(
        `section ${index}: data at offset ${hex(offset)} size ${size} runs past the end of the file (${r.bytes.length} bytes)`,
        { section: `${index}`, offset },
      );
    }
    data = r.bytes.subarray(offset, offset + size);
  }
  return {
    index,
    nameOffset: r.u32(at),
    type,
    flags: r.u64(at + 8),
    offset,
    size,
    link,
    info: r.u32(at + 44),
    addralign: r.u64(at + 48),
    entsize: r.u64(at + 56),
    data,
  };
}

function checkTable(section: ElfSection, entrySize: number, what: string): number {
  if (section.entsize !== entrySize) {
    throw new ElfError(
      `${sectionLabel(section.index, section.name)}: ${what} entry size ${section.entsize}, expected ${entrySize}`,
      { section: section.name, offset: section.offset },
    );
  }
  if (section.size % entrySize !== 0) {
    throw new ElfError(
      `${sectionLabel(section.index, section.name)}: size ${section.size} is not a multiple of the ${what} entry size ${entrySize}`,
      { section: section.name, offset: section.offset },
    );
  }
  return section.size / entrySize;
}

function readSymbols(r: Reader, symtab: ElfSection, sections: readonly ElfSection[]): ElfSymbol[] {
  const count = checkTable(symtab, SYM_SIZE, "symbol");
  const strtab = sections[symtab.link]!;
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = symtab.offset + i * SYM_SIZE;
    const info = r.u8(at + 4);
    const shndx = r.u16(at + 6);
    const what = `symbol ${i} at offset ${hex(at)} in ${sectionLabel(symtab.index, symtab.name)}`;
    if (shndx === SHN_XINDEX) {
      throw new ElfError(`${what}: extended section indices (SHN_XINDEX) are not supported`, {
        section: symtab.name,
        offset: at,
      });
    }
    if (shndx !== SHN_UNDEF && shndx < SHN_LORESERVE && shndx >= sections.length) {
      throw new ElfError(
        `${what}: section index ${shndx} is out of range (${sections.length} sections)`,
        { section: symtab.name, offset: at },
      );
    }
    symbols.push({
      index: i,
      name: stringAt(strtab, r.u32(at), what),
      value: r.u64(at + 8),
      size: r.u64(at + 16),
      bind: info >> 4,
      type: info & 0xf,
      visibility: r.u8(at + 5) & 0x3,
      shndx,
    });
  }
  return symbols;
}

function readRelocations(
  r: Reader,
  section: ElfSection,
  symtabIndex: number,
  symbolCount: number,
  sectionCount: number,
): ElfRelocation[] {
  const label = sectionLabel(section.index, section.name);
  const rela = section.type === SHT_RELA;
  const count = checkTable(section, rela ? RELA_SIZE : REL_SIZE, "relocation");
  if (section.info === 0 || section.info >= sectionCount) {
    throw new ElfError(
      `${label}: target section index ${section.info} is out of range (${sectionCount} sections)`,
      { section: section.name, offset: section.offset },
    );
  }
  if (section.link !== symtabIndex) {
    throw new ElfError(
      `${label}: sh_link ${section.link} is not the symbol table (section ${symtabIndex})`,
      { section: section.name, offset: section.offset },
    );
  }
  const relocations: ElfRelocation[] = [];
  for (let i = 0; i < count; i++) {
    const at = section.offset + i * section.entsize;
    const symbol = r.u32(at + 12);
    if (symbol >= symbolCount) {
      throw new ElfError(
        `${label}: relocation ${i} at offset ${hex(at)} names symbol ${symbol}, the symbol table has ${symbolCount}`,
        { section: section.name, offset: at },
      );
    }
    relocations.push({
      offset: r.u64(at),
      type: r.u32(at + 8),
      symbol,
      addend: rela ? r.i64(at + 16) : 0,
    });
  }
  return relocations;
}

/** Parses a little-endian ELF64 BPF object; every malformation is an ElfError. */
export function parseElf(bytes: Uint8Array): ElfFile {
  const r = new Reader(bytes);
  const header = readHeader(r);
  const raw: RawSection[] = [];
  for (let i = 0; i < header.shnum; i++)
    raw.push(readSectionHeader(r, header.shoff, i, header.shnum));

  const shstrtab = raw[header.shstrndx];
  const sections: ElfSection[] = raw.map(({ nameOffset, ...section }) => {
    const name =
      shstrtab === undefined || section.index === 0
        ? ""
        : stringAt({ ...shstrtab, name: "" }, nameOffset, `section ${section.index}`);
    return { ...section, name };
  });

  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) {
    throw new ElfError(
      `more than one symbol table (sections ${symtabs.map((s) => s.index).join(", ")})`,
      {
        section: symtabs[1]!.name,
        offset: symtabs[1]!.offset,
      },
    );
  }
  const symtab = symtabs[0];
  const symbols = symtab === undefined ? [] : readSymbols(r, symtab, sections);

  const relocations = new Map<number, ElfRelocation[]>();
  for (const section of sections) {
    if (section.type !== SHT_REL && section.type !== SHT_RELA) continue;
    if (symtab === undefined) {
      throw new ElfError(
        `${sectionLabel(section.index, section.name)}: relocations without a symbol table`,
        {
          section: section.name,
          offset: section.offset,
        },
      );
    }
    const list = readRelocations(r, section, symtab.index, symbols.length, sections.length);
    const existing = relocations.get(section.info);
    relocations.set(section.info, existing === undefined ? list : existing.concat(list));
  }

  const byName = new Map<string, ElfSection>();
  for (const section of sections) if (!byName.has(section.name)) byName.set(section.name, section);

  return {
    sections,
    symbols,
    machine: header.machine,
    sectionByName: (name) => byName.get(name),
    relocationsFor: (index) => relocations.get(index) ?? [],
  };
}
