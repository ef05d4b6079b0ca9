/** A command's failure as one line the user can act on (config errors name the path), exit code 1. */
import { OutlastError } from '../errors/index.ts';

export async function exitOnError(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    const message = OutlastError.isInstance(error) || error instanceof Error ? error.message : String(error);
    process.stderr.write(`outlast: ${message}\n`);
    process.exit(1);
  }
}
