/**
 * The whole-program checks before the walk, against the running kernel's
 * verdicts: test/verifier/data/cfg/*.txt hold raw instruction arrays, the
 * *.kernel.jsonl next to them what Linux 6.18 said about each (record.sh
 * re-records them). A kernel rejection with "processed 0 insns" came from
 * these checks, and tsbpf must print the same log and return the same errno;
 * anything else (accepted, or refused by the walk) must pass these checks,
 * with the lines they print (at log level 2) at the head of the kernel's log.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Insn } from "../../src/isa/insn.js";
import { makeLddw } from "../../src/isa/lddw.js";
import { parseObject } from "../../src/object/load.js";
import type { MapSpec } from "../../src/object/spec.js";
import {
  checkProgramStructure,
  isKnownOpcode,
  type ProgramStructure,
  type StructureOptions,
  subprogIndexAt,
} from "../../src/verifier/cfg.js";
import { E2BIG, EINVAL, VerifierReject } from "../../src/verifier/result.js";

const dataDir = join(dirname(fileURLToPath(import.meta.url)), "data", "cfg");

interface Case {
  readonly name: string;
  readonly logLevel: number;
  readonly maps: MapSpec[];
  readonly funcs: number[];
  readonly lines: number[];
  readonly insns: Insn[];
}

interface KernelVerdict {
  readonly name: string;
  readonly verdict: "accept" | "reject";
  readonly errno: number;
  readonly log: string;
}

function mapSpec(type: number, keySize: number, valueSize: number, maxEntries: number): MapSpec {
  return {
    name: `map${type}`,
    type,
    keySize,
    valueSize,
    maxEntries,
    flags: 0,
    keyTypeId: undefined,
    valueTypeId: undefined,
    innerMap: undefined,
    section: undefined,
    initialValue: undefined,
    readOnly: false,
  };
}

/** Reads the case format of raw-load.c. */
function parseCases(text: string): Case[] {
  const cases: Case[] = [];
  let current: { -readonly [K in keyof Case]: Case[K] } | undefined;
  for (const raw of text.split("\n")) {
    const fields = (raw.split("#")[0] ?? "").trim().split(/\s+/).filter(Boolean);
    if (fields.length === 0) continue;
    const [word, ...args] = fields;
    const nums = args.map((a) => Number(a));
    if (word === "case") {
      current = { name: args[0] ?? "", logLevel: 1, maps: [], funcs: [], lines: [], insns: [] };
      continue;
    }
    if (current === undefined) throw new Error(`line outside a case: ${raw}`);
    if (word === "loglevel") current.logLevel = nums[0] ?? 1;
    else if (word === "map")
      current.maps.push(mapSpec(nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 0, nums[3] ?? 0));
    else if (word === "func") current.funcs.push(nums[0] ?? 0);
    else if (word === "line") current.lines.push(nums[0] ?? 0);
    else if (word === "insn") {
      const [code = 0, dst = 0, src = 0, off = 0, imm = 0] = nums;
      current.insns.push({ code, dst, src, off, imm });
    } else if (word === "end") {
      cases.push(current);
      current = undefined;
    } else if (word !== "type") throw new Error(`unknown line: ${raw}`);
  }
  return cases;
}

function readCases(file: string): { testCase: Case; kernel: KernelVerdict }[] {
  const cases = parseCases(readFileSync(join(dataDir, `${file}.txt`), "utf8"));
  const verdicts = readFileSync(join(dataDir, `${file}.kernel.jsonl`), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as KernelVerdict);
  expect(verdicts.map((v) => v.name)).toEqual(cases.map((c) => c.name));
  return cases.map((testCase, i) => ({ testCase, kernel: verdicts[i] as KernelVerdict }));
}

interface Outcome {
  readonly log: string;
  readonly errno: number | undefined;
  readonly structure: ProgramStructure | undefined;
}

function run(
  insns: readonly Insn[],
  maps: readonly MapSpec[] = [],
  funcs: readonly number[] = [],
  options: StructureOptions = {},
): Outcome {
  let log = "";
  const sink = (line: string, endsLine = true) => {
    log += endsLine ? `${line}\n` : line;
  };
  const funcInfo = funcs.map((insn, i) => ({ insn, typeId: 3 + i }));
  try {
    const structure = checkProgramStructure(insns, maps, funcInfo, sink, options);
    return { log, errno: undefined, structure };
  } catch (e) {
    if (!(e instanceof VerifierReject)) throw e;
    if (log !== "") expect(log.endsWith(`${e.message}\n`) || log.endsWith(e.message)).toBe(true);
    return { log, errno: e.errno, structure: undefined };
  }
}

