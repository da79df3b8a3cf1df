/**
 * What `bpf_check()` of Linux 6.18 does to a program before it walks the
 * instructions (kernel/bpf/verifier.c), in the kernel's order, so the first
 * problem reported is the kernel's first:
 *
 *  1. func info in increasing order (`check_btf_info_early`)
 *  2. subprograms and kfunc calls (`add_subprog_and_kfunc`)
 *  3. jumps inside their subprogram, no fall-through between them (`check_subprogs`)
 *  4. func info and line info against the subprograms (`check_btf_info`)
 *  5. lddw shape and maps, reserved load modes, known opcodes (`resolve_pseudo_ldimm64`)
 *  6. every instruction reachable, no jump into an lddw (`check_cfg`)
 *
 * Each check writes the kernel's message to the log and throws a
 * VerifierReject with the kernel's errno. Which fields an instruction may
 * set is the walk's question: the kernel checks it only on reachable code.
 */
import type { Insn } from "../isa/insn.js";
import type { MapSpec, ProgramType } from "../object/spec.js";
import {
  checkFuncInfoLayout,
  checkFuncInfoOrder,
  checkLineInfo,
  type FuncInfoRecord,
  type LineInfoRecord,
} from "./cfg/btf-info.js";
import { type ControlFlowMarks, checkControlFlow } from "./cfg/graph.js";
import {
  DEFAULT_MAP_COMPATIBILITY,
  type MapValueField,
  type ResolvedLoads,
  resolveLdimm64,
} from "./cfg/ldimm64.js";
import type { StructureLog } from "./cfg/report.js";
import {
  checkSubprogs,
  DEFAULT_KFUNC_POLICY,
  findSubprogStarts,
  type Subprog,
} from "./cfg/subprogs.js";
import { E2BIG, VerifierReject } from "./result.js";

export type { FuncInfoRecord, LineInfoRecord } from "./cfg/btf-info.js";
export type { ControlFlowMarks } from "./cfg/graph.js";
export type { MapReference, MapValueField, ResolvedLoads } from "./cfg/ldimm64.js";
export type { StructureLog } from "./cfg/report.js";
export type { Subprog } from "./cfg/subprogs.js";

/** `BPF_COMPLEXITY_LIMIT_INSNS`: the most instructions a privileged loader may pass. */
export const MAX_PROGRAM_INSNS = 1_000_000;

export interface StructureOptions {
  /** line info records (`ProgramSpec.lineInfo`); checked like func info when present */
  readonly lineInfo?: readonly LineInfoRecord[];
  /** the log level: at 2 the subprogram starts are listed (`func#1 @12`) */
  readonly logLevel?: number;
  /** whether the license is GPL-compatible; kfunc calls need it (default true) */
  readonly gplCompatible?: boolean;
  /** whether a kfunc id is known (default: tsbpf's kfunc table) */
  readonly isKfunc?: (id: number) => boolean;
  /**
   * whether the FUNC type of a func info record returns an int or enum;
   * subprograms that use LD_ABS or tail calls must (default: assume they do)
   */
  readonly returnsScalar?: (funcTypeId: number) => boolean;
  /** the program's type: tracing programs may not use maps with locks, lists, timers */
  readonly programType?: ProgramType;
  /** whether the program may sleep (`.s` sections): it may use only some map types */
  readonly sleepable?: boolean;
  /** the special fields in a map's value (default: none) */
  readonly mapValueFields?: (map: MapSpec) => ReadonlySet<MapValueField>;
}

/** The program's layout and the marks the walk needs, once the structure is sound. */
export interface ProgramStructure extends ControlFlowMarks, ResolvedLoads {
  /** the entry function first, then by start */
  readonly subprogs: readonly Subprog[];
}

/**
 * Runs the checks `bpf_check()` runs before `do_check`. Throws VerifierReject
 * (after writing the kernel's message to `log`) at the first problem.
 */
export function checkProgramStructure(
  insns: readonly Insn[],
  maps: readonly MapSpec[],
  funcInfo: readonly FuncInfoRecord[],
  log: StructureLog,
  options: StructureOptions = {},
): ProgramStructure {
  // BPF_PROG_LOAD refuses these before the verifier starts, without a log.
  if (insns.length === 0) throw new VerifierReject(E2BIG, "the program has no instructions");
  if (insns.length > MAX_PROGRAM_INSNS) {
    throw new VerifierReject(
      E2BIG,
      `the program has ${insns.length} instructions, more than ${MAX_PROGRAM_INSNS}`,
    );
  }
  const lineInfo = options.lineInfo ?? [];
  checkFuncInfoOrder(funcInfo, log);
  const starts = findSubprogStarts(
    insns,
    {
      gplCompatible: options.gplCompatible ?? DEFAULT_KFUNC_POLICY.gplCompatible,
      isKfunc: options.isKfunc ?? DEFAULT_KFUNC_POLICY.isKfunc,
    },
    options.logLevel ?? 1,
    log,
  );
  const subprogs = checkSubprogs(insns, starts, log);
  checkFuncInfoLayout(funcInfo, subprogs, options.returnsScalar ?? (() => true), log);
  checkLineInfo(lineInfo, insns, subprogs, log);
  const loads = resolveLdimm64(
    insns,
    maps,
    {
      programType: options.programType ?? DEFAULT_MAP_COMPATIBILITY.programType,
      sleepable: options.sleepable ?? DEFAULT_MAP_COMPATIBILITY.sleepable,
      valueFields: options.mapValueFields ?? DEFAULT_MAP_COMPATIBILITY.valueFields,
    },
    log,
  );
  const marks = checkControlFlow(insns, log);
  return { subprogs, ...loads, ...marks };
}

/** The index of the subprogram instruction `insn` belongs to. */
export function subprogIndexAt(structure: ProgramStructure, insn: number): number {
  let index = 0;
  structure.subprogs.forEach((subprog, i) => {
    if (subprog.start <= insn) index = i;
  });
  return index;
}

export {
  callsAsyncCallback,
  callsSyncCallback,
  isHelperCall,
  isIterNextKfuncCall,
  isJump,
  isKfuncCall,
  isLdAbsOrInd,
  isLdimm64,
  isMayGoto,
  isPseudoCall,
  isPseudoFunc,
  isSubprogEnd,
  isTailCall,
  jumpOffset,
  jumpTarget,
} from "./cfg/insn-kinds.js";
export { isKnownOpcode } from "./cfg/known-opcodes.js";
