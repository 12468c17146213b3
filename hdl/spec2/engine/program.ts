/**
 * The host's side of the control port: a list of layer descriptors, checked against the
 * engine's limits (every problem of every layer reported before anything is written), as the
 * sequence of control-port writes that loads and starts it (`sequencer.ts`).
 */
import { checkDescriptor, DescriptorError, DESCRIPTOR_WORDS, encodeDescriptor, type EngineLimits, type LayerDescriptor } from "./descriptor";
import { controlMap } from "./sequencer";

export interface ControlWrite {
  readonly addr: number;
  readonly data: number;
}

export function engineProgram(layers: readonly LayerDescriptor[], limits: EngineLimits, maxLayers: number): ControlWrite[] {
  const problems: string[] = [];
  if (layers.length === 0) problems.push("the layer list is empty");
  if (layers.length > maxLayers) problems.push(`${layers.length} layers is over the engine's maxLayers = ${maxLayers}`);
  layers.forEach((d, i) => {
    try {
      checkDescriptor(d, limits, i);
    } catch (e) {
      if (!(e instanceof DescriptorError)) throw e;
      problems.push(e.message);
    }
  });
  if (problems.length > 0) throw new DescriptorError(problems.join("\n"));
  const map = controlMap(maxLayers);
  const writes: ControlWrite[] = [];
  layers.forEach((d, i) => encodeDescriptor(d, limits.K).forEach((data, j) => writes.push({ addr: map.list + DESCRIPTOR_WORDS * i + j, data })));
  writes.push({ addr: map.layers, data: layers.length }, { addr: map.start, data: 1 });
  return writes;
}
