// How another process runs a step of a plan (a Slurm job, a make recipe): this Node and this
// installation's xdeb-sequence, by absolute path — the same paths must exist wherever it runs.

import { fileURLToPath } from 'node:url';

export function defaultStepCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL('../../bin/xdeb-sequence.js', import.meta.url))];
}
