/**
 * The language guide (hdl/core/README.md) is tested like code: every TypeScript example in it is
 * written out as a module importing the language, loaded, and each design it exports is
 * elaborated and compiled by Icarus (`-Wall`, no warnings).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { iverilogWarnings } from "../helpers/verilog-tools";

const root = fileURLToPath(new URL("../../", import.meta.url));
const guide = readFileSync(join(root, "hdl/core/README.md"), "utf8");
const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
const dir = mkdtempSync(join(tmpdir(), "guide-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Loads one example and prints, as JSON, the Verilog of every design it exports. */
const RUNNER = `import { ModuleDef, elaborate } from ${JSON.stringify(join(root, "hdl/core/index.ts"))};
const mod = await import(process.argv[2]);
const out = [];
for (const [name, v] of Object.entries(mod)) {
  if (v instanceof ModuleDef && v.body.length === 0) out.push({ name, ...pick(elaborate(v)) });
  else if (name === "design" && typeof v === "function") out.push({ name, ...pick(v()) });
}
function pick(d) { return { top: d.top, verilog: d.verilog }; }
process.stdout.write(JSON.stringify(out));
`;

describe("the examples of hdl/core/README.md", () => {
  it("has examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(6);
  });
  writeFileSync(join(dir, "runner.mjs"), RUNNER);
  blocks.forEach((code, i) => {
    const title = /export const (\w+)/.exec(code)?.[1] ?? `block ${i}`;
    it(`${title} elaborates and compiles`, () => {
      const file = join(dir, `example${i}.mts`);
      writeFileSync(file, code.replaceAll('from "spec2-hdl"', `from ${JSON.stringify(join(root, "hdl/core/index.ts"))}`));
      const r = spawnSync(process.execPath, ["--import", join(root, "node_modules/tsx/dist/esm/index.mjs"), join(dir, "runner.mjs"), file], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      const designs = JSON.parse(r.stdout) as { name: string; top: string; verilog: string }[];
      expect(designs.length).toBeGreaterThan(0);
      for (const d of designs) expect(iverilogWarnings(d.verilog, d.top), d.name).toBe("");
    });
  });
});
