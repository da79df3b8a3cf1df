/**
 * Functions as their BTF prototypes describe them: what each argument is
 * (`btf_prepare_func_args`), whether a caller's registers match that
 * (`btf_check_func_arg_match`), and the registers a global function starts
 * from when it is verified on its own (`do_check_common` for a subprogram).
 */
import type { Btf, BtfType } from "../../btf/btf.js";
import type { ProgramType } from "../../object/spec.js";
import type { Subprog, VerifierEnv } from "../env.js";
import { markRegPointer, markRegUnknown, type RegState } from "../reg-state.js";
import {
  PTR_MAYBE_NULL,
  PTR_TO_ARENA,
  PTR_TO_CTX,
  PTR_TO_MEM,
  SCALAR_VALUE,
  typeMayBeNull,
} from "../reg-types.js";
import { EFAULT, EINVAL, VerifierReject } from "../result.js";
import { checkFuncArgRegOff, checkHelperMemAccess, registerIsNull } from "./args.js";
import { ARG_DONTCARE } from "./helper-protos.js";

/** The kernel's MAX_BPF_FUNC_REG_ARGS */
const MAX_BPF_FUNC_REG_ARGS = 5;
/** userspace EOPNOTSUPP */
const EOPNOTSUPP = 95;

/** One argument of a function as the verifier sees it: `struct bpf_subprog_arg_info`. */
export type SubprogArg =
  | { readonly kind: "ctx" }
  | { readonly kind: "scalar" }
  /** a pointer to `size` bytes of any memory (a global function's plain pointer argument) */
  | { readonly kind: "mem"; readonly size: number; readonly maybeNull: boolean }
  /** `__arg_arena`: either an arena pointer or a scalar */
  | { readonly kind: "arena" };

/** What `btf_prepare_func_args` learnt about a function, cached per subprogram. */
export interface FuncArgsInfo {
  /** `args_cached`: the prototype was converted */
  args: readonly SubprogArg[] | undefined;
  /** `func_info_aux.unreliable`: the BTF does not describe how the function is called */
  unreliable: boolean;
  /** global functions: a call was verified, so the function must be (`called`) */
  called: boolean;
  /** global functions: verified on their own (`verified`) */
  verified: boolean;
}

const infos = new WeakMap<Subprog, FuncArgsInfo>();
/** the last message `prepareFuncArgs` wrote: the error line when it fails */
const lastMessages = new WeakMap<VerifierEnv, string>();

export function funcArgsInfo(sub: Subprog): FuncArgsInfo {
  let info = infos.get(sub);
  if (info === undefined) {
    info = { args: undefined, unreliable: false, called: false, verified: false };
    infos.set(sub, info);
  }
  return info;
}

/** The program's BTF FUNC of a subprogram and whether it has global linkage, from func info. */
function btfFunc(env: VerifierEnv, subprogno: number) {
  const sub = env.subprogs[subprogno]!;
  const info = env.program.funcInfo.find((f) => f.insn === sub.start);
  const func = info === undefined || env.btf === undefined ? undefined : env.btf.types[info.typeId];
  return { info, func, isGlobal: func?.kind === "func" && func.linkage === "global" };
}

function skipModifiers(btf: Btf, id: number): BtfType {
  return btf.resolve(id);
}

function isIntOrEnum(t: BtfType): boolean {
  return t.kind === "int" || t.kind === "enum" || t.kind === "enum64";
}

/** `btf_type_str`: the kind as the kernel's messages name it. */
function btfKindStr(t: BtfType): string {
  const names: Record<string, string> = {
    void: "UNKNOWN",
    int: "INT",
    ptr: "PTR",
    array: "ARRAY",
    struct: "STRUCT",
    union: "UNION",
    enum: "ENUM",
    fwd: "FWD",
    typedef: "TYPEDEF",
    volatile: "VOLATILE",
    const: "CONST",
    restrict: "RESTRICT",
    func: "FUNC",
    func_proto: "FUNC_PROTO",
    var: "VAR",
    datasec: "DATASEC",
    float: "FLOAT",
    decl_tag: "DECL_TAG",
    type_tag: "TYPE_TAG",
    enum64: "ENUM64",
  };
  return names[t.kind] ?? "UNKNOWN";
}

