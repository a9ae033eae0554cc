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
import { dirname, join } from 'node:path';
import { EXIT, NegativeAnswer, UsageError, XdebError } from '../lib/errors.js';
import type { Plan, PlanStep } from '../lib/plan.js';
import { Output } from '../ui/output.js';
import { rootPrefix } from './apt-install.js';
import type { BuildOptions } from '../flows/build.js';
import type { BuildRecord } from './local-repo.js';
import { runTool } from './run-tool.js';
import type { BuildContext } from '../flows/satisfy.js';

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

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
}

export interface SequenceState {
  format: 1;
  created: string;
  updated: string;
  localRepo: string;
  plan: Plan;
  steps: StepState[];
}

export const STATE_FORMAT = 1;

/** Where the state and the steps' directories live by default: in the local repository's own directory. */
export function defaultStateFile(localRepo: string, hostArch: string): string {
  return join(localRepo, 'xdeb', 'sequence', hostArch, 'state.json');
}

/** Write the state: a temporary file beside it, renamed over it. */
export function writeState(file: string, state: SequenceState): void {
  state.updated = new Date().toISOString();
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(state, null, 1) + '\n');
  renameSync(tmp, file);
}

export function readState(file: string): SequenceState {
  let state: SequenceState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as SequenceState;
  } catch (e) {
    throw new UsageError(`cannot read the state file ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is none (nothing to resume: run without --resume)' : (e as Error).message}`);
  }
  if (state.format !== STATE_FORMAT || !Array.isArray(state.steps) || !state.plan?.steps) throw new UsageError(`${file} is not an xdeb-sequence state file of format ${STATE_FORMAT}`);
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
    steps: plan.steps.map((s) => ({ n: s.n, status: 'pending', dir: join(base, `${String(s.n).padStart(4, '0')}-${s.source}${s.arch === plan.hostArch ? '' : `-${s.arch}`}${s.stage ? `-${s.stage}` : ''}`) })),
  };
}

function sameProfiles(a: readonly string[], b: readonly string[]): boolean {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((p, i) => p === y[i]);
}

/** The publish record of a step's build in the local repository, if it is there with the step's profiles. */
export function findBuild(records: readonly BuildRecord[], step: PlanStep): BuildRecord | undefined {
  return records.find((r) => r.source === step.source && r.sourceVersion === step.version && r.suite === step.suite && r.architectures.includes(step.arch) && sameProfiles(r.profiles, step.profiles));
}

/**
 * For --resume: steps done stay done only when the local repository still has their build with
 * the same profiles; a step left running by a kill is done if its build was published; the rest
 * is pending again. Returns what was changed, for messages.
 */
