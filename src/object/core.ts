import type { BtfExt } from "../btf/ext.js";
import { isLddw } from "../isa/lddw.js";
import { LoadError } from "./errors.js";
import type { ExecutableSection } from "./programs.js";

/** `enum bpf_core_relo_kind`: the relocation `bpf_core_type_id_local()` emits. */
export const BPF_CORE_TYPE_ID_LOCAL = 6;

/**
 * Applies the CO-RE relocations that need no kernel BTF: a local type id is
 * the id in the object's own BTF, so the instruction gets that id. The other
 * kinds compare the object's types with the running kernel's; without a
 * kernel, the values clang computed from the local types stay.
 */
export function applyLocalCoreRelocations(
  sections: Iterable<ExecutableSection>,
  btfExt: BtfExt | undefined,
): void {
  if (btfExt === undefined) return;
  for (const exec of sections) {
    for (const relo of btfExt.coreRelos.get(exec.section.name) ?? []) {
      if (relo.kind !== BPF_CORE_TYPE_ID_LOCAL) continue;
      const insn = exec.insns[relo.insn];
      if (insn === undefined) {
        throw new LoadError(
          `CO-RE relocation for insn #${relo.insn} is past the end of section '${exec.section.name}'`,
          { section: exec.section.name, offset: relo.insn * 8 },
        );
      }
      exec.insns[relo.insn] = { ...insn, imm: relo.typeId };
      const next = exec.insns[relo.insn + 1];
      if (isLddw(insn) && next !== undefined) exec.insns[relo.insn + 1] = { ...next, imm: 0 };
    }
  }
}
