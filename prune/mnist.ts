/** MNIST for training: spectral/mnist.ts, its errors as CLI errors (exit 1, one line). */
import { CliError } from "../hdl/core/cli";
import { MnistError, loadMnist as load, type MnistSplit } from "../spectral/mnist";

export { IMAGE_SIZE, MnistError, mnistDataDir, type MnistSplit } from "../spectral/mnist";

/** Loads the train (60000) or test (10000) split; `limit` keeps the first `limit` items. */
export function loadMnist(split: "train" | "test", limit?: number, dir?: string): MnistSplit {
  try {
    return load(split, limit, dir);
  } catch (e) {
    throw e instanceof MnistError ? new CliError(e.message) : e;
  }
}
