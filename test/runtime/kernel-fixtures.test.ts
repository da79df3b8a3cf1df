import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import { createRuntime } from "../../src/runtime/index.js";

/*
 * Return values of the fixture programs under BPF_PROG_TEST_RUN on Linux 6.18
 * (each program loaded alone with libbpf, one run on a 64-byte packet), next to
 * what the runtime returns for the same object and packet.
 */
const FIXTURES = join(import.meta.dirname, "../fixtures");

const hex = (s: string): Uint8Array =>
  Uint8Array.from(s.match(/../g)!, (b) => Number.parseInt(b, 16));
const PACKETS: Record<string, Uint8Array> = {
  zeros: new Uint8Array(64),
  // Ethernet + IPv4 (ttl 64) + TCP 12345 -> 80, SYN
  tcp: hex(
    "00000000000000000000000008004500003200010000400600000a0000010a00000230390050000000010000000050020fff0000000000000000000000000000",
  ),
  // IPv4 UDP with ttl 1
  ttl1: hex(
    "00000000000000000000000008004500003200010000011100000a0000010a00000230390035001e000000000000000000000000000000000000000000000000",
  ),
  // TCP whose bytes at L3 offsets 23 and 20 make the L2-minded socket filter keep it
  sock: hex(
    "00000000000000000000000008004500003200010000400600000a0000010a00000240000006000000010000000050020fff0000000000000000000000000000",
  ),
};

const KERNEL: readonly (readonly [string, string, keyof typeof PACKETS, number])[] = [
  ["atomics.o", "atomic_ops", "zeros", 0],
  ["atomics.v4.o", "atomic_ops", "tcp", 0],
  ["bounded_loop.o", "window_sum", "zeros", 0],
  ["bounded_loop.o", "unrolled_max", "tcp", 0],
  ["bounded_loop.o", "first_empty", "tcp", 0],
  ["bpf_loop_callback.o", "find_mark", "tcp", 0],
  ["global_data.o", "account", "tcp", 0],
  ["inline_asm.o", "hand_written", "zeros", 58502],
  ["inline_asm.o", "hand_written", "tcp", 58502],
  ["isa_v4.v4.o", "signed_math", "tcp", 0],
  ["maps_btf.o", "track_conn", "tcp", 1],
  ["maps_btf.o", "remember_mark", "tcp", 0],
  ["maps_btf.o", "emit_events", "tcp", 0],
  ["maps_btf.o", "dispatch", "tcp", 0],
  ["socket_filter.o", "keep_tcp_headers", "zeros", 0],
  ["socket_filter.o", "keep_tcp_headers", "tcp", 0],
  ["socket_filter.o", "keep_tcp_headers", "sock", 64],
  ["spin_lock_map.o", "withdraw", "tcp", 0],
  ["spin_lock_map.o", "count_tag", "tcp", 1],
  ["subprograms.o", "hash_a", "tcp", 67],
  ["subprograms.o", "hash_b", "tcp", 50],
  ["subprograms.o", "hash_c", "tcp", 0],
  ["tc_classifiers.o", "mark_ipv4", "tcp", 0],
  ["tc_classifiers.o", "drop_small_ttl", "tcp", 0],
  ["tc_classifiers.o", "drop_small_ttl", "ttl1", 2],
  ["xdp_bounds.o", "xdp_count_udp", "ttl1", 2],
  ["xdp_bounds.o", "xdp_count_udp", "zeros", 2],
];

describe("fixture programs return what the kernel returns", () => {
  it.each(KERNEL)("%s %s on %s -> %i", (object, program, packet, expected) => {
    const spec = parseObject(new Uint8Array(readFileSync(join(FIXTURES, object))));
    // hand_written adds bpf_get_prandom_u32() & 1; both kernel runs drew an odd number.
    const rt = createRuntime(spec, { random: () => 1 });
    expect(rt.run(program, { data: PACKETS[packet]! }).retval).toBe(expected);
  });
});
