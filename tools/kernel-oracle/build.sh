#!/usr/bin/env bash
# Builds tools/kernel-oracle/oracle (see oracle.c for usage). Needs a C
# compiler and libbpf: apt-get install -y gcc libbpf-dev
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CC="${CC:-cc}"
if ! command -v "$CC" >/dev/null 2>&1; then
	echo "kernel-oracle: no C compiler ($CC); install one with: apt-get install -y gcc" >&2
	exit 1
fi
if [ ! -f /usr/include/bpf/libbpf.h ]; then
	echo "kernel-oracle: libbpf headers not found; install them with: apt-get install -y libbpf-dev" >&2
	exit 1
fi
"$CC" -O2 -g -Wall -Wextra -Werror -o "$here/oracle.tmp" "$here/oracle.c" -lbpf
mv "$here/oracle.tmp" "$here/oracle"
echo "kernel-oracle: built $here/oracle"
