/**
 * `check_kfunc_call`: calls of the kfuncs for local objects, linked lists
 * and red-black trees, RCU and context casts. The prototype table
 * (kfunc-protos.ts) says what each argument is; this checks the arguments
 * with the kernel's messages (graph-arguments.ts for heads and nodes),
 * applies what the kfunc does to references and ownership, and sets r0.
 */
import type { SpecialField } from "../../btf/fields.js";
import type { Insn } from "../../isa/insn.js";
import { type KfuncName, kfuncName } from "../../object/kfuncs.js";
import { clearCallerSavedRegs } from "../calls.js";
import type { VerifierEnv } from "../env.js";
import {
  convertOwningToNonOwning,
  isAllocObjPointer,
  isTrustedReg,
  markRegGraphNode,
  refSetNonOwning,
} from "../graph/ownership.js";
import { hasProgramBtf, programBtf, regRecord, structRecord } from "../graph/records.js";
import type { WalkControl } from "../jmp.js";
import { checkPtrOffReg } from "../mem.js";
import { loopEntryFinder } from "../prune/explored.js";
import { markChainPrecision } from "../prune/precision.js";
import { markRegNotInit, markRegPointer, markRegUnknown, type RegState } from "../reg-state.js";
import {
  baseType,
  MEM_ALLOC,
  MEM_PERCPU,
  MEM_RCU,
  MEM_RDONLY,
  NON_OWN_REF,
  PTR_MAYBE_NULL,
  PTR_TO_BTF_ID,
  PTR_TO_CTX,
  PTR_TO_FUNC,
  PTR_TO_MAP_VALUE,
  PTR_TO_MEM,
  PTR_TRUSTED,
  PTR_UNTRUSTED,
  regTypeName,
  SCALAR_VALUE,
  typeMayBeNull,
} from "../reg-types.js";
import { EACCES, EFAULT, EINVAL } from "../result.js";
import { allRegs } from "../state.js";
import { tnumIsConst } from "../tnum.js";
import { registerIsNull } from "./args.js";
import { pushCallbackCall, type SetCalleeState } from "./callbacks.js";
import { processGraphNode, processGraphRoot } from "./graph-args.js";
import { type IterArg, iterKfunc, processIterArg, processIterNextCall } from "./iter.js";
import {
  isGraphInsertKfunc,
  type KfuncProto,
  kfuncAllowedFor,
  kfuncProto,
  kfuncSpinAllowed,
} from "./kfunc-protos.js";
import { acquireReferenceState, releaseReference } from "./refs.js";
import { regMayPointToSpinLock } from "./spin-lock.js";

/** `struct bpf_kfunc_call_arg_meta`, the parts these kfuncs use. */
export interface KfuncMeta {
  readonly name: KfuncName;
  readonly id: number;
  readonly proto: KfuncProto;
  /** the reference an argument holds, and the register a release kfunc releases */
  refObjId: number;
  releaseRegno: number;
  /** the `__k` argument's value */
  argConstant: bigint | undefined;
  /** the allocated object's struct (obj_drop, refcount_acquire, push) */
  argBtfId: number;
  /** refcount_acquire's argument owns its object: the result cannot be NULL */
  argOwningRef: boolean;
  /** the list head or tree root argument */
  graphRoot: SpecialField | undefined;
  /** the callback argument's subprogram */
  subprogno: number;
  /** the initialised iterator argument of an iterator's next or destroy (`meta->iter`) */
  iter: IterArg | undefined;
}

/** `BPF_GLOBAL_PERCPU_MA_MAX_SIZE` */
const PERCPU_OBJ_MAX_SIZE = 512;
const U32_MAX = 0xffffffffn;

/**
 * The `function calls are not allowed while holding a lock` rule for kfunc
 * calls (do_check): inside a critical section only the list, tree, refcount
 * and number-iterator kfuncs of vmlinux (off 0) may be called.
 */
export function checkKfuncCallUnderLock(env: VerifierEnv, insn: Insn): void {
  if (env.state.activeLock === undefined) return;
  const name = kfuncName(insn.imm);
  if (insn.off !== 0 || name === undefined || !kfuncSpinAllowed(name)) {
    env.reject(EINVAL, "function calls are not allowed while holding a lock");
  }
}

