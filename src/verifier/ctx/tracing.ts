import { PTR_TO_TP_BUFFER } from "../reg-types.js";
import { allowed, type CtxAccess, type CtxAccessResult, DENIED, narrowAccessOk } from "./access.js";
import {
  inField,
  PERF_MAX_TRACE_SIZE,
  PerfEventData,
  PT_REGS_SIZE,
  RAW_TP_CTX_SIZE,
} from "./layouts.js";

/**
 * Context rules of the tracing program types (kernel/trace/bpf_trace.c):
 * all of them read only, aligned to the access size.
 */

/** `kprobe_prog_is_valid_access`: any aligned load inside struct pt_regs */
export function kprobeAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off < 0 || off >= PT_REGS_SIZE || a.write || off % size !== 0) return DENIED;
  return off + size > PT_REGS_SIZE ? DENIED : allowed(a);
}

/**
 * `tp_prog_is_valid_access`: the record after its first 8 bytes (the common
 * header a tracepoint program may not see), up to PERF_MAX_TRACE_SIZE.
 */
export function tracepointAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off < 8 || off >= PERF_MAX_TRACE_SIZE || a.write || off % size !== 0) return DENIED;
  return allowed(a);
}

/** `pe_prog_is_valid_access`: pt_regs as whole longs, sample_period and addr also narrower */
export function perfEventAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off < 0 || off >= PerfEventData.size || a.write || off % size !== 0) return DENIED;
  if (inField(PerfEventData.sample_period, off) || inField(PerfEventData.addr, off)) {
    return narrowAccessOk(size, 8) ? allowed(a, undefined, 8) : DENIED;
  }
  return size === 8 ? allowed(a) : DENIED;
}

/** `raw_tp_prog_is_valid_access` (`bpf_tracing_ctx_access`): the u64 argument array */
export function rawTracepointAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off < 0 || off >= RAW_TP_CTX_SIZE || a.write || off % size !== 0) return DENIED;
  return allowed(a);
}

/** `raw_tp_writable_prog_is_valid_access`: argument 0 is the writable tracepoint buffer */
export function rawTracepointWritableAccess(a: CtxAccess): CtxAccessResult {
  if (a.off === 0) {
    if (a.size !== 8 || a.write) return DENIED;
    const r = rawTracepointAccess(a);
    return r.ok ? allowed(a, PTR_TO_TP_BUFFER) : r;
  }
  return rawTracepointAccess(a);
}

/** `MAX_BPF_FUNC_ARGS`: the most arguments a traced kernel function has */
export const MAX_BPF_FUNC_ARGS = 12;
export const TRACING_CTX_SIZE = 8 * MAX_BPF_FUNC_ARGS;

/**
 * `tracing_prog_is_valid_access` for BTF-typed programs (tp_btf, fentry,
 * fexit, fmod_ret): the context is the traced function's arguments, one u64
 * each. The kernel types every argument from vmlinux BTF (pointers become
 * trusted BTF pointers, reads past the last argument are refused); tsbpf
 * has no vmlinux BTF, so it allows the 12 slots any function may have and
 * loads every argument as a scalar.
 */
export function tracingAccess(a: CtxAccess): CtxAccessResult {
  const { off, size } = a;
  if (off < 0 || off >= TRACING_CTX_SIZE || a.write || off % size !== 0) return DENIED;
  // btf_ctx_access: "func '%s' offset %d is not multiple of 8"
  if (off % 8 !== 0) return DENIED;
  return allowed(a);
}
