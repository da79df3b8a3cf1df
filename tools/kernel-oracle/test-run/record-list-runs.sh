#!/bin/sh
# Needs root, a kernel with BPF, cc and libbpf-dev.
# Records BPF_PROG_TEST_RUN return values of list/rbtree fixture sequences on
# the running kernel into JSON: {"object": [["step", retval], ...], ...}
set -e
root=$(cd "$(dirname "$0")/../../.." && pwd)
here="$root/tools/kernel-oracle/test-run"
[ -x "$here/testrun" ] || cc -O2 -o "$here/testrun" "$here/testrun.c" -lbpf
cd "$root/test/fixtures"
T="$here/testrun"
run() { obj=$1; shift; echo "  \"$obj\": ["; $T $obj "$@" | awk 'BEGIN{f=1} { if(!f) printf ",\n"; f=0; printf "    [\"%s:%s:%s\", %s]", $1, $2, $3, $4 } END{printf "\n"}'; echo "  ]"; }
{
echo "{"
echo "  \"kernel\": \"$(uname -r)\","
run list_map_value.o push_pop_front push_pop_front:0:100 push_back_keep:5 push_back_keep:9 push_back_keep:13:80 pop_back_drop:1 pop_back_drop:1 push_back_keep:2 pop_back_drop:1 pop_back_drop:1 pop_back_drop:2 pop_back_drop:2 alloc_and_drop
echo ","
run list_global.o peek_global drain_global fill_global:0:70 peek_global fill_global:0:80 peek_global drain_global peek_global fill_global drain_global drain_global
echo ","
run list_nested.o take_nested build_nested build_nested:0:70 take_nested take_nested take_nested build_nested:0:90
echo ","
run rbtree_refcount.o tree_add_remove:7:80 tree_and_list:0:70 tree_and_list:0:60 tree_add_remove:9:100 tree_add_remove:11:100 tree_add_remove:3:65
echo ","
run kptr_stash.o unstash stash_new stash_new unstash unstash stash_new
echo "}"
} > "$root/test/runtime/lists.kernel-runs.json"