/** `is_rcu_reg` */
function isRcuReg(reg: RegState): boolean {
  return (reg.type & MEM_RCU) !== 0;
}

/** `check_func_arg_reg_off` for the pointer types kfunc arguments take. */
function checkKfuncArgRegOff(
  env: VerifierEnv,
  reg: RegState,
  regno: number,
  release: boolean,
): void {
  if (release) {
    if (reg.off !== 0) {
      env.reject(
        EINVAL,
        `R${regno} must have zero offset when passed to release func or trusted arg to kfunc`,
      );
    }
    checkPtrOffReg(env, reg, regno, false);
    return;
  }
  if (
    reg.type === SCALAR_VALUE ||
    reg.type === PTR_TO_MAP_VALUE ||
    baseType(reg.type) === PTR_TO_CTX
  ) {
    if (reg.type === PTR_TO_CTX) checkPtrOffReg(env, reg, regno, false);
    return;
  }
  if (baseType(reg.type) === PTR_TO_BTF_ID) {
    checkPtrOffReg(env, reg, regno, true);
    return;
  }
  // stack, packet and memory pointers may carry any offset here
  if (reg.type === PTR_TO_FUNC) checkPtrOffReg(env, reg, regno, false);
}

function checkScalarArg(env: VerifierEnv, meta: KfuncMeta, regno: number, constant: boolean): void {
  const reg = env.reg(regno);
  if (reg.type !== SCALAR_VALUE) env.reject(EINVAL, `R${regno} is not a scalar`);
  if (!constant) return;
  if (!tnumIsConst(reg.varOff)) env.reject(EINVAL, `R${regno} must be a known constant`);
  markChainPrecision(env, regno);
  meta.argConstant = reg.varOff.value;
}

/** KF_ARG_PTR_TO_ALLOC_BTF_ID: what bpf_obj_drop takes, an owning reference at offset 0. */
function checkAllocObjArg(env: VerifierEnv, meta: KfuncMeta, reg: RegState, argno: number): void {
  if (reg.type === (PTR_TO_BTF_ID | MEM_ALLOC)) {
    if (meta.name !== "bpf_obj_drop_impl")
      env.reject(EINVAL, `arg#${argno} expected for bpf_obj_drop_impl()`);
  } else if (reg.type === (PTR_TO_BTF_ID | MEM_ALLOC | MEM_PERCPU)) {
    if (meta.name !== "bpf_percpu_obj_drop_impl") {
      env.reject(EINVAL, `arg#${argno} expected for bpf_percpu_obj_drop_impl()`);
    }
  } else {
    env.reject(EINVAL, `arg#${argno} expected pointer to allocated object`);
  }
  if (reg.refObjId === 0) env.reject(EINVAL, "allocated object must be referenced");
  meta.argBtfId = reg.btfId;
}

/** KF_ARG_PTR_TO_REFCOUNTED_KPTR: an owning or non-owning reference to an object with a bpf_refcount. */
function checkRefcountedArg(env: VerifierEnv, meta: KfuncMeta, reg: RegState, argno: number): void {
  if (!isAllocObjPointer(reg.type))
    env.reject(EINVAL, `arg#${argno} is neither owning or non-owning ref`);
  if (!(reg.type & NON_OWN_REF) && reg.refObjId !== 0) meta.argOwningRef = true;
  const record = regRecord(env, reg);
  if (record === undefined) env.reject(EFAULT, "verifier internal error: Couldn't find btf_record");
  if (record.refcountOffset < 0) {
    env.reject(EINVAL, `arg#${argno} doesn't point to a type with bpf_refcount field`);
  }
  meta.argBtfId = reg.btfId;
}

