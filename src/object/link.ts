import type { Btf } from "../btf/btf.js";
import type { BtfExt } from "../btf/ext.js";
import type { ElfFile, ElfRelocation, ElfSymbol } from "../elf/elf.js";
import { SHN_LORESERVE, SHN_UNDEF, STB_WEAK } from "../elf/elf.js";
import type { Insn } from "../isa/insn.js";
import { isLddw } from "../isa/lddw.js";
import {
  BPF_CALL,
  BPF_JMP,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_FUNC,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
} from "../isa/opcodes.js";
import { LoadError } from "./errors.js";
import { kfuncId } from "./kfuncs.js";
import type { PlacedMap } from "./maps.js";
import { type ExecutableSection, type FunctionCode, functionAt } from "./programs.js";
import type { FuncInfo, LineInfo } from "./spec.js";

const INSN_SIZE = 8;

export interface LinkedProgram {
  readonly insns: Insn[];
  readonly funcInfo: FuncInfo[];
  readonly lineInfo: LineInfo[];
}

export interface LinkContext {
  readonly elf: ElfFile;
  readonly sections: ReadonlyMap<number, ExecutableSection>;
  readonly maps: readonly PlacedMap[];
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
}

function isCall(insn: Insn): boolean {
  return insn.code === (BPF_JMP | BPF_CALL);
}

/**
 * Builds one entry program the way libbpf does: the entry function first,
 * then each subprogram it reaches, appended depth-first in the order the calls
 * are met, with call offsets, map loads and kfunc ids filled in. The kernel's
 * instruction numbers, and so our log's, follow from this order.
 */
export function linkProgram(ctx: LinkContext, entry: FunctionCode): LinkedProgram {
  const insns: Insn[] = [];
  const placed = new Map<FunctionCode, number>();
  const funcInfo: FuncInfo[] = [];
  const lineInfo: LineInfo[] = [];

  const append = (fn: FunctionCode): number => {
    const base = insns.length;
    placed.set(fn, base);
    const exec = sectionOf(ctx, fn);
    for (let i = 0; i < fn.length; i++) insns.push(exec.insns[fn.start + i]!);
    copyExtInfo(ctx, fn, base, funcInfo, lineInfo);
    relocateFunction(fn, base);
    return base;
  };

  const relocateFunction = (fn: FunctionCode, base: number): void => {
    const exec = sectionOf(ctx, fn);
    const relocs = relocationsByInsn(ctx.elf, fn.section.index);
    for (let i = 0; i < fn.length; i++) {
      const at = base + i;
      const insn = insns[at]!;
      const rel = relocs.get(fn.start + i);
      if (rel !== undefined) {
        applyRelocation(at, fn, rel);
        continue;
      }
      const isLocalCall = isCall(insn) && insn.src === BPF_PSEUDO_CALL;
      const isLocalFuncAddr = isLddw(insn) && insn.src === BPF_PSEUDO_FUNC;
      if (!isLocalCall && !isLocalFuncAddr) continue;
      // an unrelocated call targets a function of the same section, relative to itself
      const target = fn.start + i + insn.imm + 1;
      const callee = calleeAt(exec, target, fn, i);
      insns[at] = { ...insn, imm: placeOf(callee) - at - 1 };
    }
  };

  const placeOf = (fn: FunctionCode): number => placed.get(fn) ?? append(fn);

  const calleeAt = (
    exec: ExecutableSection,
    target: number,
    from: FunctionCode,
    i: number,
  ): FunctionCode => {
    const callee = functionAt(exec, target);
    if (callee === undefined || callee.start !== target) {
      throw new LoadError(
        `prog '${entry.name}': no subprogram at instruction ${target} of section '${exec.section.name}' for the call at insn ${from.start + i}`,
        { section: from.section.name, offset: (from.start + i) * INSN_SIZE },
      );
    }
    return callee;
  };

  const applyRelocation = (at: number, fn: FunctionCode, rel: ElfRelocation): void => {
    const insn = insns[at]!;
    const where = { section: fn.section.name, offset: rel.offset };
    const sym = ctx.elf.symbols[rel.symbol];
    if (sym === undefined) {
      throw new LoadError(
        `relocation at offset ${rel.offset} of '${fn.section.name}' names symbol #${rel.symbol}, which does not exist`,
        where,
      );
    }
    const symName = sym.name || `#${sym.index}`;
    if (!isCall(insn) && !isLddw(insn)) {
      throw new LoadError(
        `invalid relo for insns[${at}].code 0x${insn.code.toString(16)} (symbol '${symName}'): only calls and lddw are relocatable`,
        where,
      );
    }
    if (isLddw(insn) && at + 1 >= insns.length) {
      throw new LoadError(
        `lddw at insn ${at} of prog '${entry.name}' is cut off by the end of the function`,
        where,
      );
    }
    if (sym.shndx === SHN_UNDEF) {
      insns[at] = resolveExtern(insn, sym, where);
      return;
    }
    if (isCall(insn)) {
      if (insn.src !== BPF_PSEUDO_CALL) {
        throw new LoadError(
          `incorrect bpf_call opcode at insn ${at}: call relocated against '${symName}' is not a bpf-to-bpf call`,
          where,
        );
      }
      const exec = ctx.sections.get(sym.shndx);
      if (exec === undefined || exec.section.name !== ".text") {
        throw new LoadError(
          `bad call relo against '${symName}' in section '${fn.section.name}'`,
          where,
        );
      }
      if (sym.value % INSN_SIZE !== 0)
        throw new LoadError(`bad call relo offset: ${sym.value}`, where);
      const callee = calleeAt(exec, sym.value / INSN_SIZE + insn.imm + 1, fn, at);
      insns[at] = { ...insn, imm: placeOf(callee) - at - 1 };
      return;
    }
    if (sym.shndx >= SHN_LORESERVE) {
      throw new LoadError(
        `invalid relo for '${symName}' in special section 0x${sym.shndx.toString(16)}; forgot to initialize global var?`,
        where,
      );
    }
    const exec = ctx.sections.get(sym.shndx);
    if (exec !== undefined) {
      // the address of a function, as bpf_loop's callback argument
      if (sym.value % INSN_SIZE !== 0 || insn.imm % INSN_SIZE !== 0) {
        throw new LoadError(`bad subprog addr relo against '${symName}' at insn ${at}`, where);
      }
      const callee = calleeAt(exec, (sym.value + insn.imm) / INSN_SIZE, fn, at);
      insns[at] = { ...insn, src: BPF_PSEUDO_FUNC, imm: placeOf(callee) - at - 1 };
      return;
    }
    const mapIndex = ctx.maps.findIndex((m) =>
      m.globalData
        ? m.sectionIndex === sym.shndx
        : m.sectionIndex === sym.shndx && m.sectionOffset === sym.value,
    );
    const map = ctx.maps[mapIndex];
    const symSection = ctx.elf.sections[sym.shndx]?.name ?? `#${sym.shndx}`;
    if (map === undefined) {
      throw new LoadError(
        symSection === ".maps"
          ? `map relo failed to find map for section '${symSection}', off ${sym.value}`
          : `bad map relo against '${symName}' in section '${symSection}'`,
        where,
      );
    }
    if (map.globalData) {
      const second = insns[at + 1]!;
      insns[at] = { ...insn, src: BPF_PSEUDO_MAP_VALUE, imm: mapIndex };
      insns[at + 1] = { ...second, imm: (insn.imm + sym.value) | 0 };
    } else {
      insns[at] = { ...insn, src: BPF_PSEUDO_MAP_FD, imm: mapIndex };
    }
  };

  const resolveExtern = (
    insn: Insn,
    sym: ElfSymbol,
    where: { section: string; offset: number },
  ): Insn => {
    if (!isCall(insn)) {
      throw new LoadError(
        `extern '${sym.name}': typed and untyped ksym and kconfig variables are not supported; only kfunc externs are`,
        where,
      );
    }
    const id = kfuncId(sym.name);
    if (id !== undefined) return { ...insn, src: BPF_PSEUDO_KFUNC_CALL, off: 0, imm: id };
    if (sym.bind === STB_WEAK) return { ...insn, src: BPF_PSEUDO_KFUNC_CALL, off: 0, imm: 0 };
    throw new LoadError(
      `extern (func ksym) '${sym.name}': not found in kernel or module BTFs`,
      where,
    );
  };

  append(entry);
  return { insns, funcInfo, lineInfo };
}

