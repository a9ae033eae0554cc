// The Slurm executor: the whole plan submitted in one pass, a job a step (`xdeb-sequence
// --run-step N` on the node), the plan's order as afterok dependencies, so that Slurm schedules
// it across the nodes; then followed (or not: --detach) until no job is left.
//
// All or nothing: the jobs are submitted held, the state file names them, and they are released
// together; if a submission fails the ones before it are cancelled. Each job writes its own step's entry
// of the state file (under the state's lock); this process reads Slurm's view only for jobs
// that ended without saying how (cancelled because a need failed, never launched, killed).

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, EXIT } from '../lib/errors.js';
import { shellQuote } from '../lib/chroot-spec.js';
import { jobEnded, stepDependency, verdictOfEndedJob, type SlurmJob } from '../lib/slurm-jobs.js';
import { defaultStepCommand } from './step-command.js';
import {
  dependantsOf,
  progressBar,
  refuseStuck,
  runExitCode,
  skipFrom,
  skipStuck,
  stepLabel,
  updateState,
  writeState,
  type ExecutorRecord,
  type ProgressBar,
  type RunOptions,
  type RunResult,
  type SequenceState,
  type StepState,
} from './sequence-run.js';

export interface SlurmExecutorOptions {
  partition?: string;
  constraint?: string;
  /** More sbatch options, as given (--slurm-arg). */
  args: string[];
  /** Submit and return: do not follow the jobs. */
  detach: boolean;
}

const POLL_MS = 2_000;

/** The steps whose jobs Slurm still has queued or running: a --resume leaves them be and waits for them. */
export async function busySlurmSteps(state: SequenceState): Promise<Set<number>> {
  const busy = new Set<number>();
  const withJobs = state.steps.filter((x) => x.job && (x.status === 'queued' || x.status === 'running'));
  if (!withJobs.length) return busy;
  const { showJobs } = await import('../adapters/slurm.js');
  const jobs = await showJobs();
  for (const x of withJobs) {
    const j = jobs.get(x.job!.id);
    if (j && !jobEnded(j)) busy.add(x.n);
  }
  return busy;
}

/**
 * Bring the state up to date with Slurm: a job that ended without its step recording the end tells
 * why (a need failed: skipped; cancelled: pending again; not launched or killed: failed); a job
 * Slurm no longer knows is pending again. Returns the steps changed.
 */
function applySlurmView(state: SequenceState, jobs: Map<string, SlurmJob>, cancelled: Map<string, string>): number[] {
  const changed: number[] = [];
  const byJob = new Map(state.steps.filter((x) => x.job).map((x) => [x.job!.id, x] as const));
  for (const x of state.steps) {
    if (!x.job || (x.status !== 'queued' && x.status !== 'running')) continue;
    const j = jobs.get(x.job.id);
    if (j && !jobEnded(j)) {
      if (j.state === 'RUNNING' && j.nodes && x.job.node !== j.nodes) x.job.node = j.nodes;
      continue;
    }
    changed.push(x.n);
    if (!j) {
      x.status = 'pending';
      x.note = `Slurm no longer knows its job ${x.job.id}, which ended without saying how the step went`;
      continue;
    }
    x.job.state = `${j.state}${j.reason && j.reason !== 'None' ? ` (${j.reason})` : ''}`;
    const v = verdictOfEndedJob(j);
    if (v.status === 'skipped') {
      const failed = v.failedDependency ? byJob.get(v.failedDependency) : undefined;
      const t = failed ? state.plan.steps[failed.n - 1]! : undefined;
      x.status = 'skipped';
      x.note = t
        ? `needs step ${t.n} (${t.source}), which failed (Slurm cancelled job ${x.job.id}: DependencyNeverSatisfied)`
        : `a step it needs failed (Slurm cancelled job ${x.job.id}: DependencyNeverSatisfied)`;
    } else if (v.status === 'pending') {
      x.status = 'pending';
      x.note = cancelled.get(x.job.id) ?? v.why;
    } else {
      x.status = 'failed';
      const out = j.stdout || join(x.dir, `slurm-${j.id}.out`);
      x.note = v.launch
        ? `${v.why}: its output ${out} cannot be written there — the node must see ${dirname(x.dir)} (the state's directory, on a path every node sees)`
        : `${v.why}; its output: ${out}`;
      x.exitCode = v.launch ? EXIT.environment : EXIT.no;
      x.finished ??= new Date().toISOString();
    }
  }
  return changed;
}

/** Cancel the jobs of steps that are queued (and running, with `running`), remembering why for their notes. */
async function cancelSteps(state: SequenceState, why: string, running: boolean, cancelled: Map<string, string>): Promise<number> {
  const { cancelJobs } = await import('../adapters/slurm.js');
  const ids = state.steps.filter((x) => x.job && (x.status === 'queued' || (running && x.status === 'running'))).map((x) => x.job!.id);
  for (const id of ids) cancelled.set(id, why);
  await cancelJobs(ids);
  return ids.length;
}

