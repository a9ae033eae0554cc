// Running a plan: each step through xdeb-build's pipeline (buildOne, in this process), steps
// whose dependencies are built side by side up to -j N, a state file rewritten atomically after
// every change so that --resume continues after a failure, an interrupt or a kill.
//
// In-process rather than one xdeb-build process per step: the installs of build-dependencies
// must not overlap (two apt-get runs fight for dpkg's lock, and one may remove what the other
// installed), and buildOne takes a lock for exactly that part; the builds themselves are
// separate process groups already (dpkg-buildpackage, with the signal passed on), and each step
// writes its messages and its build log into its own directory.

import { mkdirSync, readFileSync, renameSync, writeFileSync, appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { EXIT, NegativeAnswer, UsageError, XdebError } from '../lib/errors.js';
import { bootstrapOfSuite } from '../lib/local-repo-layout.js';
import { BUILD_DEPS_FILE, type BuildDepsRecord } from '../lib/run-verify.js';
import type { Plan, PlanStep } from '../lib/plan.js';
import { Output } from '../ui/output.js';
import { rootPrefix } from '../adapters/apt-install.js';
import type { BuildOptions } from './build.js';
import type { SessionFlags } from './session.js';
import type { BuildRecord } from '../adapters/local-repo.js';
import { runTool } from '../adapters/run-tool.js';
import type { BuildContext } from './satisfy.js';

/** queued: submitted to an executor that runs it elsewhere (Slurm), not started yet. */
export type StepStatus = 'pending' | 'queued' | 'running' | 'done' | 'failed' | 'skipped';

/** A step's job in a batch system: its id, and where it ran. */
export interface StepJob {
  executor: 'slurm';
  id: string;
  submitted: string;
  node?: string;
  /** The batch system's last word on it (JobState, Reason), once it ended without the step saying how. */
  state?: string;
}

export interface StepState {
  n: number;
  status: StepStatus;
  /** Why a step is pending again, failed or skipped. */
  note?: string;
  started?: string;
  finished?: string;
  seconds?: number;
  /** The step's directory: its messages (xdeb-sequence.log), the build log, the results. */
  dir: string;
  changes?: string;
  suite?: string;
  /** The exit status the failure maps to (1 failed, 2 bad input, 3 environment). */
  exitCode?: number;
  /** Packages of its full build reinstalled over what its staged (or seed) build left installed on the machine. */
  replaced?: { package: string; arch: string; version: string }[];
  /** Packages of the set's members that its (seed) build took from the repositories, removed from the machine after it. */
  removed?: { package: string; arch: string; version: string }[];
  /** Its job, when an executor other than the local one runs it. */
  job?: StepJob;
}

/** How a step is built, whoever builds it: what `xdeb-sequence --run-step N` on another machine (or under make) needs to build it the same way. */
export interface StepInvocation {
  /** The command line's session flags (the node adds its own configuration files). */
  flags: SessionFlags;
  /** The options every step's build gets. */
  build: Pick<BuildOptions, 'repo' | 'implicit' | 'native' | 'distcc' | 'icecream' | 'icecreamEnv' | 'hostBinaries'>;
}

/** The executor a state was last run with, and its options (--resume takes them again). */
export type ExecutorRecord =
  { kind: 'local' } | { kind: 'make' } | { kind: 'slurm'; partition?: string; constraint?: string; args: string[]; command: string[] };

export interface SequenceState {
  format: 1;
  created: string;
  updated: string;
  localRepo: string;
  plan: Plan;
  steps: StepState[];
  invocation?: StepInvocation;
  executor?: ExecutorRecord;
}

export const STATE_FORMAT = 1;

/** Where the state and the steps' directories live by default: in the local repository's own directory. */
export function defaultStateFile(localRepo: string, hostArch: string): string {
  return join(localRepo, 'xdeb', 'sequence', hostArch, 'state.json');
}

/**
 * Change the state file where several processes write it (the steps of a Slurm or make run, each
 * its own entry, and the one following them): read, change and write under a lock beside it. An
 * flock(2) lock: it also holds on NFS (Linux emulates flock with POSIX locks there).
 */
export async function updateState<T>(file: string, change: (state: SequenceState) => T): Promise<T> {
  const { withLock } = await import('../adapters/repo-lock.js');
  return withLock(
    `${file}.lock`,
    async () => {
      const state = readState(file);
      const r = change(state);
      writeState(file, state);
      return r;
    },
    { what: `the state file ${file}` },
  );
}

/** Write the state: a temporary file beside it, renamed over it. */
export function writeState(file: string, state: SequenceState): void {
  state.updated = new Date().toISOString();
  mkdirSync(dirname(file), { recursive: true });
  // Named by host and pid: processes on several machines may write it (one at a time, under updateState's lock).
  const tmp = `${file}.tmp-${hostname()}-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n');
  renameSync(tmp, file);
}

export function readState(file: string): SequenceState {
  let state: SequenceState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as SequenceState;
  } catch (e) {
    throw new UsageError(
      `cannot read the state file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is none (nothing to resume: run without --resume)' : (e as Error).message}`,
    );
  }
  if (state.format !== STATE_FORMAT || !Array.isArray(state.steps) || !state.plan?.steps)
    throw new UsageError(`${file} is not an xdeb-sequence state file of format ${STATE_FORMAT}`);
  return state;
}

