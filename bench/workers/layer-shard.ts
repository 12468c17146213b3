/**
 * A worker thread running one shard of images through a layer on the JS backend (which runs
 * inside its process, so shards need threads of their own to use both cores): batches of
 * `batch` images one after another; posts { image } as images finish and then the result.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { Spec2LayerParams } from "../../hdl/spec2/layer";
import { runLayerBatch } from "../../hdl/spec2/layer-driver";

export interface ShardJob {
  readonly params: Spec2LayerParams;
  readonly maps: Int32Array[];
  readonly batch: number;
}

export interface ShardResult {
  readonly outputs: Int32Array[];
  readonly cycles: number;
  readonly macs: number;
}

const job = workerData as ShardJob;
const res = { outputs: [] as Int32Array[], cycles: 0, macs: 0 };
for (let b = 0; b < job.maps.length; b += job.batch) {
  const run = await runLayerBatch(job.params, job.maps.slice(b, b + job.batch), { backend: "js", capacity: job.batch, onImage: () => parentPort!.postMessage({ image: 1 }) });
  res.outputs.push(...run.outputs);
  res.cycles += run.cycles;
  res.macs += run.macs;
}
parentPort!.postMessage({ result: res satisfies ShardResult });
