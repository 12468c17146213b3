/**
 * Walks over statement trees without recursion, so a `when` nested thousands deep costs
 * heap, not stack. Order is program order: a `when`'s condition, then its branch, then its
 * else branch.
 */
import type { IrExpr, IrStmt } from "./ir.js";

/** Calls `visit` on every statement of `body` and of the blocks inside it, in program order. */
export function forEachStatement(body: readonly IrStmt[], visit: (s: IrStmt) => void): void {
  const stack: IrStmt[] = [];
  const pushBlock = (block: readonly IrStmt[]): void => {
    for (let i = block.length - 1; i >= 0; i--) stack.push(block[i]!);
  };
  pushBlock(body);
  while (stack.length > 0) {
    const s = stack.pop()!;
    visit(s);
    if (s.k === "when") {
      pushBlock(s.otherwise);
      pushBlock(s.then);
    }
  }
}

/** Every expression the statements read, in program order: connected values and conditions. */
export function forEachRead(body: readonly IrStmt[], visit: (e: IrExpr) => void): void {
  forEachStatement(body, (s) => visit(s.k === "connect" ? s.value : s.cond));
}

/** Calls `visit` on `body` and on every block nested in it (each `then` and `otherwise`). */
export function forEachBlock(body: readonly IrStmt[], visit: (block: readonly IrStmt[]) => void): void {
  const stack: (readonly IrStmt[])[] = [body];
  while (stack.length > 0) {
    const block = stack.pop()!;
    visit(block);
    for (let i = block.length - 1; i >= 0; i--) {
      const s = block[i]!;
      if (s.k === "when") stack.push(s.otherwise, s.then);
    }
  }
}
