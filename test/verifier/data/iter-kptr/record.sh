#!/usr/bin/env bash
# Builds the iterator and kptr cases and records what the running kernel
# does with them:
#
#   NAME.bpf.c -> NAME.o (clang-19 -O2 -g -mcpu=v3, as the fixtures)
#   kernel-verdicts.json: { "NAME.o:PROG": { "verdict", "errno", "errors"
#     (the log's lines after the failing instruction), "processed" (the
#     statistics line's instruction count) } }
#   kernel-retvals.json:  { "NAME.o:PROG": retval as u32 } from
#     BPF_PROG_TEST_RUN (64-byte packet, mark 0) of the accepted programs,
#     built with -DTSBPF_ACCEPTED_ONLY so the object loads whole.
#
# Usage: test/verifier/data/iter-kptr/record.sh   (as root; needs clang-19,
# libbpf-dev, node; builds the oracle and the test-run loader if needed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
cd "$root"
dir=test/verifier/data/iter-kptr
oracle=tools/kernel-oracle/oracle
testrun=tools/kernel-oracle/test-run/testrun
[ -x "$oracle" ] || tools/kernel-oracle/build.sh >&2
if [ ! -x "$testrun" ]; then
	cc -O2 -o "$testrun" tools/kernel-oracle/test-run/testrun.c -lbpf
fi
multiarch="$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")"
flags=(-O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$root"=. -fno-ident -I include -I "/usr/include/$multiarch")
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
: >"$work/index.tsv"
: >"$work/runs.txt"
for src in "$dir"/*.bpf.c; do
	name="$(basename "$src" .bpf.c)"
	obj="$dir/$name.o"
	clang-19 "${flags[@]}" -c "$src" -o "$obj"
	n=0
	while IFS= read -r prog; do
		n=$((n + 1))
		"$oracle" "$obj" "$prog" 1 >"$work/$name.$n.json"
		printf '%s.o:%s\t%s\n' "$name" "$prog" "$work/$name.$n.json" >>"$work/index.tsv"
	done < <("$oracle" --list "$obj")
	clang-19 "${flags[@]}" -DTSBPF_ACCEPTED_ONLY -c "$src" -o "$work/$name.o"
	mapfile -t accepted < <("$oracle" --list "$work/$name.o")
	"$testrun" "$work/$name.o" "${accepted[@]}" | sed "s/^/$name.o:/" >>"$work/runs.txt"
done
node - "$work/index.tsv" "$work/runs.txt" "$dir" <<'JS'
const fs = require("node:fs");
const [index, runs, dir] = process.argv.slice(2);
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
  const [key, path] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(path, "utf8"));
  if (r.stage !== "verifier") throw new Error(`${key}: refused before the verifier ran: ${r.libbpf_log}`);
  const processed = Number(/processed (\d+) insns/.exec(r.log)?.[1] ?? -1);
  verdicts[key] = { verdict: r.verdict, errno: r.errno, errors: r.verdict === "reject" ? errors(r.log) : [], processed };
}
const retvals = {};
for (const line of fs.readFileSync(runs, "utf8").trim().split("\n")) {
  const [key, , , retval] = line.split(" ");
  if (!/^\d+$/.test(retval ?? "")) throw new Error(`test run failed: ${line}`);
  retvals[key] = Number(retval);
}
fs.writeFileSync(`${dir}/kernel-verdicts.json`, `${JSON.stringify(verdicts, null, 2)}\n`);
fs.writeFileSync(`${dir}/kernel-retvals.json`, `${JSON.stringify(retvals, null, 2)}\n`);
console.error(`record: ${Object.keys(verdicts).length} verdicts, ${Object.keys(retvals).length} test runs`);
JS
