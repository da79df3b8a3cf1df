/**
 * The consistency of func info and line info (from `.BTF.ext`) with the
 * program: `check_btf_func_early`, `check_btf_func`, `check_btf_line` and
 * `check_abnormal_return` of kernel/bpf/verifier.c. Without BTF the kernel
 * cannot tell what a subprogram returns, so it refuses LD_ABS and tail calls
 * there; with BTF it allows them in subprograms that return a scalar.
 */
import type { Insn } from "../../isa/insn.js";
import { EINVAL } from "../result.js";
import { reject, type StructureLog } from "./report.js";
import type { Subprog } from "./subprogs.js";

/** What the checks read of a func info record. */
export interface FuncInfoRecord {
  readonly insn: number;
  readonly typeId: number;
}

/** What the checks read of a line info record. */
export interface LineInfoRecord {
  readonly insn: number;
}

/**
 * `check_btf_func_early`: records in strictly increasing instruction order,
 * the first at 0. Runs before subprograms are known. Its messages have no
 * newline in the kernel, so the next log output continues their line.
 */
export function checkFuncInfoOrder(funcInfo: readonly FuncInfoRecord[], log: StructureLog): void {
  let previous = 0;
  funcInfo.forEach((record, i) => {
    const off = record.insn >>> 0;
    if (i === 0 && off !== 0) {
      reject(log, EINVAL, `nonzero insn_off ${off} for the first func info record`, false);
    }
    if (i > 0 && off <= previous) {
      reject(
        log,
        EINVAL,
        `same or smaller insn offset (${off}) than previous func info record (${previous})`,
        false,
      );
    }
    previous = off;
  });
}

/** `check_abnormal_return`: LD_ABS and tail calls in subprograms need BTF. */
export function checkAbnormalReturn(subprogs: readonly Subprog[], log: StructureLog): void {
  for (const subprog of subprogs.slice(1)) {
    if (subprog.hasLdAbs) reject(log, EINVAL, "LD_ABS is not allowed in subprogs without BTF");
    if (subprog.hasTailCall)
      reject(log, EINVAL, "tail_call is not allowed in subprogs without BTF");
  }
}

/**
 * `check_btf_func`: one record per subprogram, at its start. `returnsScalar`
 * says whether the FUNC type with the given id returns an int or enum.
 */
export function checkFuncInfoLayout(
  funcInfo: readonly FuncInfoRecord[],
  subprogs: readonly Subprog[],
  returnsScalar: (typeId: number) => boolean,
  log: StructureLog,
): void {
  if (funcInfo.length === 0) {
    checkAbnormalReturn(subprogs, log);
    return;
  }
  if (funcInfo.length !== subprogs.length) {
    reject(log, EINVAL, "number of funcs in func_info doesn't match number of subprogs");
  }
  funcInfo.forEach((record, i) => {
    const subprog = subprogs[i] as Subprog;
    if (subprog.start !== record.insn) {
      reject(log, EINVAL, "func_info BTF section doesn't match subprog layout in BPF program");
    }
    if (i === 0 || returnsScalar(record.typeId)) return;
    if (subprog.hasLdAbs)
      reject(log, EINVAL, "LD_ABS is only allowed in functions that return 'int'.");
    if (subprog.hasTailCall)
      reject(log, EINVAL, "tail_call is only allowed in functions that return 'int'.");
  });
}

/**
 * `check_btf_line`: records in strictly increasing order inside the program,
 * none on the second slot of an lddw, and the first record of each
 * subprogram exactly at its start.
 */
export function checkLineInfo(
  lineInfo: readonly LineInfoRecord[],
  insns: readonly Insn[],
  subprogs: readonly Subprog[],
  log: StructureLog,
): void {
  if (lineInfo.length === 0) return;
  let previous = 0;
  let s = 0;
  lineInfo.forEach((record, i) => {
    const off = record.insn >>> 0;
    if ((i > 0 && off <= previous) || off >= insns.length) {
      reject(
        log,
        EINVAL,
        `Invalid line_info[${i}].insn_off:${off} (prev_offset:${previous} prog->len:${insns.length})`,
      );
    }
    if ((insns[off] as Insn).code === 0)
      reject(log, EINVAL, `Invalid insn code at line_info[${i}].insn_off`);
    const subprog = subprogs[s];
    if (subprog !== undefined) {
      if (off === subprog.start) s++;
      else if (subprog.start < off) reject(log, EINVAL, `missing bpf_line_info for func#${s}`);
    }
    previous = off;
  });
  if (s !== subprogs.length) {
    reject(
      log,
      EINVAL,
      `missing bpf_line_info for ${subprogs.length - s} funcs starting from func#${s}`,
    );
  }
}
