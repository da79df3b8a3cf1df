/**
 * Runs tsbpf's verifier on one program per message, inside a worker thread,
 * so that the differential suite can stop a verification that does not end
 * (see tsbpf-pool.ts). workerData.compiledRoot holds src/ compiled to
 * JavaScript; workerData.repoRoot is where object paths are relative to.
 *
 * message in:  { id, objectPath, programName, objectName }
 * message out: { id, verdict: "accept" | "reject", errors: string[] }
 *           or { id, verdict: "error", errors: [why] }
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

const { compiledRoot, repoRoot } = workerData;
const api = await import(pathToFileURL(join(compiledRoot, "api.js")).href);
const verifier = await import(pathToFileURL(join(compiledRoot, "verifier/index.js")).href);

/** @type {Map<string, {spec?: unknown, error?: string}>} */
const objects = new Map();

function parsed(objectPath, objectName) {
  let entry = objects.get(objectPath);
  if (entry === undefined) {
    try {
      const bytes = new Uint8Array(readFileSync(join(repoRoot, objectPath)));
      entry = { spec: api.parseObject(bytes, { name: objectName }) };
    } catch (err) {
      entry = { error: `the object does not parse: ${describe(err)}` };
    }
    objects.set(objectPath, entry);
  }
  return entry;
}

function describe(err) {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

parentPort.on("message", ({ id, objectPath, programName, objectName }) => {
  const { spec, error } = parsed(objectPath, objectName);
  if (spec === undefined) {
    parentPort.postMessage({ id, verdict: "error", errors: [error] });
    return;
  }
  const program = spec.programs.find((p) => p.name === programName);
  if (program === undefined) {
    parentPort.postMessage({
      id,
      verdict: "error",
      errors: [`tsbpf finds no program named ${programName}`],
    });
    return;
  }
  try {
    const result = verifier.verifyProgram(spec, program, { logLevel: 1 });
    parentPort.postMessage({ id, verdict: result.verdict, errors: [...result.errors] });
  } catch (err) {
    parentPort.postMessage({ id, verdict: "error", errors: [describe(err)] });
  }
});