/** The program type's context struct (`bpf_types.h`), "" where it has no named struct. */
function progCtxTypeName(type: ProgramType): string {
  switch (type) {
    case "socket_filter":
    case "sched_cls":
    case "sched_act":
    case "cgroup_skb":
    case "lwt_in":
    case "lwt_out":
    case "lwt_xmit":
    case "lwt_seg6local":
    case "sk_skb":
    case "flow_dissector":
      return "__sk_buff";
    case "xdp":
      return "xdp_md";
    case "cgroup_sock":
      return "bpf_sock";
    case "cgroup_sock_addr":
      return "bpf_sock_addr";
    case "sock_ops":
      return "bpf_sock_ops";
    case "sk_msg":
      return "sk_msg_md";
    case "kprobe":
      return "bpf_user_pt_regs_t";
    case "perf_event":
      return "bpf_perf_event_data";
    case "raw_tracepoint":
    case "raw_tracepoint_writable":
      return "bpf_raw_tracepoint_args";
    case "cgroup_device":
      return "bpf_cgroup_dev_ctx";
    case "cgroup_sysctl":
      return "bpf_sysctl";
    case "cgroup_sockopt":
      return "bpf_sockopt";
    case "sk_reuseport":
      return "sk_reuseport_md";
    case "sk_lookup":
      return "bpf_sk_lookup";
    case "netfilter":
      return "bpf_nf_ctx";
    default:
      // tracepoint (__u64), lirc_mode2 (__u32) and the `void *` types match no struct
      return "";
  }
}

/** The name the kernel's ctx struct resolves to behind a typedef (`bpf_user_pt_regs_t` on x86). */
const CTX_TYPEDEF_TARGETS: Record<string, string> = { bpf_user_pt_regs_t: "pt_regs" };

/** `btf_is_prog_ctx_type`: a pointer to the program type's context struct (by name). */
function isProgCtxType(btf: Btf, ptr: BtfType & { type: number }, progType: ProgramType): boolean {
  let t = btf.type(ptr.type);
  if (progType === "kprobe") {
    while (
      t.kind === "const" ||
      t.kind === "volatile" ||
      t.kind === "restrict" ||
      t.kind === "type_tag"
    )
      t = btf.type(t.type);
    if (t.kind === "typedef" && t.name === "bpf_user_pt_regs_t") return true;
  }
  t = skipModifiers(btf, t.id);
  if (t.kind !== "struct") return false;
  const ctxName = progCtxTypeName(progType);
  if (ctxName === "") return false;
  if (ctxName === "__sk_buff" && t.name === "sk_buff") return true;
  if (ctxName === "xdp_md" && t.name === "xdp_buff") return true;
  return t.name === ctxName || t.name === CTX_TYPEDEF_TARGETS[ctxName];
}

/**
 * `btf_prepare_func_args`: converts the BTF prototype of a function into
 * argument kinds. Returns 0 or the errno; the messages go to the log, as the
 * kernel's do (for static functions most problems are silent: their BTF is
 * only a hint).
 */
