#!/usr/bin/env bash
# Asks the running kernel about every program of every fixture object and
# writes test/fixtures/kernel-verdicts.json:
#
#   { "file.o:prog": { "verdict": "accept"|"reject", "errno": N,
#                      "stage": "verifier"|"kernel"|"libbpf", "errors": [...] }, ... }
#
# errors: for a verifier reject, the log's last lines before "processed N
# insns": the error message(s) the verifier printed after the failing
# instruction. For a refusal before the verifier ran (stage kernel/libbpf),
# libbpf's warnings that say why. Empty on accept.
#
# It also checks the fixtures' intent and exits 1 if any program disagrees
# (the JSON is written anyway): programs of *_reject.bpf.c sources, and of
# sources carrying the marker "/* tsbpf: kernel=reject */" in their first 10
# lines, must be rejected; all others must be accepted.
#
# Usage: tools/kernel-oracle/record-verdicts.sh   (as root, after
# tools/build-fixtures.sh; builds the oracle if needed). Needs node for JSON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
oracle=tools/kernel-oracle/oracle
fixtures=test/fixtures
out="$fixtures/kernel-verdicts.json"

if [ ! -x "$oracle" ] || [ tools/kernel-oracle/oracle.c -nt "$oracle" ]; then
	tools/kernel-oracle/build.sh >&2
fi
command -v node >/dev/null 2>&1 || { echo "record-verdicts: node is required" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
objects=("$fixtures"/*.o)
shopt -u nullglob
[ "${#objects[@]}" -gt 0 ] || { echo "record-verdicts: no objects in $fixtures; run tools/build-fixtures.sh" >&2; exit 1; }

: >"$work/index.tsv"
n=0
for obj in "${objects[@]}"; do
	file="$(basename "$obj")"
	src="$fixtures/${file%%.*}.bpf.c"
	expect=accept
	if [[ "$src" == *_reject.bpf.c ]] || { [ -f "$src" ] && head -n 10 "$src" | grep -q '/\* tsbpf: kernel=reject \*/'; }; then
		expect=reject
	fi
	while IFS= read -r prog; do
		n=$((n + 1))
		status=0
		"$oracle" "$obj" "$prog" 1 >"$work/$n.json" 2>"$work/$n.err" || status=$?
		if [ "$status" -ne 0 ]; then
			echo "record-verdicts: oracle failed (exit $status) on $file:$prog:" >&2
			cat "$work/$n.err" >&2
			exit 1
		fi
		printf '%s:%s\t%s\t%s\n' "$file" "$prog" "$expect" "$work/$n.json" >>"$work/index.tsv"
	done < <("$oracle" --list "$obj")
done

node - "$work/index.tsv" "$out" <<'EOF'
const fs = require("node:fs");
const [indexPath, outPath] = process.argv.slice(2);

/* Lines of the level-1 log that are the path, not the error: instructions, states, source lines. */
const pathLine = /^(\d+: |; |from \d+ to \d+: |mark_precise: |\(\d+\) frame |Live regs |func#\d+ @)/;

function verifierErrors(log) {
  const lines = log.split("\n").filter((l) => l !== "");
  let end = lines.findLastIndex((l) => /^processed \d+ insns /.test(l));
  if (end < 0) end = lines.length;
  let start = end;
  while (start > 0 && !pathLine.test(lines[start - 1])) start--;
  return lines.slice(start, end);
}

function libbpfErrors(libbpfLog) {
  return libbpfLog
    .split("\n")
    .filter((l) => l !== "" && !/failed to load object|: failed to load: -?\d+$|permission error while running as root/.test(l));
}

const verdicts = {};
const mismatches = [];
for (const row of fs.readFileSync(indexPath, "utf8").split("\n")) {
  if (row === "") continue;
  const [key, expect, jsonPath] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(jsonPath, "utf8"));
  let errors = [];
  if (r.verdict === "reject") errors = r.stage === "verifier" ? verifierErrors(r.log) : libbpfErrors(r.libbpf_log);
  verdicts[key] = { verdict: r.verdict, errno: r.errno, stage: r.stage, errors };
  if (r.verdict !== expect) mismatches.push(`${key}: expected ${expect}, kernel says ${r.verdict} ${errors.join(" / ")}`);
}
const sorted = Object.fromEntries(Object.keys(verdicts).sort().map((k) => [k, verdicts[k]]));
fs.writeFileSync(outPath, `${JSON.stringify(sorted, null, 2)}\n`);
console.error(`record-verdicts: ${Object.keys(sorted).length} programs written to ${outPath}`);
if (mismatches.length > 0) {
  console.error(`record-verdicts: ${mismatches.length} program(s) disagree with their fixture's intent:`);
  for (const m of mismatches) console.error(`  ${m}`);
  process.exit(1);
}
EOF
