/**
 * The context access table against the running kernel's answers, recorded by
 * test/verifier/data/record-probes.sh (every offset, size and direction per
 * program type) and by test/verifier/data/ctx/build.sh (C programs with one
 * context access each, loaded through tools/kernel-oracle).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProgramType } from "../../src/object/spec.js";
import { checkCtxAccess, ctxAccessModelled, ctxSize } from "../../src/verifier/ctx/index.js";
import { regTypeName } from "../../src/verifier/reg-types.js";

const data = join(import.meta.dirname, "data", "ctx");

interface MatrixEntry {
  progType: number;
  attachType: number;
  limit: number;
  accepted: string[];
}
const matrix: Record<string, MatrixEntry> = JSON.parse(
  readFileSync(join(data, "kernel-ctx-matrix.json"), "utf8"),
);

function describeOurs(
  progType: ProgramType,
  off: number,
  size: number,
  write: boolean,
  attachType: number,
): string | undefined {
  const r = checkCtxAccess(progType, off, size, write ? "write" : "read", {
    expectedAttachType: attachType,
  });
  if (!r.ok) return undefined;
  return `${write ? "w" : "r"} ${off} ${size} ${write ? "-" : regTypeName(r.regType)}`;
}

describe("context accesses, every offset and size, as the kernel answers them", () => {
  const modelled = Object.entries(matrix).filter(([key]) =>
    ctxAccessModelled(key.split("@")[0] as ProgramType),
  );
  it("covers the program types the brief names", () => {
    const types = new Set(modelled.map(([key]) => key.split("@")[0]));
    for (const t of [
      "socket_filter",
      "sched_cls",
      "sched_act",
      "xdp",
      "cgroup_skb",
      "kprobe",
      "tracepoint",
    ]) {
      expect(types).toContain(t);
    }
    for (const t of [
      "raw_tracepoint",
      "syscall",
      "perf_event",
      "sk_skb",
      "lwt_in",
      "flow_dissector",
    ]) {
      expect(types).toContain(t);
    }
  });
  for (const [key, entry] of modelled) {
    it(key, () => {
      const progType = key.split("@")[0] as ProgramType;
      const ours: string[] = [];
      for (let off = 0; off < entry.limit; off++) {
        for (const size of [1, 2, 4, 8]) {
          for (const write of [false, true]) {
            const line = describeOurs(progType, off, size, write, entry.attachType);
            if (line !== undefined) ours.push(line);
          }
        }
      }
      expect(ours.sort()).toEqual([...entry.accepted].sort());
    });
  }
});

describe("context access details", () => {
  it("records the field size of narrow loads", () => {
    const r = checkCtxAccess("sched_cls", 9, 1, "read");
    expect(r).toEqual({ ok: true, regType: 1, ctxFieldSize: 4 });
    const pe = checkCtxAccess("perf_event", 168, 4, "read");
    expect(pe.ok && pe.ctxFieldSize).toBe(8);
  });
  it("refuses sign-extending loads of packet pointers", () => {
    expect(checkCtxAccess("sched_cls", 76, 4, "read", { signExtend: true }).ok).toBe(false);
    expect(checkCtxAccess("xdp", 0, 4, "read", { signExtend: true }).ok).toBe(false);
    expect(checkCtxAccess("sched_cls", 0, 4, "read", { signExtend: true }).ok).toBe(true);
  });
  it("opens xdp egress_ifindex to devmap programs only", () => {
    expect(checkCtxAccess("xdp", 20, 4, "read").ok).toBe(false);
    expect(checkCtxAccess("xdp", 20, 4, "read", { expectedAttachType: 33 }).ok).toBe(true);
  });
  it("gives context sizes", () => {
    expect(ctxSize("sched_cls")).toBe(192);
    expect(ctxSize("xdp")).toBe(24);
    expect(ctxSize("kprobe")).toBe(168);
    expect(ctxSize("perf_event")).toBe(184);
    expect(ctxSize("raw_tracepoint")).toBe(96);
    expect(ctxSize("syscall")).toBe(65535);
    expect(ctxSize("tracepoint")).toBe(8192);
    expect(ctxSize("sock_ops")).toBe(0);
  });
  it("refuses sizes that are not 1, 2, 4 or 8 and types it does not model", () => {
    expect(checkCtxAccess("syscall", 0, 3, "read").ok).toBe(false);
    expect(checkCtxAccess("sock_ops", 0, 4, "read").ok).toBe(false);
    expect(ctxAccessModelled("sock_ops")).toBe(false);
  });
});

/** the program-type prefixes of ctx_access.bpf.c's program names */
const PREFIX_TYPES: Record<string, ProgramType> = {
  tc: "sched_cls",
  sock: "socket_filter",
  cgskb: "cgroup_skb",
  skskb: "sk_skb",
  // lwt_in and lwt_xmit share lwt_is_valid_access
  lwt: "lwt_in",
  flow: "flow_dissector",
  xdp: "xdp",
  kp: "kprobe",
  tp: "tracepoint",
  rawtp: "raw_tracepoint",
  pe: "perf_event",
  sys: "syscall",
};

interface OracleVerdict {
  verdict: "accept" | "reject";
  errno: number;
  errors: string[];
}

describe("context accesses in clang-built programs, as the kernel's verifier judged them", () => {
  const verdicts: Record<string, OracleVerdict> = JSON.parse(
    readFileSync(join(data, "kernel-verdicts.json"), "utf8"),
  );
  it("has at least 40 cases", () => {
    expect(Object.keys(verdicts).length).toBeGreaterThanOrEqual(40);
  });
  for (const [prog, kernel] of Object.entries(verdicts)) {
    it(prog, () => {
      const m = /^([a-z]+)_([rw])_(\d+)_(\d+)$/.exec(prog);
      expect(m).not.toBeNull();
      if (m === null) return;
      const progType = PREFIX_TYPES[m[1]];
      const off = Number(m[3]);
      const size = Number(m[4]) / 8;
      const r = checkCtxAccess(progType, off, size, m[2] === "w" ? "write" : "read");
      expect(r.ok ? "accept" : "reject").toBe(kernel.verdict);
      if (!r.ok)
        expect(kernel.errors).toEqual([`invalid bpf_context access off=${off} size=${size}`]);
    });
  }
});