/** `check_kfunc_args` */
function checkKfuncArgs(env: VerifierEnv, meta: KfuncMeta): void {
  const { proto } = meta;
  const trustedArgs = proto.release === true;
  const rcu = proto.rcu === true;
  proto.args.forEach((arg, argno) => {
    const regno = argno + 1;
    const reg = env.reg(regno);
    if (arg === "ignored") return;
    if (arg === "scalar" || arg === "constant") {
      checkScalarArg(env, meta, regno, arg === "constant");
      return;
    }
    if ((trustedArgs || rcu) && (registerIsNull(reg) || typeMayBeNull(reg.type))) {
      env.reject(EACCES, `Possibly NULL pointer passed to trusted arg${argno}`);
    }
    if (reg.refObjId !== 0) {
      if (proto.release && meta.refObjId !== 0) {
        env.reject(
          EFAULT,
          `verifier internal error: more than one arg with ref_obj_id R${regno} ${reg.refObjId} ${meta.refObjId}`,
        );
      }
      meta.refObjId = reg.refObjId;
      if (proto.release) meta.releaseRegno = regno;
    }
    if (arg === "alloc_obj" && (trustedArgs || rcu) && !isTrustedReg(reg)) {
      if (!rcu) env.reject(EINVAL, `R${regno} must be referenced or trusted`);
      if (!isRcuReg(reg)) env.reject(EINVAL, `R${regno} must be a rcu pointer`);
    }
    checkKfuncArgRegOff(env, reg, regno, proto.release === true && reg.refObjId !== 0);
    switch (arg) {
      case "ctx":
        if (reg.type !== PTR_TO_CTX) {
          env.reject(
            EINVAL,
            `arg#${argno} expected pointer to ctx, but got ${regTypeName(reg.type)}`,
          );
        }
        return;
      case "alloc_obj":
        checkAllocObjArg(env, meta, reg, argno);
        return;
      case "refcounted_kptr":
        checkRefcountedArg(env, meta, reg, argno);
        return;
      case "list_head":
      case "rb_root":
        if (reg.type !== PTR_TO_MAP_VALUE && reg.type !== (PTR_TO_BTF_ID | MEM_ALLOC)) {
          env.reject(EINVAL, `arg#${argno} expected pointer to map value or allocated object`);
        }
        if (reg.type === (PTR_TO_BTF_ID | MEM_ALLOC) && reg.refObjId === 0) {
          env.reject(EINVAL, "allocated object must be referenced");
        }
        meta.graphRoot = processGraphRoot(env, reg, regno, arg);
        return;
      case "list_node":
        if (reg.type !== (PTR_TO_BTF_ID | MEM_ALLOC)) {
          env.reject(EINVAL, `arg#${argno} expected pointer to allocated object`);
        }
        if (reg.refObjId === 0) env.reject(EINVAL, "allocated object must be referenced");
        meta.argBtfId = processGraphNode(env, reg, regno, meta.graphRoot, "list_node");
        return;
      case "rb_node":
        if (meta.name === "bpf_rbtree_add_impl") {
          if (reg.type !== (PTR_TO_BTF_ID | MEM_ALLOC)) {
            env.reject(EINVAL, `arg#${argno} expected pointer to allocated object`);
          }
          if (reg.refObjId === 0) env.reject(EINVAL, "allocated object must be referenced");
        } else if (!(isAllocObjPointer(reg.type) && reg.type & NON_OWN_REF) || reg.refObjId !== 0) {
          const what = meta.name === "bpf_rbtree_remove" ? "rbtree_remove" : meta.name;
          env.reject(EINVAL, `${what} node input must be non-owning ref`);
        }
        meta.argBtfId = processGraphNode(env, reg, regno, meta.graphRoot, "rb_node");
        return;
      case "callback":
        if (reg.type !== PTR_TO_FUNC) env.reject(EINVAL, `arg${argno} expected pointer to func`);
        meta.subprogno = reg.subprogno;
        return;
      case "iter": {
        const iter = iterKfunc(meta.name);
        if (iter === undefined)
          env.reject(EFAULT, `verifier internal error: ${meta.name} is no iterator kfunc`);
        meta.iter = processIterArg(env, regno, iter.type, iter.role);
        if (meta.iter !== undefined) meta.refObjId = meta.iter.refObjId;
        return;
      }
    }
  });
  if (proto.release && meta.releaseRegno === 0) {
    env.reject(EINVAL, `release kernel function ${meta.name} expects refcounted PTR_TO_BTF_ID`);
  }
}

/**
 * `set_rbtree_add_callback_state`: `less(a, b)` gets two non-owning
 * pointers to nodes of the tree and returns 0 or 1.
 */
