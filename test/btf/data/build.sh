#!/bin/sh
# Rebuilds the BTF and ELF test objects from their C sources (needs clang-19).
# The prefix map keeps the build directory out of the objects' file names.
set -e
here="$(cd "$(dirname "$0")" && pwd)"
for dir in "$here" "$here/../../elf/data"; do
	cd "$dir"
	for src in *.bpf.c; do
		clang-19 -O2 -g -target bpf -fdebug-prefix-map="$PWD"=. -c "$src" -o "${src%.c}.o"
	done
done
