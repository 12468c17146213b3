import { formatLoc, type SourceLoc } from "./source.js";

/**
 * An elaboration error. Its message starts with the user's `file:line`
 * so editors and terminals link straight to the offending construct.
 */
export class HdlError extends Error {
  readonly loc: SourceLoc;
  constructor(loc: SourceLoc, message: string, related: readonly SourceLoc[] = []) {
    const extra = related.map((r) => `\n  see also ${formatLoc(r)}`).join("");
    super(`${formatLoc(loc)}: ${message}${extra}`);
    this.name = "HdlError";
    this.loc = loc;
  }
}
