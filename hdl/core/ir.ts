/**
 * The IR: a plain data structure of modules, signals, memories, instances and
 * statements. The builder records into it; checks and backends only read it.
 * Every signal is a ground value (bundles and vectors are flattened before here).
 */
import type { SourceLoc } from "./source.js";

export type SignalKind =
  | "input" // port of this module, driven from outside
  | "output" // port of this module, driven inside
  | "wire"
  | "reg"
  | "instIn" // an input of a child instance, driven by this module
  | "instOut" // an output of a child instance, read by this module
  | "memRead"; // the registered data of a synchronous memory read port

export interface IrSignal {
  readonly id: number;
  readonly kind: SignalKind;
  readonly width: number;
  readonly signed: boolean;
  readonly loc: SourceLoc;
  readonly module: IrModule;
  /** Name requested by the user or taken from their variable; made unique by `assignNames`. */
  hint: string;
  /** True if the user named it explicitly (kept verbatim unless it collides). */
  explicit: boolean;
  /** Final Verilog name. */
  name: string;
  /** Registers: reset value, and clock enable. */
  init?: bigint;
  enable?: IrExpr;
  /** Registers: the clock domain (absent: the module's implicit clock and reset). */
  domain?: IrDomain;
  /** Instance ports: which instance and which port of the child module. */
  instance?: IrInstance;
  childPort?: IrSignal;
  /** Enum values: variant names, for comments. */
  enumVariants?: readonly string[];
}

export interface IrRef {
  readonly k: "ref";
  readonly signal: IrSignal;
  readonly width: number;
  readonly signed: boolean;
}

export function refTo(signal: IrSignal): IrRef {
  return { k: "ref", signal, width: signal.width, signed: signal.signed };
}

export interface IrLit {
  readonly k: "lit";
  readonly value: bigint;
  readonly width: number;
  readonly signed: boolean;
}

export type OpKind =
  | "add" | "sub" | "mul" | "and" | "or" | "xor" | "not" | "neg"
  | "shl" | "shr" | "dshl" | "dshr"
  | "eq" | "neq" | "lt" | "le" | "gt" | "ge"
  | "slice" | "cat" | "mux" | "andr" | "orr" | "xorr"
  | "zext" | "sext" | "asUInt" | "asSInt"
  | "memRead";

export interface IrOp {
  readonly k: "op";
  readonly op: OpKind;
  readonly args: readonly IrExpr[];
  /** slice: [hi, lo]; shl/shr: [amount]. */
  readonly params: readonly number[];
  readonly width: number;
  readonly signed: boolean;
  readonly loc: SourceLoc;
  /** memRead (asynchronous read): the memory. */
  readonly memory?: IrMemory;
  /** Name of the user's variable holding this value, if any. */
  hint?: string;
  /** Final name when emitted as a named wire. */
  name?: string;
}

export type IrExpr = IrRef | IrLit | IrOp;

export interface IrConnect {
  readonly k: "connect";
  readonly target: IrSignal;
  readonly value: IrExpr;
  readonly loc: SourceLoc;
}

export interface IrWhen {
  readonly k: "when";
  readonly cond: IrExpr;
  readonly then: IrStmt[];
  /** The else branch (elsewhen nests another IrWhen here). */
  otherwise: IrStmt[];
  readonly loc: SourceLoc;
}

export type IrStmt = IrConnect | IrWhen;

/** How a reset acts: synchronously (at the clock edge) or asynchronously, and at which level. */
export interface ResetStyle {
  readonly kind: "sync" | "async";
  readonly active: "high" | "low";
}

export const DEFAULT_RESET: ResetStyle = { kind: "sync", active: "high" };

/** A clock domain of a module: a 1-bit clock signal and an optional reset of a given style. */
export interface IrDomain {
  readonly id: number;
  readonly name: string;
  readonly clock: IrSignal;
  readonly reset?: IrSignal;
  readonly style: ResetStyle;
  readonly loc: SourceLoc;
}

export interface IrReadPort {
  readonly kind: "sync" | "async";
  /** Synchronous ports: the clock domain (absent: the implicit one). */
  readonly domain?: IrDomain;
  readonly addr: IrExpr;
  /** Synchronous ports: read enable (the enclosing `when` conditions and the user's enable). */
  readonly enable?: IrExpr;
  /** Synchronous ports: the registered output. */
  readonly data?: IrSignal;
  readonly loc: SourceLoc;
}

