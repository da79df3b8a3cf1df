// Verifier output snapshot: verifies every program of every object under
// test/ and examples/ at log levels 0, 1 and 2 and writes what the verifier
// reports (verdict, errors, errno, instruction, source, statistics, log) so
// two builds can be compared byte for byte. A change meant to make the
// verifier faster must leave this output identical.
//
//   node tools/verifier-snapshot.js OUT_DIR [DIST_DIR] [FILTER]
//
// OUT_DIR receives summary.txt (one line per program and level, the log as a
// SHA-256) and logs/ (the full logs); `diff -r` two such directories.
// DIST_DIR is the compiled library to load (default: ./dist). FILTER keeps
// the objects or programs whose "OBJ:PROG" contains it.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [outDir, distArg, filter = ""] = process.argv.slice(2);
if (outDir === undefined) {
  console.error("usage: node tools/verifier-snapshot.js OUT_DIR [DIST_DIR] [FILTER]");
  process.exit(2);
}
const dist = resolve(distArg ?? join(root, "dist"));
const { objectNameFromPath, parseObject } = await import(pathToFileURL(join(dist, "api.js")).href);
const { verifyProgram } = await import(pathToFileURL(join(dist, "verifier/index.js")).href);

function objectsUnder(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...objectsUnder(path));
    else if (name.endsWith(".o")) found.push(path);
  }
  return found;
}

const objects = [...objectsUnder(join(root, "test")), ...objectsUnder(join(root, "examples"))];
const logDir = join(outDir, "logs");
mkdirSync(logDir, { recursive: true });
const summary = [];
for (const file of objects) {
  const rel = relative(root, file);
  let spec;
  try {
    spec = parseObject(new Uint8Array(readFileSync(file)), { name: objectNameFromPath(file) });
  } catch (e) {
    if (rel.includes(filter)) summary.push(`${rel}\tparse error\t${e?.name}: ${e?.message}`);
    continue;
  }
  for (const program of spec.programs) {
    const key = `${rel}:${program.name}`;
    if (!key.includes(filter)) continue;
    for (const logLevel of [0, 1, 2]) {
      let line;
      try {
        const r = verifyProgram(spec, program, { logLevel });
        const hash = createHash("sha256").update(r.log).digest("hex").slice(0, 16);
        const facts = [
          r.verdict,
          r.errno,
          r.insn,
          r.source,
          r.processed,
          r.maxStatesPerInsn,
          r.totalStates,
          r.peakStates,
          r.markRead,
          JSON.stringify(r.errors),
          `log:${r.log.length}:${hash}`,
        ];
        line = `${key}\tlevel ${logLevel}\t${facts.join("\t")}`;
        if (logLevel > 0)
          writeFileSync(join(logDir, `${key.replaceAll("/", "_")}.${logLevel}.log`), r.log);
      } catch (e) {
        line = `${key}\tlevel ${logLevel}\tthrew ${e?.name}: ${e?.message}`;
      }
      summary.push(line);
    }
    process.stderr.write(".");
  }
}
process.stderr.write("\n");
writeFileSync(join(outDir, "summary.txt"), `${summary.join("\n")}\n`);
console.log(`${summary.length} results written to ${outDir}`);