function runCase(c: Case): Outcome {
  return run(c.insns, c.maps, c.funcs, {
    logLevel: c.logLevel,
    lineInfo: c.lines.map((insn) => ({ insn })),
  });
}

const STATS =
  /processed (\d+) insns \(limit 1000000\) max_states_per_insn \d+ total_states \d+ peak_states \d+ mark_read \d+\n$/;

/** Whether the kernel refused the program before walking it: nothing processed. */
function rejectedBeforeWalk(kernel: KernelVerdict): boolean {
  return kernel.verdict === "reject" && STATS.exec(kernel.log)?.[1] === "0";
}

function checkAgainstKernel(testCase: Case, kernel: KernelVerdict): void {
  const ours = runCase(testCase);
  if (rejectedBeforeWalk(kernel)) {
    expect(ours.log + STATS.exec(kernel.log)?.[0]).toBe(kernel.log);
    expect(ours.errno).toBe(kernel.errno);
  } else {
    expect(ours.errno, ours.log).toBeUndefined();
    expect(kernel.log.startsWith(ours.log)).toBe(true);
  }
}

describe("structural checks agree with Linux 6.18", () => {
  for (const file of ["cases", "subprog-limits"]) {
    describe(file, () => {
      for (const { testCase, kernel } of readCases(file)) {
        it(`${testCase.name}: kernel ${kernel.verdict} ${kernel.errno}`, () =>
          checkAgainstKernel(testCase, kernel));
      }
    });
  }

  it("every opcode byte: unknown ones, reserved load modes and lddw shape as the kernel", () => {
    const pairs = readCases("opcodes");
    expect(pairs).toHaveLength(256);
    const disagreements: string[] = [];
    for (const { testCase, kernel } of pairs) {
      const ours = runCase(testCase);
      const kernelBefore = rejectedBeforeWalk(kernel) ? kernel.log.replace(STATS, "") : "";
      if (ours.log !== kernelBefore || (kernelBefore !== "" && ours.errno !== kernel.errno)) {
        disagreements.push(
          `${testCase.name}: ours ${JSON.stringify(ours.log)}, kernel ${JSON.stringify(kernelBefore)}`,
        );
      }
    }
    expect(disagreements).toEqual([]);
  });

  it("covers at least 25 kernel-recorded cases with both verdicts", () => {
    const all = readCases("cases");
    expect(all.length).toBeGreaterThanOrEqual(25);
    expect(all.filter((p) => rejectedBeforeWalk(p.kernel)).length).toBeGreaterThan(20);
    expect(all.filter((p) => p.kernel.verdict === "accept").length).toBeGreaterThan(5);
  });
});

/** The first lines of the kernel's pre-walk rejections, as these checks print them. */
const PRE_WALK_MESSAGES =
  /^(jump out of range from insn|unreachable insn|last insn is not an exit or jmp|invalid bpf_ld_imm64 insn|unrecognized bpf_ld_imm64 insn|unknown opcode|BPF_LDX uses reserved fields|call to invalid destination|too many subprograms|jump into the middle of ldimm64 insn|invalid access to map value pointer|(LD_ABS|tail_call) is not allowed in subprogs without BTF|number of funcs in func_info|func_info BTF section|missing bpf_line_info|Invalid line_info)/;

interface FixtureVerdict {
  readonly verdict: "accept" | "reject";
  readonly errno: number;
  readonly stage: string;
  readonly errors: readonly string[];
}

describe("clang-built fixtures (test/fixtures) against their recorded kernel verdicts", () => {
  const fixtures = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures");
  const verdicts = JSON.parse(
    readFileSync(join(fixtures, "kernel-verdicts.json"), "utf8"),
  ) as Record<string, FixtureVerdict>;
  for (const file of readdirSync(fixtures).filter((name) => name.endsWith(".o"))) {
    it(file, () => {
      const spec = parseObject(new Uint8Array(readFileSync(join(fixtures, file))));
      for (const program of spec.programs) {
        const kernel = verdicts[`${file}:${program.name}`];
        if (kernel === undefined || kernel.stage !== "verifier") continue;
        const lines: string[] = [];
        let errno: number | undefined;
        try {
          checkProgramStructure(
            program.insns,
            spec.maps,
            program.funcInfo,
            (line) => lines.push(line),
            {
              lineInfo: program.lineInfo,
              programType: program.type,
            },
          );
        } catch (e) {
          if (!(e instanceof VerifierReject)) throw e;
          errno = e.errno;
        }
        const beforeWalk =
          kernel.verdict === "reject" && PRE_WALK_MESSAGES.test(kernel.errors[0] ?? "");
        expect({ program: program.name, lines, errno }).toEqual({
          program: program.name,
          lines: beforeWalk ? kernel.errors : [],
          errno: beforeWalk ? kernel.errno : undefined,
        });
      }
    });
  }
});

