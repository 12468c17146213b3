/**
 * The trained float network (all parameters, in its layout order) as `model.json` in a
 * weights directory, so inference (e.g. the fully-connected head after the accelerator's
 * conv layers) needs no training run.
 *
 *   LeNet:  { "format": "spec2-lenet-float", "version": 1, "parameters": N, "float64le": base64 }
 *   others: { "format": "spec2-float-model", "version": 1, "network": name, "parameters": N, "float64le": base64 }
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LAYOUT } from "./lenet";
import { makeNet } from "./networks";
import { CliError } from "../hdl/core/cli";

export const MODEL_FILE = "model.json";
/** the LeNet format name, kept so that existing readers read LeNet models unchanged */
export const MODEL_FORMAT = "spec2-lenet-float";
export const MODEL_FORMAT_ANY = "spec2-float-model";
export const MODEL_VERSION = 1;

export function writeModel(dir: string, theta: Float64Array, network = "lenet"): void {
  const bytes = Buffer.from(theta.buffer, theta.byteOffset, theta.byteLength);
  const head = network === "lenet" ? { format: MODEL_FORMAT, version: MODEL_VERSION } : { format: MODEL_FORMAT_ANY, version: MODEL_VERSION, network };
  const body = { ...head, parameters: theta.length, float64le: bytes.toString("base64") };
  writeFileSync(join(dir, MODEL_FILE), `${JSON.stringify(body)}\n`);
}

/** Reads and checks `model.json` of network `network` (default LeNet); errors name the file and the field. */
export function loadModel(dir: string, network = "lenet"): Float64Array {
  const file = join(dir, MODEL_FILE);
  if (!existsSync(file)) throw new CliError(`${file}: missing (run prune/run.ts to produce the weights directory)`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new CliError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const m = raw as Record<string, unknown>;
  const lenet = network === "lenet";
  const format = lenet ? MODEL_FORMAT : MODEL_FORMAT_ANY;
  if (m.format !== format) throw new CliError(`${file}: format = ${JSON.stringify(m.format)}, expected "${format}"`);
  if (m.version !== MODEL_VERSION) throw new CliError(`${file}: version = ${JSON.stringify(m.version)}, expected ${MODEL_VERSION}`);
  if (!lenet && m.network !== network) throw new CliError(`${file}: network = ${JSON.stringify(m.network)}, expected "${network}"`);
  const size = lenet ? LAYOUT.size : makeNet(network).size;
  if (m.parameters !== size) throw new CliError(`${file}: parameters = ${JSON.stringify(m.parameters)}, expected ${size} (the ${network} layout)`);
  if (typeof m.float64le !== "string") throw new CliError(`${file}: float64le must be a base64 string`);
  const bytes = Buffer.from(m.float64le, "base64");
  if (bytes.length !== size * 8) throw new CliError(`${file}: float64le holds ${bytes.length} bytes, expected ${size * 8}`);
  const theta = new Float64Array(size);
  new Uint8Array(theta.buffer).set(bytes);
  for (let q = 0; q < theta.length; q++) if (!Number.isFinite(theta[q]!)) throw new CliError(`${file}: parameter ${q} is not finite`);
  return theta;
}
