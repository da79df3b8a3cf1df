import type { Insn } from "../../src/isa/insn.js";
import { kfuncId } from "../../src/object/kfuncs.js";
import type { ObjectSpec, ProgramSpec } from "../../src/object/spec.js";

/**
 * A small instruction builder for list and tree tests: programs that run
 * against the maps and BTF of a fixture object (its `.data.A` lock and head,
 * its structs), with labels for forward and backward jumps.
 */
export class ListAsm {
  private readonly insns: Insn[] = [];
  private readonly labels = new Map<string, number>();
  private readonly fixups: { at: number; label: string }[] = [];

  private emit(code: number, dst = 0, src = 0, off = 0, imm = 0): this {
    this.insns.push({ code, dst, src, off, imm });
    return this;
  }

  /** dst = imm (64-bit) */
  movi(dst: number, imm: number): this {
    return this.emit(0xb7, dst, 0, 0, imm);
  }
  mov(dst: number, src: number): this {
    return this.emit(0xbf, dst, src);
  }
  addi(dst: number, imm: number): this {
    return this.emit(0x07, dst, 0, 0, imm);
  }
  add(dst: number, src: number): this {
    return this.emit(0x0f, dst, src);
  }
  muli(dst: number, imm: number): this {
    return this.emit(0x27, dst, 0, 0, imm);
  }
  /** *(u32 *)(dst + off) = src */
  stxw(dst: number, off: number, src: number): this {
    return this.emit(0x63, dst, src, off);
  }
  /** *(u64 *)(dst + off) = src */
  stxdw(dst: number, off: number, src: number): this {
    return this.emit(0x7b, dst, src, off);
  }
  /** dst = *(u32 *)(src + off) */
  ldxw(dst: number, src: number, off: number): this {
    return this.emit(0x61, dst, src, off);
  }
  /** dst = *(u64 *)(src + off) */
  ldxdw(dst: number, src: number, off: number): this {
    return this.emit(0x79, dst, src, off);
  }
  /** dst = address of byte `off` of map `map`'s value (BPF_PSEUDO_MAP_VALUE) */
  mapValue(dst: number, map: number, off: number): this {
    this.emit(0x18, dst, 2, 0, map);
    return this.emit(0, 0, 0, 0, off);
  }
  /** dst = address of the function at `label` (BPF_PSEUDO_FUNC) */
  funcAddr(dst: number, label: string): this {
    this.fixups.push({ at: this.insns.length, label });
    this.emit(0x18, dst, 4, 0, 0);
    return this.emit(0, 0, 0, 0, 0);
  }
  helper(id: number): this {
    return this.emit(0x85, 0, 0, 0, id);
  }
  kfunc(name: string): this {
    const id = kfuncId(name);
    if (id === undefined) throw new Error(`unknown kfunc ${name}`);
    return this.emit(0x85, 0, 2, 0, id);
  }
  label(name: string): this {
    this.labels.set(name, this.insns.length);
    return this;
  }
  /** if dst == imm goto label */
  jeqi(dst: number, imm: number, label: string): this {
    this.fixups.push({ at: this.insns.length, label });
    return this.emit(0x15, dst, 0, 0, imm);
  }
  /** if dst != imm goto label */
  jnei(dst: number, imm: number, label: string): this {
    this.fixups.push({ at: this.insns.length, label });
    return this.emit(0x55, dst, 0, 0, imm);
  }
  /** if dst < src (signed) goto label */
  jslt(dst: number, src: number, label: string): this {
    this.fixups.push({ at: this.insns.length, label });
    return this.emit(0xcd, dst, src, 0, 0);
  }
  ja(label: string): this {
    this.fixups.push({ at: this.insns.length, label });
    return this.emit(0x05);
  }
  exit(): this {
    return this.emit(0x95);
  }

  build(): Insn[] {
    const out = this.insns.slice();
    for (const { at, label } of this.fixups) {
      const target = this.labels.get(label);
      if (target === undefined) throw new Error(`no label ${label}`);
      const insn = out[at]!;
      out[at] =
        insn.code === 0x18 ? { ...insn, imm: target - at - 1 } : { ...insn, off: target - at - 1 };
    }
    return out;
  }
}

/** The object with its programs replaced by one, `prog` (a sched_cls program). */
export function withProgram(spec: ObjectSpec, insns: Insn[], name = "prog"): ObjectSpec {
  const program: ProgramSpec = {
    name,
    section: "tc",
    type: "sched_cls",
    attachTo: undefined,
    insns,
    funcInfo: [],
    lineInfo: [],
    license: "GPL",
  };
  return { ...spec, programs: [program] };
}
