/** Errors of synth/prove: bad options, a tool that is missing or failed. */
export class ProveError extends Error {
  override name = "ProveError";
}

/** A tool of the formal flow is not installed. */
export class ProveToolMissingError extends ProveError {
  override name = "ProveToolMissingError";
  constructor(readonly tool: string) {
    super(`${tool} was not found on PATH; install it with \`apt-get install yosys z3\` (or run scripts/setup.sh)`);
  }
}