export function reconcile(state: SequenceState, records: readonly BuildRecord[]): string[] {
  const notes: string[] = [];
  for (const st of state.steps) {
    const step = state.plan.steps[st.n - 1]!;
    const rec = findBuild(records, step);
    const name = `step ${st.n} (${step.source} ${step.version}${step.stage ? ` [${step.stage}]` : ''})`;
    if (st.status === 'done' && !rec) {
      const other = records.find((r) => r.source === step.source && r.sourceVersion === step.version && r.architectures.includes(step.arch));
      st.status = 'pending';
      st.note = other ? `the local repository has it built with ${other.profiles.join(',') || 'no profiles'}, not ${step.profiles.join(',') || 'no profiles'}: rebuilt` : 'its build is no longer in the local repository: rebuilt';
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

/** Messages of one step's build go to its own log file, not to the terminal the progress bar is on. */
class StepOutput extends Output {
  constructor(
    prog: string,
    private readonly file: string,
  ) {
    super({ prog, quiet: true });
  }
  private write(s: string): void {
    appendFileSync(this.file, s.endsWith('\n') ? s : s + '\n');
  }
  override info(m: string): void {
    this.write(m);
  }
  override debug(m: string): void {
    this.write(m);
  }
  override warn(m: string): void {
    this.write(`warning: ${m}`);
  }
  override error(m: string): void {
    this.write(`error: ${m}`);
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
async function replaceStagedInstalls(repo: string, step: PlanStep, records: readonly BuildRecord[], rootCmd: string | undefined, log: (m: string) => void): Promise<void> {
  const full = findBuild(records, step);
  if (!full) return;
  const debs: string[] = [];
  for (const f of full.files) {
    if (f.kind !== 'deb' || !f.package || !f.architecture) continue;
    const q = await runTool('dpkg-query', ['-W', '-f', '${Status}\t${Version}', `${f.package}:${f.architecture}`]);
    const [status, version] = q.stdout.split('\t');
    if (q.code === 0 && /installed$/.test(status ?? '') && version === full.version) debs.push(join(repo, f.path));
  }
  if (!debs.length) return;
  // Same name, same version: a plain install sees nothing to do; --reinstall of the files puts
  // the full build's in place (waiting for dpkg's lock, which other installs may hold).
  const argv = [...rootPrefix(rootCmd, 'replacing staged packages'), 'apt-get', 'install', '-y', '-q', '--reinstall', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=600', ...debs];
  log(`replacing what the staged build of ${step.source} installed with its full build: ${argv.join(' ')}`);
  const r = await runTool(argv[0]!, argv.slice(1), { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  log(r.stdout + r.stderr);
  if (r.code !== 0) throw new NegativeAnswer(`reinstalling the full build of ${step.source} over its staged build failed (apt-get exit status ${r.code})`);
}

/** Run the pending steps of a state. */
export async function runSteps(state: SequenceState, o: RunOptions): Promise<RunResult> {
  const { plan } = state;
  const steps = plan.steps;
  const st = state.steps;
  const save = () => writeState(o.stateFile, state);
  const dependants: number[][] = steps.map(() => []);
  for (const s of steps) for (const a of s.after) dependants[a - 1]!.push(s.n);
  const skipFrom = (n: number, why: string) => {
    const queue = [...dependants[n - 1]!];
    while (queue.length) {
      const d = queue.shift()!;
      const x = st[d - 1]!;
      if (x.status !== 'pending') continue;
      x.status = 'skipped';
      x.note = why;
      queue.push(...dependants[d - 1]!);
    }
  };

  // Builds that cannot be run: stuck in a loop no profile breaks, or unsatisfiable.
  const stuck = steps.filter((s) => st[s.n - 1]!.status === 'pending' && (s.loop !== undefined || s.unsatisfiable !== undefined));
  for (const s of stuck) {
    const x = st[s.n - 1]!;
    x.status = 'skipped';
    x.note = s.loop !== undefined ? `in loop ${s.loop}, which no profile breaks` : `cannot be built: ${s.unsatisfiable}`;
    skipFrom(s.n, `needs step ${s.n} (${s.source}), which cannot be built`);
  }
  if (stuck.length && !o.keepGoing) {
    for (const x of st) if (x.status === 'skipped') x.status = 'pending';
    save();
    const loops = [...new Set(stuck.map((s) => s.loop).filter((l): l is number => l !== undefined))].map((l) => plan.loops[l - 1]!);
    const details = loops.map((l) => `loop ${l.n}: ${l.unbroken.map((u) => u.cycle.map((c) => `${c.source} needs ${c.binaries.join(', ')}`).join(' → ')).join('; ')}`);
    for (const s of stuck) if (s.unsatisfiable) details.push(`${s.source}: ${s.unsatisfiable}`);
    throw new NegativeAnswer(
      `${stuck.length} build${stuck.length === 1 ? '' : 's'} of the plan cannot be done (${loops.length ? `${loops.length} loop${loops.length === 1 ? '' : 's'} no profile breaks${loops.length && stuck.some((s) => s.unsatisfiable) ? ', and ' : ''}` : ''}${stuck.some((s) => s.unsatisfiable) ? 'unsatisfiable build-dependencies' : ''}); nothing was built (--keep-going builds the rest)`,
      details,
    );
  }
  save();

  const stagedSuites = [...new Set(steps.filter((s) => s.stage).map((s) => s.suite))];
  const install = new Mutex();
  let stopping: NodeJS.Signals | undefined;
  let failedFirst: StepState | undefined;
  const running = new Map<number, Promise<void>>();
  let bar: { update(n: number, p?: object): void; stop(): void; setTotal(n: number): void } | undefined;
  const countDone = () => st.filter((x) => x.status === 'done').length;
  if (o.out.tty) {
    const { SingleBar, Presets } = (await import('cli-progress')).default;
    const b = new SingleBar({ format: 'building {bar} {value}/{total} steps {running}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, Presets.shades_classic);
    b.start(steps.length, countDone(), { running: '' });
    bar = b;
  }
  const refresh = () => bar?.update(countDone(), { running: [...running.keys()].map((n) => `${steps[n - 1]!.source}${steps[n - 1]!.stage ? `[${steps[n - 1]!.stage}]` : ''}`).join(' ') });
  const say = (m: string) => {
    if (bar) process.stderr.write('\r\x1b[K');
    o.out.info(m);
    refresh();
  };

  const onSignal = (sig: NodeJS.Signals) => {
    if (!stopping) say(`${sig}: waiting for ${running.size} running build${running.size === 1 ? '' : 's'} to stop; the state is kept in ${o.stateFile}`);
    stopping = sig;
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);

  const { buildOne } = await import('../flows/build.js');
  const { readBuilds } = await import('./local-repo.js');

  const runStep = async (s: PlanStep): Promise<void> => {
    const x = st[s.n - 1]!;
    mkdirSync(x.dir, { recursive: true });
    const logFile = join(x.dir, 'xdeb-sequence.log');
    const out = new StepOutput(o.prog, logFile);
    x.status = 'running';
    x.started = new Date().toISOString();
    delete x.note;
    delete x.exitCode;
    save();
    const t0 = Date.now();
    const name = `${s.n}/${steps.length} ${s.source}${s.arch === plan.hostArch ? '' : `:${s.arch}`} ${s.version}${s.stage ? ` [${s.stage}]` : ''}`;
    say(`building ${name} (-P ${s.profiles.join(',') || '(none)'}); log: ${logFile}`);
    try {
      // The toolchain flavours the host-architecture builds; the build machine's tools are built plain.
      const flavoured = !!plan.toolchain && s.arch === plan.hostArch;
      const ctx: BuildContext = { ...o.ctx, hostArch: s.arch, profiles: s.profiles, profilesGiven: true, ...(flavoured ? {} : { flavour: undefined, unflavoured: true }) };
      const r = await buildOne(s.arg, ctx, { ...o.buildOpts, localSuites: ['full', ...stagedSuites], outputDir: x.dir, logDir: x.dir, publish: true, serialize: (f) => install.run(f) }, out);
      x.changes = r.changes;
      x.suite = r.suite;
      // In a chroot each build has a fresh session: nothing of the staged build stays installed.
      if (!o.ctx.session.chroot && !s.stage && steps.some((t) => t.stage && t.source === s.source && t.arch === s.arch)) {
        await install.run(async () => replaceStagedInstalls(state.localRepo, s, await readBuilds(state.localRepo), o.ctx.session.rootCmd, (m) => out.info(m)));
      }
      x.status = 'done';
      x.seconds = (Date.now() - t0) / 1000;
      x.finished = new Date().toISOString();
      say(`✓ ${name} (${x.seconds.toFixed(1)} s)`);
    } catch (e) {
      x.finished = new Date().toISOString();
      x.seconds = (Date.now() - t0) / 1000;
      const msg = e instanceof Error ? e.message : String(e);
      out.error(msg);
      if (e instanceof XdebError) for (const d of e.details) out.error(`  ${d}`);
      if (stopping || (e instanceof XdebError && e.exitCode === EXIT.interrupted)) {
        x.status = 'pending';
        x.note = `interrupted (${stopping ?? 'SIGINT'})`;
        stopping ??= 'SIGINT';
      } else {
        x.status = 'failed';
        x.note = msg;
        x.exitCode = e instanceof XdebError ? e.exitCode : EXIT.internal;
        failedFirst ??= x;
        if (bar) process.stderr.write('\r\x1b[K');
        o.out.error(`step ${name} failed: ${msg} (messages: ${logFile})`);
        if (o.keepGoing) skipFrom(s.n, `needs step ${s.n} (${s.source}), which failed`);
      }
    }
    save();
  };

  try {
    for (;;) {
      const canStart = !stopping && (o.keepGoing || !failedFirst);
      if (canStart) {
        for (const s of steps) {
          if (running.size >= o.jobs) break;
          const x = st[s.n - 1]!;
          if (x.status !== 'pending' || running.has(s.n)) continue;
          if (!s.after.every((a) => st[a - 1]!.status === 'done')) continue;
          const p = runStep(s).finally(() => {
            running.delete(s.n);
            refresh();
          });
          running.set(s.n, p);
        }
        refresh();
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    bar?.stop();
    save();
  }

  let code: number = EXIT.ok;
  if (stopping) code = EXIT.interrupted;
  else if (failedFirst) code = failedFirst.exitCode === EXIT.usage || failedFirst.exitCode === EXIT.environment ? failedFirst.exitCode : EXIT.no;
  else if (st.some((x) => x.status !== 'done')) code = EXIT.no;
  return { code, state };
}
