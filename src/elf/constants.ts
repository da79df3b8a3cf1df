// Values from the System V ELF gABI and include/uapi/linux/elf.h; the BPF
// relocation types from llvm's BPF.def (also in the kernel's
// Documentation/bpf/llvm_reloc.rst).

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_SYMTAB_SHNDX = 18;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;

export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

export const SHN_UNDEF = 0;
/** first reserved section index; indices from here on are not sections */
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

export const EM_BPF = 247;

export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
export const R_BPF_64_32 = 10;

/** Names of the machines a stray object most likely comes from, for error messages. */
export const MACHINE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, "none"],
  [3, "x86"],
  [8, "MIPS"],
  [20, "PowerPC"],
  [21, "PowerPC64"],
  [22, "S/390"],
  [40, "ARM"],
  [62, "x86-64"],
  [183, "AArch64"],
  [243, "RISC-V"],
  [247, "BPF"],
  [258, "LoongArch"],
]);
