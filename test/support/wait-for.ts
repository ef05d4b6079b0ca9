/** Polling for tests that wait on something a real socket or process does (never on a timer of ours). */

/**
 * Polls `check` every 10 ms until it holds or `ms` pass; resolves whether it held. The
 * assertion after it says what was expected (and fails if it never held).
 */
export async function waitFor(check: () => boolean, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Like `waitFor`, but fails when the condition is not met in time (generous: loaded machines; it returns as soon as it holds). */
export async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  if (!(await waitFor(check, ms))) throw new Error(`condition not met in ${ms} ms`);
}
