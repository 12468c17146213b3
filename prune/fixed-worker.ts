/** Worker thread of evaluateFixedThreads (fixed-parallel.ts): golden-model evaluation of a range of test images. */
import { parentPort, workerData } from "node:worker_threads";
import type { FixedLayer } from "../spectral/fixed/layer";
import { evaluateImage, type ImageEval } from "./fixedeval";
import { loadMnist, IMAGE_SIZE } from "./mnist";
import { makeNet } from "./networks";

interface Job {
  network: string;
  testLimit: number;
  theta: Float64Array;
  layers: FixedLayer[];
  lo: number;
  hi: number;
}

const job = workerData as Job;
const net = makeNet(job.network);
const test = loadMnist("test", job.testLimit);
const P = IMAGE_SIZE * IMAGE_SIZE;
const out: ImageEval[] = [];
net.withWeights(job.theta, undefined, () => {
  for (let i = job.lo; i < job.hi; i++) {
    out.push(evaluateImage(net, job.theta, job.layers, test.images.subarray(i * P, (i + 1) * P)));
    if ((i - job.lo) % 50 === 49) parentPort!.postMessage({ progress: 50 });
  }
});
parentPort!.postMessage({ results: out });
