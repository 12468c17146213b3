/**
 * The three tools every emitted design must satisfy: Icarus Verilog
 * (`iverilog -Wall`), Verilator (`--lint-only -Wall`) and Yosys
 * (`hierarchy -check; proc; check -assert`). A missing tool is a failure.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runYosys } from "@yowasp/yosys";

function requireTool(tool: string, pkg: string): void {
  const found = spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
  if (!found) throw new Error(`${tool} is not installed: run 'apt-get install ${pkg}' (or bash .ci/run, which installs it)`);
}

function inTempDir<T>(files: Record<string, string>, body: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hdl-lint-"));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  const out = `${r.stdout ?? ""}${r.stderr ?? ""}`.trim();
  if (r.status !== 0) throw new Error(`${cmd} failed (exit ${r.status}):\n${out}`);
  return out;
}

/** Output of `iverilog -Wall` (empty when clean); throws if it does not compile. */
export function iverilogWarnings(verilog: string, top: string, file = `${top}.v`): string {
  requireTool("iverilog", "iverilog");
  return inTempDir({ [file]: verilog }, (dir) => run("iverilog", ["-Wall", "-s", top, "-o", "design.vvp", file], dir));
}

/**
 * Output of `verilator --lint-only -Wall` (empty when clean); throws on a warning or error.
 * `file` is the name the Verilog is linted under (Verilator's DECLFILENAME compares it with module names).
 */
export function verilatorLint(verilog: string, top: string, file = `${top}.v`): string {
  requireTool("verilator", "verilator");
  return inTempDir({ [file]: verilog }, (dir) => run("verilator", ["--lint-only", "-Wall", "--top-module", top, file], dir));
}

/** Runs Yosys read/hierarchy -check/proc/check -assert; throws with Yosys's log on a problem. */
export async function yosysCheck(verilog: string, top: string): Promise<void> {
  // Yosys runs in a virtual file system: bring $readmemh files along under local names.
  const files: Record<string, string> = {};
  verilog = verilog.replace(/\$readmemh\("([^"]+)"/g, (_m, file: string) => {
    const local = `mem${Object.keys(files).length}.hex`;
    files[local] = fs.readFileSync(file, "utf8");
    return `$readmemh("${local}"`;
  });
  let log = "";
  const decoder = new TextDecoder();
  const collect = (bytes: Uint8Array | null): void => {
    if (bytes) log += decoder.decode(bytes);
  };
  try {
    await runYosys(["-q", "-p", `read_verilog design.v; hierarchy -check -top ${top}; proc; check -assert`], { "design.v": verilog, ...files }, { stdout: collect, stderr: collect });
  } catch (e) {
    throw new Error(`yosys check failed:\n${log}\n${String(e)}`);
  }
}

/** All three; resolves when the Verilog is clean in every tool, under any file name. */
export async function expectCleanVerilog(verilog: string, top: string): Promise<void> {
  const iv = iverilogWarnings(verilog, top);
  if (iv !== "") throw new Error(`iverilog -Wall warnings:\n${iv}`);
  verilatorLint(verilog, top, "design.v");
  await yosysCheck(verilog, top);
}

