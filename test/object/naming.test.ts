import { describe, expect, it } from "vitest";
import { objectNameFromPath } from "../../src/object/load.js";
import { globalDataMapName } from "../../src/object/maps.js";
import { programTypeOfSection } from "../../src/object/section-types.js";

describe("programTypeOfSection (libbpf SEC() conventions)", () => {
  it.each([
    ["socket", "socket_filter", undefined],
    ["tc", "sched_cls", undefined],
    ["classifier", "sched_cls", undefined],
    ["tc/ingress", "sched_cls", undefined],
    ["action", "sched_act", undefined],
    ["xdp", "xdp", undefined],
    ["xdp.frags", "xdp", undefined],
    ["syscall", "syscall", undefined],
    ["kprobe/do_sys_open", "kprobe", "do_sys_open"],
    ["kretprobe/do_sys_open", "kprobe", "do_sys_open"],
    ["kprobe", "kprobe", undefined],
    ["tracepoint/syscalls/sys_enter_openat", "tracepoint", "syscalls/sys_enter_openat"],
    ["tp/sched/sched_switch", "tracepoint", "sched/sched_switch"],
    ["raw_tp/sys_enter", "raw_tracepoint", "sys_enter"],
    ["raw_tracepoint.w/sys_enter", "raw_tracepoint_writable", "sys_enter"],
    ["fentry/do_nanosleep", "tracing", "do_nanosleep"],
    ["fexit/do_nanosleep", "tracing", "do_nanosleep"],
    ["tp_btf/sys_enter", "tracing", "sys_enter"],
    ["lsm/file_open", "lsm", "file_open"],
    ["cgroup_skb/ingress", "cgroup_skb", undefined],
    ["cgroup/connect4", "cgroup_sock_addr", undefined],
  ])("%s is %s", (section, type, attachTo) => {
    expect(programTypeOfSection(section)).toEqual({ type, attachTo });
  });

  it("needs an exact match for names without a '+' pattern", () => {
    // libbpf 1.0 dropped sloppy prefix matching: "tcx" is no tc program, "xdp_foo" no xdp one
    expect(programTypeOfSection("xdp_foo").type).toBe("unspec");
    expect(programTypeOfSection("socket1").type).toBe("unspec");
  });

  it("needs a '/' after a '+' pattern's prefix", () => {
    expect(programTypeOfSection("kprobes").type).toBe("unspec");
  });
});

describe("globalDataMapName (libbpf internal_map_name)", () => {
  // the examples in libbpf's own comment on internal_map_name
  it("prefixes the object name, cut so the whole name fits 15 characters", () => {
    expect(globalDataMapName("my_object", ".bss")).toBe("my_objec.bss");
    expect(globalDataMapName("my_object", ".kconfig")).toBe("my_obje.kconfig");
    expect(globalDataMapName("my_object", ".rodata")).toBe("my_objec.rodata");
  });
  it("keeps custom .data.X sections' own names, cut to 15 characters", () => {
    expect(globalDataMapName("my_object", ".data.A")).toBe(".data.A");
    expect(globalDataMapName("my_object", ".rodata.abracadabra")).toBe(".rodata.abracad");
  });
  it("replaces characters the kernel does not allow in map names", () => {
    expect(globalDataMapName("a-b", ".data")).toBe("a_b.data");
  });
});

describe("objectNameFromPath (libbpf bpf_object__new)", () => {
  it("takes the base name up to the first dot", () => {
    expect(objectNameFromPath("/x/y/packet_counter.bpf.o")).toBe("packet_counter");
    expect(objectNameFromPath("prog.o")).toBe("prog");
    expect(objectNameFromPath("a_very_long_object_name.o")).toBe("a_very_long_obj");
  });
});