export function newState(plan: Plan, localRepo: string, stateFile: string): SequenceState {
  const base = join(dirname(stateFile), 'steps');
  const now = new Date().toISOString();
  return {
    format: STATE_FORMAT,
    created: now,
    updated: now,
    localRepo,
    plan,
    steps: plan.steps.map((s) => ({
      n: s.n,
      status: 'pending',
      dir: join(
        base,
        `${String(s.n).padStart(4, '0')}-${s.source}${s.arch === plan.hostArch ? '' : `-${s.arch}`}${s.stage ? `-${s.stage}` : ''}`,
      ),
    })),
  };
}

function sameProfiles(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/** The publish record of a step's build in the local repository, if it is there with the step's profiles. */
export function findBuild(records: readonly BuildRecord[], step: PlanStep): BuildRecord | undefined {
  return records.find(
    (r) =>
      r.source === step.source &&
      r.sourceVersion === step.version &&
      r.suite === step.suite &&
      r.architectures.includes(step.arch) &&
      sameProfiles(r.profiles, step.profiles),
  );
}

/**
 * For --resume: steps done stay done only when the local repository still has their build with
 * the same profiles; a step left running by a kill is done if its build was published; the rest
 * is pending again, except the busy ones (queued or running as jobs elsewhere). Returns what was
 * changed, for messages.
 */
export function reconcile(state: SequenceState, records: readonly BuildRecord[], busy: ReadonlySet<number> = new Set()): string[] {
  const notes: string[] = [];
  for (const st of state.steps) {
    // Queued or running elsewhere (a Slurm job): that job says how it went.
    if (busy.has(st.n)) continue;
    const step = state.plan.steps[st.n - 1]!;
    const rec = findBuild(records, step);
    const name = `step ${st.n} (${step.source} ${step.version}${step.stage ? ` [${step.stage}]` : ''})`;
    if (st.status === 'done' && !rec) {
      const other = records.find(
        (r) => r.source === step.source && r.sourceVersion === step.version && r.architectures.includes(step.arch),
      );
      st.status = 'pending';
      st.note = other
        ? `the local repository has it built with ${other.profiles.join(',') || 'no profiles'}, not ${step.profiles.join(',') || 'no profiles'}: rebuilt`
        : 'its build is no longer in the local repository: rebuilt';
      notes.push(`${name}: ${st.note}`);
    } else if (st.status === 'running' && rec) {
      st.status = 'done';
      st.note = 'published before the interruption';
      notes.push(`${name}: ${st.note}`);
    } else if (st.status !== 'done') {
      if (st.status !== 'pending') notes.push(`${name}: ${st.status}, to be built again`);
      st.status = 'pending';
      delete st.note;
      delete st.exitCode;
    }
  }
  return notes;
}

/** Messages of one step's build go to its own log file, not to the terminal the progress bar is on (for a job, its warnings and errors also to stderr). */
export class StepOutput extends Output {
  constructor(
    prog: string,
    private readonly file: string,
    private readonly echo = false,
  ) {
    super({ prog, quiet: true });
  }
  private write(s: string, loud = false): void {
    const line = s.endsWith('\n') ? s : s + '\n';
    appendFileSync(this.file, line);
    if (this.echo && loud) process.stderr.write(line);
  }
  /** Also on stderr for a job: where it runs and how it ended. */
  say(m: string): void {
    this.write(m, true);
  }
  override info(m: string): void {
    this.write(m);
  }
  override debug(m: string): void {
    this.write(m);
  }
  override warn(m: string): void {
    this.write(`warning: ${m}`, true);
  }
  override error(m: string): void {
    this.write(`error: ${m}`, true);
  }
  override data(t: string): void {
    this.write(t);
  }
  override jsonData(v: unknown): void {
    this.write(JSON.stringify(v));
  }
}

/** A FIFO mutex: one holder at a time, in order of asking. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(f: () => Promise<T>): Promise<T> {
    const result = this.tail.then(f);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

export interface RunOptions {
  jobs: number;
  keepGoing: boolean;
  /** The options every step's build gets (repositories, root command…). */
  buildOpts: BuildOptions;
  /** The context of a build for the host architecture; steps for another architecture get theirs from it. */
  ctx: BuildContext;
  stateFile: string;
  out: Output;
  prog: string;
}

