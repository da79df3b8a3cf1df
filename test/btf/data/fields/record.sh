#!/usr/bin/env bash
# Rebuilds the special-field test programs and records what the running
# kernel says about each of them in kernel.json:
#
#   { "NAME": { "btf_load": { "errno": N, "log_tail": "..." },
#               "maps": [ { "name": "...", "errno": N }, ... ],
#               "prog": { "verdict": ..., "errno": N, "stage": ..., "error": "...",
#                         "libbpf": [ "...", ... ] } }, ... }
#
#   btf_load  BPF_BTF_LOAD of the object's BTF (probe.c): errno 0 or why not;
#   maps      BPF_MAP_CREATE of each map with that BTF (only when it loaded);
#   prog      the kernel oracle (tools/kernel-oracle) loading program "prog"
#             through libbpf, which drops a refused BTF and retries a refused
#             map without BTF: what a user of libbpf actually sees. "error" is
#             the verifier log's last line before "processed N insns";
#             "libbpf" keeps libbpf's warnings without the BTF dump.
#
# Usage: test/btf/data/fields/record.sh   (as root on the reference kernel;
# needs clang-19, cc, libbpf-dev and node). Objects are built from the
# repository root with the source directory mapped to "." so they are
# reproducible.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cd "$root"
rel="${here#"$root"/}"
oracle=tools/kernel-oracle/oracle
[ -x "$oracle" ] || tools/kernel-oracle/build.sh >&2

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -Wextra -Werror -o "$tmp/probe" "$rel/probe.c" -lbpf

for src in "$rel"/*.bpf.c; do
	name="$(basename "$src" .bpf.c)"
	clang-19 -O2 -g -target bpf -mcpu=v3 -I include -I /usr/include/x86_64-linux-gnu \
		-fdebug-prefix-map="$here"=. -c "$src" -o "$rel/$name.o"
	"$tmp/probe" "$rel/$name.o" >"$tmp/$name.probe.json"
	"$oracle" "$rel/$name.o" prog 1 >"$tmp/$name.oracle.json"
done

node - "$tmp" "$rel" >"$rel/kernel.json" <<'EOF'
const fs = require("node:fs");
const path = require("node:path");
const [tmp, dir] = process.argv.slice(2);
const names = fs.readdirSync(dir).filter((f) => f.endsWith(".bpf.c")).map((f) => f.slice(0, -6)).sort();
const out = {};
for (const name of names) {
  const probe = JSON.parse(fs.readFileSync(path.join(tmp, `${name}.probe.json`), "utf8"));
  const o = JSON.parse(fs.readFileSync(path.join(tmp, `${name}.oracle.json`), "utf8"));
  const lines = o.log.split("\n").filter((l) => l !== "");
  const stats = lines.findIndex((l) => l.startsWith("processed "));
  const error = o.verdict === "reject" && stats > 0 ? lines[stats - 1] : "";
  // libbpf prints the whole BTF after a refused BPF_BTF_LOAD; keep only its own words.
  const libbpf = [];
  let inDump = false;
  for (const l of o.libbpf_log.split("\n")) {
    if (l.includes("BEGIN BTF LOAD LOG")) inDump = true;
    else if (l.includes("END BTF LOAD LOG")) inDump = false;
    else if (!inDump && l !== "") libbpf.push(l.replace(/^libbpf: /, ""));
  }
  out[name] = { ...probe, prog: { verdict: o.verdict, errno: o.errno, stage: o.stage, error, libbpf } };
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
EOF
echo "record: wrote $rel/kernel.json" >&2
