/**
 * The backend of the suites that simulate large designs for their results (the SPEC2 units and
 * layers): the JS backend, which needs no build and runs them fastest. Icarus keeps what only
 * it checks (X detection) in the suites that name it: the CLI runs of whole layers, the
 * simulator, example and library suites, and the differential test.
 */
import type { Backend } from "../../sim";

export const FAST_BACKEND: Backend = "js";
