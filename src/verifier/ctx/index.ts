import type { ProgramType } from "../../object/spec.js";
import { allowed, type CtxAccess, type CtxAccessResult, DENIED } from "./access.js";
import {
  PERF_MAX_TRACE_SIZE,
  PerfEventData,
  PT_REGS_SIZE,
  RAW_TP_CTX_SIZE,
  SkBuff,
  SYSCALL_CTX_LIMIT,
  XdpMd,
} from "./layouts.js";
import {
  cgroupSkbAccess,
  flowDissectorAccess,
  lwtAccess,
  skSkbAccess,
  socketFilterAccess,
  tcAccess,
} from "./skb.js";
import {
  kprobeAccess,
  perfEventAccess,
  rawTracepointAccess,
  rawTracepointWritableAccess,
  TRACING_CTX_SIZE,
  tracepointAccess,
  tracingAccess,
} from "./tracing.js";
import { xdpAccess } from "./xdp.js";

export type { CtxAccessResult } from "./access.js";
export { BPF_XDP_DEVMAP } from "./xdp.js";

export interface CtxAccessOptions {
  /** the program's `expected_attach_type` (enum bpf_attach_type); 0 when not given */
  readonly expectedAttachType?: number;
  /** the load sign-extends (BPF_MEMSX) */
  readonly signExtend?: boolean;
}

type CtxRule = (a: CtxAccess) => CtxAccessResult;

/** `syscall_prog_is_valid_access`: any aligned access below U16_MAX, reads and writes */
function syscallAccess(a: CtxAccess): CtxAccessResult {
  if (a.off < 0 || a.off >= SYSCALL_CTX_LIMIT || a.off % a.size !== 0) return DENIED;
  return allowed(a);
}

/** each program type's `bpf_verifier_ops.is_valid_access`, for the types tsbpf models */
const RULES: Partial<Record<ProgramType, CtxRule>> = {
  socket_filter: socketFilterAccess,
  sched_cls: tcAccess,
  sched_act: tcAccess,
  cgroup_skb: cgroupSkbAccess,
  lwt_in: lwtAccess,
  lwt_out: lwtAccess,
  lwt_xmit: lwtAccess,
  lwt_seg6local: lwtAccess,
  sk_skb: skSkbAccess,
  flow_dissector: flowDissectorAccess,
  xdp: xdpAccess,
  kprobe: kprobeAccess,
  tracepoint: tracepointAccess,
  perf_event: perfEventAccess,
  raw_tracepoint: rawTracepointAccess,
  raw_tracepoint_writable: rawTracepointWritableAccess,
  tracing: tracingAccess,
  syscall: syscallAccess,
};

const SIZES: Partial<Record<ProgramType, number>> = {
  socket_filter: SkBuff.size,
  sched_cls: SkBuff.size,
  sched_act: SkBuff.size,
  cgroup_skb: SkBuff.size,
  lwt_in: SkBuff.size,
  lwt_out: SkBuff.size,
  lwt_xmit: SkBuff.size,
  lwt_seg6local: SkBuff.size,
  sk_skb: SkBuff.size,
  flow_dissector: SkBuff.size,
  xdp: XdpMd.size,
  kprobe: PT_REGS_SIZE,
  tracepoint: PERF_MAX_TRACE_SIZE,
  perf_event: PerfEventData.size,
  raw_tracepoint: RAW_TP_CTX_SIZE,
  raw_tracepoint_writable: RAW_TP_CTX_SIZE,
  tracing: TRACING_CTX_SIZE,
  syscall: SYSCALL_CTX_LIMIT,
};

/** Whether `checkCtxAccess` knows the rules of this program type (otherwise it refuses everything). */
export function ctxAccessModelled(progType: ProgramType): boolean {
  return RULES[progType] !== undefined;
}

/**
 * May a program of this type load (`read`) or store (`write`) `size` bytes
 * at offset `off` of its context, and what does a load yield? The kernel's
 * `check_ctx_access` → `is_valid_access`; the caller reports a refusal as
 * `invalid bpf_context access off=%d size=%d`.
 */
export function checkCtxAccess(
  progType: ProgramType,
  off: number,
  size: number,
  access: "read" | "write",
  opts: CtxAccessOptions = {},
): CtxAccessResult {
  const rule = RULES[progType];
  if (rule === undefined || ![1, 2, 4, 8].includes(size)) return DENIED;
  return rule({
    off,
    size,
    write: access === "write",
    signExtend: opts.signExtend ?? false,
    attachType: opts.expectedAttachType ?? 0,
  });
}

/**
 * The size of the context structure: how many bytes a test run's context
 * has, and the bound of valid offsets (for tracepoints the most a record
 * may hold; for syscall programs the most a caller may pass). 0 for program
 * types tsbpf does not model.
 */
export function ctxSize(progType: ProgramType): number {
  return SIZES[progType] ?? 0;
}