const EXIT: Insn = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
const MOV_R0_0: Insn = { code: 0xb7, dst: 0, src: 0, off: 0, imm: 0 };

function call(imm: number): Insn {
  return { code: 0x85, dst: 0, src: 1, off: 0, imm };
}

function jeq(off: number): Insn {
  return { code: 0x15, dst: 0, src: 0, off, imm: 0 };
}

describe("what the walk gets", () => {
  it("subprograms with their ends, tail calls and LD_ABS", () => {
    const insns = [
      call(2), // 0
      MOV_R0_0,
      EXIT,
      { code: 0x85, dst: 0, src: 0, off: 0, imm: 12 }, // 3: bpf_tail_call
      MOV_R0_0,
      EXIT,
    ];
    const { structure } = run(insns, [], [0, 3]);
    expect(structure?.subprogs).toEqual([
      { start: 0, end: 3, hasTailCall: false, hasLdAbs: false },
      { start: 3, end: 6, hasTailCall: true, hasLdAbs: false },
    ]);
    expect(structure && subprogIndexAt(structure, 2)).toBe(0);
    expect(structure && subprogIndexAt(structure, 4)).toBe(1);
  });

  it("prune and jump points as visit_insn marks them", () => {
    const program = [
      MOV_R0_0, // 0
      jeq(2), // 1: -> 4, falls to 2
      call(2), // 2: -> 5, returns to 3
      { code: 0x05, dst: 0, src: 0, off: 0, imm: 0 }, // 3: goto pc+0 -> 4
      EXIT, // 4
      MOV_R0_0, // 5: subprogram
      EXIT, // 6
    ];
    const { structure, log } = run(program);
    expect(log).toBe("");
    const sorted = (set: ReadonlySet<number> | undefined) => [...(set ?? [])].sort((x, y) => x - y);
    // 1: conditional jump; 2: call into a subprogram; 3: where the call returns;
    // 4 and 5: targets of a jump and of the call.
    expect(sorted(structure?.prunePoints)).toEqual([1, 2, 3, 4, 5]);
    expect(sorted(structure?.jmpPoints)).toEqual([3, 4, 5]);
    expect(sorted(structure?.jumpTargets)).toEqual([4, 5]);
    expect(structure?.forceCheckpoints.size).toBe(0);
    expect(structure?.callsCallback.size).toBe(0);
  });

  it("may_goto forces a checkpoint; bpf_loop marks a callback call", () => {
    const program = [
      MOV_R0_0, // 0
      { code: 0xe5, dst: 0, src: 0, off: 1, imm: 0 }, // 1: may_goto +1
      { code: 0x85, dst: 0, src: 0, off: 0, imm: 181 }, // 2: bpf_loop
      EXIT, // 3
    ];
    const { structure } = run(program);
    expect([...(structure?.forceCheckpoints ?? [])].sort()).toEqual([1, 2]);
    expect([...(structure?.callsCallback ?? [])]).toEqual([2]);
  });

  it("map references by lddw index, and the maps in order of first use", () => {
    const maps = [mapSpec(2, 4, 8, 1), mapSpec(1, 4, 8, 16)];
    const program = [
      ...makeLddw(1, 1n, 1), // 0: map 1
      ...makeLddw(2, 0n | (4n << 32n), 2), // 2: map 0, value + 4
      ...makeLddw(3, 1n, 1), // 4: map 1 again
      MOV_R0_0,
      EXIT,
    ];
    const { structure } = run(program, maps);
    expect(structure?.usedMaps).toEqual([1, 0]);
    expect(structure?.mapRefs.get(0)).toEqual({ map: 1, valueOffset: undefined });
    expect(structure?.mapRefs.get(2)).toEqual({ map: 0, valueOffset: 4 });
    expect(structure?.mapRefs.size).toBe(3);
  });
});

