// Verifier benchmark: how long tsbpf takes to verify each program of the
// fixture objects, beside the running kernel's own `verification time N usec`
// (log level 4, statistics only) for the same program when the kernel oracle
// can run, and the ratio tsbpf / kernel.
// Run with `npm run build && node bench/verify.js [FILTER]`; FILTER keeps the
// objects or programs whose "OBJ:PROG" contains it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { objectNameFromPath, parseObject } from "../dist/api.js";
import { verifyProgram } from "../dist/verifier/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const oracle = join(root, "tools/kernel-oracle/oracle");
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

const withKernel = oracleWorks();
if (!withKernel)
  console.log(
    "kernel oracle not runnable here: tsbpf times only (build it with tools/kernel-oracle/build.sh, run as root)",
  );
console.log(
  `${"program".padEnd(58)} ${"verdict".padEnd(7)} ${"insns".padStart(8)} ${"tsbpf us".padStart(10)} ${"kernel us".padStart(10)} ${"ratio".padStart(7)}`,
);
const ratios = [];
let tsTotal = 0;
let kernelTotal = 0;
for (const file of objects) {
  const spec = parseObject(new Uint8Array(readFileSync(file)), { name: objectNameFromPath(file) });
  for (const program of spec.programs) {
    const key = `${file.split("/").pop()}:${program.name}`;
    if (!key.includes(filter)) continue;
    const { us, result } = tsbpfTimeUs(spec, program);
    const kernelUs = withKernel ? kernelTimeUs(file, program.name) : undefined;
    let ratio = "";
    if (kernelUs !== undefined && kernelUs > 0) {
      ratios.push(us / kernelUs);
      tsTotal += us;
      kernelTotal += kernelUs;
      ratio = (us / kernelUs).toFixed(2);
    }
    console.log(
      `${key.padEnd(58)} ${result.verdict.padEnd(7)} ${String(result.processed).padStart(8)} ${us.toFixed(0).padStart(10)} ${(kernelUs ?? "-").toString().padStart(10)} ${ratio.padStart(7)}`,
    );
  }
}
if (ratios.length > 0) {
  const geomean = Math.exp(ratios.reduce((a, r) => a + Math.log(r), 0) / ratios.length);
  console.log(
    `\n${ratios.length} programs: geometric mean ratio ${geomean.toFixed(2)}, total ${tsTotal.toFixed(0)} us against the kernel's ${kernelTotal} us (ratio ${(tsTotal / kernelTotal).toFixed(2)})`,
  );
}
