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
 * Timing: a layer's descriptor is fetched from the list (a block RAM read one word per clock)
 * in DESCRIPTOR_WORDS + 1 clocks after start or after the previous layer's layerDone; this
 * is small beside any layer (thousands of clocks).
 */
import { Bool, Bundle, Decoupled, Input, Mem, Output, Reg, SInt, UInt, Vec, assert, cat, defineModule, log2Ceil, when, type Signal, type Var } from "../../core";
import { Valid, assertStreamRules } from "../../lib";
import { DESCRIPTOR_FIELDS, DESCRIPTOR_WORDS, type EngineLimits } from "./descriptor";
import { bitsFor, checkParams, isIntIn } from "../generator-params";

export interface SequencerParams {
  readonly limits: EngineLimits;
  readonly maxLayers: number;
}

/** Word addresses of the control port. */
export function controlMap(maxLayers: number): { list: number; layers: number; start: number; addrBits: number } {
  const list = 0;
  const layers = DESCRIPTOR_WORDS * maxLayers;
  return { list, layers, start: layers + 1, addrBits: log2Ceil(layers + 2) };
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
  const indexBits = log2Ceil(Math.max(2, p.maxLayers));
  const index = Output(UInt(indexBits));
  const done = Output(Bool());

  // ---- the host's writes ----
  const listWords = DESCRIPTOR_WORDS * p.maxLayers;
  const list = Mem(listWords, UInt(32), { style: listWords > 64 ? "block" : "distributed" });
  const count = Reg(UInt(bitsFor(p.maxLayers)), { init: 0 });
  const isList = ctrl.bits.addr.lt(map.layers);
  when(ctrl.valid.and(isList), () => list.write(ctrl.bits.addr.resize(log2Ceil(listWords)), ctrl.bits.data));
  when(ctrl.valid.and(ctrl.bits.addr.eq(map.layers)), () => count.assign(ctrl.bits.data.resize(count.width)));
  const startWrite = ctrl.valid.and(ctrl.bits.addr.eq(map.start));

  // ---- fetch, offer, wait ----
  const running = Reg(Bool(), { init: 0 });
  const current = Reg(UInt(indexBits), { init: 0 });
  const fetching = Reg(Bool(), { init: 0 });
  const word = Reg(UInt(log2Ceil(DESCRIPTOR_WORDS + 1)), { init: 0 }); // next word to read
  const arriving = Reg(Bool(), { init: 0 }); // the read of word - 1 lands this clock
  const offered = Reg(Bool(), { init: 0 });
  const waiting = Reg(Bool(), { init: 0 });
  const finished = Reg(Bool(), { init: 0 });
  const words = Reg(Vec(DESCRIPTOR_WORDS, UInt(32)));
  const readAddr = cat(current, word.bits(2, 0)).resize(log2Ceil(listWords)); // 8 x layer + word
  const reading = fetching.and(word.lt(DESCRIPTOR_WORDS));
  const q = list.readSync(readAddr, { enable: reading });
  const landed = word.subWrap(1).resize(log2Ceil(DESCRIPTOR_WORDS));
  when(arriving, () => words.at(landed).assign(q));
  arriving.assign(reading);
  when(reading, () => word.assign(word.addWrap(1)));
  when(fetching.and(word.eq(DESCRIPTOR_WORDS)).and(arriving.not()), () => {
    fetching.assign(0);
    offered.assign(1);
  });

  const begin = (i: Signal | number): void => {
    current.assign(i);
    fetching.assign(1);
    word.assign(0);
  };
  finished.assign(0);
  when(running.not().and(startWrite).and(count.neq(0)), () => {
    running.assign(1);
    begin(0);
  });
  const taken = layer.valid.and(layer.ready);
  when(taken, () => {
    offered.assign(0);
    waiting.assign(1);
  });
  when(waiting.and(layerDone), () => {
    waiting.assign(0);
    const last = current.zext(count.width + 1).add(1).ge(count);
    when(last, () => {
      running.assign(0);
      finished.assign(1);
    }).otherwise(() => begin(current.addWrap(1)));
  });

  // ---- decode ----
  layer.valid.assign(offered);
  const widths = layerFieldWidths(p.limits);
  for (const f of DESCRIPTOR_FIELDS) {
    const raw = words.at(f.word).bits(f.lsb + f.bits - 1, f.lsb);
    const field = (layer.bits as unknown as Record<string, Var>)[f.name]!; // every field is a ground value
    if (f.signed) field.assign(raw.asSInt().resize(8));
    else field.assign(raw.resize(widths[f.name]!));
  }
  // the layer offered stays until taken: its words are fetched before and not again until it is
  // taken (invariants for the induction, test/spec2/engine/stream-rules.test.ts)
  // one of fetching, offered and waiting at a time, and only while running
  assert(arriving.not().or(fetching), "a descriptor word lands only while fetching");
  assert(fetching.not().or(offered.not().and(waiting.not())), "a layer is fetched, offered or waited for, one at a time");
  assert(offered.not().or(waiting.not()), "a layer offered is not yet taken");
  assert(fetching.or(offered).or(waiting).not().or(running), "a layer is fetched, offered or waited for only while running");
  assertStreamRules(layer, "layer");
  busy.assign(running);
  index.assign(current);
  done.assign(finished);
  return { ctrl, layer, layerDone, busy, index, done };
});
