// Verifier benchmark: how long tsbpf takes to verify each program of the
// fixture objects, beside the running kernel's own `verification time N usec`
// (log level 4, statistics only) for the same program when the kernel oracle
// can run, and the ratio tsbpf / kernel.
// Run with `npm run build && node bench/verify.js [FILTER]` (or `npm run
// bench`, which runs the interpreter benchmark too); FILTER keeps the objects
// or programs whose "OBJ:PROG" contains it.
//
// tsbpf's time is the best of several runs after one warm-up pass over every
// selected program, so the JIT has compiled the verifier before any program is
// timed and the numbers do not depend on the order the programs are listed in.
// The kernel's is the best of three loads. Without the oracle (not built, not
// root, no BPF) only tsbpf's times are printed. KERNEL_ORACLE overrides the
// oracle's path; BENCH_WARMUP sets the number of warm-up passes (default 1).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { objectNameFromPath, parseObject } from "../dist/api.js";
import { verifyProgram } from "../dist/verifier/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const oracle = process.env.KERNEL_ORACLE ?? join(root, "tools/kernel-oracle/oracle");
const filter = process.argv[2] ?? "";
// Short programs are timed many times and the best run kept: a shared machine
// preempts long runs, which would measure the neighbours instead.
const BUDGET_US = 200_000;
const MAX_ROUNDS = 50;

const objects = [
  ...readdirSync(join(root, "test/fixtures"))
    .filter((f) => f.endsWith(".o"))
    .map((f) => join(root, "test/fixtures", f)),
  join(root, "test/verifier/data/prune/prune.o"),
];

function oracleWorks() {
  if (!existsSync(oracle)) return false;
  try {
    execFileSync(oracle, ["--list", objects[0]], { stdio: ["ignore", "pipe", "ignore"] });
    return true;
  } catch {
    return false;
  }
}

function kernelTimeUs(obj, prog) {
  let best;
  for (let i = 0; i < 3; i++) {
    let out;
    try {
      out = JSON.parse(
        execFileSync(oracle, [obj, prog, "4"], {
          stdio: ["ignore", "pipe", "ignore"],
          maxBuffer: 1 << 26,
        }),
      );
    } catch {
      return undefined;
    }
    if (out.stage !== "verifier") return undefined;
    const m = /verification time (\d+) usec/.exec(out.log);
    if (m === null) return undefined;
    best = best === undefined ? Number(m[1]) : Math.min(best, Number(m[1]));
  }
  return best;
}

function tsbpfTimeUs(spec, program) {
  let best = Number.POSITIVE_INFINITY;
  let spent = 0;
  let result;
  for (let round = 0; round < MAX_ROUNDS && (round < 3 || spent < BUDGET_US); round++) {
    const started = performance.now();
    result = verifyProgram(spec, program, { logLevel: 0 });
    const us = (performance.now() - started) * 1000;
    spent += us;
    best = Math.min(best, us);
    if (us > BUDGET_US) break;
  }
  return { us: best, result };
}

function geomean(xs) {
  return Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

const selected = [];
for (const file of objects) {
  let spec;
  try {
    spec = parseObject(new Uint8Array(readFileSync(file)), { name: objectNameFromPath(file) });
  } catch (e) {
    console.log(`${file}: skipped, ${e?.message ?? e}`);
    continue;
  }
  for (const program of spec.programs) {
    const key = `${file.split("/").pop()}:${program.name}`;
    if (key.includes(filter)) selected.push({ file, key, spec, program });
  }
}
const warmupPasses = Number(process.env.BENCH_WARMUP ?? 1);
for (let pass = 0; pass < warmupPasses; pass++)
  for (const { spec, program } of selected) verifyProgram(spec, program, { logLevel: 0 });

const withKernel = oracleWorks();
if (!withKernel)
  console.log(
    "kernel oracle not runnable here: tsbpf times only (build it with tools/kernel-oracle/build.sh, run as root)",
  );
console.log(
  `${"program".padEnd(58)} ${"verdict".padEnd(7)} ${"insns".padStart(8)} ${"tsbpf us".padStart(10)} ${"kernel us".padStart(10)} ${"ratio".padStart(7)}`,
);
const compared = [];
let tsAll = 0;
for (const { file, key, spec, program } of selected) {
  const { us, result } = tsbpfTimeUs(spec, program);
  tsAll += us;
  const kernelUs = withKernel ? kernelTimeUs(file, program.name) : undefined;
  let ratio = "";
  if (kernelUs !== undefined && kernelUs > 0) {
    compared.push({ key, us, kernelUs, ratio: us / kernelUs, processed: result.processed });
    ratio = (us / kernelUs).toFixed(2);
  }
  console.log(
    `${key.padEnd(58)} ${result.verdict.padEnd(7)} ${String(result.processed).padStart(8)} ${us.toFixed(0).padStart(10)} ${(kernelUs ?? "-").toString().padStart(10)} ${ratio.padStart(7)}`,
  );
}
console.log(
  `\n${selected.length} programs verified by tsbpf in ${(tsAll / 1000).toFixed(0)} ms in all`,
);
if (compared.length > 0) {
  const ratios = compared.map((c) => c.ratio);
  const tsTotal = compared.reduce((a, c) => a + c.us, 0);
  const kernelTotal = compared.reduce((a, c) => a + c.kernelUs, 0);
  const atMost1 = ratios.filter((r) => r <= 1).length;
  const atMost2 = ratios.filter((r) => r <= 2).length;
  // programs the kernel takes at least a millisecond over: where the time goes
  const large = compared.filter((c) => c.kernelUs >= 1000);
  console.log(
    `${compared.length} programs beside the kernel: geometric mean ratio ${geomean(ratios).toFixed(2)}; ` +
      `${atMost1} at or under 1x, ${atMost2} at or under 2x; ` +
      `total ${(tsTotal / 1000).toFixed(0)} ms against the kernel's ${(kernelTotal / 1000).toFixed(0)} ms (ratio ${(tsTotal / kernelTotal).toFixed(2)})`,
  );
  if (large.length > 0)
    console.log(
      `${large.length} programs the kernel takes 1 ms or more on: geometric mean ratio ${geomean(large.map((c) => c.ratio)).toFixed(2)}`,
    );
  console.log("highest ratios:");
  for (const c of [...compared].sort((a, b) => b.ratio - a.ratio).slice(0, 8))
    console.log(
      `  ${c.key.padEnd(58)} ${c.ratio.toFixed(2).padStart(6)}  (${c.us.toFixed(0)} us against ${c.kernelUs} us, ${c.processed} insns)`,
    );
}
