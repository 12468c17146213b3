/**
 * EngineSequencer { limits, maxLayers }: the SPEC2 engine's control port and layer sequencer.
 *
 * Ports:
 *   ctrl (Valid { addr, data: UInt(32) }, in): register writes from the host, word addresses
 *     (`controlMap(maxLayers)`): 0 .. 8 x maxLayers - 1 the layer list (layer i's descriptor
 *     word j at 8i + j, `descriptor.ts`); `layers` the number of layers to run; `start` (any
 *     data) runs the list from layer 0. Writes while busy go to the list and count registers
 *     but take effect at the next start; a start while busy is ignored.
 *   layer (Decoupled, out): the current layer's fields, decoded to the widths the limits need
 *     (`layerFieldsType`); the datapath takes it (ready) when it begins the layer.
 *   layerDone (in): a pulse from the datapath when the layer's outputs are all in memory.
 *   busy (out): a list is running; index (out): the current layer; done (out): a pulse on the
 *     clock after the last layer's layerDone.
 *
 * Timing: a layer's descriptor is fetched from the list (a block RAM read one word per clock,
 * command-list.ts) in DESCRIPTOR_WORDS + 1 clocks after start or after the previous layer's
 * layerDone; this is small beside any layer (thousands of clocks).
 */
import { Bool, Bundle, Decoupled, Input, Output, SInt, UInt, defineModule, log2Ceil, type Var } from "../../core";
import { Valid, assertStreamRules } from "../../lib";
import { commandList, commandListMap, type ControlMap } from "./command-list";
import { DESCRIPTOR_FIELDS, DESCRIPTOR_WORDS, type EngineLimits } from "./descriptor";
import { bitsFor, checkParams, isIntIn } from "../generator-params";

export interface SequencerParams {
  readonly limits: EngineLimits;
  readonly maxLayers: number;
}

/** Word addresses of the control port. */
export function controlMap(maxLayers: number): ControlMap {
  return commandListMap({ maxEntries: maxLayers, entryWords: DESCRIPTOR_WORDS });
}


/** Hardware widths of the decoded fields under the limits. */
export function layerFieldWidths(l: EngineLimits): Record<string, number> {
  const L = l.K * (l.K / 2 + 1);
  return {
    cin: bitsFor(l.maxCin),
    cout: bitsFor(l.maxCout),
    h: bitsFor(l.maxHeight),
    w: bitsFor(l.maxWidth),
    k: bitsFor(l.maxKernel),
    p: bitsFor(l.maxKernel - 1),
    relu: 1,
    pool: 1,
    n: bitsFor(L),
    inFrac: 5,
    weightFrac: 5,
    outFrac: 5,
    macShift: 8,
    input: 32,
    output: 32,
    weights: 32,
    bias: 32,
  };
}

/** The `layer` payload. */
export function layerFieldsType(l: EngineLimits) {
  const w = layerFieldWidths(l);
  return Bundle({
    cin: UInt(w.cin!),
    cout: UInt(w.cout!),
    h: UInt(w.h!),
    w: UInt(w.w!),
    k: UInt(w.k!),
    p: UInt(w.p!),
    relu: Bool(),
    pool: Bool(),
    n: UInt(w.n!),
    inFrac: UInt(5),
    weightFrac: UInt(5),
    outFrac: UInt(5),
    macShift: SInt(8),
    input: UInt(32),
    output: UInt(32),
    weights: UInt(32),
    bias: UInt(32),
  });
}

export const EngineSequencer = defineModule("EngineSequencer", (p: SequencerParams) => {
  checkParams([[isIntIn(p.maxLayers, 1, 4096), `maxLayers must be an integer in 1..4096, got ${p.maxLayers}`]]);
  const map = controlMap(p.maxLayers);
  const ctrl = Input(Valid(Bundle({ addr: UInt(map.addrBits), data: UInt(32) })));
  const layer = Output(Decoupled(layerFieldsType(p.limits)));
  const layerDone = Input(Bool());
  const busy = Output(Bool());
  const index = Output(UInt(log2Ceil(Math.max(2, p.maxLayers))));
  const done = Output(Bool());

  const list = commandList({ maxEntries: p.maxLayers, entryWords: DESCRIPTOR_WORDS }, ctrl, layer.ready, layerDone);
  // ---- decode ----
  layer.valid.assign(list.offered);
  const widths = layerFieldWidths(p.limits);
  for (const f of DESCRIPTOR_FIELDS) {
    const raw = list.words.at(f.word).bits(f.lsb + f.bits - 1, f.lsb);
    const field = (layer.bits as unknown as Record<string, Var>)[f.name]!; // every field is a ground value
    if (f.signed) field.assign(raw.asSInt().resize(8));
    else field.assign(raw.resize(widths[f.name]!));
  }
  assertStreamRules(layer, "layer");
  busy.assign(list.busy);
  index.assign(list.index);
  done.assign(list.done);
  return { ctrl, layer, layerDone, busy, index, done };
});
