// Builds the package's JavaScript and type declarations into dist/ from hdl/core, hdl/lib, sim and synth
// (tsconfig.build.json), plus the files that code reads at run time. Run by `npm run build` and
// by `prepack`; this repository itself runs the .ts files directly with tsx.
import { execFileSync } from "node:child_process";
import { copyFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// typescript exports no bin path: find its package directory and take the compiler from there.
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
// Read at run time next to the compiled module (see sim/verilator-harness.ts).
const assets = ["sim/verilator-harness.cpp"];

rmSync(join(root, "dist"), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { cwd: root, stdio: "inherit" });
for (const file of assets) copyFileSync(join(root, file), join(root, "dist", file));
process.stderr.write("build: dist/ written\n");