/** Submit the pending steps, held (the caller releases them once the state names their jobs). Nothing stays queued if a submission fails. */
async function submitAll(state: SequenceState, o: RunOptions, so: SlurmExecutorOptions, command: string[]): Promise<string[]> {
  const { submitJob, cancelJobs } = await import('../adapters/slurm.js');
  const steps = state.plan.steps;
  const jobOf = new Map<number, string>();
  for (const x of state.steps) if (x.job && (x.status === 'queued' || x.status === 'running')) jobOf.set(x.n, x.job.id);
  const submitted: { x: StepState; id: string }[] = [];
  const stateDir = dirname(o.stateFile);
  try {
    for (const s of steps) {
      const x = state.steps[s.n - 1]!;
      if (x.status !== 'pending') continue;
      mkdirSync(x.dir, { recursive: true });
      const dep = stepDependency(s, (a) => jobOf.get(a));
      const args = [
        '--hold',
        `--job-name=xdeb:${s.n}:${s.source}${s.stage ? `:${s.stage}` : ''}`,
        `--chdir=${stateDir}`,
        `--output=${join(x.dir, 'slurm-%j.out')}`,
        ...(so.partition ? [`--partition=${so.partition}`] : []),
        ...(so.constraint ? [`--constraint=${so.constraint}`] : []),
        ...(dep ? [`--dependency=${dep}`, '--kill-on-invalid-dep=yes'] : []),
        ...so.args,
        `--wrap=exec ${[...command, '--state', o.stateFile, '--run-step', String(s.n)].map(shellQuote).join(' ')}`,
      ];
      const id = await submitJob(args);
      jobOf.set(s.n, id);
      submitted.push({ x, id });
    }
  } catch (e) {
    await cancelJobs(submitted.map((j) => j.id)).catch(() => undefined);
    const what = submitted.length
      ? `the ${submitted.length} job${submitted.length === 1 ? '' : 's'} submitted before (${submitted.map((j) => j.id).join(', ')}) were cancelled, nothing of the plan is queued`
      : 'nothing was submitted';
    throw new EnvironmentError(`${(e as Error).message}; ${what}`);
  }
  const now = new Date().toISOString();
  for (const { x, id } of submitted) {
    x.status = 'queued';
    x.job = { executor: 'slurm', id, submitted: now };
    delete x.note;
    delete x.exitCode;
    delete x.started;
    delete x.finished;
    delete x.seconds;
  }
  return submitted.map((j) => j.id);
}

export async function runOnSlurm(state: SequenceState, o: RunOptions, so: SlurmExecutorOptions): Promise<RunResult> {
  const { checkSlurm, showJobs, releaseJobs, cancelJobs } = await import('../adapters/slurm.js');
  await checkSlurm();
  const dependants = dependantsOf(state.plan);
  const stuck = skipStuck(state, dependants);
  if (stuck.length && !o.keepGoing) refuseStuck(state, o.stateFile, stuck);
  const prior = state.executor?.kind === 'slurm' ? state.executor : undefined;
  const record: ExecutorRecord = {
    kind: 'slurm',
    ...(so.partition ? { partition: so.partition } : {}),
    ...(so.constraint ? { constraint: so.constraint } : {}),
    args: so.args,
    command: prior?.command ?? defaultStepCommand(),
  };
  state.executor = record;
  // Jobs still queued or running from an earlier submission write their own entries meanwhile: theirs are kept from the file.
  const busy = new Set(state.steps.filter((x) => x.job && (x.status === 'queued' || x.status === 'running')).map((x) => x.n));
  const ids = await submitAll(state, o, so, record.command);
  const mine = state;
  const save = async () =>
    busy.size
      ? await updateState(o.stateFile, (st) => {
          st.steps = mine.steps.map((x) => (busy.has(x.n) ? st.steps[x.n - 1]! : x));
          st.executor = mine.executor;
          st.invocation = mine.invocation;
          return st;
        })
      : (writeState(o.stateFile, mine), mine);
  // The state names the jobs before they may start: a job reads its step (and writes its entry) there.
  state = await save();
  try {
    await releaseJobs(ids);
  } catch (e) {
    await cancelJobs(ids).catch(() => undefined);
    for (const x of mine.steps)
      if (x.job && ids.includes(x.job.id)) {
        x.status = 'pending';
        x.note = 'its job was cancelled: the submission could not be completed';
      }
    await save();
    throw new EnvironmentError(`${(e as Error).message}; the ${ids.length} jobs submitted were cancelled, nothing of the plan is queued`);
  }
  const queued = state.steps.filter((x) => x.status === 'queued' || x.status === 'running').length;
  o.out.info(
    `submitted ${ids.length} job${ids.length === 1 ? '' : 's'} to Slurm${ids.length ? ` (${ids[0]}${ids.length > 1 ? `–${ids[ids.length - 1]}` : ''})` : ''}; ${queued} step${queued === 1 ? '' : 's'} queued or running`,
  );
  if (so.detach) {
    o.out.info(`follow them with: ${o.prog} --resume --state ${o.stateFile} (--cancel cancels them)`);
    return { code: EXIT.ok, state };
  }
  return follow(state, o, showJobs);
}

