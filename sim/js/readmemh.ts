/**
 * `$readmemh` files as the Verilog simulators read them: hex words separated by white space,
 * `//` and `/* *\/` comments, `@addr` to move the load address; `x`/`z` digits read as 0 here
 * (the JS backend is two-state); `_` is ignored.
 */
import { SimUsageError } from "../errors.js";

/** Writes the words of `text` into `into` from address 0; extra words past `depth` are an error, like Icarus' warning. */
export function parseReadmemh(text: string, file: string, depth: number, store: (addr: number, word: bigint) => void): void {
  const clean = text.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
  let addr = 0;
  for (const tok of clean.split(/\s+/)) {
    if (tok === "") continue;
    if (tok.startsWith("@")) {
      const a = parseInt(tok.slice(1), 16);
      if (!Number.isFinite(a)) throw new SimUsageError(`${file}: bad address "${tok}"`);
      addr = a;
      continue;
    }
    const digits = tok.replace(/_/g, "").replace(/[xXzZ]/g, "0");
    if (!/^[0-9a-fA-F]+$/.test(digits)) throw new SimUsageError(`${file}: "${tok}" is not a hex word`);
    if (addr >= depth) throw new SimUsageError(`${file}: more words than the memory's ${depth}`);
    store(addr++, BigInt(`0x${digits}`));
  }
}
