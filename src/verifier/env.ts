import type { Btf } from "../btf/btf.js";
import type { Insn } from "../isa/insn.js";
import type { MapSpec, ObjectSpec, ProgramSpec, ProgramType } from "../object/spec.js";
import { type LogNames, VerifierLog } from "./log.js";
import { markRegUnknown, type RegState } from "./reg-state.js";
import { NOT_INIT } from "./reg-types.js";
import { EACCES, EINVAL, VerifierReject } from "./result.js";
import { BPF_REG_FP, curFrame, type FuncState, MAX_BPF_REG, type VerifierState } from "./state.js";

/** How an instruction uses a register operand: the kernel's `enum reg_arg_type`. */
export const SRC_OP = 0;
export const DST_OP = 1;
export const DST_OP_NO_MARK = 2;

const BPF_OBJ_NAME_LEN = 16;

/** A function of the program: the main program (0) or a subprogram. */
export interface Subprog {
  /** first instruction */
  readonly start: number;
  /** the FUNC name from BTF, or `func#N` */
  readonly name: string;
  /** global functions are verified on their own, against their BTF prototype */
  readonly linkage: "static" | "global";
  /** the FUNC_PROTO type id, 0 without BTF */
  readonly protoId: number;
  /** deepest stack use seen, in bytes */
  stackDepth: number;
}

/** Where the subprograms start: the entry, every bpf-to-bpf call target and every callback address. */
function findSubprogs(program: ProgramSpec, btf: Btf | undefined): Subprog[] {
  const starts = new Set<number>([0]);
  program.insns.forEach((insn, i) => {
    const isCall = insn.code === 0x85 && insn.src === 1;
    const isFuncAddr = insn.code === 0x18 && insn.src === 4;
    if (isCall || isFuncAddr) starts.add(i + insn.imm + 1);
  });
  return [...starts]
    .sort((a, b) => a - b)
    .map((start, i) => {
      const info = program.funcInfo.find((f) => f.insn === start);
      const func = info === undefined ? undefined : btf?.types[info.typeId];
      const linkage =
        func?.kind === "func" && func.linkage === "global" && i > 0 ? "global" : "static";
      return {
        start,
        name: func?.name ?? `func#${i}`,
        linkage,
        protoId: func?.kind === "func" ? func.type : 0,
        stackDepth: 0,
      };
    });
}

/**
 * Everything one verification run shares: the program, its maps, the log,
 * the current state and the id counter. Checks take the env and change
 * `env.state` through a few named functions.
 */
export class VerifierEnv {
  readonly insns: readonly Insn[];
  /**
   * The object's maps, then one entry per map-in-map for the inner map its
   * lookups yield (nameless, as the kernel's `inner_map_meta`).
   */
  readonly maps: readonly MapSpec[];
  private readonly innerMaps: ReadonlyMap<number, number>;
  readonly btf: Btf | undefined;
  readonly progType: ProgramType;
  readonly log: VerifierLog;
  readonly names: LogNames;
  state: VerifierState;
  readonly subprogs: Subprog[];
  insnIdx = 0;
  prevInsnIdx = -1;
  /** the kernel's `env->id_gen`: ids for null checks, packet ranges and references */
  private idGen = 0;
  /** registers (bits 0..10) and stack slots written or read since the state was last printed */
  scratchedRegs = 0;
  scratchedStack = 0n;
  /** lines of the error being reported, since the last instruction line */
  errorLines: string[] = [];

  constructor(
    readonly spec: ObjectSpec,
    readonly program: ProgramSpec,
    logLevel: number,
    state: VerifierState,
  ) {
    this.insns = program.insns;
    const maps = [...spec.maps];
    const innerMaps = new Map<number, number>();
    spec.maps.forEach((map, i) => {
      if (map.innerMap === undefined) return;
      innerMaps.set(i, maps.length);
      maps.push({ ...map.innerMap, name: "" });
    });
    this.maps = maps;
    this.innerMaps = innerMaps;
    this.btf = spec.btf;
    this.progType = program.type;
    this.log = new VerifierLog(logLevel);
    this.state = state;
    this.subprogs = findSubprogs(program, spec.btf);
    this.names = {
      // the kernel knows maps by the name libbpf created them with, cut to 15 characters
      mapName: (i) => (this.maps[i]?.name ?? "").slice(0, BPF_OBJ_NAME_LEN - 1),
      mapKeySize: (i) => this.maps[i]?.keySize ?? 0,
      mapValueSize: (i) => this.maps[i]?.valueSize ?? 0,
      btfTypeName: (id) => (id === 0 ? "" : (this.btf?.types[id]?.name ?? "")),
    };
  }

  /** The subprogram an instruction belongs to (`find_subprog` for a start, containment otherwise). */
  subprogAt(insn: number): number {
    let found = 0;
    this.subprogs.forEach((s, i) => {
      if (s.start <= insn) found = i;
    });
    return found;
  }

  /** The map a lookup in map-in-map `outer` yields, or -1 when `outer` holds no maps. */
  innerMapOf(outer: number): number {
    return this.innerMaps.get(outer) ?? -1;
  }

  nextId(): number {
    return ++this.idGen;
  }

  get frame(): FuncState {
    return curFrame(this.state);
  }

  get regs(): RegState[] {
    return this.frame.regs;
  }

  reg(regno: number): RegState {
    return this.frame.regs[regno]!;
  }

  /** A line for the log that is part of an error report (or a warning before one). */
  verbose(line: string): void {
    this.log.write(`${line}\n`);
    this.errorLines.push(line);
  }

  /** Writes the error's last line and abandons verification with the kernel's errno. */
  reject(errno: number, line?: string): never {
    if (line !== undefined) this.verbose(line);
    throw new VerifierReject(errno, this.errorLines.join("\n"));
  }

  markRegScratched(regno: number): void {
    this.scratchedRegs |= 1 << regno;
  }

  markStackSlotScratched(spi: number): void {
    this.scratchedStack |= 1n << BigInt(spi);
  }

  markAllScratched(): void {
    this.scratchedRegs = (1 << MAX_BPF_REG) - 1;
    this.scratchedStack = (1n << 64n) - 1n;
  }

  get stateScratched(): boolean {
    return this.scratchedRegs !== 0 || this.scratchedStack !== 0n;
  }

  markStateClean(): void {
    this.scratchedRegs = 0;
    this.scratchedStack = 0n;
  }

  /** `check_reg_arg`: a source must be initialised; the frame pointer is never a destination. */
  checkRegArg(regno: number, t: number): void {
    if (regno >= MAX_BPF_REG) this.reject(EINVAL, `R${regno} is invalid`);
    this.markRegScratched(regno);
    const reg = this.reg(regno);
    if (t === SRC_OP) {
      if (reg.type === NOT_INIT) this.reject(EACCES, `R${regno} !read_ok`);
      return;
    }
    if (regno === BPF_REG_FP) this.reject(EACCES, "frame pointer is read only");
    if (t === DST_OP) markRegUnknown(reg);
  }
}