/** Follow the jobs until none is queued or running: messages as steps start and end, a progress bar in a terminal, Ctrl-C cancels. */
async function follow(state: SequenceState, o: RunOptions, showJobs: () => Promise<Map<string, SlurmJob>>): Promise<RunResult> {
  const cancelled = new Map<string, string>();
  const dependants = dependantsOf(state.plan);
  let stopping: NodeJS.Signals | undefined;
  let cancelling = false;
  let failedFirst: StepState | undefined;
  const bar: ProgressBar | undefined = o.out.tty ? await progressBar(state.plan.steps.length) : undefined;
  const say = (m: string, error = false) => {
    if (bar) process.stderr.write('\r\x1b[K');
    if (error) o.out.error(m);
    else o.out.info(m);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (!stopping) say(`${sig}: cancelling the plan's jobs; the state is kept in ${o.stateFile}`);
    stopping = sig;
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    for (;;) {
      const jobs = await showJobs();
      const before = new Map(state.steps.map((x) => [x.n, x.status] as const));
      state = await updateState(o.stateFile, (st) => {
        applySlurmView(st, jobs, cancelled);
        return st;
      });
      for (const x of state.steps) {
        const was = before.get(x.n);
        if (was === x.status) continue;
        const s = state.plan.steps[x.n - 1]!;
        const name = stepLabel(state.plan, s);
        if (x.status === 'running')
          say(
            `building ${name}${x.job?.node ? ` on ${x.job.node}` : ''} (Slurm job ${x.job?.id}); log: ${join(x.dir, 'xdeb-sequence.log')}`,
          );
        else if (x.status === 'done') say(`✓ ${name}${x.seconds !== undefined ? ` (${x.seconds.toFixed(1)} s)` : ''}`);
        else if (x.status === 'failed') {
          failedFirst ??= x;
          say(`step ${name} failed: ${x.note ?? ''} (messages: ${join(x.dir, 'xdeb-sequence.log')})`, true);
        } else if (x.status === 'skipped') say(`step ${name} skipped: ${x.note ?? ''}`);
      }
      if (stopping && !cancelling) {
        cancelling = true;
        await cancelSteps(state, `interrupted (${stopping}): its job was cancelled`, true, cancelled);
      } else if (failedFirst && !o.keepGoing && !cancelling) {
        cancelling = true;
        const s = state.plan.steps[failedFirst.n - 1]!;
        const n = await cancelSteps(
          state,
          `not started: step ${s.n} (${s.source}) failed (--keep-going goes on past a failure)`,
          false,
          cancelled,
        );
        if (n) say(`cancelled the ${n} queued job${n === 1 ? '' : 's'} (no --keep-going)`);
      }
      const active = state.steps.filter((x) => x.status === 'queued' || x.status === 'running');
      bar?.update(state.steps.filter((x) => x.status === 'done').length, {
        running: active
          .filter((x) => x.status === 'running')
          .map((x) => state.plan.steps[x.n - 1]!.source)
          .join(' '),
      });
      if (!active.length) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    bar?.stop();
  }
  // Steps that wait on a failed one in this state, not yet submitted or cancelled: skipped, as the local executor does.
  if (o.keepGoing)
    for (const x of state.steps)
      if (x.status === 'failed') skipFrom(state, dependants, x.n, `needs step ${x.n} (${state.plan.steps[x.n - 1]!.source}), which failed`);
  writeState(o.stateFile, state);
  return { code: runExitCode(state, !!stopping, failedFirst), state };
}

/** xdeb-sequence --cancel: the plan's queued and running jobs cancelled, and waited for until Slurm says they ended. */
export async function cancelOnSlurm(stateFile: string, state: SequenceState, out: RunOptions['out']): Promise<SequenceState> {
  const { checkSlurm, showJobs } = await import('../adapters/slurm.js');
  await checkSlurm();
  const cancelled = new Map<string, string>();
  const n = await cancelSteps(state, 'cancelled (xdeb-sequence --cancel)', true, cancelled);
  out.info(`cancelling ${n} job${n === 1 ? '' : 's'}`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const jobs = await showJobs();
    state = await updateState(stateFile, (st) => {
      applySlurmView(st, jobs, cancelled);
      return st;
    });
    if (!state.steps.some((x) => x.status === 'queued' || x.status === 'running')) return state;
    if (Date.now() > deadline)
      throw new EnvironmentError(
        `the jobs of ${state.steps
          .filter((x) => x.status === 'queued' || x.status === 'running')
          .map((x) => x.job?.id)
          .join(', ')} have not ended 120 s after scancel`,
      );
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