export interface RunResult {
  code: number;
  state: SequenceState;
}

/** The packages of a source's full build that are installed at the same version and architecture as a staged build left them. */
async function replaceStagedInstalls(
  repo: string,
  step: PlanStep,
  records: readonly BuildRecord[],
  rootCmd: string | undefined,
  log: (m: string) => void,
): Promise<StepState['replaced']> {
  const full = findBuild(records, step);
  if (!full) return undefined;
  const debs: string[] = [];
  const replaced: NonNullable<StepState['replaced']> = [];
  for (const f of full.files) {
    if (f.kind !== 'deb' || !f.package || !f.architecture) continue;
    const q = await runTool('dpkg-query', ['-W', '-f', '${Status}\t${Version}', `${f.package}:${f.architecture}`]);
    const [status, version] = q.stdout.split('\t');
    if (q.code === 0 && /installed$/.test(status ?? '') && version === full.version) {
      debs.push(join(repo, f.path));
      replaced.push({ package: f.package, arch: f.architecture, version: full.version });
    }
  }
  if (!debs.length) return undefined;
  // Same name, same version: a plain install sees nothing to do; --reinstall of the files puts
  // the full build's in place (waiting for dpkg's lock, which other installs may hold).
  const argv = [
    ...rootPrefix(rootCmd, 'replacing staged packages'),
    'apt-get',
    'install',
    '-y',
    '-q',
    '--reinstall',
    '--no-install-recommends',
    '-o',
    'DPkg::Lock::Timeout=600',
    ...debs,
  ];
  log(`replacing what the staged build of ${step.source} installed with its full build: ${argv.join(' ')}`);
  const r = await runTool(argv[0]!, argv.slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log(r.stdout + r.stderr);
  if (r.code !== 0)
    throw new NegativeAnswer(`reinstalling the full build of ${step.source} over its staged build failed (apt-get exit status ${r.code})`);
  return replaced;
}

/** Remove the host-architecture packages of the set's members that a seed build installed from outside the set (its record says which). */
async function removeSeedMaterial(
  plan: Plan,
  changes: string,
  rootCmd: string | undefined,
  log: (m: string) => void,
): Promise<NonNullable<StepState['removed']>> {
  const members = new Set(plan.steps.map((t) => t.source));
  let record: BuildDepsRecord;
  try {
    record = JSON.parse(readFileSync(join(dirname(changes), BUILD_DEPS_FILE), 'utf8')) as BuildDepsRecord;
  } catch {
    return [];
  }
  // Everything of the members it installed: what it took from the repositories, and (harmless to take away) what the plan built.
  const gone = record.installed.filter(
    (d) => d.arch === plan.hostArch && d.source !== undefined && members.has(d.source) && d.from !== 'present',
  );
  if (!gone.length) return [];
  // Only those: a removal that would take other packages with it is not done (the machine is the user's), and said.
  const names = new Set(gone.map((d) => `${d.package}:${d.arch}`));
  const sim = await runTool('apt-get', ['remove', '-s', '-q', ...names]);
  const more = [...sim.stdout.matchAll(/^Remv (\S+)/gm)]
    .map((m) => m[1]!)
    .filter((n) => !names.has(n) && !names.has(`${n}:${plan.hostArch}`));
  if (sim.code !== 0 || more.length) {
    log(`not removing the seed build's packages: ${sim.code !== 0 ? sim.stderr.trim() : `apt would also remove ${more.join(', ')}`}`);
    return [];
  }
  const argv = [
    ...rootPrefix(rootCmd, 'removing seed packages'),
    'apt-get',
    'remove',
    '-y',
    '-q',
    '-o',
    'DPkg::Lock::Timeout=600',
    ...gone.map((d) => `${d.package}:${d.arch}`),
  ];
  log(`removing what the seed build took of the set's members from the repositories: ${argv.join(' ')}`);
  const r = await runTool(argv[0]!, argv.slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log(r.stdout + r.stderr);
  // The seed build stands; what stays installed is what --verify will show later builds took.
  if (r.code !== 0) {
    log(`removing the seed packages failed (apt-get exit status ${r.code}): left installed`);
    return [];
  }
  return gone.map((d) => ({ package: d.package, arch: d.arch, version: d.version }));
}

/** Run the pending steps of a state. */
export async function runSteps(state: SequenceState, o: RunOptions): Promise<RunResult> {
  const run = newRun(state, o);
  const stuck = skipStuck(state, run.dependants);
  if (stuck.length && !o.keepGoing) refuseStuck(state, o.stateFile, stuck);
  save(run);

  if (o.out.tty) run.bar = await startProgressBar(run);
  const stopCatching = catchSignals(run);

  const { buildOne } = await import('./build.js');
  const { readBuilds } = await import('../adapters/local-repo.js');
  const tools: StepTools = { buildOne, readBuilds };

  try {
    await runReadySteps(run, (s) => runStep(run, s, tools));
  } finally {
    stopCatching();
    run.bar?.stop();
    save(run);
  }
  return { code: runExitCode(state, !!run.stopping, run.failedFirst), state };
}

/** A run of a state's steps under way: what the steps of runSteps share. */
interface StepRun {
  state: SequenceState;
  o: RunOptions;
  /** For each step (n - 1): the steps (n) that have it in their 'after'. */
  dependants: number[][];
  /** The installs of build-dependencies, one at a time (they must not overlap). */
  install: Mutex;
  /** The signal the run is stopping for: no step starts any more. */
  stopping: NodeJS.Signals | undefined;
  /** The first step that failed: the run's exit status follows from its own. */
  failedFirst: StepState | undefined;
  /** The steps being built (n). */
  running: Map<number, Promise<void>>;
  bar: ProgressBar | undefined;
}

export type ProgressBar = { update(n: number, p?: object): void; stop(): void; setTotal(n: number): void };

/** What builds a step and reads the local repository's builds (loaded when the run starts). */
export interface StepTools {
  buildOne: (
    arg: string,
    ctx: RunOptions['ctx'],
    opts: RunOptions['buildOpts'],
    out: Output,
  ) => Promise<{ changes: string; suite?: string }>;
  readBuilds: (repo: string) => Promise<BuildRecord[]>;
}

/** A step being built: its plan step, its state, its messages and its name in messages. */
interface ActiveStep {
  s: PlanStep;
  x: StepState;
  /** Its messages, into logFile. */
  out: StepOutput;
  logFile: string;
  name: string;
}

function newRun(state: SequenceState, o: RunOptions): StepRun {
  return {
    state,
    o,
    dependants: dependantsOf(state.plan),
    install: new Mutex(),
    stopping: undefined,
    failedFirst: undefined,
    running: new Map<number, Promise<void>>(),
    bar: undefined,
  };
}

function save(run: StepRun): void {
  writeState(run.o.stateFile, run.state);
}

/** For each step (n - 1): the steps (n) that have it in their 'after'. */
export function dependantsOf(plan: Plan): number[][] {
  const dependants: number[][] = plan.steps.map(() => []);
  for (const s of plan.steps) for (const a of s.after) dependants[a - 1]!.push(s.n);
  return dependants;
}

/** Skip, for `why`, the pending (or queued) steps that need step n, directly or through others. */
export function skipFrom(state: SequenceState, dependants: number[][], n: number, why: string): void {
  const st = state.steps;
  const steps = state.plan.steps;
  // A dependant that needs the step only softly (the repositories have its binaries) is built against those instead.
  const queue = dependants[n - 1]!.map((d) => [n, d] as const);
  while (queue.length) {
    const [from, d] = queue.shift()!;
    const x = st[d - 1]!;
    if ((x.status !== 'pending' && x.status !== 'queued') || steps[d - 1]!.soft?.includes(from)) continue;
    x.status = 'skipped';
    x.note = why;
    queue.push(...dependants[d - 1]!.map((e) => [d, e] as const));
  }
}

/** A step as messages name it: "3/36 pam 1.5.2-6 [stage1]" (with :ARCH for the build architecture's steps). */
export function stepLabel(plan: Plan, s: PlanStep): string {
  return `${s.n}/${plan.steps.length} ${s.source}${s.arch === plan.hostArch ? '' : `:${s.arch}`} ${s.version}${s.stage ? ` [${s.stage}]` : ''}`;
}

/** Are the steps a step needs built — or, for a soft need, failed or skipped, so that the repositories' binaries serve instead? */
export function stepReady(state: SequenceState, s: PlanStep): boolean {
  const st = state.steps;
  return s.after.every((a) => {
    const status = st[a - 1]!.status;
    return status === 'done' || (!!s.soft?.includes(a) && (status === 'failed' || status === 'skipped'));
  });
}

/** The soft needs that were not built, for the step's messages: built against the repositories' binaries instead. */
export function servedByRepositories(state: SequenceState, s: PlanStep): PlanStep[] {
  const st = state.steps;
  return (s.soft ?? []).filter((a) => st[a - 1]!.status !== 'done').map((a) => state.plan.steps[a - 1]!);
}

/** Skip the builds that cannot be run (stuck in a loop no profile breaks, or unsatisfiable) and what needs them; returns those builds. */
export function skipStuck(state: SequenceState, dependants: number[][]): PlanStep[] {
  const st = state.steps;
  const stuck = state.plan.steps.filter(
    (s) => st[s.n - 1]!.status === 'pending' && (s.loop !== undefined || s.unsatisfiable !== undefined),
  );
  for (const s of stuck) {
    const x = st[s.n - 1]!;
    x.status = 'skipped';
    x.note = s.loop !== undefined ? `in loop ${s.loop}, which nothing breaks` : `cannot be built: ${s.unsatisfiable}`;
    skipFrom(state, dependants, s.n, `needs step ${s.n} (${s.source}), which cannot be built`);
  }
  return stuck;
}

/**
 * Without --keep-going, builds that cannot be run stop the run before anything is built: what was skipped is pending again, and the error
 * names the loops and the unsatisfiable builds.
 */
export function refuseStuck(state: SequenceState, stateFile: string, stuck: readonly PlanStep[]): never {
  const { plan } = state;
  for (const x of state.steps) if (x.status === 'skipped') x.status = 'pending';
  writeState(stateFile, state);
  const loops = [...new Set(stuck.map((s) => s.loop).filter((l): l is number => l !== undefined))].map((l) => plan.loops[l - 1]!);
  const details = loops.map(
    (l) => `loop ${l.n}: ${l.unbroken.map((u) => u.cycle.map((c) => `${c.source} needs ${c.binaries.join(', ')}`).join(' → ')).join('; ')}`,
  );
  for (const s of stuck) if (s.unsatisfiable) details.push(`${s.source}: ${s.unsatisfiable}`);
  throw new NegativeAnswer(
    `${stuck.length} build${stuck.length === 1 ? '' : 's'} of the plan cannot be done (${loops.length ? `${loops.length} loop${loops.length === 1 ? '' : 's'} nothing breaks${loops.length && stuck.some((s) => s.unsatisfiable) ? ', and ' : ''}` : ''}${stuck.some((s) => s.unsatisfiable) ? 'unsatisfiable build-dependencies' : ''}); nothing was built (--keep-going builds the rest)`,
    details,
  );
}

function countDone(run: StepRun): number {
  return run.state.steps.filter((x) => x.status === 'done').length;
}

/** On a terminal: a progress bar on stderr, the steps done and the ones being built. */
export async function progressBar(total: number, done = 0): Promise<ProgressBar> {
  const { SingleBar, Presets } = (await import('cli-progress')).default;
  const b = new SingleBar(
    { format: 'building {bar} {value}/{total} steps {running}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
  b.start(total, done, { running: '' });
  return b;
}

async function startProgressBar(run: StepRun): Promise<ProgressBar> {
  return progressBar(run.state.plan.steps.length, countDone(run));
}

function refresh(run: StepRun): void {
  const steps = run.state.plan.steps;
  run.bar?.update(countDone(run), {
    running: [...run.running.keys()]
      .map((n) => `${steps[n - 1]!.source}${steps[n - 1]!.stage ? `[${steps[n - 1]!.stage}]` : ''}`)
      .join(' '),
  });
}

/** A message on the terminal: the progress bar's line cleared first, and the bar drawn again after it. */
function say(run: StepRun, m: string): void {
  if (run.bar) process.stderr.write('\r\x1b[K');
  run.o.out.info(m);
  refresh(run);
}

/** SIGINT and SIGTERM stop the run: no step starts any more, the running ones are waited for. Returns what removes the handlers. */
function catchSignals(run: StepRun): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (!run.stopping)
      say(
        run,
        `${sig}: waiting for ${run.running.size} running build${run.running.size === 1 ? '' : 's'} to stop; the state is kept in ${run.o.stateFile}`,
      );
    run.stopping = sig;
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return () => {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  };
}

/**
 * Start each pending step whose dependencies are done, up to -j at a time, and again each time
 * one ends, until none is running. None starts once the run is stopping, nor after a failure
 * without --keep-going.
 */
async function runReadySteps(run: StepRun, build: (s: PlanStep) => Promise<void>): Promise<void> {
  const { o, running } = run;
  const st = run.state.steps;
  for (;;) {
    const canStart = !run.stopping && (o.keepGoing || !run.failedFirst);
    if (canStart) {
      for (const s of run.state.plan.steps) {
        if (running.size >= o.jobs) break;
        const x = st[s.n - 1]!;
        if (x.status !== 'pending' || running.has(s.n)) continue;
        if (!stepReady(run.state, s)) continue;
        const p = build(s).finally(() => {
          running.delete(s.n);
          refresh(run);
        });
        running.set(s.n, p);
      }
      refresh(run);
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
}

/** Build one step, its messages into its own log file; its state says how it went, saved before and after. */
async function runStep(run: StepRun, s: PlanStep, tools: StepTools): Promise<void> {
  const { plan } = run.state;
  const x = run.state.steps[s.n - 1]!;
  mkdirSync(x.dir, { recursive: true });
  const logFile = join(x.dir, 'xdeb-sequence.log');
  const out = new StepOutput(run.o.prog, logFile);
  x.status = 'running';
  x.started = new Date().toISOString();
  delete x.note;
  delete x.exitCode;
  save(run);
  const t0 = Date.now();
  const name = stepLabel(plan, s);
  const a: ActiveStep = { s, x, out, logFile, name };
  say(run, `building ${name} (-P ${s.profiles.join(',') || '(none)'}); log: ${logFile}`);
  const instead = servedByRepositories(run.state, s);
  if (instead.length) {
    x.note = `built against the repositories' binaries of ${instead.map((t) => `step ${t.n} (${t.source})`).join(', ')}, not built here`;
    out.info(x.note);
  }
  try {
    await buildPlanStep(
      { state: run.state, ctx: run.o.ctx, buildOpts: run.o.buildOpts, serialize: (f) => run.install.run(f), tools },
      s,
      x,
      out,
    );
    x.status = 'done';
    x.seconds = (Date.now() - t0) / 1000;
    x.finished = new Date().toISOString();
    say(run, `✓ ${name} (${x.seconds.toFixed(1)} s)`);
  } catch (e) {
    x.finished = new Date().toISOString();
    x.seconds = (Date.now() - t0) / 1000;
    stepFailed(run, a, e);
  }
  save(run);
}

/**
 * The local suites a step's build reads: the final builds, and the suites of the staged (or seed) builds it needs — no others, so that a
 * build never takes a staged or seed copy of a package whose final build exists at the same version.
 */
export function localSuitesOf(steps: readonly PlanStep[], s: PlanStep): string[] {
  const out = ['full'];
  for (const a of s.after) {
    const t = steps[a - 1]!;
    if (t.stage && !out.includes(t.suite)) out.push(t.suite);
  }
  return out;
}

/** What building a step needs, whichever executor runs it. */
export interface StepBuildEnv {
  state: SequenceState;
  /** The context of a build for the host architecture; steps for another architecture get theirs from it. */
  ctx: BuildContext;
  buildOpts: BuildOptions;
  /** Runs the installs of build-dependencies one at a time (a mutex in one process, a lock on the machine across processes). */
  serialize: <T>(f: () => Promise<T>) => Promise<T>;
  tools: StepTools;
}

/**
 * Build and publish a step; after the full build of a source that had a staged build, its packages replace what the staged one installed.
 */
export async function buildPlanStep(env: StepBuildEnv, s: PlanStep, x: StepState, out: Output): Promise<void> {
  const { state, serialize } = env;
  const { buildOne, readBuilds } = env.tools;
  const { plan } = state;
  const steps = plan.steps;
  // The toolchain flavours the host-architecture builds; the build machine's tools are built plain.
  const flavoured = !!plan.toolchain && s.arch === plan.hostArch;
  const ctx: BuildContext = {
    ...env.ctx,
    hostArch: s.arch,
    profiles: s.profiles,
    profilesGiven: true,
    ...(flavoured ? {} : { flavour: undefined, unflavoured: true }),
  };
  const session = env.ctx.session;
  const r = await buildOne(
    s.arg,
    ctx,
    {
      ...env.buildOpts,
      localSuites: localSuitesOf(steps, s),
      ...(s.drops?.length ? { dropBuildDepends: s.drops } : {}),
      ...(s.binNMU ? { binNMU: s.binNMU } : {}),
      ...(bootstrapOfSuite(s.suite) ? { bootstrap: bootstrapOfSuite(s.suite) } : {}),
      outputDir: x.dir,
      logDir: x.dir,
      publish: true,
      serialize,
    },
    out,
  );
  x.changes = r.changes;
  x.suite = r.suite;
  // On the machine itself, what a seed build took from the repositories of the set's members goes again: later builds must take the set's.
  if (!session.chroot && s.stage === 'seed') {
    const removed = await serialize(() => removeSeedMaterial(plan, r.changes, session.rootCmd, (m) => out.info(m)));
    if (removed.length) x.removed = removed;
  }
  // In a chroot each build has a fresh session: nothing of the staged build stays installed.
  if (!session.chroot && !s.stage && steps.some((t) => t.stage && t.source === s.source && t.arch === s.arch)) {
    const replaced = await serialize(async () =>
      replaceStagedInstalls(state.localRepo, s, await readBuilds(state.localRepo), session.rootCmd, (m) => out.info(m)),
    );
    if (replaced) x.replaced = replaced;
  }
}

/**
 * A step that threw: its log says why. Interrupted (or failing while the run stops), it is
 * pending again and the run stops; failed, its exit status is kept, and with --keep-going what
 * needs it is skipped.
 */
function stepFailed(run: StepRun, { s, x, out, logFile, name }: ActiveStep, e: unknown): void {
  const { o } = run;
  const msg = e instanceof Error ? e.message : String(e);
  out.error(msg);
  if (e instanceof XdebError) for (const d of e.details) out.error(`  ${d}`);
  if (run.stopping || (e instanceof XdebError && e.exitCode === EXIT.interrupted)) {
    x.status = 'pending';
    x.note = `interrupted (${run.stopping ?? 'SIGINT'})`;
    run.stopping ??= 'SIGINT';
  } else {
    x.status = 'failed';
    x.note = msg;
    x.exitCode = e instanceof XdebError ? e.exitCode : EXIT.internal;
    run.failedFirst ??= x;
    if (run.bar) process.stderr.write('\r\x1b[K');
    o.out.error(`step ${name} failed: ${msg} (messages: ${logFile})`);
    if (o.keepGoing) skipFrom(run.state, run.dependants, s.n, `needs step ${s.n} (${s.source}), which failed`);
  }
}

/**
 * The run's exit status (docs/exit-status.md): 130 interrupted; after a failure 3 when the first one was the environment's (a tool
 * missing, no root: the machine needs fixing before anything can build), else 1 — a step's bad input (an unknown source, a malformed
 * .dsc, a version that cannot be fetched) is that step's failure, not a bad call of xdeb-sequence; 1 when a step is left undone.
 */
export function runExitCode(state: SequenceState, stopping: boolean, failedFirst: StepState | undefined): number {
  let code: number = EXIT.ok;
  if (stopping) code = EXIT.interrupted;
  else if (failedFirst) code = failedFirst.exitCode === EXIT.environment ? EXIT.environment : EXIT.no;
  else if (state.steps.some((x) => x.status !== 'done')) code = EXIT.no;
  return code;
}
