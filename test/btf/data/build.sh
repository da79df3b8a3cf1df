#!/bin/sh
# Rebuilds the BTF test objects from their C sources (needs clang-19).
set -e
cd "$(dirname "$0")"
for src in *.bpf.c; do
	clang-19 -O2 -g -target bpf -c "$src" -o "${src%.c}.o"
done
