/** Program exit: return values per program type, and references still held. */

import { S64_MAX, S64_MIN } from "./bounds.js";
import { SRC_OP, type VerifierEnv } from "./env.js";
import { markChainPrecision } from "./prune/precision.js";
import { regTypeName, SCALAR_VALUE } from "./reg-types.js";
import { EINVAL } from "./result.js";

interface RetvalRange {
  readonly min: number;
  readonly max: number;
}

/**
 * The return values a program type may produce (`check_return_code`), or
 * undefined where any value goes. The attach point, which the kernel also
 * consults, comes from the section name.
 */
function retvalRange(env: VerifierEnv): RetvalRange | undefined {
  const section = env.program.section;
  switch (env.progType) {
    case "cgroup_sock_addr":
      if (/(recvmsg|getpeername|getsockname)/.test(section)) return { min: 1, max: 1 };
      if (/bind[46]$/.test(section)) return { min: 0, max: 3 };
      return { min: 0, max: 1 };
    case "cgroup_skb":
      return section === "cgroup_skb/egress" ? { min: 0, max: 3 } : { min: 0, max: 1 };
    case "cgroup_sock":
    case "sock_ops":
    case "cgroup_device":
    case "cgroup_sysctl":
    case "cgroup_sockopt":
      return { min: 0, max: 1 };
    case "tracing":
      if (/^(fentry|fexit)(\.s)?\//.test(section)) return { min: 0, max: 0 };
      return undefined;
    case "sk_lookup":
      return { min: 0, max: 1 };
    case "netfilter":
      return { min: 0, max: 1 };
    default:
      return undefined;
  }
}

/** `verbose_invalid_scalar` */
export function invalidScalarMessage(
  ctx: string,
  regName: string,
  smin: bigint,
  smax: bigint,
  range: RetvalRange,
): string {
  let text = `${ctx} the register ${regName} has`;
  let unknown = true;
  if (smin > S64_MIN) {
    text += ` smin=${smin}`;
    unknown = false;
  }
  if (smax < S64_MAX) {
    text += ` smax=${smax}`;
    unknown = false;
  }
  if (unknown) text += " unknown scalar value";
  return `${text} should have been in [${range.min}, ${range.max}]`;
}

/** `check_return_code` at the main program's exit. */
export function checkReturnCode(env: VerifierEnv): void {
  env.checkRegArg(0, SRC_OP);
  const reg = env.reg(0);
  const range = retvalRange(env);
  if (range === undefined) return;
  if (reg.type !== SCALAR_VALUE) {
    env.reject(
      EINVAL,
      `At program exit the register R0 is not a known value (${regTypeName(reg.type)})`,
    );
  }
  markChainPrecision(env, 0);
  if (reg.smin < BigInt(range.min) || reg.smax > BigInt(range.max)) {
    env.reject(EINVAL, invalidScalarMessage("At program exit", "R0", reg.smin, reg.smax, range));
  }
}

/** `check_reference_leak`: references the main program still holds. */
function referencesLeaked(env: VerifierEnv): boolean {
  if (env.frame.frameno !== 0) return false;
  const leaked = env.state.refs.filter((r) => r.kind === "ptr");
  for (const ref of leaked)
    env.verbose(`Unreleased reference id=${ref.id} alloc_insn=${ref.insnIdx}`);
  return leaked.length > 0;
}

/**
 * `check_resource_leak`: at an exit (and wherever control may leave the
 * program), no lock may be held and no reference left unreleased.
 * `prefix` names the instruction, as the kernel's message does.
 */
export function checkResourceLeak(env: VerifierEnv, checkLock: boolean, prefix: string): void {
  const state = env.state;
  if (checkLock && state.activeLock !== undefined) {
    env.reject(EINVAL, `${prefix} cannot be used inside bpf_spin_lock-ed region`);
  }
  if (referencesLeaked(env)) env.reject(EINVAL, `${prefix} would lead to reference leak`);
  if (checkLock && state.activeRcuLock) {
    env.reject(EINVAL, `${prefix} cannot be used inside bpf_rcu_read_lock-ed region`);
  }
}
