#!/usr/bin/env bash
# Rebuilds the helper-call fixtures and records the running kernel's answers:
#
#   NAME.bpf.c -> NAME.o (clang-19 -O2 -g -target bpf -mcpu=v3)
#   kernel-verdicts.json: { "OBJ/PROG": { "verdict", "errno", "errors": [the
#     log's lines after the failing instruction, before "processed"], "log":
#     the level 1 log } }
#   PROG.level2.log: the level 2 log of the accepted programs in LEVEL2 below
#
# Usage: test/verifier/data/helper-call/record.sh   (as root; needs clang-19,
# libbpf-dev and node; builds tools/kernel-oracle/oracle when missing)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cd "$root"
oracle=tools/kernel-oracle/oracle
if [ ! -x "$oracle" ] || [ tools/kernel-oracle/oracle.c -nt "$oracle" ]; then
	tools/kernel-oracle/build.sh >&2
fi
LEVEL2="ok_lookup ok_update_delete ok_probe_read ok_ringbuf_submit ok_spin_lock ok_tail_call ok_csum_diff_null ok_map_in_map"
multiarch="$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: >"$work/index.tsv"
n=0
for src in "$here"/*.bpf.c; do
	name="$(basename "$src" .bpf.c)"
	obj="$here/$name.o"
	clang-19 -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$root"=. -fno-ident \
		-I include -I "/usr/include/$multiarch" -c "$src" -o "$obj"
	while IFS= read -r prog; do
		n=$((n + 1))
		"$oracle" "$obj" "$prog" 1 >"$work/$n.json"
		printf '%s/%s\t%s\n' "$name" "$prog" "$work/$n.json" >>"$work/index.tsv"
		if [[ " $LEVEL2 " == *" $prog "* ]]; then
			"$oracle" "$obj" "$prog" 2 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).log))' >"$here/$prog.level2.log"
		fi
	done < <("$oracle" --list "$obj")
done
node - "$work/index.tsv" "$here/kernel-verdicts.json" <<'JS'
const fs = require("node:fs");
const [index, out] = process.argv.slice(2);
const pathLine = /^(\d+: |; |from \d+ to \d+: |mark_precise: |\(\d+\) frame |Live regs |func#\d+ @|\d+: R\d+|\s+\d+: )/;
function errors(log) {
  const lines = log.split("\n").filter((l) => l !== "");
  let end = lines.findLastIndex((l) => /processed \d+ insns \(limit/.test(l));
  if (end < 0) end = lines.length;
  let start = end;
  while (start > 0 && !pathLine.test(lines[start - 1])) start--;
  // one kernel message has no newline, so the statistics line runs into it
  if (end < lines.length && !lines[end].startsWith("processed ")) {
    return [...lines.slice(start, end), lines[end].replace(/processed \d+ insns \(limit.*$/, "")];
  }
  return lines.slice(start, end);
}
const verdicts = {};
for (const row of fs.readFileSync(index, "utf8").trim().split("\n")) {
  const [prog, path] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(path, "utf8"));
  if (r.stage !== "verifier") throw new Error(`${prog}: the kernel refused it before the verifier ran: ${r.libbpf_log}`);
  verdicts[prog] = { verdict: r.verdict, errno: r.errno, errors: r.verdict === "reject" ? errors(r.log) : [], log: r.log };
}
fs.writeFileSync(out, `${JSON.stringify(verdicts, null, 2)}\n`);
console.error(`record.sh: ${Object.keys(verdicts).length} programs -> ${out}`);
JS
