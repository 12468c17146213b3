/**
 * The networks `prune/run.ts --network` can train, each with its default training schedule
 * (chosen by measurement, prune/README.md) and its default weights directory.
 */
import { LENET_DEF } from "./lenet";
import { SpectralNet, type NetworkDef } from "./net";
import { DEFAULT_TRAIN, type TrainConfig } from "./train";
import { VGG_MNIST_DEF } from "./vgg-mnist";

export interface NetworkEntry {
  readonly def: NetworkDef;
  readonly schedule: TrainConfig;
  readonly defaultOut: string;
}

export const NETWORKS: readonly NetworkEntry[] = [
  { def: LENET_DEF, schedule: DEFAULT_TRAIN, defaultOut: "weights/lenet" },
  {
    def: VGG_MNIST_DEF,
    schedule: DEFAULT_TRAIN,
    defaultOut: "weights/vgg-mnist",
  },
];

export function networkNames(): string[] {
  return NETWORKS.map((n) => n.def.name);
}

/** The entry of a network name; the error lists the known names. */
export function networkEntry(name: string): NetworkEntry {
  const e = NETWORKS.find((n) => n.def.name === name);
  if (!e) throw new Error(`--network ${name}: unknown; one of ${networkNames().join(", ")}`);
  return e;
}

export function makeNet(name: string): SpectralNet {
  return new SpectralNet(networkEntry(name).def);
}
