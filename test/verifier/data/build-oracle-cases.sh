#!/usr/bin/env bash
# Builds the oracle cases of the context and helper tables and records the
# running kernel's verdict on each of their programs:
#
#   ctx/ctx_access.bpf.c         -> ctx/ctx_access.o         + ctx/kernel-verdicts.json
#   helpers/helper_calls.bpf.c   -> helpers/helper_calls.o   + helpers/kernel-verdicts.json
#
# kernel-verdicts.json: { "PROG": { "verdict": "accept"|"reject", "errno": N,
# "errors": [the log's lines after the failing instruction, before "processed"] } }
#
# Usage: test/verifier/data/build-oracle-cases.sh   (as root; needs clang-19,
# libbpf-dev, node; builds tools/kernel-oracle/oracle if needed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
cd "$root"
oracle=tools/kernel-oracle/oracle
if [ ! -x "$oracle" ] || [ tools/kernel-oracle/oracle.c -nt "$oracle" ]; then
	tools/kernel-oracle/build.sh >&2
fi
multiarch="$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for src in test/verifier/data/ctx/ctx_access.bpf.c test/verifier/data/helpers/helper_calls.bpf.c; do
	dir="$(dirname "$src")"
	obj="$dir/$(basename "$src" .bpf.c).o"
	clang-19 -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$root"=. -fno-ident \
		-I include -I "/usr/include/$multiarch" -c "$src" -o "$obj"
	: >"$work/index.tsv"
	n=0
	while IFS= read -r prog; do
		n=$((n + 1))
		"$oracle" "$obj" "$prog" 1 >"$work/$n.json"
		printf '%s\t%s\n' "$prog" "$work/$n.json" >>"$work/index.tsv"
	done < <("$oracle" --list "$obj")
	node - "$work/index.tsv" "$dir/kernel-verdicts.json" <<'JS'
const fs = require("node:fs");
const [index, out] = process.argv.slice(2);
const pathLine = /^(\d+: |; |from \d+ to \d+: |mark_precise: |\(\d+\) frame |Live regs |func#\d+ @)/;
function errors(log) {
  const lines = log.split("\n").filter((l) => l !== "");
  let end = lines.findLastIndex((l) => /^processed \d+ insns /.test(l));
  if (end < 0) end = lines.length;
  let start = end;
  while (start > 0 && !pathLine.test(lines[start - 1])) start--;
  return lines.slice(start, end);
}
const verdicts = {};
for (const row of fs.readFileSync(index, "utf8").trim().split("\n")) {
  const [prog, path] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(path, "utf8"));
  if (r.stage !== "verifier") throw new Error(`${prog}: the kernel refused it before the verifier ran: ${r.libbpf_log}`);
  verdicts[prog] = { verdict: r.verdict, errno: r.errno, errors: r.verdict === "reject" ? errors(r.log) : [] };
}
fs.writeFileSync(out, `${JSON.stringify(verdicts, null, 2)}\n`);
console.error(`build-oracle-cases: ${Object.keys(verdicts).length} programs -> ${out}`);
JS
done
