#!/usr/bin/env bash
# Records the running kernel's level 2 verifier log of every program it
# accepts, from every fixture object (test/fixtures/*.o) and example object
# (examples/*.o), into test/verifier/data/level2-logs/KEY.log, where KEY is
# the differential corpus key ("file.o:prog" or "examples/file.o:prog") with
# "/" and ":" turned into "__". The log-fidelity test compares tsbpf's level 2
# log with these line for line. Old recordings are removed first, so the
# directory holds exactly the programs the kernel accepts now.
#
# Usage: tools/kernel-oracle/record-level2-logs.sh   (as root, after
# tools/build-fixtures.sh; builds the oracle if needed). Needs node for JSON.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
oracle=tools/kernel-oracle/oracle
out=test/verifier/data/level2-logs

if [ ! -x "$oracle" ] || [ tools/kernel-oracle/oracle.c -nt "$oracle" ]; then
	tools/kernel-oracle/build.sh >&2
fi
command -v node >/dev/null 2>&1 || { echo "record-level2-logs: node is required" >&2; exit 1; }

mkdir -p "$out"
rm -f "$out"/*.log

shopt -s nullglob
objects=(test/fixtures/*.o examples/*.o)
shopt -u nullglob

n=0
for obj in "${objects[@]}"; do
	key="$(basename "$obj")"
	[ "$(dirname "$obj")" = test/fixtures ] || key="$obj"
	while IFS= read -r prog; do
		name="$(printf '%s:%s' "$key" "$prog" | sed 's|[/:]|__|g')"
		"$oracle" "$obj" "$prog" 2 | node -e '
			let s = "";
			process.stdin.on("data", (d) => (s += d));
			process.stdin.on("end", () => {
				const r = JSON.parse(s);
				if (r.verdict === "accept") process.stdout.write(r.log);
			});
		' >"$out/$name.log"
		if [ -s "$out/$name.log" ]; then n=$((n + 1)); else rm -f "$out/$name.log"; fi
	done < <("$oracle" --list "$obj")
done
echo "record-level2-logs: $n accepted programs' logs in $out"