export interface IrWritePort {
  /** The clock domain (absent: the implicit one). */
  readonly domain?: IrDomain;
  readonly addr: IrExpr;
  readonly data: IrExpr;
  readonly enable: IrExpr;
  readonly loc: SourceLoc;
}

/** Where a memory should live: block RAM, LUT RAM ("distributed") or flip-flops ("registers"). */
export type MemStyle = "block" | "distributed" | "registers";

export interface IrMemory {
  readonly id: number;
  readonly width: number;
  readonly depth: number;
  readonly signed: boolean;
  readonly loc: SourceLoc;
  readonly module: IrModule;
  hint: string;
  explicit: boolean;
  name: string;
  readonly init?: readonly bigint[];
  readonly initFile?: string;
  /** Emit `init` as a `$readmemh` data file (returned with the Verilog) instead of an initial block. */
  readonly initAsFile?: boolean;
  /** Initial contents from the `$readmemh` file named by the simulation argument `+<initPlusarg>=FILE`. */
  readonly initPlusarg?: string;
  /** Requested implementation (emitted as a `ram_style` attribute); the tool decides when absent. */
  readonly style?: MemStyle;
  readonly readPorts: IrReadPort[];
  readonly writePorts: IrWritePort[];
}

export interface IrInstance {
  readonly id: number;
  readonly of: IrModule;
  readonly loc: SourceLoc;
  readonly parent: IrModule;
  hint: string;
  explicit: boolean;
  name: string;
  /** Port of the child -> the signal standing for it in the parent. */
  readonly ports: Map<IrSignal, IrSignal>;
  /** The domain whose clock and reset drive the child's implicit ones (absent: the parent's implicit ones). */
  readonly domain?: IrDomain;
}

export interface IrBlackbox {
  /** Verilog source of the module, emitted verbatim (omit to reference an external file). */
  readonly verilog?: string;
  /** Verilog parameters passed at instantiation. */
  readonly parameters: Readonly<Record<string, number | string>>;
  /** The Verilog module name to instantiate. */
  readonly moduleName: string;
}

export interface IrModule {
  /** Final, unique Verilog module name. */
  name: string;
  /** Where its generator was defined. */
  readonly loc: SourceLoc;
  /** The generator parameters, as canonical JSON. */
  readonly params: string;
  readonly ports: IrSignal[];
  readonly signals: IrSignal[];
  readonly memories: IrMemory[];
  readonly instances: IrInstance[];
  readonly body: IrStmt[];
  /** The module has state (directly or in a child) and so a `clock` input. */
  hasClock: boolean;
  /** Some register (here or in a child) has a reset value, so the module has a `reset` input. */
  hasReset: boolean;
  /** How the implicit reset acts (set by the domain the module is instantiated in). */
  readonly resetStyle: ResetStyle;
  /** The clock domains declared in this module. */
  readonly domains: IrDomain[];
  /** assert / assume / cover / printf statements, in program order. */
  readonly verification: IrVerification[];
  readonly blackbox?: IrBlackbox;
}

/**
 * A verification statement: `assert`, `assume`, `cover` or `printf` (hdl/core/verify.ts).
 * Semantics, for every backend (hdl/core/README.md#assertions): at each rising edge of its
 * clock, with the values a peek just before that edge sees, and only while its domain's reset
 * is inactive (always, in a domain without a reset), a statement whose `enable` is 1 acts:
 * assert/assume fail when `cond` is 0; cover is reached when `cond` is 1; printf prints.
 */
export interface IrVerification {
  readonly k: "assert" | "assume" | "cover" | "printf";
  /** assert, assume: what must hold; cover: the event to reach; printf: the literal 1. */
  readonly cond: IrExpr;
  /** The enclosing `when` conditions, AND'ed (the literal 1 outside any `when`). */
  readonly enable: IrExpr;
  /** assert, assume: the message; cover: its name; printf: the format (`%d %x %b %c %%`). */
  readonly message: string;
  /** printf: the values printed, one per `%d`, `%x`, `%b` or `%c`. */
  readonly args: readonly IrExpr[];
  /** The clock domain (absent: the module's implicit clock and reset). */
  readonly domain?: IrDomain;
  readonly loc: SourceLoc;
  /** Position in the design's list of verification statements (`ElaboratedDesign.verification`), set by elaborate. */
  index: number;
}

export interface IrDesign {
  readonly top: IrModule;
  /** All modules, children before parents, each once. */
  readonly modules: readonly IrModule[];
}
