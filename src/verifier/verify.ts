import { formatInsn } from "../isa/disasm.js";
import type { Insn } from "../isa/insn.js";
import {
  BPF_ABS,
  BPF_ALU,
  BPF_ALU64,
  BPF_ATOMIC,
  BPF_CALL,
  BPF_EXIT,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JMP,
  BPF_JMP32,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_MEM,
  BPF_MEMSX,
  BPF_PSEUDO_CALL,
  BPF_PSEUDO_KFUNC_CALL,
  BPF_PSEUDO_MAP_FD,
  BPF_PSEUDO_MAP_VALUE,
  BPF_ST,
  BPF_STX,
} from "../isa/opcodes.js";
import { kfuncName } from "../object/kfuncs.js";
import {
  formatSourceLine,
  isSameSourceLine,
  lineInfoAt,
  sourceLocation,
} from "../object/source-lines.js";
import type { LineInfo, ObjectSpec, ProgramSpec } from "../object/spec.js";
import { checkAluOp } from "./alu.js";
import { funcArgsInfo, prepareMainFuncArgs, setUpGlobalFuncArgs } from "./calls/global-funcs.js";
import {
  checkFuncCall,
  checkHelperCall,
  checkKfuncCall,
  checkKfuncCallUnderLock,
  prepareFuncExit,
} from "./calls.js";
import type { MapValueField } from "./cfg/ldimm64.js";
import { checkProgramStructure, type ProgramStructure } from "./cfg.js";
import { DST_OP, SRC_OP, VerifierEnv } from "./env.js";
import { checkResourceLeak, checkReturnCode } from "./exit.js";
import { mapValueFieldNames } from "./graph/records.js";
import { checkCondJmpOp } from "./jmp.js";
import { formatFuncState, LOG_STATS, logAlignment } from "./log.js";
import {
  checkAtomic,
  checkLdAbs,
  checkLdImm,
  checkLoadMem,
  checkStoreImm,
  checkStoreReg,
} from "./mem.js";
import {
  type ExploredStates,
  type PruneContext,
  pushJmpHistory,
  setUpPruning,
} from "./prune/index.js";
import {
  E2BIG,
  EFAULT,
  EINVAL,
  VerifierReject,
  type VerifyOptions,
  type VerifyResult,
} from "./result.js";
import { checkMaxStackDepth, stackDepthLine } from "./stack-depth.js";
import { copyState, initialState, type VerifierState } from "./state.js";

/** The kernel's BPF_COMPLEXITY_LIMIT_INSNS. */
export const COMPLEXITY_LIMIT_INSNS = 1_000_000;
/** The kernel's BPF_COMPLEXITY_LIMIT_JMP_SEQ. */
const COMPLEXITY_LIMIT_JMP_SEQ = 8192;

interface PendingBranch {
  readonly state: VerifierState;
  readonly insnIdx: number;
  readonly prevInsnIdx: number;
  readonly logPos: number;
}

const disasmOptions = {
  kfuncName: (imm: number) => kfuncName(imm),
  ldImm64: (insns: readonly Insn[], index: number) => {
    const insn = insns[index]!;
    // the kernel prints the map's kernel address here; tsbpf has none to print
    if (insn.src === BPF_PSEUDO_MAP_FD) return `map[id:${insn.imm + 1}]`;
    if (insn.src === BPF_PSEUDO_MAP_VALUE)
      return `map[id:${insn.imm + 1}][0]+${insns[index + 1]?.imm ?? 0}`;
    return undefined;
  },
};

/**
 * The instruction walk: the kernel's `do_check`. Explores every path from
 * the entry, one at a time, keeping the other side of each branch on a stack.
 */
class Walker {
  private readonly branches: PendingBranch[] = [];
  processed = 0;
  private prevLinfo: LineInfo | undefined;
  private prevLogPos = 0;
  private prevInsnPrintPos = 0;
  /** set once the structure checks passed and pruning is set up */
  pruning: { readonly ctx: PruneContext; readonly explored: ExploredStates } | undefined;

