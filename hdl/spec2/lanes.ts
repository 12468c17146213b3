/**
 * Lanes of a replicated unit: lane l of L handles the channels c = l, l + L, l + 2L, ... (c ≡ l
 * mod L), in ascending order; its local channel m is the global channel l + m*L.
 */
import { isIntIn, type Requirement } from "./generator-params";

/** Channels lane `lane` of `lanes` handles, out of `channels`. */
export function laneChannels(channels: number, lanes: number, lane: number): number {
  return Math.ceil((channels - lane) / lanes);
}

/** The requirements on (lanes, lane) for `channels` channels, `what` naming them ("input channels"). */
export function laneRequirements(lanes: number, lane: number, channels: number, what: string): Requirement[] {
  return [
    [isIntIn(lanes, 1, Infinity), `lanes = ${lanes} must be an integer >= 1`],
    [isIntIn(lane, 0, Math.max(0, lanes - 1)), `lane = ${lane} must be an integer in 0..lanes-1 (lanes = ${lanes})`],
    [!(lane >= channels), `lane = ${lane} would hold none of the ${channels} ${what}: use lanes <= ${channels}`],
  ];
}
