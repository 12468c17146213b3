/**
 * Golden-model evaluation of the test images split over worker threads (fixed-worker.ts).
 * The per-image results are put back in image order and summarised as in one thread, so the
 * result does not depend on the number of threads.
 */
import { Worker } from "node:worker_threads";
import type { FixedLayer } from "../spectral/fixed/layer";
import { evaluateFixed, summarise, type FixedEval, type ImageEval } from "./fixedeval";
import { Progress } from "./io";
import type { MnistSplit } from "./mnist";
import { makeNet } from "./networks";

export async function evaluateFixedThreads(
  network: string,
  theta: Float64Array,
  layers: readonly FixedLayer[],
  test: MnistSplit,
  threads: number,
  label?: string,
  quiet = false,
): Promise<FixedEval> {
  if (threads <= 1) return evaluateFixed(makeNet(network), theta, layers, test, label, quiet);
  const pr = label ? new Progress(label, test.count, quiet) : undefined;
  let done = 0;
  const bounds = Array.from({ length: threads }, (_, s) => [Math.floor((test.count * s) / threads), Math.floor((test.count * (s + 1)) / threads)] as const);
  const parts = await Promise.all(
    bounds.map(
      ([lo, hi]) =>
        new Promise<ImageEval[]>((resolve, reject) => {
          const w = new Worker(new URL("./fixed-worker-boot.mjs", import.meta.url), {
            workerData: { network, testLimit: test.count, theta, layers, lo, hi },
          });
          w.on("message", (m: { progress?: number; results?: ImageEval[] }) => {
            if (m.progress) {
              done += m.progress;
              pr?.update(done);
            }
            if (m.results) {
              resolve(m.results);
              void w.terminate();
            }
          });
          w.on("error", reject);
        }),
    ),
  );
  const r = summarise(parts.flat(), test.labels, layers.length);
  pr?.done(`accuracy ${r.accuracy.toFixed(4)}`);
  return r;
}
