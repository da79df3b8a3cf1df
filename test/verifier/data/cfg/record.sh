#!/usr/bin/env bash
# Records the running kernel's verdict and log for every case of every *.txt
# file here, into NAME.kernel.jsonl next to it (one JSON object a line:
# name, verdict, errno, log). Run as root on the reference kernel (Linux 6.18);
# needs a C compiler and libbpf (apt-get install -y gcc libbpf-dev).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$work/raw-load" "$here/raw-load.c" -lbpf
echo "recording on $(uname -r)" >&2
for cases in "$here"/*.txt; do
	out="${cases%.txt}.kernel.jsonl"
	"$work/raw-load" "$cases" >"$out.tmp"
	mv "$out.tmp" "$out"
	echo "wrote $out ($(wc -l <"$out") cases)" >&2
done
