import type { Btf } from "../btf/btf.js";
import type { BtfExt } from "../btf/ext.js";
import type { Insn } from "../isa/insn.js";

/**
 * Program types by the kernel's `enum bpf_prog_type` names, lower case and
 * without the `BPF_PROG_TYPE_` prefix, so JSON output reads like bpftool's.
 */
export type ProgramType =
  | "socket_filter"
  | "kprobe"
  | "sched_cls"
  | "sched_act"
  | "tracepoint"
  | "xdp"
  | "perf_event"
  | "cgroup_skb"
  | "cgroup_sock"
  | "lwt_in"
  | "lwt_out"
  | "lwt_xmit"
  | "sock_ops"
  | "sk_skb"
  | "cgroup_device"
  | "sk_msg"
  | "raw_tracepoint"
  | "cgroup_sock_addr"
  | "lwt_seg6local"
  | "lirc_mode2"
  | "sk_reuseport"
  | "flow_dissector"
  | "cgroup_sysctl"
  | "raw_tracepoint_writable"
  | "cgroup_sockopt"
  | "tracing"
  | "struct_ops"
  | "ext"
  | "lsm"
  | "sk_lookup"
  | "syscall"
  | "netfilter"
  /** an executable section whose name names no program type libbpf knows */
  | "unspec";

/** A source position taken from `.BTF.ext` line info. */
export interface LineInfo {
  /** instruction index (in slots) inside the program this record belongs to */
  readonly insn: number;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** the source line's text, as clang stored it (may be empty) */
  readonly text: string;
}

/** A function boundary taken from `.BTF.ext` func info. */
export interface FuncInfo {
  readonly insn: number;
  /** BTF id of the FUNC type */
  readonly typeId: number;
  readonly name: string;
}

export interface ProgramSpec {
  /** the ELF symbol name of the program's entry function */
  readonly name: string;
  /** the ELF section it lives in (`tc`, `xdp`, `kprobe/do_sys_open`, ...) */
  readonly section: string;
  readonly type: ProgramType;
  /** what follows the section prefix (`do_sys_open` in `kprobe/do_sys_open`), if anything */
  readonly attachTo: string | undefined;
  /**
   * The entry function followed by every subprogram it reaches, with all
   * relocations applied: map loads are `lddw` with src 1 (BPF_PSEUDO_MAP_FD)
   * or src 2 (BPF_PSEUDO_MAP_VALUE, second slot's imm = offset in the value)
   * and imm = index into `ObjectSpec.maps`; bpf-to-bpf calls are src 1 with
   * imm the relative offset; kfunc calls are src 2 with imm the tsbpf kfunc id.
   */
  readonly insns: readonly Insn[];
  readonly funcInfo: readonly FuncInfo[];
  readonly lineInfo: readonly LineInfo[];
  readonly license: string;
}

export interface MapSpec {
  readonly name: string;
  /** `enum bpf_map_type` value */
  readonly type: number;
  readonly keySize: number;
  readonly valueSize: number;
  readonly maxEntries: number;
  readonly flags: number;
  /** BTF ids of the key and value types in the object's BTF, when declared */
  readonly keyTypeId: number | undefined;
  readonly valueTypeId: number | undefined;
  /** for array-of-maps / hash-of-maps: the spec every inner map must match */
  readonly innerMap: MapSpec | undefined;
  /** global data maps (`.data`, `.rodata`, `.bss`, `.data.X`): the section they come from */
  readonly section: string | undefined;
  /** initial contents of a global data map's single value */
  readonly initialValue: Uint8Array | undefined;
  /** `.rodata`: programs may not write it (BPF_F_RDONLY_PROG) */
  readonly readOnly: boolean;
}

export interface ObjectSpec {
  readonly programs: readonly ProgramSpec[];
  readonly maps: readonly MapSpec[];
  readonly license: string;
  /** the `version` section's value, when present */
  readonly kernelVersion: number | undefined;
  readonly btf: Btf | undefined;
  readonly btfExt: BtfExt | undefined;
}
