/**
 * Depth-first searches over dependency graphs with an explicit stack: a chain of a million
 * signals costs heap, not call stack. Visiting order is the order of `roots` and of each
 * node's `deps`, so results are deterministic.
 */

/** The first cycle found, as the DFS path from its entry node to the node closing it; undefined if acyclic. */
export function findCycle<N>(roots: readonly N[], deps: (n: N) => readonly N[]): N[] | undefined {
  const state = new Map<N, 1 | 2>(); // 1: on the current path, 2: finished
  const path: N[] = [];
  const next: number[] = [];
  for (const root of roots) {
    if (state.has(root)) continue;
    state.set(root, 1);
    path.push(root);
    next.push(0);
    while (path.length > 0) {
      const top = path.length - 1;
      const n = path[top]!;
      const ds = deps(n);
      const i = next[top]!;
      if (i === ds.length) {
        state.set(n, 2);
        path.pop();
        next.pop();
        continue;
      }
      next[top] = i + 1;
      const d = ds[i]!;
      const st = state.get(d);
      if (st === 1) return path.slice(path.indexOf(d));
      if (st === undefined) {
        state.set(d, 1);
        path.push(d);
        next.push(0);
      }
    }
  }
  return undefined;
}

/**
 * Values computed children first: `combine(n, values of n's children)` for every node reachable
 * from `roots`, each once. A child that is still being computed (a cycle) is left out.
 */
export function postOrder<N, R>(
  roots: readonly N[],
  children: (n: N) => readonly N[],
  combine: (n: N, childValues: R[]) => R,
): Map<N, R> {
  const value = new Map<N, R>();
  const open = new Set<N>();
  for (const root of roots) {
    if (value.has(root)) continue;
    const stack: { n: N; kids: readonly N[]; i: number }[] = [{ n: root, kids: children(root), i: 0 }];
    open.add(root);
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      if (f.i < f.kids.length) {
        const k = f.kids[f.i++]!;
        if (!value.has(k) && !open.has(k)) {
          open.add(k);
          stack.push({ n: k, kids: children(k), i: 0 });
        }
        continue;
      }
      const vals: R[] = [];
      for (const k of f.kids) {
        const v = value.get(k);
        if (v !== undefined) vals.push(v);
      }
      value.set(f.n, combine(f.n, vals));
      open.delete(f.n);
      stack.pop();
    }
  }
  return value;
}
