#!/usr/bin/env bash
# Rebuilds the BPF test fixtures: every test/fixtures/NAME.bpf.c becomes
#
#   test/fixtures/NAME.o         clang-19 -O2 -g -target bpf -mcpu=v3
#   test/fixtures/NAME.objdump   llvm-objdump-19 -d -r --mcpu=v4 NAME.o (raw bytes
#                                included), so tests can check our decoder without
#                                llvm installed. --mcpu=v4 because without it the
#                                disassembler prints 32-bit atomic fetch/xchg/cmpxchg
#                                as "<unknown>" or as a plain "lock ... +=".
#
# Marker comments, looked for in the first 10 lines of a source, each on a
# line of its own:
#
#   /* tsbpf: mcpu=v4 */       also build NAME.v4.o and NAME.v4.objdump with -mcpu=v4
#   /* tsbpf: mcpu=v4-only */  build only NAME.v4.o (for code that -mcpu=v3 cannot
#                              compile, such as signed division)
#   /* tsbpf: cflags=... */    extra compiler flags for this source (e.g. -DFOO=1)
#
# Objects are reproducible: the source directory is mapped to "." in debug
# info, and the compile runs from the repository root with relative paths,
# so the objects do not depend on where the repository is checked out.
#
# Usage: tools/build-fixtures.sh [NAME ...]   (default: every fixture)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

CLANG="${CLANG:-clang-19}"
OBJDUMP="${OBJDUMP:-llvm-objdump-19}"

for tool in "$CLANG" "$OBJDUMP"; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "build-fixtures: $tool not found; install it with: apt-get install -y clang-19 llvm-19 libbpf-dev" >&2
		exit 1
	fi
done
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
	echo "build-fixtures: libbpf headers not found; install them with: apt-get install -y libbpf-dev" >&2
	exit 1
fi

# <asm/types.h> lives in the multiarch include directory on Debian/Ubuntu.
multiarch="$(gcc -print-multiarch 2>/dev/null || true)"
[ -n "$multiarch" ] || multiarch="$(uname -m)-linux-gnu"
arch_include=()
if [ -d "/usr/include/$multiarch" ]; then
	arch_include=(-I "/usr/include/$multiarch")
fi

base_flags=(-O2 -g -target bpf -Wall -Werror -Wno-unused-function
	-fdebug-prefix-map="$root"=. -fno-ident
	-I include "${arch_include[@]}")

fixtures=test/fixtures
if [ "$#" -gt 0 ]; then
	sources=()
	for name in "$@"; do
		name="${name%.bpf.c}"
		name="${name##*/}"
		[ -f "$fixtures/$name.bpf.c" ] || { echo "build-fixtures: no such fixture $fixtures/$name.bpf.c" >&2; exit 1; }
		sources+=("$fixtures/$name.bpf.c")
	done
else
	shopt -s nullglob
	sources=("$fixtures"/*.bpf.c)
	shopt -u nullglob
fi

compile() { # source output mcpu extra-flags...
	local src="$1" out="$2" mcpu="$3"
	shift 3
	"$CLANG" "${base_flags[@]}" -mcpu="$mcpu" "$@" -c "$src" -o "$out.tmp"
	mv "$out.tmp" "$out"
	# Strip the absolute path of the object from the listing's header line.
	"$OBJDUMP" -d -r --mcpu=v4 "$out" | sed "s|^$root/||" >"${out%.o}.objdump.tmp"
	mv "${out%.o}.objdump.tmp" "${out%.o}.objdump"
}

built=0
for src in "${sources[@]}"; do
	name="$(basename "$src" .bpf.c)"
	head_lines="$(head -n 10 "$src")"
	extra=()
	cflags_line="$(grep -o '/\* tsbpf: cflags=[^*]*\*/' <<<"$head_lines" || true)"
	if [ -n "$cflags_line" ]; then
		cflags="${cflags_line#/\* tsbpf: cflags=}"
		cflags="${cflags%\*/}"
		read -r -a extra <<<"$cflags"
	fi
	v4_only=0
	grep -q '/\* tsbpf: mcpu=v4-only \*/' <<<"$head_lines" && v4_only=1
	if [ "$v4_only" = 0 ]; then
		compile "$src" "$fixtures/$name.o" v3 "${extra[@]}"
		built=$((built + 1))
	fi
	if [ "$v4_only" = 1 ] || grep -q '/\* tsbpf: mcpu=v4 \*/' <<<"$head_lines"; then
		compile "$src" "$fixtures/$name.v4.o" v4 "${extra[@]}"
		built=$((built + 1))
	fi
done
echo "build-fixtures: built $built object(s) from ${#sources[@]} source(s)"
