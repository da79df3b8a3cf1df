#!/usr/bin/env bash
# Asks the running kernel about every program of every fixture object
# (test/fixtures/*.o) and example object (examples/*.o) and writes
# test/fixtures/kernel-verdicts.json, keyed "file.o:prog" for fixtures and
# "examples/file.o:prog" for examples:
#
#   { "file.o:prog": { "verdict": "accept"|"reject", "errno": N,
#                      "stage": "verifier"|"kernel"|"libbpf", "errors": [...] }, ... }
#
# errors: for a verifier reject, the log's closing error lines (the lines
# after the last instruction/state line and before "processed N insns"; the
# exact rule is closingErrorLines in test/differential/closing-errors.mjs,
# shared with the differential test suite). For a refusal before the
# verifier ran (stage kernel/libbpf), libbpf's warnings that say why. Empty
# on accept.
#
# It also checks the fixtures' intent and exits 1 if any program disagrees
# (the JSON is written anyway). A program must be rejected when
#   - its source is a *_reject.bpf.c file, or
#   - its source carries the marker "/* tsbpf: kernel=reject */" in its first
#     10 lines, or
#   - its name ends in "_reject" (for files that mix accepted and rejected
#     programs, such as verifier_*.bpf.c);
# every other program must be accepted.
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
objects=("$fixtures"/*.o examples/*.o)
shopt -u nullglob
[ "${#objects[@]}" -gt 0 ] || { echo "record-verdicts: no objects in $fixtures; run tools/build-fixtures.sh" >&2; exit 1; }

: >"$work/index.tsv"
n=0
for obj in "${objects[@]}"; do
	file="$(basename "$obj")"
	src="$(dirname "$obj")/${file%%.*}.bpf.c"
	key="$file"
	[ "$(dirname "$obj")" = "$fixtures" ] || key="$obj"
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
		prog_expect="$expect"
		[[ "$prog" == *_reject ]] && prog_expect=reject
		printf '%s:%s\t%s\t%s\n' "$key" "$prog" "$prog_expect" "$work/$n.json" >>"$work/index.tsv"
	done < <("$oracle" --list "$obj")
done

node --input-type=module - "$work/index.tsv" "$out" "$root/test/differential/closing-errors.mjs" <<'EOF'
import fs from "node:fs";
import { pathToFileURL } from "node:url";
const [indexPath, outPath, extractorPath] = process.argv.slice(2);
const { closingErrorLines, libbpfRefusalLines } = await import(pathToFileURL(extractorPath).href);

const verdicts = {};
const mismatches = [];
for (const row of fs.readFileSync(indexPath, "utf8").split("\n")) {
  if (row === "") continue;
  const [key, expect, jsonPath] = row.split("\t");
  const r = JSON.parse(fs.readFileSync(jsonPath, "utf8"));
  let errors = [];
  if (r.verdict === "reject") errors = r.stage === "verifier" ? closingErrorLines(r.log) : libbpfRefusalLines(r.libbpf_log);
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
