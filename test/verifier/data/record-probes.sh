#!/usr/bin/env bash
# Asks the running kernel (as root) which context accesses and which helpers
# each program type accepts, with test/verifier/data/probe.c, and writes
#
#   test/verifier/data/ctx/kernel-ctx-matrix.json
#     { "sched_cls": { "progType": 3, "attachType": 0, "limit": 200,
#                      "accepted": ["r 0 1 scalar", ..., "w 8 4 -", ...] }, ... }
#     every access of offsets 0..limit-1 and sizes 1/2/4/8 not listed was refused
#
#   test/verifier/data/helpers/kernel-helpers-matrix.json
#     { "sched_cls": { "progType": 3, "attachType": 0, "maxId": 215,
#                      "unknown": [...], "denied": [...],
#                      "known": { "1": "R1 type=ctx expected=map_ptr", ... } }, ... }
#     known: the last log line of "call id; r0 = 0; exit" with r1 = ctx and
#     r2..r5 uninitialised (the first argument check that failed, or the
#     statistics line when the call went through)
#
# A key "TYPE@ATTACH" is the program type with an expected attach type other
# than the one libbpf gives the type's plain section name.
#
# Usage: test/verifier/data/record-probes.sh   (needs cc and root)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cc -O2 -Wall -Wextra -Werror -o "$work/probe" "$here/probe.c"

# name  prog_type  attach_type  ctx_limit  [prog_flags]
targets=(
	"socket_filter 1 0 200"
	"kprobe 2 0 176"
	"sched_cls 3 0 200"
	"sched_act 4 0 200"
	"tracepoint 5 0 2056"
	"xdp 6 37 32"
	"perf_event 7 0 192"
	"cgroup_skb 8 0 200"
	"cgroup_skb@egress 8 1 200"
	"cgroup_sock 9 2 96"
	"lwt_in 10 0 200"
	"lwt_out 11 0 200"
	"lwt_xmit 12 0 200"
	"sock_ops 13 3 256"
	"sk_skb 14 5 200"
	"sk_skb@stream_parser 14 4 200"
	"cgroup_device 15 6 16"
	"sk_msg 16 7 96"
	"raw_tracepoint 17 0 104"
	"cgroup_sock_addr 18 10 96"
	"lwt_seg6local 19 0 200"
	"sk_reuseport 21 39 96"
	"flow_dissector 22 17 200"
	"cgroup_sysctl 23 18 16"
	"raw_tracepoint_writable 24 0 104"
	"cgroup_sockopt 25 21 64"
	"sk_lookup 30 36 96"
	"syscall 31 0 200 16"
	"netfilter 32 45 32"
)

for t in "${targets[@]}"; do
	read -r name type attach limit flags <<<"$t"
	flags="${flags:-0}"
	"$work/probe" ctx "$type" "$attach" "$limit" "$flags" >"$work/$name.ctx"
	"$work/probe" helpers "$type" "$attach" 215 "$flags" >"$work/$name.helpers"
	printf '%s\t%s\t%s\t%s\n' "$name" "$type" "$attach" "$limit" >>"$work/index.tsv"
done

node - "$work" "$here" <<'JS'
const fs = require("node:fs");
const [work, here] = process.argv.slice(2);
const ctx = {};
const helpers = {};
for (const row of fs.readFileSync(`${work}/index.tsv`, "utf8").trim().split("\n")) {
  const [name, type, attach, limit] = row.split("\t");
  const accepted = fs.readFileSync(`${work}/${name}.ctx`, "utf8").split("\n").filter((l) => l !== "");
  ctx[name] = { progType: +type, attachType: +attach, limit: +limit, accepted };
  const h = { progType: +type, attachType: +attach, maxId: 215, unknown: [], denied: [], known: {} };
  for (const line of fs.readFileSync(`${work}/${name}.helpers`, "utf8").split("\n")) {
    const m = /^(\d+) (\w+) ?(.*)$/.exec(line);
    if (!m) continue;
    if (m[2] === "known") h.known[m[1]] = m[3];
    else h[m[2]].push(+m[1]);
  }
  helpers[name] = h;
}
fs.writeFileSync(`${here}/ctx/kernel-ctx-matrix.json`, `${JSON.stringify(ctx, null, 1)}\n`);
fs.writeFileSync(`${here}/helpers/kernel-helpers-matrix.json`, `${JSON.stringify(helpers, null, 1)}\n`);
console.error("record-probes: written ctx/kernel-ctx-matrix.json and helpers/kernel-helpers-matrix.json");
JS