describe("checks the kernel makes on inputs a raw loader cannot easily build", () => {
  it("refuses an empty program without a log line, as BPF_PROG_LOAD does", () => {
    expect(run([])).toEqual({ log: "", errno: E2BIG, structure: undefined });
  });

  it("refuses a second arena and a second cgroup storage of one type with EBUSY", () => {
    const arena = mapSpec(33, 0, 0, 10);
    const program = [...makeLddw(1, 0n, 1), ...makeLddw(2, 1n, 1), MOV_R0_0, EXIT];
    expect(run(program, [arena, arena])).toMatchObject({
      log: "Only one arena per program\n",
      errno: 16,
    });
    const storage = mapSpec(19, 12, 8, 0);
    expect(run(program, [storage, storage])).toMatchObject({
      log: "only one cgroup storage of each type is allowed\n",
      errno: 16,
    });
    expect(run(program, [storage, mapSpec(21, 12, 8, 0)]).errno).toBeUndefined();
  });

  it("limits the maps of one program to 64", () => {
    const maps = Array.from({ length: 65 }, () => mapSpec(2, 4, 8, 1));
    const program = [...maps.flatMap((_, i) => makeLddw(1, BigInt(i), 1)), MOV_R0_0, EXIT];
    expect(run(program, maps)).toMatchObject({
      log: "The total number of maps per program has reached the limit of 64\n",
      errno: E2BIG,
    });
    expect(run([...program.slice(2)], maps).errno).toBeUndefined();
  });

  it("refuses struct_ops maps and typed ksyms", () => {
    const program = [...makeLddw(1, 0n, 1), MOV_R0_0, EXIT];
    expect(run(program, [mapSpec(26, 4, 8, 1)]).log).toBe(
      "bpf_struct_ops map cannot be used in prog\n",
    );
    expect(run([...makeLddw(1, 77n, 3), MOV_R0_0, EXIT]).log).toBe(
      "ldimm64 insn specifies invalid btf_id 77.\n",
    );
  });

  it("refuses maps whose value fields the program type may not use, map by map in program order", () => {
    const lists = mapSpec(2, 4, 48, 1);
    const plain = mapSpec(1, 4, 8, 16);
    const program = [...makeLddw(1, 1n, 1), ...makeLddw(2, 0n, 1), MOV_R0_0, EXIT];
    const fields = (map: MapSpec) =>
      new Set<"bpf_list_head" | "bpf_spin_lock">(
        map === lists ? ["bpf_list_head", "bpf_spin_lock"] : [],
      );
    // the fixture list_errors_reject.o:list_map_in_kprobe got this line from the kernel
    expect(
      run(program, [lists, plain], [], { programType: "kprobe", mapValueFields: fields }),
    ).toMatchObject({
      log: "tracing progs cannot use bpf_{list_head,rb_root} yet\n",
      errno: EINVAL,
    });
    expect(
      run(program, [lists, plain], [], { programType: "socket_filter", mapValueFields: fields })
        .log,
    ).toBe("socket filter progs cannot use bpf_spin_lock yet\n");
    expect(
      run(program, [lists, plain], [], { programType: "sched_cls", mapValueFields: fields }).errno,
    ).toBeUndefined();
    expect(run(program, [lists, mapSpec(3, 4, 4, 4)], [], { sleepable: true }).log).toBe(
      "Sleepable programs can only use array, hash, ringbuf and local storage maps\n",
    );
  });

  it("refuses kfuncs in programs that are not GPL, at the first kfunc call", () => {
    const program = [{ code: 0x85, dst: 0, src: 2, off: 0, imm: 0 }, MOV_R0_0, EXIT];
    expect(run(program, [], [], { gplCompatible: false })).toMatchObject({
      log: "cannot call kernel function from non-GPL compatible program\n",
      errno: EINVAL,
    });
  });

  it("with func info, LD_ABS and tail calls need a subprogram returning int", () => {
    const program = [call(2), MOV_R0_0, EXIT, { code: 0x20, dst: 0, src: 0, off: 0, imm: 0 }, EXIT];
    expect(run(program, [], [0, 3], { returnsScalar: () => false }).log).toBe(
      "LD_ABS is only allowed in functions that return 'int'.\n",
    );
    expect(run(program, [], [0, 3], { returnsScalar: () => true }).errno).toBeUndefined();
  });

  it("knows the opcodes clang emits for BPF v4", () => {
    for (const code of [0xd7, 0x81, 0x89, 0x91, 0x06, 0xe5, 0xd3, 0xcb])
      expect(isKnownOpcode(code)).toBe(true);
    for (const code of [0x0d, 0x8d, 0x99, 0xdf, 0xe6]) expect(isKnownOpcode(code)).toBe(false);
  });
});
