/**
 * What an elaborated design hands to its backends (simulators, synthesis):
 * the Verilog text and the top module's port list. Backends read only this.
 */
export type PortDirection = "input" | "output";

export interface PortInfo {
  /** Verilog port name (bundle fields are flattened with "_"). */
  readonly name: string;
  readonly direction: PortDirection;
  readonly width: number;
  readonly signed: boolean;
}

/** One assert / assume / cover / printf statement of the design (hdl/core/verify.ts). */
export interface VerificationInfo {
  /** Its position in `ElaboratedDesign.verification`; the Verilog reports it by this number. */
  readonly index: number;
  readonly kind: "assert" | "assume" | "cover" | "printf";
  /** assert / assume: the message; cover: the name; printf: the format. */
  readonly message: string;
  /** The user's `file:line`. */
  readonly site: string;
  /** The Verilog module holding it. */
  readonly module: string;
}

export interface ElaboratedDesign {
  /** Name of the top Verilog module. */
  readonly top: string;
  /** Complete Verilog-2005 source of the top module and everything below it. */
  readonly verilog: string;
  /** Ports of the top module, in declaration order. */
  readonly ports: readonly PortInfo[];
  /** Clock input ("clock") if the design has state, else undefined. */
  readonly clock?: string;
  /** Synchronous active-high reset input ("reset") if the design has one. */
  readonly reset?: string;
  /**
   * Inputs of the top that clock a clock domain (clockDomain), in declaration order; a simulator
   * steps them by name (`step(n, { clock })`, `runClocks`). The implicit `clock` is not listed.
   */
  readonly domainClocks?: readonly string[];
  /**
   * Data files the Verilog loads with `$readmemh("NAME", ...)` by bare name (memories built with
   * `initAsFile`): NAME -> contents. Backends place them where their tools look.
   */
  readonly files?: Readonly<Record<string, string>>;
  /** The design's assert / assume / cover / printf statements, by index (absent when it has none). */
  readonly verification?: readonly VerificationInfo[];
}
