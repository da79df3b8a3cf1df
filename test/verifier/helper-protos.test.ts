/**
 * Helper prototypes and per-program-type allow lists against the running
 * kernel: test/verifier/data/record-probes.sh loaded `call id` for every
 * helper id and program type and kept the verifier's answer; the oracle cases
 * (test/verifier/data/helpers/) are C programs calling helpers, loaded with
 * libbpf.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProgramType } from "../../src/object/spec.js";
import {
  ARG_ANYTHING,
  ARG_CONST_MAP_PTR,
  ARG_CONST_SIZE,
  ARG_CONST_SIZE_OR_ZERO,
  ARG_PTR_TO_CTX,
  ARG_PTR_TO_CTX_OR_NULL,
  ARG_PTR_TO_FUNC,
  ARG_PTR_TO_MAP_KEY,
  ARG_PTR_TO_MAP_VALUE,
  ARG_PTR_TO_MEM,
  ARG_PTR_TO_RINGBUF_MEM,
  ARG_PTR_TO_SPIN_LOCK,
  ARG_PTR_TO_STACK_OR_NULL,
  ARG_PTR_TO_UNINIT_MEM,
  HELPER_ID_LIMIT,
  type HelperProto,
  helperAllowListModelled,
  helperName,
  helperProto,
  MEM_RDONLY,
  OBJ_RELEASE,
  RET_INTEGER,
  RET_PTR_TO_MAP_VALUE_OR_NULL,
  RET_PTR_TO_RINGBUF_MEM_OR_NULL,
  RET_PTR_TO_SOCKET_OR_NULL,
  RET_VOID,
} from "../../src/verifier/calls/helper-protos.js";

const data = join(import.meta.dirname, "data", "helpers");

interface MatrixEntry {
  progType: number;
  attachType: number;
  maxId: number;
  unknown: number[];
  denied: number[];
  known: Record<string, string>;
}
const matrix: Record<string, MatrixEntry> = JSON.parse(
  readFileSync(join(data, "kernel-helpers-matrix.json"), "utf8"),
);

function verdictOf(id: number, progType: ProgramType): string {
  const r = helperProto(id, progType);
  return typeof r === "string" ? r : "known";
}

describe("which helpers each program type may call, as the kernel answers", () => {
  for (const [key, entry] of Object.entries(matrix)) {
    const progType = key.split("@")[0] as ProgramType;
    it(key, () => {
      expect(helperAllowListModelled(progType)).toBe(true);
      const ours = { unknown: [] as number[], denied: [] as number[], known: [] as number[] };
      for (let id = 0; id <= entry.maxId; id++) {
        const v = verdictOf(id, progType);
        (v === "unknown" ? ours.unknown : v === "not-allowed" ? ours.denied : ours.known).push(id);
      }
      expect(ours.unknown).toEqual(entry.unknown);
      expect(ours.denied).toEqual(entry.denied);
      expect(ours.known).toEqual(
        Object.keys(entry.known)
          .map(Number)
          .sort((a, b) => a - b),
      );
    });
  }
});

/**
 * With r1 = ctx and r2..r5 uninitialised, the kernel checks arguments in
 * order: a helper with no arguments goes through ("processed ..."); one whose
 * first argument takes a context pointer (or anything) stops at r2 when it has
 * a second argument (`R2 !read_ok`) and goes through when it has not; any
 * other first argument refuses r1.
 */
function expectedFirstArgOutcome(proto: HelperProto, progType: ProgramType): string {
  // checked before the arguments
  if (proto.allowedCheck) return "helper call is not allowed in probe";
  if (proto.mightSleep && progType !== "syscall")
    return "helper call might sleep in a non-sleepable prog";
  // check_get_func_ip: only kprobes and trampoline-attached programs know their function
  if (proto.id === 173 && progType !== "kprobe") return "not supported";
  const args = proto.args;
  if (args.length === 0) return "processed";
  const a1 = args[0];
  if (a1 === ARG_PTR_TO_CTX || a1 === ARG_PTR_TO_CTX_OR_NULL || a1 === ARG_ANYTHING) {
    return args.length >= 2 ? "R2" : "processed";
  }
  return "R1";
}

