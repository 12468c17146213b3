/**
 * Typed handles on the top module's ports, built from the ports its body returned
 * (`Elaboration.io`): a `Var` becomes a `PortHandle`, a bundle an object of handles that can also
 * be poked, peeked and expected as a whole (`tb.io.enq.poke({ valid: 1, bits: 5 })`), a `Vec` an
 * array of handles with the same three methods on arrays. Types follow the design's ports, so a
 * misspelt port is a compile error. Fields called `poke`, `peek` or `expect` are shadowed by the
 * methods of their bundle.
 */
import type { PortInfo } from "../../hdl/core/design.js";
import { VecValue, type Value } from "../../hdl/core/hardware.js";
import type { HdlType } from "../../hdl/core/types.js";
import { Var } from "../../hdl/core/var.js";
import { SimUsageError } from "../errors.js";
import type { SimValue } from "../ports.js";
import type { Simulation } from "../simulation.js";
import { TestbenchExpectError } from "./errors.js";

/** What a handle needs from the testbench: the simulation and the clock's cycle. */
export interface HandleContext {
  readonly sim: Simulation;
  readonly cycle: number;
}

export type Expected = number | bigint | boolean;

/** A signal a testbench reads by name: peek, tryPeek and expect (ports and probes). */
export abstract class ReadableHandle {
  constructor(
    protected readonly ctx: HandleContext,
    /** the name the simulation knows it by, and its width */
    private readonly signal: { readonly name: string; readonly width: number },
  ) {}

  get width(): number {
    return this.signal.width;
  }

  /** How failures name it. */
  abstract get label(): string;

  /** The value now: a number up to 53 bits, else a bigint. Signed signals read negative. */
  peek(): Promise<SimValue> {
    return this.ctx.sim.peekValue(this.signal.name);
  }

  /** Like `peek`, but undefined while the signal is X/Z (Icarus before reset or a first write). */
  tryPeek(): Promise<SimValue | undefined> {
    return this.ctx.sim.tryPeek(this.signal.name);
  }

  /** Fails with `TestbenchExpectError` (label, expected, actual, cycle) unless the signal holds `value` now. */
  async expect(value: Expected, note?: string): Promise<void> {
    const actual = BigInt(await this.peek());
    const wanted = BigInt(value);
    if (actual !== wanted) throw new TestbenchExpectError(this.label, wanted, actual, this.ctx.cycle, note);
  }
}

/** One port of the top module. */
export class PortHandle extends ReadableHandle {
  constructor(
    ctx: HandleContext,
    readonly info: PortInfo,
    /** The port as the design's TypeScript names it: `deq.bits`, `taps[2]`. */
    readonly path: string,
  ) {
    super(ctx, info);
  }

  /** The Verilog port name (`deq_bits`). */
  get name(): string {
    return this.info.name;
  }

  /** Sets an input from the next edge on (buffered like `Simulation.poke`). */
  poke(value: Expected): void {
    this.ctx.sim.poke(this.info.name, typeof value === "boolean" ? Number(value) : value);
  }

  /** `deq.bits (deq_bits)`, or just the name when both agree. */
  get label(): string {
    return this.path === this.info.name ? this.path : `${this.path} (${this.info.name})`;
  }
}

/** The values of a group of ports as plain data: numbers (bigints past 53 bits), objects, arrays. */
export type PortValues<V> = V extends Var
  ? SimValue
  : V extends VecValue<infer E>
    ? PortValues<Value<E>>[]
    : V extends object
      ? { -readonly [K in keyof V]: PortValues<V[K]> }
      : never;

/** Partial values for poke and expect: any subset of the fields. */
export type PortPattern<V> = V extends Var
  ? Expected
  : V extends VecValue<infer E>
    ? readonly (PortPattern<Value<E>> | undefined)[]
    : V extends object
      ? { readonly [K in keyof V]?: PortPattern<V[K]> }
      : never;

interface GroupMethods<V> {
  /** Pokes the inputs among the given fields (outputs given are an error). */
  poke(values: PortPattern<V>): void;
  peek(): Promise<PortValues<V>>;
  /** Expects each given field; the first mismatch fails, naming that port. */
  expect(values: PortPattern<V>, note?: string): Promise<void>;
}

export type BundleHandle<V> = { readonly [K in keyof V]: Handle<V[K]> } & GroupMethods<V>;
export type VecHandle<E extends HdlType> = readonly Handle<Value<E>>[] & GroupMethods<VecValue<E>>;

/** The handle type for a port value of the design. */
export type Handle<V> = V extends Var ? PortHandle : V extends VecValue<infer E> ? VecHandle<E> : V extends object ? BundleHandle<V> : never;

type Node = PortHandle | Node[] | { [k: string]: Node };

/** Builds the handle tree for `io`, checking each leaf is a port of the simulated top. */
export function handlesFor<IO>(io: IO, ctx: HandleContext, ports: ReadonlyMap<string, PortInfo>): Handle<IO> {
  return build(io, ctx, ports, "") as Handle<IO>;
}

function build(v: unknown, ctx: HandleContext, ports: ReadonlyMap<string, PortInfo>, path: string): Node {
  if (v instanceof Var) {
    const info = ports.get(v.signal.name);
    if (!info) throw new SimUsageError(`${path || "io"} (${v.signal.name}) is not a port of the simulated design`);
    return new PortHandle(ctx, info, path);
  }
  if (v instanceof VecValue || Array.isArray(v)) {
    const elements = v instanceof VecValue ? v.elements : (v as unknown[]);
    return withGroupMethods(elements.map((e, i) => build(e, ctx, ports, `${path}[${i}]`)));
  }
  if (v !== null && typeof v === "object") {
    const out: Record<string, Node> = {};
    for (const [k, field] of Object.entries(v)) out[k] = build(field, ctx, ports, path ? `${path}.${k}` : k);
    return withGroupMethods(out);
  }
  throw new SimUsageError(`${path || "io"} is not a port value of the design`);
}

function entries(node: Node): [string | number, Node][] {
  return Array.isArray(node) ? node.map((n, i) => [i, n] as [number, Node]) : Object.entries(node as Record<string, Node>);
}

function pokeNode(node: Node, values: unknown): void {
  if (node instanceof PortHandle) return node.poke(values as Expected);
  for (const [k, child] of entries(node)) {
    const given = (values as Record<string | number, unknown>)[k];
    if (given !== undefined) pokeNode(child, given);
  }
}

async function peekNode(node: Node): Promise<unknown> {
  if (node instanceof PortHandle) return node.peek();
  const parts = await Promise.all(entries(node).map(async ([k, child]) => [k, await peekNode(child)] as const));
  return Array.isArray(node) ? parts.map(([, v]) => v) : Object.fromEntries(parts);
}

async function expectNode(node: Node, values: unknown, note: string | undefined): Promise<void> {
  if (node instanceof PortHandle) return node.expect(values as Expected, note);
  for (const [k, child] of entries(node)) {
    const given = (values as Record<string | number, unknown>)[k];
    if (given !== undefined) await expectNode(child, given, note);
  }
}

function withGroupMethods<T extends Node>(node: T): T {
  const methods = {
    poke: (values: unknown) => pokeNode(node, values),
    peek: () => peekNode(node),
    expect: (values: unknown, note?: string) => expectNode(node, values, note),
  };
  for (const [k, f] of Object.entries(methods)) Object.defineProperty(node, k, { value: f, enumerable: false });
  return node;
}
