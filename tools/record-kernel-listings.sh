#!/usr/bin/env bash
# Asks the running kernel how it sees every fixture program after libbpf
# relocated it: the verifier's log level 2 starts with the whole program,
# listed in the kernel's own syntax ("Live regs before insn:"). The listings
# are saved as test/fixtures/kernel-listings/OBJECT.PROGRAM.txt, and the test
# suite checks tsbpf's linking and disassembly against them.
#
# Needs root, a kernel with BPF, clang-19 and libbpf-dev (for the oracle), and
# a built tsbpf (npm run build) to enumerate the programs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x tools/kernel-oracle/oracle ] || tools/kernel-oracle/build.sh
out=test/fixtures/kernel-listings
mkdir -p "$out"
for obj in test/fixtures/*.o examples/*.o; do
  base=$(basename "$obj" .o)
  for prog in $(node dist/cli/main.js info --json "$obj" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      for (const p of JSON.parse(s).programs) console.log(p.name);
    });'); do
    tools/kernel-oracle/oracle "$obj" "$prog" 2 | node -e '
      let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
        const { log } = JSON.parse(s);
        const lines = log.split("\n");
        const start = lines.indexOf("Live regs before insn:");
        if (start < 0) process.exit(0);
        const listing = [];
        for (const line of lines.slice(start + 1)) {
          const m = /^\s*(?:\d+\s+)?(\d+): [.0-9]+ (\(.*)$/.exec(line);
          if (m === null) break;
          listing.push(`${m[1]}: ${m[2]}`);
        }
        process.stdout.write(listing.join("\n") + "\n");
      });' > "$out/$base.$prog.txt"
    [ -s "$out/$base.$prog.txt" ] || { rm -f "$out/$base.$prog.txt"; echo "no listing for $obj $prog" >&2; }
  done
done
ls "$out" | wc -l