export function prepareFuncArgs(env: VerifierEnv, subprogno: number): number {
  const sub = env.subprogs[subprogno]!;
  const cache = funcArgsInfo(sub);
  if (cache.args !== undefined) return 0;
  const log = (line: string) => {
    env.verbose(line);
    lastMessages.set(env, line);
  };
  const { info, func, isGlobal } = btfFunc(env, subprogno);
  const btf = env.btf;
  if (info === undefined || btf === undefined) {
    log("Verifier bug");
    return EFAULT;
  }
  if (info.typeId === 0) {
    if (!isGlobal) return EINVAL;
    log("Global functions need valid BTF");
    return EFAULT;
  }
  if (func?.kind !== "func") {
    log(`BTF of func#${subprogno} doesn't point to KIND_FUNC`);
    return EFAULT;
  }
  const tname = func.name;
  if (cache.unreliable) {
    log(`Verifier bug in function ${tname}()`);
    return EFAULT;
  }
  const proto = btf.types[func.type];
  if (proto?.kind !== "func_proto") {
    log(`Invalid type of function ${tname}()`);
    return EFAULT;
  }
  const nargs = proto.params.length;
  if (nargs > MAX_BPF_FUNC_REG_ARGS) {
    if (!isGlobal) return EINVAL;
    log(
      `Global function ${tname}() with ${nargs} > ${MAX_BPF_FUNC_REG_ARGS} args. Buggy compiler.`,
    );
    return EINVAL;
  }
  if (!isIntOrEnum(skipModifiers(btf, proto.returnType))) {
    if (!isGlobal) return EINVAL;
    log(`Global function ${tname}() doesn't return scalar. Only those are supported.`);
    return EINVAL;
  }
  const args: SubprogArg[] = [];
  for (let i = 0; i < nargs; i++) {
    const tags = new Set<string>();
    for (const tag of btf.declTags(func.id, i)) {
      if (!tag.startsWith("arg:")) continue;
      if (!isGlobal) {
        log(`arg#${i} type tag is not supported in static functions`);
        return EOPNOTSUPP;
      }
      const name = tag.slice(4);
      if (!["ctx", "trusted", "nonnull", "nullable", "arena"].includes(name)) {
        log(`arg#${i} has unsupported set of tags`);
        return EOPNOTSUPP;
      }
      tags.add(name);
    }
    const t = skipModifiers(btf, proto.params[i]!.type);
    if (t.kind === "ptr") {
      if (tags.has("ctx") || isProgCtxType(btf, t, env.progType)) {
        if ([...tags].some((tag) => tag !== "ctx")) {
          log(`arg#${i} has invalid combination of tags`);
          return EINVAL;
        }
        args.push({ kind: "ctx" });
        continue;
      }
      const pointee = skipModifiers(btf, t.type);
      if (pointee.kind === "struct" && pointee.name === "bpf_dynptr") {
        throw unsupported(env, `arg#${i} of ${tname}() is a dynptr`);
      }
      if (tags.has("trusted"))
        throw unsupported(env, `arg#${i} of ${tname}() is tagged arg:trusted`);
      if (tags.has("arena")) {
        if (tags.size > 1) {
          log(`arg#${i} arena cannot be combined with any other tags`);
          return EINVAL;
        }
        args.push({ kind: "arena" });
        continue;
      }
      if (isGlobal) {
        if (tags.has("nullable")) {
          log(`arg#${i} has invalid combination of tags`);
          return EINVAL;
        }
        let size: number;
        try {
          size = btf.sizeof(pointee.id);
        } catch {
          const raw = btf.types[t.type]!;
          const shown = raw.kind === "const" || raw.kind === "volatile" ? pointee : raw;
          log(
            `arg#${i} reference type('${btfKindStr(shown)} ${shown.name}') size cannot be determined: -22`,
          );
          return EINVAL;
        }
        args.push({ kind: "mem", size, maybeNull: !tags.has("nonnull") });
        continue;
      }
    }
    if (tags.size > 0) {
      log(`arg#${i} has pointer tag, but is not a pointer type`);
      return EINVAL;
    }
    if (isIntOrEnum(t)) {
      args.push({ kind: "scalar" });
      continue;
    }
    if (!isGlobal) return EINVAL;
    log(`Arg#${i} type ${btfKindStr(t)} in ${tname}() is not supported yet.`);
    return EINVAL;
  }
  cache.args = args;
  return 0;
}

function unsupported(env: VerifierEnv, what: string): VerifierReject {
  env.verbose(`${what}, which tsbpf's verifier does not support yet`);
  return new VerifierReject(EINVAL, env.errorLines.join("\n"));
}

/**
 * Runs a check written for a helper argument (which rejects by throwing)
 * where the kernel only reports a mismatch: the lines stay in the log, the
 * errno comes back.
 */
function softly(check: () => void): number {
  try {
    check();
    return 0;
  } catch (err) {
    if (!(err instanceof VerifierReject)) throw err;
    return err.errno;
  }
}

/** `check_mem_reg`: the caller's pointer covers `size` readable and writable bytes. */
function checkMemReg(env: VerifierEnv, reg: RegState, regno: number, size: number): number {
  if (registerIsNull(reg)) return 0;
  const savedType = reg.type;
  // a maybe-null pointer is checked as if it were not null; the register itself is unchanged
  reg.type &= ~PTR_MAYBE_NULL;
  const err = softly(() => {
    checkHelperMemAccess(env, regno, size, "read", true, undefined);
    checkHelperMemAccess(env, regno, size, "write", true, undefined);
  });
  reg.type = savedType;
  return err;
}