  constructor(private readonly env: VerifierEnv) {}

  /**
   * A new pass of `do_check` (the main program, then each global function):
   * the checkpoints of the last pass are freed, the counters go on.
   */
  startPass(): void {
    this.prevLinfo = undefined;
    this.prevLogPos = 0;
    this.prevInsnPrintPos = 0;
    if (this.pruning !== undefined) {
      this.pruning.explored.freeStates();
      this.pruning.ctx.stackLiveness.resetCallchain();
      this.pruning.ctx.curHistEntry = undefined;
    }
  }

  /** `push_stack`: remember the other side of a branch, to verify later. */
  pushBranch(insnIdx: number, prevInsnIdx: number): VerifierState {
    const env = this.env;
    const state = copyState(env.state);
    this.branches.push({ state, insnIdx, prevInsnIdx, logPos: env.log.endPos });
    this.pruning?.explored.branchPushed(state);
    if (this.branches.length > COMPLEXITY_LIMIT_JMP_SEQ) {
      // a failed push_stack makes check_cond_jmp_op return -EFAULT
      env.reject(EFAULT, `The sequence of ${this.branches.length} jumps is too complex.`);
    }
    return state;
  }

  private popBranch(): boolean {
    const env = this.env;
    const next = this.branches.pop();
    if (next === undefined) return false;
    env.state = next.state;
    if (!env.log.level2) env.log.reset(next.logPos);
    env.insnIdx = next.insnIdx;
    env.prevInsnIdx = next.prevInsnIdx;
    return true;
  }

  printInsnState(): void {
    const env = this.env;
    const log = env.log;
    const state = formatFuncState(
      env.frame,
      env.names,
      { regs: env.scratchedRegs, stack: env.scratchedStack },
      env.state.refs,
    );
    if (this.prevLogPos !== 0 && this.prevLogPos === log.endPos) {
      // the state goes on the instruction's own line, after it
      log.reset(this.prevLogPos - 1);
      log.write(`${" ".repeat(logAlignment(this.prevInsnPrintPos))};${state}\n`);
    } else {
      log.write(`${env.insnIdx}:${state}\n`);
    }
    env.markStateClean();
  }

  /**
   * A path ended, at an exit of the program or pruned as safe: the
   * checkpoints above it learn so, the stack liveness is brought up to date,
   * and the walk goes on with the next queued branch (false: none left).
   */
  private pathEnded(): boolean {
    const env = this.env;
    env.markAllScratched();
    if (this.pruning !== undefined) {
      this.pruning.explored.pathEnded(env.state);
      this.pruning.ctx.stackLiveness.updateLiveStack(env.state);
    }
    return this.popBranch();
  }

  /** `verbose_linfo`: the source line, when the instruction starts a new one. */
  private printSourceLine(insnIdx: number): void {
    const rec = lineInfoAt(this.env.program, insnIdx);
    if (rec === undefined || rec === this.prevLinfo) return;
    // records for other columns of the same line are not printed again
    if (this.prevLinfo !== undefined && isSameSourceLine(rec, this.prevLinfo)) return;
    this.env.log.write(`${formatSourceLine(rec)}\n`);
    this.prevLinfo = rec;
  }