function kernelFirstArgOutcome(line: string): string {
  if (line.startsWith("processed ")) return "processed";
  if (/^func bpf_\w+#\d+ not supported for program type \d+$/.test(line)) return "not supported";
  if (line.startsWith("R2 ")) return "R2";
  if (line.startsWith("R1 ")) return "R1";
  return line;
}

describe("argument counts and first arguments, as the kernel checks them", () => {
  for (const [key, entry] of Object.entries(matrix)) {
    const progType = key.split("@")[0] as ProgramType;
    it(key, () => {
      const mismatches: string[] = [];
      for (const [idText, line] of Object.entries(entry.known)) {
        const proto = helperProto(Number(idText), progType);
        if (typeof proto === "string") continue;
        const kernel = kernelFirstArgOutcome(line);
        const ours = expectedFirstArgOutcome(proto, progType);
        if (kernel !== ours)
          mismatches.push(`${proto.name}#${idText}: kernel "${line}", ours ${ours}`);
      }
      expect(mismatches).toEqual([]);
    });
  }
});

const PREFIX_TYPES: Record<string, ProgramType> = {
  tc: "sched_cls",
  xdp: "xdp",
  kp: "kprobe",
  sock: "socket_filter",
  cgskb: "cgroup_skb",
  tp: "tracepoint",
  rawtp: "raw_tracepoint",
  pe: "perf_event",
};

interface OracleVerdict {
  verdict: "accept" | "reject";
  errno: number;
  errors: string[];
}

describe("helper calls in clang-built programs, as the kernel's verifier judged them", () => {
  const verdicts: Record<string, OracleVerdict> = JSON.parse(
    readFileSync(join(data, "kernel-verdicts.json"), "utf8"),
  );
  it("has at least 20 cases", () => {
    expect(Object.keys(verdicts).length).toBeGreaterThanOrEqual(20);
  });
  for (const [prog, kernel] of Object.entries(verdicts)) {
    it(prog, () => {
      const m = /^([a-z]+)_(ok|no|bad)_(\d+)/.exec(prog);
      expect(m).not.toBeNull();
      if (m === null) return;
      const progType = PREFIX_TYPES[m[1]];
      const id = Number(m[3]);
      const r = helperProto(id, progType);
      if (kernel.verdict === "accept") {
        expect(typeof r).toBe("object");
        return;
      }
      // the message check_helper_call prints for each refusal
      const line =
        r === "unknown"
          ? `invalid func ${helperName(id)}#${id}`
          : r === "not-allowed"
            ? `program of this type cannot use helper ${helperName(id)}#${id}`
            : "(accepted)";
      expect(kernel.errors).toEqual([line]);
    });
  }
});

describe("prototypes, as the kernel declares them", () => {
  const proto = (id: number, t: ProgramType = "sched_cls") => {
    const r = helperProto(id, t);
    if (typeof r === "string") throw new Error(`${id}: ${r}`);
    return r;
  };
  it("map helpers", () => {
    expect(proto(1)).toMatchObject({
      name: "bpf_map_lookup_elem",
      ret: RET_PTR_TO_MAP_VALUE_OR_NULL,
      args: [ARG_CONST_MAP_PTR, ARG_PTR_TO_MAP_KEY],
      pktAccess: true,
    });
    expect(proto(2).args).toEqual([
      ARG_CONST_MAP_PTR,
      ARG_PTR_TO_MAP_KEY,
      ARG_PTR_TO_MAP_VALUE,
      ARG_ANYTHING,
    ]);
    expect(proto(3).ret).toBe(RET_INTEGER);
  });
  it("ring buffer helpers reserve and release", () => {
    expect(proto(131)).toMatchObject({ ret: RET_PTR_TO_RINGBUF_MEM_OR_NULL });
    expect(proto(132)).toMatchObject({
      ret: RET_VOID,
      args: [ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE, ARG_ANYTHING],
    });
    expect(proto(133).args[0]).toBe(ARG_PTR_TO_RINGBUF_MEM | OBJ_RELEASE);
    expect(proto(130).args).toEqual([
      ARG_CONST_MAP_PTR,
      ARG_PTR_TO_MEM | MEM_RDONLY,
      ARG_CONST_SIZE_OR_ZERO,
      ARG_ANYTHING,
    ]);
  });
  it("bpf_loop, spin locks, trace_printk, tail calls", () => {
    expect(proto(181).args).toEqual([
      ARG_ANYTHING,
      ARG_PTR_TO_FUNC,
      ARG_PTR_TO_STACK_OR_NULL,
      ARG_ANYTHING,
    ]);
    expect(proto(93)).toMatchObject({ ret: RET_VOID, args: [ARG_PTR_TO_SPIN_LOCK] });
    expect(proto(6)).toMatchObject({
      gplOnly: true,
      args: [ARG_PTR_TO_MEM | MEM_RDONLY, ARG_CONST_SIZE],
    });
    expect(proto(12)).toMatchObject({
      ret: RET_VOID,
      args: [ARG_PTR_TO_CTX, ARG_CONST_MAP_PTR, ARG_ANYTHING],
    });
  });
  it("packet and socket helpers", () => {
    expect(proto(26).args).toEqual([
      ARG_PTR_TO_CTX,
      ARG_ANYTHING,
      ARG_PTR_TO_UNINIT_MEM,
      ARG_CONST_SIZE,
    ]);
    expect(proto(84)).toMatchObject({ ret: RET_PTR_TO_SOCKET_OR_NULL, pktAccess: true });
    expect(proto(84, "cgroup_sock_addr").pktAccess).toBe(false);
    expect(proto(16, "kprobe").args).toEqual([ARG_PTR_TO_UNINIT_MEM, ARG_CONST_SIZE]);
  });
  it("names and ranges", () => {
    expect(helperName(1)).toBe("bpf_map_lookup_elem");
    expect(helperName(0)).toBe("bpf_unspec");
    expect(helperName(HELPER_ID_LIMIT)).toBe("unknown");
    expect(helperProto(-1, "xdp")).toBe("unknown");
    expect(helperProto(HELPER_ID_LIMIT, "xdp")).toBe("unknown");
    expect(helperProto(0, "xdp")).toBe("not-allowed");
  });
});