/** `btf_check_func_arg_match`: the caller's r1-r5 against the prototype. */
function checkFuncArgMatch(env: VerifierEnv, subprogno: number, regs: readonly RegState[]): number {
  const err = prepareFuncArgs(env, subprogno);
  if (err) return err;
  const args = funcArgsInfo(env.subprogs[subprogno]!).args!;
  const log = (line: string) => env.verbose(line);
  for (let i = 0; i < args.length; i++) {
    const regno = i + 1;
    const reg = regs[regno]!;
    const arg = args[i]!;
    switch (arg.kind) {
      case "scalar":
        if (reg.type !== SCALAR_VALUE) {
          log(`R${regno} is not a scalar`);
          return EINVAL;
        }
        break;
      case "ctx": {
        const e = softly(() => checkFuncArgRegOff(env, reg, regno, ARG_DONTCARE));
        if (e) return e;
        if (reg.type !== PTR_TO_CTX) {
          log(`arg#${i} expects pointer to ctx`);
          return EINVAL;
        }
        break;
      }
      case "mem": {
        const e = softly(() => checkFuncArgRegOff(env, reg, regno, ARG_DONTCARE));
        if (e) return e;
        if (checkMemReg(env, reg, regno, arg.size)) return EINVAL;
        if (!arg.maybeNull && typeMayBeNull(reg.type)) {
          log(`arg#${i} is expected to be non-NULL`);
          return EINVAL;
        }
        break;
      }
      case "arena":
        if (reg.type !== PTR_TO_ARENA && reg.type !== SCALAR_VALUE) {
          log(`R${regno} is not a pointer to arena or scalar.`);
          return EINVAL;
        }
        break;
    }
  }
  return 0;
}

/**
 * `btf_check_subprog_call`: checks a call's arguments against the callee's
 * prototype; a mismatch marks the function's BTF unreliable. Returns 0 or
 * the errno.
 */
export function checkSubprogCall(
  env: VerifierEnv,
  subprogno: number,
  regs: readonly RegState[],
): number {
  const { info } = btfFunc(env, subprogno);
  if (info === undefined || env.btf === undefined) return EINVAL;
  if (info.typeId === 0) return EFAULT;
  const cache = funcArgsInfo(env.subprogs[subprogno]!);
  if (cache.unreliable) return EINVAL;
  const err = checkFuncArgMatch(env, subprogno, regs);
  if (err) cache.unreliable = true;
  return err;
}

/**
 * The main program's prototype is checked too (its log lines are the
 * kernel's); one that does not take just the context is unreliable.
 */
export function prepareMainFuncArgs(env: VerifierEnv): void {
  if (env.program.funcInfo.length === 0 || env.btf === undefined) return;
  const err = prepareFuncArgs(env, 0);
  const args = funcArgsInfo(env.subprogs[0]!).args;
  if (err || args?.length !== 1 || args[0]!.kind !== "ctx")
    funcArgsInfo(env.subprogs[0]!).unreliable = true;
}

/**
 * The registers a global function is verified from: each argument as its
 * prototype says, for any caller (`do_check_common` for a subprogram).
 * Throws the rejection when the prototype is not supported.
 */
export function setUpGlobalFuncArgs(env: VerifierEnv, subprogno: number): void {
  const err = prepareFuncArgs(env, subprogno);
  if (err) {
    // the reason is already in the log and the error lines
    throw new VerifierReject(err, lastMessages.get(env) ?? "");
  }
  const args = funcArgsInfo(env.subprogs[subprogno]!).args!;
  const regs = env.frame.regs;
  args.forEach((arg, i) => {
    const reg = regs[i + 1]!;
    switch (arg.kind) {
      case "ctx":
        markRegPointer(reg, PTR_TO_CTX);
        break;
      case "scalar":
      case "arena":
        markRegUnknown(reg);
        break;
      case "mem":
        markRegPointer(reg, PTR_TO_MEM | (arg.maybeNull ? PTR_MAYBE_NULL : 0), {
          memSize: arg.size,
          id: env.nextId(),
        });
        break;
    }
  });
}