  run(): void {
    const env = this.env;
    const insns = env.insns;
    let doPrintState = false;
    let prevInsnIdx = -1;
    env.markAllScratched();
    const pruning = this.pruning;
    for (;;) {
      env.prevInsnIdx = prevInsnIdx;
      if (pruning !== undefined) pruning.ctx.curHistEntry = undefined;
      if (env.insnIdx >= insns.length) {
        env.reject(EFAULT, `invalid insn idx ${env.insnIdx} insn_cnt ${insns.length}`);
      }
      const insn = insns[env.insnIdx]!;
      const cls = insn.code & 0x07;
      if (++this.processed > COMPLEXITY_LIMIT_INSNS) {
        env.reject(E2BIG, `BPF program is too large. Processed ${this.processed} insn`);
      }
      const log = env.log;
      if (pruning !== undefined) {
        const state = env.state;
        state.lastInsnIdx = env.prevInsnIdx;
        state.insnIdx = env.insnIdx;
        const { ctx, explored } = pruning;
        if (
          ctx.marks.prunePoints.has(env.insnIdx) &&
          explored.isStateVisited(env.insnIdx, this.processed, (i) => this.printSourceLine(i))
        ) {
          if (log.enabled) {
            log.write(
              doPrintState
                ? `\nfrom ${env.prevInsnIdx} to ${env.insnIdx}: safe\n`
                : `${env.insnIdx}: safe\n`,
            );
          }
          if (!this.pathEnded()) break;
          prevInsnIdx = env.prevInsnIdx;
          doPrintState = true;
          continue;
        }
        if (ctx.marks.jmpPoints.has(env.insnIdx)) pushJmpHistory(env, state, 0);
      }
      if (log.level2 && doPrintState) {
        log.write(`\nfrom ${env.prevInsnIdx} to ${env.insnIdx}:`);
        // printing everything leaves the scratch marks: the next instruction repeats the state
        log.write(`${formatFuncState(env.frame, env.names, undefined, env.state.refs)}\n`);
        doPrintState = false;
      }
      if (log.enabled) {
        if (env.stateScratched) this.printInsnState();
        this.printSourceLine(env.insnIdx);
        this.prevLogPos = log.endPos;
        log.write(`${env.insnIdx}: ${formatInsn(insns, env.insnIdx, disasmOptions)}\n`);
        this.prevInsnPrintPos = log.endPos - this.prevLogPos;
        this.prevLogPos = log.endPos;
      }
      env.errorLines = [];
      prevInsnIdx = env.insnIdx;
      const framesBefore = env.state.curframe;
      pruning?.ctx.stackLiveness.resetStackWriteMarks(env.state, env.insnIdx);
      if ((cls === BPF_JMP || cls === BPF_JMP32) && pruning !== undefined)
        pruning.explored.jmpsProcessed++;

      if (cls === BPF_ALU || cls === BPF_ALU64) {
        checkAluOp(env, insn);
      } else if (cls === BPF_LDX) {
        checkLoadMem(env, insn, (insn.code & 0xe0) === BPF_MEMSX);
      } else if (cls === BPF_STX) {
        if ((insn.code & 0xe0) === BPF_ATOMIC) {
          checkAtomic(env, insn);
          pruning?.ctx.stackLiveness.commitStackWriteMarks();
          env.insnIdx++;
          continue;
        }
        if ((insn.code & 0xe0) !== BPF_MEM || insn.imm !== 0)
          env.reject(EINVAL, "BPF_STX uses reserved fields");
        checkStoreReg(env, insn);
      } else if (cls === BPF_ST) {
        if ((insn.code & 0xe0) !== BPF_MEM || insn.src !== 0)
          env.reject(EINVAL, "BPF_ST uses reserved fields");
        checkStoreImm(env, insn);
      } else if (cls === BPF_JMP || cls === BPF_JMP32) {
        const op = insn.code & 0xf0;
        if (op === BPF_CALL) {
          if (
            (insn.code & 0x08) !== BPF_K ||
            (insn.src !== BPF_PSEUDO_KFUNC_CALL && insn.off !== 0) ||
            (insn.src !== 0 &&
              insn.src !== BPF_PSEUDO_CALL &&
              insn.src !== BPF_PSEUDO_KFUNC_CALL) ||
            insn.dst !== 0 ||
            cls === BPF_JMP32
          ) {
            env.reject(EINVAL, "BPF_CALL uses reserved fields");
          }
          if (insn.src === BPF_PSEUDO_CALL) {
            checkFuncCall(env, insn, this);
            // the walk entered the callee: its stack marks belong to another call chain
            if (env.state.curframe !== framesBefore) pruning?.ctx.stackLiveness.resetCallchain();
          } else if (insn.src === BPF_PSEUDO_KFUNC_CALL) {
            checkKfuncCallUnderLock(env, insn);
            checkKfuncCall(env, insn, this);
          } else checkHelperCall(env, insn, this);
          env.markRegScratched(0);
        } else if (op === BPF_JA) {
          if (
            (insn.code & 0x08) !== BPF_K ||
            insn.src !== 0 ||
            insn.dst !== 0 ||
            (cls === BPF_JMP && insn.imm !== 0) ||
            (cls === BPF_JMP32 && insn.off !== 0)
          ) {
            env.reject(EINVAL, "BPF_JA uses reserved fields");
          }
          pruning?.ctx.stackLiveness.commitStackWriteMarks();
          env.insnIdx += (cls === BPF_JMP ? insn.off : insn.imm) + 1;
          continue;
        } else if (op === BPF_EXIT) {
          if (
            (insn.code & 0x08) !== BPF_K ||
            insn.imm !== 0 ||
            insn.src !== 0 ||
            insn.dst !== 0 ||
            cls === BPF_JMP32
          ) {
            env.reject(EINVAL, "BPF_EXIT uses reserved fields");
          }
          checkResourceLeak(env, env.state.curframe === 0, "BPF_EXIT instruction in main prog");
          if (env.state.curframe > 0) {
            pruning?.ctx.stackLiveness.updateLiveStack(env.state);
            prepareFuncExit(env);
            doPrintState = true;
            continue;
          }
          checkReturnCode(env);
          pruning?.ctx.stackLiveness.commitStackWriteMarks();
          if (!this.pathEnded()) break;
          prevInsnIdx = env.prevInsnIdx;
          doPrintState = true;
          continue;
        } else {
          checkCondJmpOp(env, insn, this);
        }
      } else if (cls === BPF_LD) {
        const mode = insn.code & 0xe0;
        if (mode === BPF_ABS || mode === BPF_IND) {
          checkLdAbs(env, insn);
        } else if (mode === BPF_IMM) {
          checkLdImm(env, insn);
          env.insnIdx++;
        } else {
          env.reject(EINVAL, "invalid BPF_LD mode");
        }
      } else {
        env.reject(EINVAL, `unknown insn class ${cls}`);
      }
      pruning?.ctx.stackLiveness.commitStackWriteMarks();
      env.insnIdx++;
    }
  }
}

