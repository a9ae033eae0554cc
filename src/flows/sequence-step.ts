// `xdeb-sequence --run-step N`: build one step of a state file, as a Slurm job or a make recipe
// runs it, on whatever machine that is. The step is built exactly as the local executor builds it
// (buildPlanStep), with the command line's session recorded in the state; its entry in the state
// file is updated under the state's lock, so that steps ending at once on several nodes do not
// lose each other's results.

import { existsSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { EnvironmentError, EXIT, NegativeAnswer, UsageError, XdebError } from '../lib/errors.js';
import type { Output } from '../ui/output.js';
import { buildContext } from './satisfy.js';
import { openSession, reopenSession } from './session.js';
import {
  buildPlanStep,
  findBuild,
  readState,
  servedByRepositories,
  stepReady,
  StepOutput,
  updateState,
  type StepState,
} from './sequence-run.js';

/** Where the installs of build-dependencies of all steps on this machine take turns (they must not overlap: one apt at a time). */
function machineInstallLock(): string {
  return existsSync('/run/lock') ? '/run/lock/xdeb-sequence-installs.lock' : join('/tmp', 'xdeb-sequence-installs.lock');
}

/** The fields of a step's entry that its build sets. */
const RESULT_FIELDS = ['status', 'note', 'started', 'finished', 'seconds', 'changes', 'suite', 'exitCode', 'replaced', 'removed'] as const;

export async function runOneStep(stateFile: string, n: number, out: Output, prog: string): Promise<number> {
  const machine = process.env.SLURMD_NODENAME ?? hostname();
  const shared = 'every machine that builds steps must see the directory of the state file and the local repository at the same path';
  if (!existsSync(stateFile)) throw new EnvironmentError(`the state file ${stateFile} is not there on ${machine}: ${shared}`);
  const state = readState(stateFile);
  if (!existsSync(state.localRepo))
    throw new EnvironmentError(`the local repository ${state.localRepo} is not there on ${machine}: ${shared}`);
  const s = state.plan.steps[n - 1];
  if (!s) throw new UsageError(`--run-step ${n}: the plan of ${stateFile} has steps 1 to ${state.plan.steps.length}`);
  const name = `step ${n} (${s.source} ${s.version}${s.stage ? ` [${s.stage}]` : ''})`;
  if (!state.invocation)
    throw new UsageError(`${stateFile} does not say how its steps are built (an older xdeb-sequence wrote it): plan it again`);
  const { readBuilds } = await import('../adapters/local-repo.js');
  if (state.steps[n - 1]!.status === 'done' && findBuild(await readBuilds(state.localRepo), s)) {
    out.info(`${name} is built already`);
    return EXIT.ok;
  }
  if (!stepReady(state, s)) {
    const missing = s.after.filter((a) => state.steps[a - 1]!.status !== 'done');
    throw new NegativeAnswer(`${name} needs step${missing.length === 1 ? '' : 's'} ${missing.join(', ')}, not built yet`);
  }

  // What an earlier attempt left in the entry goes: this attempt writes its own.
  const x: StepState = { ...state.steps[n - 1]!, status: 'running', started: new Date().toISOString() };
  for (const k of ['note', 'exitCode', 'finished', 'seconds', 'changes', 'suite', 'replaced', 'removed'] as const) delete x[k];
  mkdirSync(x.dir, { recursive: true });
  const logFile = join(x.dir, 'xdeb-sequence.log');
  const stepOut = new StepOutput(prog, logFile, true);
  const record = () =>
    updateState(stateFile, (st) => {
      const y = st.steps[n - 1]!;
      for (const k of RESULT_FIELDS) {
        if (x[k] === undefined) delete y[k];
        else (y as unknown as Record<string, unknown>)[k] = x[k];
      }
      if (y.job && process.env.SLURMD_NODENAME) y.job.node = process.env.SLURMD_NODENAME;
    });
  await record();
  stepOut.say(`building ${name} on ${machine} (-P ${s.profiles.join(',') || '(none)'})`);
  const instead = servedByRepositories(state, s);
  if (instead.length) {
    x.note = `built against the repositories' binaries of ${instead.map((t) => `step ${t.n} (${t.source})`).join(', ')}, not built here`;
    stepOut.info(x.note);
  }

  const t0 = Date.now();
  const session = reopenSession(openSession(state.invocation.flags, stepOut), {
    localRepo: state.localRepo,
    hostArch: state.plan.hostArch,
    ...(state.plan.toolchain ? { toolchain: state.plan.toolchain.name } : {}),
  });
  const [{ buildOne }, { withLock }] = await Promise.all([import('./build.js'), import('../adapters/repo-lock.js')]);
  let code: number = EXIT.ok;
  try {
    await buildPlanStep(
      {
        state,
        ctx: buildContext(session),
        buildOpts: state.invocation.build,
        serialize: (f) => withLock(machineInstallLock(), f, { what: `the installs of build-dependencies on ${machine}` }),
        tools: { buildOne, readBuilds },
      },
      s,
      x,
      stepOut,
    );
    x.status = 'done';
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    stepOut.error(msg);
    if (e instanceof XdebError) for (const d of e.details) stepOut.error(`  ${d}`);
    x.status = 'failed';
    x.note = msg;
    code = e instanceof XdebError ? e.exitCode : EXIT.internal;
    x.exitCode = code;
  }
  x.finished = new Date().toISOString();
  x.seconds = (Date.now() - t0) / 1000;
  await record();
  stepOut.say(`${name}: ${x.status} (${x.seconds.toFixed(1)} s); messages: ${logFile}`);
  return code;
}
