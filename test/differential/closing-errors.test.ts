import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { closingErrorLines, libbpfRefusalLines } from "./closing-errors.mjs";
import { repoRoot } from "./corpus.js";

/** Kernel logs recorded from Linux 6.18 with tools/kernel-oracle/oracle OBJ PROG LEVEL. */
function recordedLog(name: string): string {
  return readFileSync(join(repoRoot, "test/differential/logs", `${name}.log`), "utf8");
}

describe("closingErrorLines on recorded kernel logs", () => {
  const cases: [string, string[]][] = [
    [
      "basic_reject.no_bounds_check.level1",
      [
        "invalid access to packet, off=12 size=1, R1(id=0,off=12,r=0)",
        "R1 offset is outside of the packet",
      ],
    ],
    [
      "list_errors_reject.leak_object.level1",
      [
        "Unreleased reference id=2 alloc_insn=4",
        "BPF_EXIT instruction in main prog would lead to reference leak",
      ],
    ],
    [
      "verifier_cfg_reject.self_loop.level1",
      [
        "infinite loop detected at insn 1",
        "cur state: R0=0 R1=ctx() R10=fp0",
        "old state: R0=0 R1=ctx() R10=fp0",
      ],
    ],
    // no walk at all: refused by the control-flow check
    ["verifier_cfg_reject.jump_past_end.level1", ["jump out of range from insn 1 to 5"]],
    // the walk was discarded after it succeeded; the stack check ran afterwards
    [
      "verifier_calls.combined_stack_too_large_reject.level1",
      ["combined stack size of 2 calls is 544. Too large"],
    ],
    ["verifier_calls.recursion_reject.level1", ["the call stack of 8 frames is too deep !"]],
    // caller:/callee: and frame1 state lines belong to the walk; the leading
    // "Global function ... doesn't return scalar" note is before it
    ["verifier_calls.callee_reads_r6_reject.level1", ["R6 !read_ok"]],
    // level 2: mark_precise and state lines belong to the walk
    [
      "verifier_map_value.index_too_wide_reject.level2",
      [
        "invalid access to map value, value_size=24 off=24 size=8",
        "R6 max value is outside of the allowed memory range",
      ],
    ],
    // accepted programs: nothing after the walk
    ["verifier_scalars.compare_bounds_value.level2", []],
    ["verifier_calls.call_global.level1", []],
  ];
  for (const [name, expected] of cases) {
    it(name, () => {
      expect(closingErrorLines(recordedLog(name))).toEqual(expected);
    });
  }
});

describe("closingErrorLines on edge cases", () => {
  it("returns nothing for an empty log", () => {
    expect(closingErrorLines("")).toEqual([]);
  });

  it("takes everything after the walk when the statistics line is missing", () => {
    expect(closingErrorLines("0: R1=ctx() R10=fp0\n0: (95) exit\nR0 !read_ok\n")).toEqual([
      "R0 !read_ok",
    ]);
  });

  it("treats source lines and branch states as walk lines", () => {
    const log = [
      "0: (b7) r0 = 0",
      "from 1 to 3: R0=0 R10=fp0",
      "; return x; @ a.c:3",
      "first error",
      "second error",
      "processed 4 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0",
    ].join("\n");
    expect(closingErrorLines(log)).toEqual(["first error", "second error"]);
  });

  it("ignores anything after the statistics line", () => {
    const log =
      "1: (95) exit\nboom\nprocessed 1 insns (limit 1000000) max_states_per_insn 0\nverification time 5 usec\n";
    expect(closingErrorLines(log)).toEqual(["boom"]);
  });
});

describe("libbpfRefusalLines", () => {
  it("keeps the reason and drops the generic failure lines", () => {
    const log = [
      "libbpf: prog 'fentry_nanosleep': BPF program load failed: Operation not permitted",
      "libbpf: prog 'fentry_nanosleep': failed to load: -1",
      "libbpf: failed to load object 'test/fixtures/tracing_fentry.o'",
      "",
    ].join("\n");
    expect(libbpfRefusalLines(log)).toEqual([
      "libbpf: prog 'fentry_nanosleep': BPF program load failed: Operation not permitted",
    ]);
  });
});