/**
 * `do_check_subprogs`: every global function a verified path called is
 * verified on its own, from its prototype, until no new one is called.
 */
function checkGlobalFuncs(env: VerifierEnv, walker: Walker): void {
  for (;;) {
    let verified = 0;
    env.subprogs.forEach((sub, i) => {
      if (i === 0 || sub.linkage !== "global") return;
      const info = funcArgsInfo(sub);
      if (!info.called || info.verified) return;
      env.state = initialState(i, sub.start);
      env.insnIdx = sub.start;
      env.prevInsnIdx = -1;
      walker.startPass();
      env.errorLines = [];
      // an unsupported prototype is reported right after this line, which is part of the error
      env.verbose(`Validating ${sub.name}() func#${i}...`);
      setUpGlobalFuncArgs(env, i);
      walker.run();
      if (!env.log.level2) env.log.reset(0);
      if (env.log.enabled) {
        env.log.write(`Func#${i} ('${sub.name}') is safe for any args that match its prototype\n`);
      }
      info.verified = true;
      verified++;
    });
    if (verified === 0) return;
  }
}

function statsLine(
  processed: number,
  maxStatesPerInsn: number,
  totalStates: number,
  peakStates: number,
): string {
  return `processed ${processed} insns (limit ${COMPLEXITY_LIMIT_INSNS}) max_states_per_insn ${maxStatesPerInsn} total_states ${totalStates} peak_states ${peakStates} mark_read 0`;
}

/**
 * The whole-program checks that run before the walk (`check_subprogs`,
 * `check_cfg`, `resolve_pseudo_ldimm64`...): their messages go to the log,
 * and their errors are the verdict's error lines.
 */
