#!/usr/bin/env bash
# Rebuilds the scalar-domain fixtures in this folder: NAME.bpf.c -> NAME.o
# (clang-19 -O2 -g -target bpf -mcpu=v4) and, when the kernel oracle can
# run (root, BPF enabled; see tools/kernel-oracle), NAME.PROG.log: the
# running kernel's verifier log at level 2 for each program of the object.
# The tests replay those logs through src/verifier's scalar domain.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../.." && pwd)"
cd "$here"
command -v clang-19 >/dev/null || { echo "build.sh: clang-19 not found: apt-get install -y clang-19 libbpf-dev" >&2; exit 1; }
multiarch="$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")"
oracle="$root/tools/kernel-oracle/oracle"
for src in scalar_*.bpf.c; do
	name="${src%.bpf.c}"
	clang-19 -O2 -g -target bpf -mcpu=v4 -fno-ident -fdebug-prefix-map="$here"=. \
		-I "/usr/include/$multiarch" -c "$src" -o "$name.o"
	echo "built $name.o"
	if [ ! -x "$oracle" ]; then
		echo "build.sh: no kernel oracle ($oracle); build it with tools/kernel-oracle/build.sh to refresh the logs" >&2
		continue
	fi
	for prog in $("$oracle" --list "$name.o"); do
		"$oracle" "$name.o" "$prog" 2 |
			python3 -c 'import json,sys; sys.stdout.write(json.load(sys.stdin)["log"])' >"$name.$prog.log"
		echo "recorded $name.$prog.log"
	done
done
