import { describe, expect, it } from "vitest";
import { HELPER_MAX_ID, helperId, helperName } from "../../src/isa/helpers.js";

// Ids from include/uapi/linux/bpf.h (___BPF_FUNC_MAPPER), Linux 6.18.
describe("helper table", () => {
  it("knows ids 0..211", () => {
    expect(HELPER_MAX_ID).toBe(212);
    expect(helperName(0)).toBe("bpf_unspec");
    expect(helperName(1)).toBe("bpf_map_lookup_elem");
    expect(helperName(5)).toBe("bpf_ktime_get_ns");
    expect(helperName(12)).toBe("bpf_tail_call");
    expect(helperName(113)).toBe("bpf_probe_read_kernel");
    expect(helperName(130)).toBe("bpf_ringbuf_output");
    expect(helperName(209)).toBe("bpf_user_ringbuf_drain");
    expect(helperName(210)).toBe("bpf_cgrp_storage_get");
    expect(helperName(211)).toBe("bpf_cgrp_storage_delete");
  });

  it("has nothing outside the table", () => {
    expect(helperName(212)).toBeUndefined();
    expect(helperName(-1)).toBeUndefined();
    expect(helperName(1.5)).toBeUndefined();
  });

  it("maps names back, with or without the bpf_ prefix", () => {
    expect(helperId("bpf_map_lookup_elem")).toBe(1);
    expect(helperId("trace_printk")).toBe(6);
    expect(helperId("bpf_get_current_pid_tgid")).toBe(14);
    expect(helperId("bpf_no_such_helper")).toBeUndefined();
  });
});
