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
const matrix: Record<string, MatrixEntry> = JSON.parse(readFileSync(join(data, "kernel-helpers-matrix.json"), "utf8"));

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
function expectedFirstArgOutcome(args: readonly number[]): "processed" | "R2" | "R1" {
  if (args.length === 0) return "processed";
  const a1 = args[0];
  if (a1 === ARG_PTR_TO_CTX || a1 === ARG_PTR_TO_CTX_OR_NULL || a1 === ARG_ANYTHING) {
    return args.length >= 2 ? "R2" : "processed";
  }
  return "R1";
}

function kernelFirstArgOutcome(line: string): "processed" | "R2" | "R1" | string {
  if (line.startsWith("processed ")) return "processed";
  if (line.startsWith("R2 ")) return "R2";
  if (/^R1 /.test(line)) return "R1";
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
        const ours = expectedFirstArgOutcome(proto.args);
        if (kernel !== ours) mismatches.push(`${proto.name}#${idText}: kernel "${line}", ours ${ours}`);
      }
      expect(mismatches).toEqual([]);
    });
  }
});
