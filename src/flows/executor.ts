// Who runs the steps of a plan: this process (local, the default), Slurm (a job a step, across a
// cluster), or make (a Makefile of the plan). One small interface; every executor builds a step
// with the same buildPlanStep and keeps the same state file.

import type { RunOptions, RunResult, SequenceState } from './sequence-run.js';
import type { SlurmExecutorOptions } from './sequence-slurm.js';

export const EXECUTORS = ['local', 'slurm', 'make'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];

export interface Executor {
  readonly name: ExecutorName;
  /** The steps another process is building for this state now (queued or running elsewhere): --resume waits for them, not rebuilds them. */
  busy(state: SequenceState): Promise<Set<number>>;
  /** Run the pending steps; the state file says how each went. */
  run(state: SequenceState, o: RunOptions): Promise<RunResult>;
}

export interface ExecutorOptions {
  slurm: SlurmExecutorOptions;
  /** make: print the Makefile instead of running it. */
  print: boolean;
}

export async function executorFor(name: ExecutorName, eo: ExecutorOptions): Promise<Executor> {
  switch (name) {
    case 'local': {
      const { runSteps } = await import('./sequence-run.js');
      return { name, busy: async () => new Set(), run: (state, o) => runSteps(state, o) };
    }
    case 'slurm': {
      const { runOnSlurm, busySlurmSteps } = await import('./sequence-slurm.js');
      return { name, busy: busySlurmSteps, run: (state, o) => runOnSlurm(state, o, eo.slurm) };
    }
    case 'make': {
      const { runWithMake } = await import('./sequence-make.js');
      return { name, busy: async () => new Set(), run: (state, o) => runWithMake(state, o, eo.print) };
    }
  }
}
