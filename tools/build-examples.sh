#!/usr/bin/env bash
# Rebuilds examples/*.bpf.o from examples/*.bpf.c with clang-19.
# Needs: apt-get install -y clang-19 libbpf-dev
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
command -v clang-19 >/dev/null || { echo "clang-19 not found: apt-get install -y clang-19 libbpf-dev" >&2; exit 1; }
arch_include="/usr/include/$(uname -m)-linux-gnu"
cd "$root/examples"
for src in *.bpf.c; do
  obj="${src%.c}.o"
  clang-19 -O2 -g -target bpf -mcpu=v3 -I "$root/include" -I "$arch_include" \
    -fdebug-prefix-map="$PWD"=. -c "$src" -o "$obj"
  echo "built examples/$obj"
done
