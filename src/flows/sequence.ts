// xdeb-sequence from end to end: plan (or the plan of the state file, with --resume) → print →
// run the steps → report.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, EXIT, UsageError } from '../lib/errors.js';
import { planIsComplete, type Plan } from '../lib/plan.js';
import { formatPlanDot, formatPlanText } from '../lib/plan-format.js';
import type { Output } from '../ui/output.js';
import type { BuildOptions, ChrootCompilers } from './build.js';
import { runTool } from '../adapters/run-tool.js';
import { buildContext } from './satisfy.js';
import { planSequence, type SequencePlanInput } from './sequence-plan.js';
import { reopenSession, type Session } from './session.js';
import { defaultStateFile, newState, readState, reconcile, type SequenceState } from './sequence-run.js';
import { executorFor, type ExecutorName, type ExecutorOptions } from './executor.js';

async function drawSvg(plan: Plan, file: string): Promise<void> {
  let r;
  try {
    r = await runTool('dot', ['-Tsvg', '-o', file], { input: formatPlanDot(plan) });
  } catch (e) {
    throw new EnvironmentError(
      `cannot draw ${file}: ${(e as Error).message.replace(/^dot not found.*/, 'dot not found (install the graphviz package)')}`,
    );
  }
  if (r.code !== 0) throw new EnvironmentError(`dot -Tsvg failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

/** xdeb-sequence: what to plan (or --resume), and how to print and run it. */
export interface SequenceInput extends SequencePlanInput, ChrootCompilers {
  resume: boolean;
  list: boolean;
  dot: boolean;
  svg?: string;
  /** --state FILE (default: in the local repository). */
  state?: string;
  keepGoing: boolean;
  /** --report DIR. */
  report?: string;
  /** --verify: check the run of the state file, build nothing. */
  verify?: boolean;
  /** --executor (default: the state's with --resume, else local). */
  executor?: ExecutorName;
  /** --print: with --executor make, print the Makefile instead of running it. */
  print?: boolean;
  /** --detach: submit the plan (Slurm) and return. */
  detach?: boolean;
  /** --cancel: cancel the plan's queued and running jobs. */
  cancel?: boolean;
  /** --run-step N: build step N of the state file (what an executor's job runs). */
  runStep?: number;
  slurmPartition?: string;
  slurmConstraint?: string;
  slurmArgs?: string[];
}

function printPlan(plan: Plan, opts: SequenceInput, out: Output): void {
  if (out.json) out.jsonData(plan);
  else if (opts.dot) out.data(formatPlanDot(plan));
  else out.data(formatPlanText(plan, { maxLoops: 50 }));
}

function printResults(state: SequenceState, stateFile: string, out: Output): void {
  const { plan } = state;
  if (out.json) {
    out.jsonData({ ...plan, stateFile, results: state.steps });
    return;
  }
  const width = String(plan.steps.length).length;
  for (const x of state.steps) {
    const s = plan.steps[x.n - 1]!;
    const what = `${s.source}${s.arch === plan.hostArch ? '' : `:${s.arch}`} ${s.version}${s.stage ? ` [${s.stage}]` : ''}`;
    const how =
      x.status === 'done'
        ? `done${x.seconds !== undefined ? ` (${x.seconds.toFixed(1)} s)` : ''}${x.suite ? `, in ${x.suite}` : ''}${x.note ? `; ${x.note}` : ''}`
        : `${x.status}${x.note ? `: ${x.note}` : ''}`;
    const job = x.job ? ` [Slurm job ${x.job.id}${x.job.node ? ` on ${x.job.node}` : ''}]` : '';
    out.data(`${String(x.n).padStart(width)}. ${what}: ${how}${job}`);
  }
  out.data(`state: ${stateFile}`);
}

/** The host architecture a plan of this command line is for: -a or the configuration, else a --chroot's own, else the build architecture. */
async function plannedHostArch(session: Session): Promise<string> {
  if (session.hostArchGiven || !session.chroot) return session.hostArch;
  const { readChrootMeta } = await import('../adapters/chroot.js');
  return readChrootMeta(session.chrootDir, session.chroot).hostArch;
}

export async function runSequence(session: Session, opts: SequenceInput, prog: string): Promise<number> {
  const { out } = session;
  const args = opts.sources;
  if (opts.dot && out.json) throw new UsageError('--dot and --json exclude each other');
  const jobs = session.flags.jobs;
  if (jobs !== undefined && jobs < 1) throw new UsageError('--jobs must be at least 1');
  if (opts.executor || !opts.resume) checkExecutorOptions(opts, opts.executor ?? 'local');
  // Before planning: a cluster that is not there is said at once.
  if (opts.executor === 'slurm' && !opts.list && !opts.verify && opts.runStep === undefined)
    await (await import('../adapters/slurm.js')).checkSlurm();

  let state: SequenceState;
  let stateFile: string;
  const planOnly = () => opts.all || opts.full || opts.bootstrap || opts.onlyExplicit || opts.available.length || opts.setFile || opts.base;
  if (opts.runStep !== undefined) {
    if (opts.resume || opts.list || opts.verify || opts.cancel || args.length || planOnly())
      throw new UsageError('--run-step N builds one step of the state file: give it with --state (or the options that find it) alone');
    stateFile = opts.state ?? defaultStateFile(session.localRepo.dir, await plannedHostArch(session));
    const { runOneStep } = await import('./sequence-step.js');
    return runOneStep(stateFile, opts.runStep, out, prog);
  }
  if (opts.cancel) {
    if (opts.resume || opts.list || opts.verify || args.length || planOnly())
      throw new UsageError('--cancel cancels the jobs of the state file: give it with --state (or the options that find it) alone');
    stateFile = opts.state ?? defaultStateFile(session.localRepo.dir, await plannedHostArch(session));
    state = readState(stateFile);
    if (state.executor?.kind !== 'slurm') {
      out.info(`${stateFile}: no jobs to cancel (its plan was last run by the ${state.executor?.kind ?? 'local'} executor)`);
      return EXIT.ok;
    }
    const { cancelOnSlurm } = await import('./sequence-slurm.js');
    state = await cancelOnSlurm(stateFile, state, out);
    printResults(state, stateFile, out);
    return EXIT.ok;
  }
  if (opts.verify) {
    if (opts.resume || opts.list) throw new UsageError('--verify checks the run of the state file: give it without --resume or --list');
    stateFile = opts.state ?? defaultStateFile(session.localRepo.dir, await plannedHostArch(session));
    const { verifySequence } = await import('./sequence-verify.js');
    await verifySequence(readState(stateFile), stateFile, out);
    return EXIT.ok;
  }
  if (opts.resume) {
    if (opts.list) throw new UsageError('--resume runs the plan of the state file; --list shows a new plan: give one of them');
    if (planOnly())
      throw new UsageError(
        '--resume takes the plan and its options from the state file: give no --all, --full, --bootstrap, --only-explicit, --available, --set or --base',
      );
    stateFile = opts.state ?? defaultStateFile(session.localRepo.dir, await plannedHostArch(session));
    state = readState(stateFile);
    if (args.length && JSON.stringify(args) !== JSON.stringify(state.plan.args)) {
      throw new UsageError(
        `the state file ${stateFile} is for ${state.plan.args.join(' ')}; give the same SOURCE arguments or none (or run without --resume to start over)`,
      );
    }
    const givenArch = session.flags.hostArch;
    if (givenArch && givenArch !== state.plan.hostArch)
      throw new UsageError(`the state file ${stateFile} is for ${state.plan.hostArch}, not ${givenArch}`);
    const given = session.toolchain()?.name;
    const planned = state.plan.toolchain?.name;
    if (given !== undefined && given !== planned) {
      const { describeSource } = await import('../lib/config.js');
      const from = session.cfg.entry('toolchain');
      throw new UsageError(
        `the state file ${stateFile} was planned ${planned ? `with the toolchain '${planned}'` : 'without a toolchain'}, not '${given}'${from ? ` (${describeSource(from.source)})` : ''}: give the same --toolchain or none`,
      );
    }
    // Jobs still queued or running in Slurm are waited for, not built again; only the slurm executor can wait for them.
    const busy =
      state.executor?.kind === 'slurm' ? await (await executorFor('slurm', executorOptions(opts, state))).busy(state) : new Set<number>();
    const using = opts.executor ?? state.executor?.kind ?? 'local';
    if (busy.size && using !== 'slurm')
      throw new UsageError(
        `${busy.size} step${busy.size === 1 ? ' is' : 's are'} queued or running as Slurm jobs (${state.steps
          .filter((x) => busy.has(x.n))
          .map((x) => x.job!.id)
          .join(', ')}): resume with --executor slurm to wait for them, or --cancel them first`,
      );
    const { readBuilds } = await import('../adapters/local-repo.js');
    for (const note of reconcile(state, await readBuilds(state.localRepo), busy)) out.info(note);
    const left = state.steps.filter((x) => x.status !== 'done').length;
    out.info(
      `resuming ${stateFile}: ${state.steps.length - left} of ${state.steps.length} steps built, ${left} to go${busy.size ? ` (${busy.size} queued or running in Slurm)` : ''}`,
    );
  } else {
    const planned = await planSequence(session, opts);
    const { plan } = planned;
    out.info(
      `planned in ${planned.seconds.total.toFixed(1)} s (load ${planned.seconds.load.toFixed(1)}, graph ${planned.seconds.graph.toFixed(1)}, loops ${planned.seconds.bootstrap.toFixed(1)})`,
    );
    if (opts.svg) await drawSvg(plan, opts.svg);
    if (opts.list) {
      printPlan(plan, opts, out);
      await (await import('./report.js')).reportIfAsked(opts.report, plan, undefined, out);
      if (!planIsComplete(plan)) {
        const unbroken = plan.stats.unbrokenLoops;
        const bad = plan.steps.filter((s) => s.unsatisfiable).length;
        out.warn(
          `the plan cannot be completed: ${[unbroken ? `${unbroken} loop part${unbroken === 1 ? '' : 's'} nothing breaks${opts.bootstrap ? ' (no profile, droppable build-dependency, seed or hint; --hints FILE says how)' : ' (--bootstrap breaks loops with staged builds)'}` : '', bad ? `${bad} build${bad === 1 ? '' : 's'} with unsatisfiable build-dependencies` : ''].filter(Boolean).join(', ')}`,
        );
        return EXIT.no;
      }
      return EXIT.ok;
    }
    if (!planned.localRepo)
      throw new UsageError(
        'xdeb-sequence needs the local repository: each build finds the results of the ones before it there (drop --disable-local-repo)',
      );
    stateFile = opts.state ?? defaultStateFile(planned.localRepo, plan.hostArch);
    if (existsSync(stateFile)) {
      try {
        const old = readState(stateFile);
        const done = old.steps.filter((x) => x.status === 'done').length;
        if (done < old.steps.length)
          out.warn(
            `starting a new plan: the one in ${stateFile} (${done} of ${old.steps.length} steps built) is replaced; --resume would have continued it`,
          );
      } catch {
        // not a state file we can read: replaced
      }
    }
    state = newState(plan, planned.localRepo, stateFile);
    if (!out.json && !opts.dot) out.info(formatPlanText(plan, { maxLoops: 10 }).trimEnd());
    // Beside the state: the plan as a graph, and its picture when graphviz is there (and it is small enough to draw).
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(join(dirname(stateFile), 'plan.dot'), formatPlanDot(plan));
    if (plan.steps.length <= 1500) {
      await drawSvg(plan, join(dirname(stateFile), 'plan.svg')).then(
        () => out.info(`the plan's graph: ${join(dirname(stateFile), 'plan.svg')}`),
        () => out.debug('no picture of the plan: dot (graphviz) is not there'),
      );
    }
  }

  // The plan's architecture, repository and toolchain, also when --resume is given none.
  const runSession = reopenSession(session, {
    localRepo: state.localRepo,
    hostArch: state.plan.hostArch,
    ...(state.plan.toolchain ? { toolchain: state.plan.toolchain.name } : {}),
  });
  const ctx = buildContext(runSession);
  const buildOpts: BuildOptions = {
    repo: opts.repo,
    implicit: opts.implicit,
    // --chroot (in the session): how its builds get their compilers.
    ...(opts.native !== undefined ? { native: opts.native } : {}),
    ...(opts.distcc !== undefined ? { distcc: opts.distcc } : {}),
    ...(opts.icecream !== undefined ? { icecream: opts.icecream } : {}),
    ...(opts.icecreamEnv !== undefined ? { icecreamEnv: opts.icecreamEnv } : {}),
    ...(opts.hostBinaries !== undefined ? { hostBinaries: opts.hostBinaries } : {}),
  };
  const executorName = opts.executor ?? (opts.resume ? state.executor?.kind : undefined) ?? 'local';
  checkExecutorOptions(opts, executorName);
  const executor = await executorFor(executorName, executorOptions(opts, state));
  // How each step is built, for executors whose steps run in other processes (xdeb-sequence --run-step): this command line's.
  state.invocation = {
    flags: { ...runSession.flags },
    build: {
      repo: buildOpts.repo,
      implicit: buildOpts.implicit,
      ...(buildOpts.native !== undefined ? { native: buildOpts.native } : {}),
      ...(buildOpts.distcc !== undefined ? { distcc: buildOpts.distcc } : {}),
      ...(buildOpts.icecream !== undefined ? { icecream: buildOpts.icecream } : {}),
      ...(buildOpts.icecreamEnv !== undefined ? { icecreamEnv: buildOpts.icecreamEnv } : {}),
      ...(buildOpts.hostBinaries !== undefined ? { hostBinaries: buildOpts.hostBinaries } : {}),
    },
  };
  const { code, state: after } = await executor.run(state, {
    jobs: jobs ?? runSession.jobs,
    keepGoing: opts.keepGoing,
    buildOpts,
    ctx,
    stateFile,
    out,
    prog,
  });
  // --print: stdout is the Makefile.
  if (!opts.print) printResults(after, stateFile, out);
  await (await import('./report.js')).reportIfAsked(opts.report, after.plan, after, out);
  return code;
}

