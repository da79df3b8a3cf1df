/**
 * The tsbpf library: parse a clang-built BPF object, inspect it, disassemble
 * it. Everything here runs in a browser as well as in Node; files are read by
 * the caller and handed in as bytes.
 */
import { BtfError } from "./btf/errors.js";
import { ElfError } from "./elf/errors.js";
import { disassemble as disassembleInsns, formatInsn } from "./isa/disasm.js";
import { AsmError, IsaError } from "./isa/errors.js";
import type { Insn } from "./isa/insn.js";
import { BPF_PSEUDO_MAP_FD, BPF_PSEUDO_MAP_VALUE } from "./isa/opcodes.js";
import { LoadError } from "./object/errors.js";
import { kfuncName } from "./object/kfuncs.js";
import { type ParseOptions, parseObject } from "./object/load.js";
import { formatSourceLine, isSameSourceLine } from "./object/source-lines.js";
import type { LineInfo, ObjectSpec, ProgramSpec } from "./object/spec.js";
import {
  createRuntime,
  type HeapStats,
  type MapHandle,
  type RunInput,
  type RunResult,
  type Runtime,
  type RuntimeOptions,
} from "./runtime/index.js";
import { type VerifyOptions, type VerifyResult, verifyProgram } from "./verifier/index.js";

export type { Btf, BtfKind, BtfType } from "./btf/btf.js";
export { assemble } from "./isa/asm.js";
export { decodeInsns } from "./isa/decode.js";
export { encodeInsns } from "./isa/encode.js";
export { helperName } from "./isa/helpers.js";
export type { Insn } from "./isa/insn.js";
export { kfuncId, kfuncName } from "./object/kfuncs.js";
export { objectNameFromPath, type ParseOptions, parseObject } from "./object/load.js";
export { mapTypeName } from "./object/map-types.js";
export { lineInfoAt, sourceLocation } from "./object/source-lines.js";
export type {
  FuncInfo,
  LineInfo,
  MapSpec,
  ObjectSpec,
  ProgramSpec,
  ProgramType,
} from "./object/spec.js";
export {
  BPF_ANY,
  BPF_EXIST,
  BPF_NOEXIST,
  type ConformanceOutcome,
  MapError,
  type MapHandle,
  type RunInput,
  type RunResult,
  RuntimeFault,
  runConformanceCase,
} from "./runtime/index.js";
export {
  AsmError,
  BtfError,
  ElfError,
  IsaError,
  LoadError,
  type VerifyOptions,
  type VerifyResult,
  verifyProgram,
};

/** An error tsbpf raises for bad input (as opposed to a bug in tsbpf). */
export function isInputError(
  err: unknown,
): err is ElfError | BtfError | LoadError | IsaError | AsmError {
  return (
    err instanceof ElfError ||
    err instanceof BtfError ||
    err instanceof LoadError ||
    err instanceof IsaError ||
    err instanceof AsmError
  );
}

/**
 * How map references print: the kernel shows `map[id:N]` for a map and
 * `map[id:N][0]+off` for a global data value; tsbpf's map ids are the map's
 * position in the object plus one.
 */
function ldImm64Text(insns: readonly Insn[], index: number): string | undefined {
  const insn = insns[index]!;
  if (insn.src === BPF_PSEUDO_MAP_FD) return `map[id:${insn.imm + 1}]`;
  if (insn.src === BPF_PSEUDO_MAP_VALUE)
    return `map[id:${insn.imm + 1}][0]+${insns[index + 1]?.imm ?? 0}`;
  return undefined;
}

const disasmOptions = { kfuncName: (imm: number) => kfuncName(imm), ldImm64: ldImm64Text };

/** One instruction of a program in the kernel verifier log's syntax, without its index. */
export function formatInstruction(program: ProgramSpec, index: number): string {
  return formatInsn(program.insns, index, disasmOptions);
}

export interface DisassembleOptions {
  /** interleave `; source @ file.c:12` lines from line info, as the verifier log does */
  readonly sourceLines?: boolean;
}

/**
 * A program as the kernel's verifier log lists it (`0: (b7) r0 = 0`), with the
 * source line printed before the first instruction of each line info record.
 */
export function disassembleProgram(
  program: ProgramSpec,
  options: DisassembleOptions = {},
): string[] {
  const lines = disassembleInsns(program.insns, disasmOptions);
  if (options.sourceLines === false || program.lineInfo.length === 0) return lines;
  const byInsn = new Map(program.lineInfo.map((rec) => [rec.insn, rec]));
  const out: string[] = [];
  let previous: LineInfo | undefined;
  for (const line of lines) {
    const index = Number.parseInt(line, 10);
    const rec = byInsn.get(index);
    if (rec !== undefined && (previous === undefined || !isSameSourceLine(rec, previous))) {
      out.push(formatSourceLine(rec));
      previous = rec;
    }
    out.push(line);
  }
  return out;
}

export interface LoadOptions extends ParseOptions, RuntimeOptions {}

/** A program of a loaded object: verify it, run it. */
export class BpfProgram {
  constructor(
    private readonly object: BpfObject,
    readonly spec: ProgramSpec,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** The Linux verifier's verdict and log for this program. */
  verify(options: VerifyOptions = {}): VerifyResult {
    return verifyProgram(this.object.spec, this.spec, options);
  }

  /**
   * Runs the program once (or `repeat` times) on the given packet or context,
   * as the kernel's BPF_PROG_TEST_RUN would, against the object's live maps.
   */
  run(input: RunInput = {}): RunResult {
    return this.object.runtime.run(this.spec.name, input);
  }
}

/** A loaded object: its programs and live maps, sharing one memory. */
export class BpfObject {
  /** @internal */
  readonly runtime: Runtime;

  constructor(
    readonly spec: ObjectSpec,
    options: RuntimeOptions = {},
  ) {
    this.runtime = createRuntime(spec, options);
  }

  programs(): BpfProgram[] {
    return this.spec.programs.map((p) => new BpfProgram(this, p));
  }

  program(name: string): BpfProgram {
    const spec = this.spec.programs.find((p) => p.name === name);
    if (spec === undefined) {
      const known = this.spec.programs.map((p) => p.name).join(", ") || "none";
      throw new LoadError(`no program named '${name}' (programs: ${known})`);
    }
    return new BpfProgram(this, spec);
  }

  map(name: string): MapHandle {
    return this.runtime.map(name);
  }

  maps(): MapHandle[] {
    return this.runtime.maps();
  }

  /**
   * The objects programs allocated with bpf_obj_new and still hold (in
   * lists, trees, map values): tests assert `liveObjects` returns to 0.
   */
  heapStats(): HeapStats {
    return this.runtime.heapStats();
  }

  close(): void {
    this.runtime.close();
  }
}

/** Parses (when given bytes) and loads an object: live maps, programs that can be verified and run. */
export function loadObject(input: Uint8Array | ObjectSpec, options: LoadOptions = {}): BpfObject {
  const spec = input instanceof Uint8Array ? parseObject(input, options) : input;
  return new BpfObject(spec, options);
}
