/**
 * The layering of the repository, read from the import statements of every source file: which
 * folder may import which (imports point down: hdl/core <- hdl/lib <- hdl/spec2 <- bench; sim
 * and synth read only the elaborated design; nothing in hdl/ imports the training code), and no
 * import cycles anywhere.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOTS = ["hdl", "sim", "synth", "spectral", "prune", "bench", "examples"];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|mts)$/.test(f) && !f.endsWith(".d.ts") ? [p] : [];
  });
}

/** The repository files a source file imports (relative specifiers only), as repository paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const pattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|(?:^|\n)\s*import\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;
  const specs = [...text.matchAll(pattern)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.map((s) => {
    const base = resolve(dirname(file), s.replace(/\.js$/, ""));
    const hit = [`${base}.ts`, `${base}.mts`, join(base, "index.ts"), base].find((c) => existsSync(c) && statSync(c).isFile());
    return relative(process.cwd(), hit ?? base);
  });
}

const graph = new Map<string, string[]>(ROOTS.flatMap((r) => sources(r)).map((f) => [f, importsOf(f)]));

/** Folders a folder may import from, besides itself. */
const ALLOWED: [string, string[]][] = [
  ["hdl/core/", []],
  ["hdl/lib/", ["hdl/core/"]],
  ["hdl/spec2/", ["hdl/core/", "hdl/lib/", "spectral/", "sim/", "synth/"]],
  ["sim/", ["hdl/core/"]],
  ["synth/", ["hdl/core/", "sim/"]],
  ["spectral/", []],
  ["prune/", ["hdl/core/", "spectral/"]],
  ["examples/", ["hdl/core/", "hdl/lib/", "sim/", "synth/"]],
  ["bench/", ["hdl/", "sim/", "synth/", "spectral/", "prune/", "examples/"]],
];

describe("layering", () => {
  it("reads the imports of the repository", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("hdl/lib/queue.ts")).toContain("hdl/core/index.ts");
  });

  it("every import points down", () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const rule = ALLOWED.find(([folder]) => file.startsWith(folder));
      if (!rule) continue;
      const [own, allowed] = rule;
      for (const d of deps) {
        if (d.startsWith(own) || allowed.some((a) => d.startsWith(a))) continue;
        wrong.push(`${file} imports ${d}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("has no import cycles", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const stack: string[] = [];
    // iterative depth-first search, so a deep chain cannot overflow
    for (const start of graph.keys()) {
      if (state.has(start)) continue;
      const work: { file: string; next: number }[] = [{ file: start, next: 0 }];
      state.set(start, "open");
      stack.push(start);
      while (work.length > 0) {
        const top = work[work.length - 1]!;
        const deps = (graph.get(top.file) ?? []).filter((d) => graph.has(d));
        if (top.next < deps.length) {
          const d = deps[top.next++]!;
          if (state.get(d) === "open") cycles.push([...stack.slice(stack.indexOf(d)), d].join(" -> "));
          else if (!state.has(d)) {
            state.set(d, "open");
            stack.push(d);
            work.push({ file: d, next: 0 });
          }
        } else {
          state.set(top.file, "done");
          stack.pop();
          work.pop();
        }
      }
    }
    expect(cycles).toEqual([]);
  });
});
