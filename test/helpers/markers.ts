/** `file:line` of the line of a test file that ends in `// <tag>: <name>`, for pinning messages that name user lines. */
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export function markedLine(file: string, tag: string, name: string): string {
  const lines = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const i = lines.findIndex((l) => l.trimEnd().endsWith(`// ${tag}: ${name}`));
  if (i < 0) throw new Error(`${file} has no line marked // ${tag}: ${name}`);
  return `${file}:${i + 1}`;
}