function rbtreeAddCallbackState(env: VerifierEnv, root: SpecialField): SetCalleeState {
  return (_caller, callee) => {
    const contains = root.contains!;
    for (const r of [1, 2]) {
      const reg = callee.regs[r]!;
      markRegGraphNode(reg, contains);
      refSetNonOwning(env, reg);
    }
    for (const r of [3, 4, 5]) markRegNotInit(callee.regs[r]!);
    callee.inCallbackFn = true;
    callee.callbackRetRange = { min: 0, max: 1 };
  };
}

/** `bpf_rcu_read_lock` / `bpf_rcu_read_unlock` and what the end of an RCU section does to RCU pointers. */
function checkRcuSection(env: VerifierEnv, meta: KfuncMeta): void {
  const lock = meta.name === "bpf_rcu_read_lock";
  const unlock = meta.name === "bpf_rcu_read_unlock";
  const state = env.state;
  if (state.activeRcuLock) {
    if (lock) env.reject(EINVAL, `nested rcu read lock (kernel function ${meta.name})`);
    if (unlock) {
      for (const reg of allRegs(state)) {
        if (!(reg.type & MEM_RCU)) continue;
        reg.type &= ~(MEM_RCU | PTR_MAYBE_NULL);
        reg.type |= PTR_UNTRUSTED;
      }
      state.activeRcuLock = 0;
    }
  } else if (lock) {
    state.activeRcuLock = 1;
  } else if (unlock) {
    env.reject(EINVAL, `unmatched rcu read unlock (kernel function ${meta.name})`);
  }
}

/** bpf_obj_new / bpf_percpu_obj_new: r0 is an object of the struct the constant type id names. */
function setObjNewReturn(env: VerifierEnv, meta: KfuncMeta, r0: RegState, percpu: boolean): void {
  const typeId = meta.argConstant ?? 0n;
  if (BigInt.asUintN(32, typeId) !== typeId) {
    env.reject(EINVAL, "local type ID argument must be in range [0, U32_MAX]");
  }
  const btf = programBtf(env);
  if (btf === undefined || !hasProgramBtf(env)) {
    env.reject(EINVAL, "bpf_obj_new/bpf_percpu_obj_new requires prog BTF");
  }
  const id = Number(typeId);
  const t = typeId <= U32_MAX ? btf.types[id] : undefined;
  if (t === undefined || t.kind !== "struct") {
    env.reject(EINVAL, "bpf_obj_new/bpf_percpu_obj_new type ID argument must be of a struct");
  }
  if (percpu) {
    if (t.size > PERCPU_OBJ_MAX_SIZE) {
      env.reject(
        EINVAL,
        `bpf_percpu_obj_new type size (${t.size}) is greater than ${PERCPU_OBJ_MAX_SIZE}`,
      );
    }
    if (!isScalarStruct(env, id, 0)) {
      env.reject(EINVAL, "bpf_percpu_obj_new type ID argument must be of a struct of scalars");
    }
    if (structRecord(env, id) !== undefined) {
      env.reject(EINVAL, "bpf_percpu_obj_new type ID argument must not contain special fields");
    }
  }
  markRegPointer(r0, PTR_TO_BTF_ID | MEM_ALLOC | (percpu ? MEM_PERCPU : 0), { btfId: id });
}

/** `__btf_type_is_scalar_struct`: a struct of scalars, arrays of scalars and such structs. */
function isScalarStruct(env: VerifierEnv, id: number, depth: number): boolean {
  const btf = programBtf(env)!;
  const t = btf.resolve(id);
  if (t.kind !== "struct") return false;
  for (const m of t.members) {
    let member = btf.resolve(m.type);
    while (member.kind === "array") member = btf.resolve(member.elemType);
    if (
      member.kind === "int" ||
      member.kind === "enum" ||
      member.kind === "enum64" ||
      member.kind === "float"
    )
      continue;
    if (member.kind !== "struct" || depth >= 2 || !isScalarStruct(env, member.id, depth + 1))
      return false;
  }
  return true;
}

