/** Worker thread of WorkerEngine (engine.ts): computes one shard's gradient on request. */
import { parentPort, workerData } from "node:worker_threads";
import { shardGrad, type ConvMasks, type WorkerRequest } from "./engine";
import { loadMnist } from "./mnist";
import { makeNet } from "./networks";
import { SpectralNet, type Teacher } from "./net";

interface Init {
  network: string;
  trainLimit: number | undefined;
  theta: Float64Array;
  grad: Float64Array;
  idx: Int32Array;
  shifts: Int8Array;
}
const init = workerData as Init;
const data = loadMnist("train", init.trainLimit);
const net = makeNet(init.network);
let masks: ConvMasks | undefined;
let teacher: Teacher | undefined;
parentPort!.on("message", (m: WorkerRequest) => {
  if (m.kind === "masks") {
    masks = m.masks;
    parentPort!.postMessage({});
    return;
  }
  if (m.kind === "teacher") {
    teacher = m.teacher && { ...m.teacher, net: teacher?.net ?? new SpectralNet(net.def) };
    parentPort!.postMessage({});
    return;
  }
  const r = shardGrad(net, data, init.theta, init.idx, m.lo, m.hi, init.grad, m.shifted ? init.shifts : undefined, masks, teacher);
  parentPort!.postMessage(r);
});
