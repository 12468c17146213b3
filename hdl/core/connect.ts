/**
 * Bulk connection: `connect(sink, source)` wires two values of one bundle (or vector) type field
 * by field, in the direction each field flows: a plain field drives the sink's from the source's,
 * a `Flipped` field (such as Decoupled's `ready`) the source's from the sink's. So a Decoupled
 * input of a module goes to a Decoupled input of a child in one statement:
 * `connect(queue.enq, io.in)`.
 */
import { HdlError } from "./errors.js";
import { VecValue } from "./hardware.js";
import { userLocation } from "./source.js";
import { fieldOf } from "./types.js";
import { Var } from "./var.js";
import { bundleTypeOf } from "./bundle-tag.js";

export function connect(sink: unknown, source: unknown): void {
  const loc = userLocation();
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (a instanceof Var && b instanceof Var) {
      a.assign(b);
      return;
    }
    if (a instanceof VecValue && b instanceof VecValue) {
      if (a.length !== b.length) throw new HdlError(loc, `connect: ${path || "the values"} have ${a.length} and ${b.length} elements`);
      a.elements.forEach((e, i) => walk(e, b.elements[i], `${path}[${i}]`));
      return;
    }
    if (a && b && typeof a === "object" && typeof b === "object" && !(a instanceof Var) && !(b instanceof Var)) {
      const type = bundleTypeOf(a) ?? bundleTypeOf(b);
      if (!type) throw new HdlError(loc, `connect: ${path || "the values"} are not hardware bundles`);
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys) {
        if (!(key in a) || !(key in b)) throw new HdlError(loc, `connect: field ${path ? `${path}.${key}` : key} is missing on the ${key in a ? "source" : "sink"}`);
      }
      for (const [key, decl] of Object.entries(type.fields)) {
        const x = (a as Record<string, unknown>)[key];
        const y = (b as Record<string, unknown>)[key];
        const where = path ? `${path}.${key}` : key;
        if (x === undefined || y === undefined) throw new HdlError(loc, `connect: field ${where} is missing on the ${x === undefined ? "sink" : "source"}`);
        if (fieldOf(decl).flipped) walk(y, x, where);
        else walk(x, y, where);
      }
      return;
    }
    throw new HdlError(loc, `connect: ${path || "the values"} do not have the same shape (a ${describe(a)} and a ${describe(b)})`);
  };
  walk(sink, source, "");
}

function describe(v: unknown): string {
  return v instanceof Var ? "signal" : v instanceof VecValue ? "vector" : typeof v === "object" ? "bundle" : typeof v;
}