/** The executors' options: the command line's, else (--resume) what the state's Slurm run had. */
function executorOptions(opts: SequenceInput, state?: SequenceState): ExecutorOptions {
  const prior = state?.executor?.kind === 'slurm' ? state.executor : undefined;
  const partition = opts.slurmPartition ?? prior?.partition;
  const constraint = opts.slurmConstraint ?? prior?.constraint;
  return {
    print: !!opts.print,
    slurm: {
      ...(partition ? { partition } : {}),
      ...(constraint ? { constraint } : {}),
      args: opts.slurmArgs?.length ? opts.slurmArgs : (prior?.args ?? []),
      detach: !!opts.detach,
    },
  };
}

/** Options that belong to one executor, given with another: a usage error. */
function checkExecutorOptions(opts: SequenceInput, name: ExecutorName): void {
  if (opts.print && name !== 'make') throw new UsageError('--print goes with --executor make (it prints the Makefile)');
  if (opts.detach && name !== 'slurm') throw new UsageError('--detach goes with --executor slurm (it submits the plan and returns)');
  if ((opts.slurmPartition || opts.slurmConstraint || opts.slurmArgs?.length) && name !== 'slurm')
    throw new UsageError('--slurm-partition, --slurm-constraint and --slurm-arg go with --executor slurm');
}
