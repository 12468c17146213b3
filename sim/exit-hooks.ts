/**
 * Clean-up when the process ends, normally or by SIGINT / SIGTERM / SIGHUP: hooks run
 * synchronously once. When nothing else handles the signal, the process then ends as the
 * signal would have ended it; a program with its own handler keeps control.
 */
const hooks = new Set<() => void>();
let installed = false;

function runHooks(): void {
  for (const h of [...hooks]) {
    try {
      h();
    } catch {
      /* clean-up is best effort */
    }
  }
}

function install(): void {
  installed = true;
  process.on("exit", runHooks);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    const onSignal = (): void => {
      runHooks();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}

/** Runs `hook` when the process exits or is interrupted; returns a function that removes it. */
export function onProcessEnd(hook: () => void): () => void {
  if (!installed) install();
  hooks.add(hook);
  return () => hooks.delete(hook);
}
