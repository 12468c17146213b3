/** How to start a compiled simulator that speaks the line protocol. */
export interface Launch {
  /** "iverilog" or "verilator", for messages. */
  readonly tool: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Extra argument that turns on VCD output to a path. */
  readonly vcdArg: (path: string) => string;
}