function checkStructure(
  env: VerifierEnv,
  program: ProgramSpec,
  logLevel: number,
): ProgramStructure {
  let partial = "";
  const structure = checkProgramStructure(
    program.insns,
    env.maps,
    program.funcInfo,
    (line, endsLine = true) => {
      // a few kernel messages end without a newline: the next output continues their line
      env.log.write(endsLine ? `${line}\n` : line);
      if (endsLine) {
        // `func#1 @12` lists subprograms at level 2; it is no error
        if (!/^func#\d+ @\d+$/.test(line)) env.errorLines.push(partial + line);
        partial = "";
      } else partial += line;
    },
    {
      lineInfo: program.lineInfo,
      logLevel,
      gplCompatible: isGplCompatible(program.license),
      programType: program.type,
      mapValueFields: (map) => mapValueFieldNames(env.spec, map) as ReadonlySet<MapValueField>,
    },
  );
  if (partial !== "") env.errorLines.push(partial);
  return structure;
}

/** The licenses the kernel counts as GPL-compatible (`license_is_gpl_compatible`). */
function isGplCompatible(license: string): boolean {
  return [
    "GPL",
    "GPL v2",
    "GPL and additional rights",
    "Dual BSD/GPL",
    "Dual MIT/GPL",
    "Dual MPL/GPL",
  ].includes(license);
}

/**
 * Verifies one program of an object the way Linux 6.18 does for a privileged
 * loader, and reports the verdict, the error lines, the log and statistics.
 */
export function verifyProgram(
  spec: ObjectSpec,
  program: ProgramSpec,
  options: VerifyOptions = {},
): VerifyResult {
  const logLevel = options.logLevel ?? 0;
  const started = performance.now();
  const env = new VerifierEnv(spec, program, logLevel, initialState());
  const walker = new Walker(env);
  let rejection: VerifierReject | undefined;
  let walked = false;
  try {
    const structure = checkStructure(env, program, logLevel);
    walker.pruning = setUpPruning(
      env,
      structure,
      structure.subprogs.map((s) => s.start),
      (i) => formatInsn(program.insns, i, disasmOptions),
    );
    walked = true;
    prepareMainFuncArgs(env);
    walker.run();
    // a program found safe at level 1 has no failing path to show (`do_check_common`)
    if (!env.log.level2) env.log.reset(0);
    checkGlobalFuncs(env, walker);
    // the whole-program checks after the walk blame no instruction
    walked = false;
    checkMaxStackDepth(env, structure.subprogs);
  } catch (err) {
    if (!(err instanceof VerifierReject)) throw err;
    rejection = err;
  }
  const verifyTimeUs = Math.round((performance.now() - started) * 1000);
  const log = env.log;
  if (logLevel & LOG_STATS) {
    log.write(`verification time ${verifyTimeUs} usec\n`);
    log.write(`${stackDepthLine(env)}\n`);
  }
  const stats = walker.pruning?.explored.stats ?? {
    totalStates: 0,
    peakStates: 0,
    maxStatesPerInsn: 0,
  };
  if (log.level !== 0) {
    log.write(
      `${statsLine(walker.processed, stats.maxStatesPerInsn, stats.totalStates, stats.peakStates)}\n`,
    );
  }
  // a program refused before the walk has no instruction to blame
  const insn = rejection === undefined || !walked ? undefined : env.insnIdx;
  return {
    verdict: rejection === undefined ? "accept" : "reject",
    errors: rejection === undefined ? [] : env.errorLines,
    errno: rejection?.errno ?? 0,
    insn,
    source: insn === undefined ? undefined : sourceLocation(program, insn),
    processed: walker.processed,
    maxStatesPerInsn: stats.maxStatesPerInsn,
    totalStates: stats.totalStates,
    peakStates: stats.peakStates,
    markRead: 0,
    verifyTimeUs,
    log: log.toString(),
  };
}

export { DST_OP, SRC_OP };
