import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/program.js";

const root = join(import.meta.dirname, "../..");
const example = join(root, "examples/packet_counter.bpf.o");
const listFixture = join(root, "test/fixtures/list_map_value.o");

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

const scratch = mkdtempSync(join(tmpdir(), "tsbpf-cli-"));
function scratchFile(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

describe("tsbpf info", () => {
  it("lists programs and maps", async () => {
    const { code, out, err } = await cli("info", example);
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toContain("count_packets  section xdp  type xdp  63 insns");
    expect(out).toContain("stats_by_proto  type hash  key 4B  value 16B  max_entries 256");
  });

  it("prints JSON with --json", async () => {
    const { code, out } = await cli("info", "--json", example);
    expect(code).toBe(0);
    const json = JSON.parse(out);
    expect(json.programs).toEqual([
      { name: "count_packets", section: "xdp", type: "xdp", insns: 63 },
    ]);
    expect(json.maps.map((m: { name: string }) => m.name)).toEqual([
      "stats_by_proto",
      "packet_c.rodata",
      "packet_c.bss",
    ]);
  });
});

describe("tsbpf disasm", () => {
  it("prints the kernel's syntax with source lines", async () => {
    const { code, out } = await cli("disasm", example);
    expect(code).toBe(0);
    const lines = out.split("\n");
    expect(lines[0]).toBe("count_packets (section xdp, type xdp):");
    expect(lines[1]).toBe("; int count_packets(struct xdp_md *ctx) @ packet_counter.bpf.c:47");
    expect(lines[2]).toBe("0: (b4) w0 = 2");
    expect(out).toContain("(85) call bpf_map_lookup_elem#1");
  });

  it("leaves source lines out with --no-source", async () => {
    const { out } = await cli("disasm", "--no-source", example);
    expect(out).not.toContain("; ");
  });

  it("names the programs there are when --prog names none", async () => {
    const { code, err } = await cli("disasm", example, "--prog", "nope");
    expect(code).toBe(2);
    expect(err).toBe(`tsbpf: ${example}: no program named 'nope' (programs: count_packets)\n`);
  });
});

describe("tsbpf btf", () => {
  it("shows a list head's offset and its contains tag", async () => {
    const { code, out, err } = await cli("btf", listFixture, "--type", "map_value");
    expect(err).toBe("");
    expect(code).toBe(0);
    expect(out).toMatch(
      /struct bpf_list_head head .*btf_decl_tag\("contains:foo:node"\).*offset 8/,
    );
  });
});

describe("bad input", () => {
  it("exits 2 with one line for a missing file", async () => {
    const { code, err } = await cli("info", join(scratch, "missing.o"));
    expect(code).toBe(2);
    expect(err).toBe(`tsbpf: ${join(scratch, "missing.o")}: no such file\n`);
  });

  it("exits 2 naming the problem for a file that is not ELF", async () => {
    const path = scratchFile("text.o", new TextEncoder().encode("hello, world\n"));
    const { code, err } = await cli("info", path);
    expect(code).toBe(2);
    expect(err).toMatch(/^tsbpf: .*text\.o: ElfError: not an ELF file/);
    expect(err.trim().split("\n")).toHaveLength(1);
  });

  it("exits 2 for a truncated object, without a stack trace", async () => {
    const path = scratchFile("cut.o", readFileSync(example).subarray(0, 2000));
    const { code, err } = await cli("disasm", path);
    expect(code).toBe(2);
    expect(err).toMatch(/ElfError: .*truncated|past the end/);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("adds the stack trace under --debug", async () => {
    const path = scratchFile("cut2.o", readFileSync(example).subarray(0, 2000));
    const { code, err } = await cli("--debug", "info", path);
    expect(code).toBe(2);
    expect(err).toMatch(/\n\s+at /);
  });

  it("exits 2 for an unknown option", async () => {
    const { code, err } = await cli("info", "--bogus", example);
    expect(code).toBe(2);
    expect(err).toContain("unknown option '--bogus'");
  });

  it("exits 0 for --help and teaches with examples", async () => {
    const { code, out } = await cli("disasm", "--help");
    expect(code).toBe(0);
    expect(out).toContain("Example:");
  });
});

describe("tsbpf verify", () => {
  const flowQueue = join(root, "examples/flow_queue.bpf.o");
  const broken = join(root, "examples/flow_queue_broken.bpf.o");

  it("exits 0 with one verdict line per accepted program", async () => {
    const { code, out } = await cli("verify", flowQueue);
    expect(code).toBe(0);
    // the kernel processes the same numbers of instructions
    expect(out).toBe(
      "enqueue: accepted (processed 86 insns)\ndrain_oldest: accepted (processed 2008 insns)\n",
    );
  });

  it("exits 1 naming the instruction, the source line and the kernel's error lines", async () => {
    const { code, out } = await cli("verify", broken);
    expect(code).toBe(1);
    expect(out).toBe(
      "enqueue: rejected at insn 77 (flow_queue.bpf.c:91): Unreleased reference id=4 alloc_insn=42; " +
        "BPF_EXIT instruction in main prog would lead to reference leak\n",
    );
  });

  it("prints the documented JSON", async () => {
    const { code, out } = await cli("verify", "--json", "--log-level", "1", broken);
    expect(code).toBe(1);
    const json = JSON.parse(out);
    const [p] = json.programs;
    expect(p).toMatchObject({
      name: "enqueue",
      section: "tc",
      type: "sched_cls",
      verdict: "reject",
      errors: [
        "Unreleased reference id=4 alloc_insn=42",
        "BPF_EXIT instruction in main prog would lead to reference leak",
      ],
      insn: 77,
      source: "flow_queue.bpf.c:91",
      processed: 74,
    });
    expect(p.log).toContain("77: (95) exit");
  });

  it("exits 2 for a log level it does not know", async () => {
    const { code, err } = await cli("verify", "--log-level", "9", flowQueue);
    expect(code).toBe(2);
    expect(err).toContain("--log-level");
  });
});

describe("tsbpf run", () => {
  it("prints the return value as JSON", async () => {
    const { code, out } = await cli("run", example, "--data-size", "64", "--json");
    expect(code).toBe(0);
    // an all-zero frame is not IPv4: XDP_PASS
    expect(JSON.parse(out)).toMatchObject({ retval: 2, repeat: 1 });
  });

  it("asks for --prog when the object has several programs", async () => {
    const { code, err } = await cli("run", join(root, "examples/flow_queue.bpf.o"));
    expect(code).toBe(2);
    expect(err).toContain("choose one with --prog (enqueue, drain_oldest)");
  });
});