function sectionOf(ctx: LinkContext, fn: FunctionCode): ExecutableSection {
  const exec = ctx.sections.get(fn.section.index);
  if (exec === undefined) throw new LoadError(`section '${fn.section.name}' is not executable`);
  return exec;
}

const relocCache = new WeakMap<ElfFile, Map<number, Map<number, ElfRelocation>>>();

function relocationsByInsn(elf: ElfFile, sectionIndex: number): Map<number, ElfRelocation> {
  let perFile = relocCache.get(elf);
  if (perFile === undefined) {
    perFile = new Map();
    relocCache.set(elf, perFile);
  }
  let byInsn = perFile.get(sectionIndex);
  if (byInsn === undefined) {
    byInsn = new Map();
    for (const rel of elf.relocationsFor(sectionIndex)) {
      if (rel.offset % INSN_SIZE !== 0) {
        const name = elf.sections[sectionIndex]?.name ?? `#${sectionIndex}`;
        throw new LoadError(
          `relocation at offset ${rel.offset} of section '${name}' is not on an instruction boundary`,
          {
            section: name,
            offset: rel.offset,
          },
        );
      }
      byInsn.set(rel.offset / INSN_SIZE, rel);
    }
    perFile.set(sectionIndex, byInsn);
  }
  return byInsn;
}

/** Moves the function's `.BTF.ext` records to where the function landed in the program. */
function copyExtInfo(
  ctx: LinkContext,
  fn: FunctionCode,
  base: number,
  funcInfo: FuncInfo[],
  lineInfo: LineInfo[],
): void {
  const ext = ctx.btfExt;
  if (ext === undefined) return;
  const inFunction = (insn: number) => insn >= fn.start && insn < fn.start + fn.length;
  for (const rec of ext.funcInfo.get(fn.section.name) ?? []) {
    if (!inFunction(rec.insn)) continue;
    const name = ctx.btf?.types[rec.typeId]?.name ?? "";
    funcInfo.push({ insn: rec.insn - fn.start + base, typeId: rec.typeId, name });
  }
  for (const rec of ext.lineInfo.get(fn.section.name) ?? []) {
    if (!inFunction(rec.insn)) continue;
    lineInfo.push({
      insn: rec.insn - fn.start + base,
      file: rec.fileName,
      line: rec.line,
      column: rec.column,
      text: rec.text,
    });
  }
}
