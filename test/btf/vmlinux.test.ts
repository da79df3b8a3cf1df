import { existsSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { parseBtf } from "../../src/btf/btf.js";

// The running kernel's own BTF: every kind and quirk the kernel's pahole
// emits. Skipped where the kernel does not expose it.
const VMLINUX = "/sys/kernel/btf/vmlinux";

it.skipIf(!existsSync(VMLINUX))("parses the running kernel's BTF", () => {
  const btf = parseBtf(new Uint8Array(readFileSync(VMLINUX)));
  const head = btf.findByName("bpf_list_head", "struct")!;
  expect(btf.sizeof(head.id)).toBe(16);
  expect(btf.alignof(head.id)).toBe(8);
  const push = btf.findByName("bpf_list_push_front_impl", "func")!;
  expect(btf.declTags(push.id)).toContain("bpf_kfunc");
  expect(btf.format(push.id)).toMatch(
    /^static int bpf_list_push_front_impl\(struct bpf_list_head \*head, struct bpf_list_node \*node, /,
  );
});
