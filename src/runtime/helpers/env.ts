import type { BpfMap } from "../maps/map.js";
import type { DecodedProgram } from "../program.js";

/** What helpers need from the runtime beyond the machine itself. */
export interface HelperEnv {
  /** the map whose pointer (lddw BPF_PSEUDO_MAP_FD) is `address` */
  mapAt(address: number): BpfMap | undefined;
  /** every map, for helpers that take a record pointer and must find its ring */
  allMaps(): readonly BpfMap[];
  /** program number `n` of the object (the value stored in a prog_array) */
  program(n: number): DecodedProgram | undefined;
  /** bpf_get_current_pid_tgid's answer: tgid << 32 | pid */
  readonly pidTgid: bigint;
  /** a uniformly random u32 */
  random(): number;
  /** a monotonic clock in nanoseconds */
  nowNs(): bigint;
}

/** An environment without maps or other programs (the conformance suite's raw mode). */
export function emptyHelperEnv(): HelperEnv {
  return {
    mapAt: () => undefined,
    allMaps: () => [],
    program: () => undefined,
    pidTgid: 0n,
    random: () => (Math.random() * 0x100000000) >>> 0,
    nowNs: monotonicNs,
  };
}

const origin = Date.now();

/** Nanoseconds on a monotonic clock (performance.now exists in Node and browsers). */
export function monotonicNs(): bigint {
  const ms = typeof performance !== "undefined" ? performance.now() : Date.now() - origin;
  return BigInt(Math.round(ms * 1e6));
}
