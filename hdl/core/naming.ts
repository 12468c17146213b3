/**
 * Names from the user's variables: `const acc = Reg(...)` names the register
 * `acc`. The call site (from the stack) is looked up in the user's source with
 * ts-morph; the name is the variable, property or field the call initialises.
 */
import { createRequire } from "node:module";
import * as fs from "node:fs";
import type * as TsMorph from "ts-morph";
import type { SourceLoc } from "./source.js";

type Morph = typeof TsMorph;
let morph: Morph | undefined;
let project: TsMorph.Project | undefined;
const files = new Map<string, TsMorph.SourceFile | null>();
/** By location object: one call site always gives the same SourceLoc (source.ts). */
const cache = new WeakMap<SourceLoc, string | null>();

function loadMorph(): Morph {
  // Loaded on first use: ts-morph carries the TypeScript compiler.
  morph ??= createRequire(import.meta.url)("ts-morph") as Morph;
  return morph;
}

function sourceFile(file: string): TsMorph.SourceFile | null {
  let sf = files.get(file);
  if (sf !== undefined) return sf;
  const m = loadMorph();
  project ??= new m.Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  sf = fs.existsSync(file)
    ? project.createSourceFile(file.replace(/^\//, "/src/"), fs.readFileSync(file, "utf8"), { overwrite: true })
    : null;
  files.set(file, sf);
  return sf;
}

/** The variable (or property) name that the call at `loc` initialises, if any. */
export function nameAt(loc: SourceLoc): string | undefined {
  const hit = cache.get(loc);
  if (hit !== undefined) return hit ?? undefined;
  const name = lookup(loc);
  cache.set(loc, name ?? null);
  return name;
}

function lookup(loc: SourceLoc): string | undefined {
  if (loc.line === 0) return undefined;
  const sf = sourceFile(loc.file);
  if (!sf) return undefined;
  const { SyntaxKind, Node } = loadMorph();
  let pos: number;
  try {
    pos = sf.compilerNode.getPositionOfLineAndCharacter(loc.line - 1, loc.column - 1);
  } catch {
    return undefined;
  }
  const start = sf.getDescendantAtPos(pos);
  if (!start) return undefined;
  const call = start.getFirstAncestor(
    (a) => (Node.isCallExpression(a) || Node.isNewExpression(a)) && calleeContains(a, pos),
  );
  if (!call) return undefined;
  // Skip wrappers that do not change the value: (x), x as T, x!, x satisfies T.
  let node: TsMorph.Node = call;
  let parent = node.getParent();
  while (
    parent &&
    (parent.getKind() === SyntaxKind.ParenthesizedExpression ||
      parent.getKind() === SyntaxKind.AsExpression ||
      parent.getKind() === SyntaxKind.NonNullExpression ||
      parent.getKind() === SyntaxKind.SatisfiesExpression)
  ) {
    node = parent;
    parent = node.getParent();
  }
  if (!parent) return undefined;
  if (Node.isVariableDeclaration(parent) && parent.getInitializer() === node) {
    const nameNode = parent.getNameNode();
    return Node.isIdentifier(nameNode) ? nameNode.getText() : undefined;
  }
  if (Node.isPropertyDeclaration(parent) && parent.getInitializer() === node) return parent.getName();
  if (Node.isPropertyAssignment(parent) && parent.getInitializer() === node) {
    const n = parent.getNameNode();
    return Node.isIdentifier(n) || Node.isStringLiteral(n) ? n.getText().replace(/^["']|["']$/g, "") : undefined;
  }
  if (Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken && parent.getRight() === node) {
    const left = parent.getLeft();
    if (Node.isIdentifier(left)) return left.getText();
    if (Node.isPropertyAccessExpression(left)) return left.getName();
  }
  return undefined;
}

/** True if `pos` lies in the callee part of a call (not in its arguments). */
function calleeContains(call: TsMorph.CallExpression | TsMorph.NewExpression, pos: number): boolean {
  const callee = call.getExpression();
  const start = call.getStart();
  return pos >= start && pos < callee.getEnd();
}
