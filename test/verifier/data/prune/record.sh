#!/usr/bin/env bash
# Rebuilds prune.o from prune.bpf.c and records what the running kernel's
# verifier says about it and about every program of test/fixtures/*.o:
#
#   prune.o                   clang-19 -O2 -g -target bpf -mcpu=v3
#   kernel-prune.json         per program of prune.o: verdict, errno, the
#                             statistics line's numbers and the closing error lines
#   kernel-logs/PROG.log      the level 2 log of each prune.o program whose log
#                             is under 2000 lines
#   fixture-stats.json        per "OBJ:PROG" of test/fixtures: verdict and statistics
#
# Usage: test/verifier/data/prune/record.sh   (as root, on the kernel the
# project targets; needs clang-19, libbpf-dev, node; builds the oracle if needed)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../.." && pwd)"
here="$root/test/verifier/data/prune"
cd "$root"
oracle=tools/kernel-oracle/oracle
if [ ! -x "$oracle" ] || [ tools/kernel-oracle/oracle.c -nt "$oracle" ]; then
	tools/kernel-oracle/build.sh >&2
fi
multiarch="$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

clang-19 -O2 -g -target bpf -mcpu=v3 -fdebug-prefix-map="$root"=. -fno-ident \
	-I include -I "/usr/include/$multiarch" -c "$here/prune.bpf.c" -o "$here/prune.o"

: >"$work/prune.tsv"
while IFS= read -r prog; do
	"$oracle" "$here/prune.o" "$prog" 1 >"$work/$prog.1.json"
	"$oracle" "$here/prune.o" "$prog" 2 >"$work/$prog.2.json" || true
	printf '%s\t%s\t%s\n' "$prog" "$work/$prog.1.json" "$work/$prog.2.json" >>"$work/prune.tsv"
done < <("$oracle" --list "$here/prune.o")

: >"$work/fixtures.tsv"
for obj in test/fixtures/*.o; do
	while IFS= read -r prog; do
		out="$work/fixture.$(basename "$obj").$prog.json"
		"$oracle" "$obj" "$prog" 1 >"$out" || continue
		printf '%s\t%s\n' "$(basename "$obj"):$prog" "$out" >>"$work/fixtures.tsv"
	done < <("$oracle" --list "$obj")
done

node - "$work/prune.tsv" "$work/fixtures.tsv" "$here" <<'JS'
const fs = require("node:fs");
const [pruneIndex, fixtureIndex, here] = process.argv.slice(2);
const statsRe = /processed (\d+) insns \(limit \d+\) max_states_per_insn (\d+) total_states (\d+) peak_states (\d+)/;
function stats(log) {
  const m = statsRe.exec(log);
  if (!m) return undefined;
  return { processed: +m[1], maxStatesPerInsn: +m[2], totalStates: +m[3], peakStates: +m[4] };
}
// the closing error lines: after the last instruction or state line, before the statistics
const pathLine = /^(\d+: |; |from \d+ to \d+|mark_precise: |\(\d+\) frame |Live regs |func#\d+ @|Global function )/;
function errors(log) {
  const lines = log.split("\n");
  const end = lines.findIndex((l) => statsRe.test(l));
  const out = [];
  for (let i = (end < 0 ? lines.length : end) - 1; i >= 0; i--) {
    if (lines[i] === "" || pathLine.test(lines[i])) break;
    out.unshift(lines[i]);
  }
  return out;
}
const prune = {};
fs.mkdirSync(`${here}/kernel-logs`, { recursive: true });
for (const row of fs.readFileSync(pruneIndex, "utf8").trim().split("\n")) {
  const [prog, level1, level2] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(level1, "utf8"));
  prune[prog] = { verdict: r.verdict, errno: r.errno, ...stats(r.log), errors: r.verdict === "reject" ? errors(r.log) : [] };
  const r2 = JSON.parse(fs.readFileSync(level2, "utf8"));
  if (r2.log.split("\n").length < 2000) fs.writeFileSync(`${here}/kernel-logs/${prog}.log`, r2.log);
}
fs.writeFileSync(`${here}/kernel-prune.json`, `${JSON.stringify(prune, null, 2)}\n`);
const fixtures = {};
for (const row of fs.readFileSync(fixtureIndex, "utf8").trim().split("\n")) {
  const [key, file] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  if (r.stage !== "verifier") continue;
  fixtures[key] = { verdict: r.verdict, ...stats(r.log) };
}
fs.writeFileSync(`${here}/fixture-stats.json`, `${JSON.stringify(fixtures, null, 2)}\n`);
JS
echo "recorded $(grep -c . "$work/prune.tsv") prune.o programs and $(grep -c . "$work/fixtures.tsv") fixture programs" >&2
