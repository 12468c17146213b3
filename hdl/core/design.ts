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
}
