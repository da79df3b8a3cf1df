import type { ProgramType } from "./spec.js";

/**
 * libbpf's SEC() conventions. A pattern ending in `+` matches the bare name or
 * the name followed by `/anything`; one ending in `/` needs something after the
 * slash; any other pattern must match exactly. The first match wins, so more
 * specific patterns come first.
 */
const SECTION_PATTERNS: ReadonlyArray<readonly [string, ProgramType]> = [
  ["socket", "socket_filter"],
  ["sk_reuseport/migrate", "sk_reuseport"],
  ["sk_reuseport", "sk_reuseport"],
  ["kprobe+", "kprobe"],
  ["uprobe+", "kprobe"],
  ["uprobe.s+", "kprobe"],
  ["kretprobe+", "kprobe"],
  ["uretprobe+", "kprobe"],
  ["uretprobe.s+", "kprobe"],
  ["kprobe.multi+", "kprobe"],
  ["kretprobe.multi+", "kprobe"],
  ["kprobe.session+", "kprobe"],
  ["uprobe.multi+", "kprobe"],
  ["uretprobe.multi+", "kprobe"],
  ["uprobe.session+", "kprobe"],
  ["ksyscall+", "kprobe"],
  ["kretsyscall+", "kprobe"],
  ["usdt+", "kprobe"],
  ["usdt.s+", "kprobe"],
  ["tc/ingress", "sched_cls"],
  ["tc/egress", "sched_cls"],
  ["tcx/ingress", "sched_cls"],
  ["tcx/egress", "sched_cls"],
  ["netkit/primary", "sched_cls"],
  ["netkit/peer", "sched_cls"],
  ["tc", "sched_cls"],
  ["classifier", "sched_cls"],
  ["action", "sched_act"],
  ["tracepoint+", "tracepoint"],
  ["tp+", "tracepoint"],
  ["raw_tracepoint+", "raw_tracepoint"],
  ["raw_tp+", "raw_tracepoint"],
  ["raw_tracepoint.w+", "raw_tracepoint_writable"],
  ["raw_tp.w+", "raw_tracepoint_writable"],
  ["tp_btf+", "tracing"],
  ["fentry+", "tracing"],
  ["fmod_ret+", "tracing"],
  ["fexit+", "tracing"],
  ["fentry.s+", "tracing"],
  ["fmod_ret.s+", "tracing"],
  ["fexit.s+", "tracing"],
  ["freplace+", "ext"],
  ["lsm+", "lsm"],
  ["lsm.s+", "lsm"],
  ["lsm_cgroup+", "lsm"],
  ["iter+", "tracing"],
  ["iter.s+", "tracing"],
  ["syscall", "syscall"],
  ["xdp.frags/devmap", "xdp"],
  ["xdp/devmap", "xdp"],
  ["xdp.frags/cpumap", "xdp"],
  ["xdp/cpumap", "xdp"],
  ["xdp.frags", "xdp"],
  ["xdp", "xdp"],
  ["perf_event", "perf_event"],
  ["lwt_in", "lwt_in"],
  ["lwt_out", "lwt_out"],
  ["lwt_xmit", "lwt_xmit"],
  ["lwt_seg6local", "lwt_seg6local"],
  ["sockops", "sock_ops"],
  ["sk_skb/stream_parser", "sk_skb"],
  ["sk_skb/stream_verdict", "sk_skb"],
  ["sk_skb/verdict", "sk_skb"],
  ["sk_skb", "sk_skb"],
  ["sk_msg", "sk_msg"],
  ["lirc_mode2", "lirc_mode2"],
  ["flow_dissector", "flow_dissector"],
  ["cgroup_skb/ingress", "cgroup_skb"],
  ["cgroup_skb/egress", "cgroup_skb"],
  ["cgroup/skb", "cgroup_skb"],
  ["cgroup/sock_create", "cgroup_sock"],
  ["cgroup/sock_release", "cgroup_sock"],
  ["cgroup/sock", "cgroup_sock"],
  ["cgroup/post_bind4", "cgroup_sock"],
  ["cgroup/post_bind6", "cgroup_sock"],
  ["cgroup/bind4", "cgroup_sock_addr"],
  ["cgroup/bind6", "cgroup_sock_addr"],
  ["cgroup/connect4", "cgroup_sock_addr"],
  ["cgroup/connect6", "cgroup_sock_addr"],
  ["cgroup/connect_unix", "cgroup_sock_addr"],
  ["cgroup/sendmsg4", "cgroup_sock_addr"],
  ["cgroup/sendmsg6", "cgroup_sock_addr"],
  ["cgroup/sendmsg_unix", "cgroup_sock_addr"],
  ["cgroup/recvmsg4", "cgroup_sock_addr"],
  ["cgroup/recvmsg6", "cgroup_sock_addr"],
  ["cgroup/recvmsg_unix", "cgroup_sock_addr"],
  ["cgroup/getpeername4", "cgroup_sock_addr"],
  ["cgroup/getpeername6", "cgroup_sock_addr"],
  ["cgroup/getpeername_unix", "cgroup_sock_addr"],
  ["cgroup/getsockname4", "cgroup_sock_addr"],
  ["cgroup/getsockname6", "cgroup_sock_addr"],
  ["cgroup/getsockname_unix", "cgroup_sock_addr"],
  ["cgroup/sysctl", "cgroup_sysctl"],
  ["cgroup/getsockopt", "cgroup_sockopt"],
  ["cgroup/setsockopt", "cgroup_sockopt"],
  ["cgroup/dev", "cgroup_device"],
  ["struct_ops+", "struct_ops"],
  ["struct_ops.s+", "struct_ops"],
  ["sk_lookup", "sk_lookup"],
  ["netfilter", "netfilter"],
];

function sectionMatches(pattern: string, section: string): boolean {
  if (pattern.endsWith("/")) return section.startsWith(pattern);
  if (pattern.endsWith("+")) {
    const prefix = pattern.slice(0, -1);
    if (!section.startsWith(prefix)) return false;
    return section.length === prefix.length || section[prefix.length] === "/";
  }
  return section === pattern;
}

export interface SectionKind {
  readonly type: ProgramType;
  /** the part after the first `/` for `prefix+` patterns (`do_sys_open` of `kprobe/do_sys_open`) */
  readonly attachTo: string | undefined;
}

/** The program type libbpf would give a program in this ELF section. */
export function programTypeOfSection(section: string): SectionKind {
  for (const [pattern, type] of SECTION_PATTERNS) {
    if (!sectionMatches(pattern, section)) continue;
    const slash = section.indexOf("/");
    const attachTo = pattern.endsWith("+") && slash >= 0 ? section.slice(slash + 1) : undefined;
    return { type, attachTo };
  }
  return { type: "unspec", attachTo: undefined };
}
