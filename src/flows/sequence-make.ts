// The make executor: the plan as a Makefile beside the state (stamp files make it resumable),
// printed (--print) for the user to run where and how he likes, or run here with make -j N [-k].

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, EXIT } from '../lib/errors.js';
import { planMakefile, stampName } from '../lib/plan-makefile.js';
import { missingTool } from '../adapters/run-tool.js';
import {
  dependantsOf,
  readState,
  refuseStuck,
  runExitCode,
  skipFrom,
  skipStuck,
  writeState,
  type RunOptions,
  type RunResult,
  type SequenceState,
} from './sequence-run.js';
import { defaultStepCommand } from './step-command.js';

export async function runWithMake(state: SequenceState, o: RunOptions, print: boolean): Promise<RunResult> {
  const dependants = dependantsOf(state.plan);
  const stuck = skipStuck(state, dependants);
  if (stuck.length && !o.keepGoing) refuseStuck(state, o.stateFile, stuck);
  state.executor = { kind: 'make' };
  const dir = dirname(o.stateFile);
  const stamps = join(dir, 'stamps');
  // The stamps say what the state says is built: a step to build again (--resume found its build gone) loses its stamp.
  mkdirSync(stamps, { recursive: true });
  for (const x of state.steps) {
    const f = join(stamps, stampName(x.n));
    if (x.status === 'done') writeFileSync(f, '');
    else rmSync(f, { force: true });
  }
  const makefile = join(dir, 'Makefile');
  const text = planMakefile({ plan: state.plan, stateFile: o.stateFile, stampDir: stamps, command: defaultStepCommand() });
  writeFileSync(makefile, text);
  writeState(o.stateFile, state);
  if (print) {
    o.out.data(text);
    o.out.info(`written to ${makefile}: make -f ${makefile} -j ${o.jobs}${o.keepGoing ? ' -k' : ''}`);
    return { code: EXIT.ok, state };
  }
  // Targets a step skipped (stuck) would never be made: make is asked for the others only.
  const targets = state.steps.filter((x) => x.status === 'pending').map((x) => join(stamps, stampName(x.n)));
  const argv = ['-f', makefile, `-j${o.jobs}`, ...(o.keepGoing ? ['-k'] : []), ...targets];
  o.out.info(`make ${argv.join(' ')}`);
  // make's own output (the recipes it runs, the steps' messages) on stderr: stdout is for the results.
  // Ctrl-C reaches make and the steps from the terminal; this process waits for make and reads the state after.
  const ignore = () => undefined;
  process.on('SIGINT', ignore);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('make', argv, { stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT' ? missingTool('make') : new EnvironmentError(`cannot run make: ${e.message}`)),
    );
    child.on('close', (c, sig) => resolve(c ?? (sig ? 128 : -1)));
  }).finally(() => process.off('SIGINT', ignore));
  const after = readState(o.stateFile);
  for (const x of after.steps)
    if (x.status === 'failed') skipFrom(after, dependants, x.n, `needs step ${x.n} (${after.plan.steps[x.n - 1]!.source}), which failed`);
  // make knows no soft needs: a step that needs a failed one only softly was not made either.
  for (const s of after.plan.steps) {
    const x = after.steps[s.n - 1]!;
    const blocked = s.after.find((a) => ['failed', 'skipped'].includes(after.steps[a - 1]!.status));
    if (x.status === 'pending' && blocked !== undefined) {
      x.status = 'skipped';
      x.note = `make did not build it: it needs step ${blocked} (${after.plan.steps[blocked - 1]!.source}), which was not built`;
    }
  }
  writeState(o.stateFile, after);
  const failed = after.steps.filter((x) => x.status === 'failed').sort((a, b) => (a.finished ?? '').localeCompare(b.finished ?? ''))[0];
  return { code: code === 130 || code === 128 + 2 ? EXIT.interrupted : runExitCode(after, false, failed), state: after };
}
