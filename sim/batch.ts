/**
 * Batch streaming: `n` cycles of stimulus sent in chunks (the pipe's back-pressure bounds
 * memory), one `@O` line of samples per cycle decoded as it arrives. A bad stimulus value
 * stops the simulator with a SimUsageError naming the cycle; an X/Z sample (Icarus) a
 * SimXError naming the port (or probe) and the cycle, unless it is allowed to be X.
 */
import { SimError, SimUsageError, SimXError } from "./errors.js";
import { xAllowed, type BatchOptions, type Sample, type Stimulus } from "./options.js";
import { decodeValue, encodeValue, hasXZ, type PortTable } from "./ports.js";
import type { Channel } from "./channel.js";

/** Stimulus lines per write to the pipe. */
const CHUNK = 4096;

/**
 * Runs `stimulus` (already checked against the cycle limit) starting at `startCycle`. `inputHex`
 * holds every input's current value and is updated in place (inputs not listed keep theirs).
 */
export async function streamBatch(
  t: Channel,
  table: PortTable,
  inputHex: string[],
  stimulus: readonly Stimulus[],
  startCycle: number,
  opts: BatchOptions,
): Promise<Sample[]> {
  const n = stimulus.length;
  // the outputs in port order, then the probes
  const outs = [...table.outputs, ...table.probes];
  const firstProbe = table.outputs.length;
  const skip = Math.max(0, Math.min(n, opts.skip ?? 0));
  const samples: Sample[] = new Array<Sample>(n - skip);
  const allowed = outs.map((p) => xAllowed(opts.allowX, p.name));
  let xError: SimXError | undefined;
  // Each answer line is `@O <hex> <hex> ...`, one hex per output in port order, then per probe.
  const sink = (line: string, k: number): void => {
    if (k < skip || xError) return;
    const s: Sample = {};
    let pos = 3;
    for (let j = 0; j < outs.length; j++) {
      let end = line.indexOf(" ", pos);
      if (end < 0) end = line.length;
      const h = line.slice(pos, end);
      pos = end + 1;
      const p = outs[j]!;
      if (hasXZ(h)) {
        if (allowed[j]) continue;
        xError = new SimXError(p.name, h, startCycle + k, j >= firstProbe ? "probe" : "port");
        return;
      }
      s[p.name] = decodeValue(p, h);
    }
    samples[k - skip] = s;
  };
  const result = t.request("", n, `a batch of ${n} cycles`, sink);
  result.catch(() => undefined);
  t.write(`B ${n}\n`);
  for (let c = 0; c < n && t.failure === undefined; c += CHUNK) {
    let text = "";
    for (let k = c; k < Math.min(n, c + CHUNK); k++) {
      applyStimulus(t, table, inputHex, stimulus[k]!, k);
      text += inputHex.join(" ") + "\n";
    }
    await t.writeChunk(text);
  }
  await result;
  if (xError) throw xError;
  return samples;
}

/** Encodes one cycle's inputs into `inputHex`; a bad name or value stops the simulator. */
function applyStimulus(t: Channel, table: PortTable, inputHex: string[], s: Stimulus, k: number): void {
  for (const name in s) {
    const i = table.inputIndex.get(name);
    let e: SimError | undefined;
    if (i === undefined) e = new SimUsageError(`batch cycle ${k}: "${name}" is not a pokeable input of ${table.design.top}`);
    else {
      try {
        inputHex[i] = encodeValue(table.inputs[i]!, s[name]!);
      } catch (err) {
        e = err instanceof SimError ? new SimUsageError(`batch cycle ${k}: ${err.message}`) : new SimError(String(err));
      }
    }
    if (e) {
      t.kill(e);
      throw e;
    }
  }
}