/** Sets r0 from the kfunc's return type (the return half of check_kfunc_call). */
function setKfuncReturn(env: VerifierEnv, meta: KfuncMeta): void {
  const r0 = env.reg(0);
  const { proto } = meta;
  switch (proto.ret) {
    case "void":
      return;
    case "int":
      markRegUnknown(r0);
      return;
    case "obj_new":
    case "percpu_obj_new":
      setObjNewReturn(env, meta, r0, proto.ret === "percpu_obj_new");
      break;
    case "refcount_acquire":
      markRegPointer(r0, PTR_TO_BTF_ID | MEM_ALLOC, { btfId: meta.argBtfId });
      break;
    case "graph_node": {
      const contains = meta.graphRoot?.contains;
      if (contains === undefined)
        env.reject(EFAULT, `verifier internal error: ${meta.name} without a graph root`);
      markRegGraphNode(r0, contains);
      break;
    }
    case "kern_ctx":
      // the kernel's context struct lives in vmlinux BTF, which tsbpf does not carry
      markRegPointer(r0, PTR_TO_BTF_ID | PTR_TRUSTED);
      break;
    case "rdonly_mem":
      markRegPointer(r0, PTR_TO_MEM | MEM_RDONLY, { memSize: proto.retMemSize ?? 0 });
      // the memory belongs to the reference the argument holds (an iterator's element)
      if (meta.refObjId !== 0) r0.refObjId = meta.refObjId;
      break;
  }
  const retNull =
    proto.retNull === true && !(meta.name === "bpf_refcount_acquire_impl" && meta.argOwningRef);
  if (retNull) {
    r0.type |= PTR_MAYBE_NULL;
    r0.id = env.nextId();
  }
  if (proto.acquire) {
    const id = acquireReferenceState(env, env.insnIdx);
    if (retNull) r0.id = id;
    r0.refObjId = id;
  } else if (proto.ret === "graph_node") {
    refSetNonOwning(env, r0);
  }
  if (regMayPointToSpinLock(env, r0) && r0.id === 0) r0.id = env.nextId();
}

/** `check_kfunc_call` */
export function checkKfuncCall(env: VerifierEnv, insn: Insn, walk?: WalkControl): void {
  // a kfunc call without an id is refused later, at fixup
  if (insn.imm === 0) return;
  const name = kfuncName(insn.imm);
  if (name === undefined) env.reject(EINVAL, `kernel btf_id ${insn.imm} is not a function`);
  const proto = kfuncProto(name);
  if (proto === undefined) {
    env.reject(EACCES, `kfunc ${name}#${insn.imm} is not supported by tsbpf's verifier yet`);
  }
  if (!kfuncAllowedFor(proto, env.progType))
    env.reject(EACCES, `calling kernel function ${name} is not allowed`);
  const meta: KfuncMeta = {
    name,
    id: insn.imm,
    proto,
    refObjId: 0,
    releaseRegno: 0,
    argConstant: undefined,
    argBtfId: 0,
    argOwningRef: false,
    graphRoot: undefined,
    subprogno: 0,
    iter: undefined,
  };
  checkKfuncArgs(env, meta);

  if (name === "bpf_rbtree_add_impl") {
    if (walk === undefined)
      env.reject(EFAULT, `kfunc ${name}#${insn.imm} needs the walk to verify its callback`);
    // the callback runs once per visit of the call; coming back from it, the call goes on
    if (env.frame.callbackDepth === 0) {
      pushCallbackCall(env, walk, meta.subprogno, rbtreeAddCallbackState(env, meta.graphRoot!));
    } else {
      env.frame.callbackDepth = 0;
    }
  }
  checkRcuSection(env, meta);

  if (meta.releaseRegno !== 0 && !releaseReference(env, env.reg(meta.releaseRegno).refObjId)) {
    env.reject(EINVAL, `kfunc ${name}#${insn.imm} reference has not been acquired before`);
  }
  if (isGraphInsertKfunc(name)) {
    const refObjId = env.reg(2).refObjId;
    convertOwningToNonOwning(env, refObjId);
    if (!releaseReference(env, refObjId)) {
      env.reject(EINVAL, `kfunc ${name}#${insn.imm} reference has not been acquired before`);
    }
  }
  clearCallerSavedRegs(env);
  setKfuncReturn(env, meta);
  if (iterKfunc(name)?.role === "next") {
    if (walk === undefined || meta.iter === undefined)
      env.reject(EFAULT, `kfunc ${name}#${insn.imm} needs the walk to fork the iterator`);
    processIterNextCall(env, walk, meta.iter, loopEntryFinder(env));
  }
}
