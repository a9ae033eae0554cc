// xdeb-sequence from end to end: plan (or the plan of the state file, with --resume) → print →
// run the steps → report.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EnvironmentError, EXIT, UsageError } from '../lib/errors.js';
import { planIsComplete, type Plan } from '../lib/plan.js';
import { formatPlanDot, formatPlanText } from '../lib/plan-format.js';
import type { Output } from '../cli/output.js';
import type { BuildOptions } from './build-pipeline.js';
import { localRepoDir } from './config.js';
import { runTool } from './run-tool.js';
import { buildContext } from './satisfy.js';
import { planSequence, type SequenceOptions } from './sequence-plan.js';
import { defaultStateFile, newState, readState, reconcile, runSteps, type SequenceState } from './sequence-run.js';

async function drawSvg(plan: Plan, file: string): Promise<void> {
  let r;
  try {
    r = await runTool('dot', ['-Tsvg', '-o', file], { input: formatPlanDot(plan) });
  } catch (e) {
    throw new EnvironmentError(`cannot draw ${file}: ${(e as Error).message.replace(/^dot not found.*/, 'dot not found (install the graphviz package)')}`);
  }
  if (r.code !== 0) throw new EnvironmentError(`dot -Tsvg failed: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
}

function printPlan(plan: Plan, opts: SequenceOptions, out: Output): void {
  if (opts.json) out.jsonData(plan);
  else if (opts.dot) out.data(formatPlanDot(plan));
  else out.data(formatPlanText(plan, { maxLoops: 50 }));
}

function printResults(state: SequenceState, stateFile: string, opts: SequenceOptions, out: Output): void {
  const { plan } = state;
  if (opts.json) {
    out.jsonData({ ...plan, stateFile, results: state.steps });
    return;
  }
  const width = String(plan.steps.length).length;
  for (const x of state.steps) {
    const s = plan.steps[x.n - 1]!;
    const what = `${s.source}${s.arch === plan.hostArch ? '' : `:${s.arch}`} ${s.version}${s.stage ? ` [${s.stage}]` : ''}`;
    const how = x.status === 'done' ? `done${x.seconds !== undefined ? ` (${x.seconds.toFixed(1)} s)` : ''}${x.suite ? `, in ${x.suite}` : ''}` : `${x.status}${x.note ? `: ${x.note}` : ''}`;
    out.data(`${String(x.n).padStart(width)}. ${what}: ${how}`);
  }
  out.data(`state: ${stateFile}`);
}

export async function runSequence(args: string[], opts: SequenceOptions, out: Output, prog: string): Promise<number> {
  if (opts.dot && opts.json) throw new UsageError('--dot and --json exclude each other');
  const jobs = opts.jobs as number | undefined;
  if (jobs !== undefined && jobs < 1) throw new UsageError('--jobs must be at least 1');

  let state: SequenceState;
  let stateFile: string;
  if (opts.resume) {
    if (opts.list) throw new UsageError('--resume runs the plan of the state file; --list shows a new plan: give one of them');
    if (opts.all || opts.full || opts.bootstrap || opts.onlyExplicit || opts.available) throw new UsageError('--resume takes the plan and its options from the state file: give no --all, --full, --bootstrap, --only-explicit or --available');
    const ctx0 = buildContext(opts);
    stateFile = (opts.state as string | undefined) ?? defaultStateFile(localRepoDir(ctx0.cfg), ctx0.hostArch);
    state = readState(stateFile);
    if (args.length && JSON.stringify(args) !== JSON.stringify(state.plan.args)) {
      throw new UsageError(`the state file ${stateFile} is for ${state.plan.args.join(' ')}; give the same SOURCE arguments or none (or run without --resume to start over)`);
    }
    if (opts.hostArch && opts.hostArch !== state.plan.hostArch) throw new UsageError(`the state file ${stateFile} is for ${state.plan.hostArch}, not ${String(opts.hostArch)}`);
    const { toolchainOf } = await import('./toolchain.js');
    const given = toolchainOf(ctx0.cfg)?.name;
    const planned = state.plan.toolchain?.name;
    if (given !== undefined && given !== planned) {
      const { describeSource } = await import('../lib/config.js');
      const from = ctx0.cfg.entry('toolchain');
      throw new UsageError(
        `the state file ${stateFile} was planned ${planned ? `with the toolchain '${planned}'` : 'without a toolchain'}, not '${given}'${from ? ` (${describeSource(from.source)})` : ''}: give the same --toolchain or none`,
      );
    }
    const { readBuilds } = await import('./local-repo.js');
    for (const note of reconcile(state, await readBuilds(state.localRepo))) out.info(note);
    const left = state.steps.filter((x) => x.status !== 'done').length;
    out.info(`resuming ${stateFile}: ${state.steps.length - left} of ${state.steps.length} steps built, ${left} to go`);
  } else {
    const planned = await planSequence(args, opts, out);
    const { plan } = planned;
    out.info(`planned in ${planned.seconds.total.toFixed(1)} s (load ${planned.seconds.load.toFixed(1)}, graph ${planned.seconds.graph.toFixed(1)}, loops ${planned.seconds.bootstrap.toFixed(1)})`);
    if (opts.svg) await drawSvg(plan, opts.svg as string);
    if (opts.list) {
      printPlan(plan, opts, out);
      await (await import('./report.js')).reportIfAsked(opts, plan, undefined, out);
      if (!planIsComplete(plan)) {
        const unbroken = plan.stats.unbrokenLoops;
        const bad = plan.steps.filter((s) => s.unsatisfiable).length;
        out.warn(`the plan cannot be completed: ${[unbroken ? `${unbroken} loop part${unbroken === 1 ? '' : 's'} no profile breaks${opts.bootstrap ? '' : ' (--bootstrap breaks loops with staged builds)'}` : '', bad ? `${bad} build${bad === 1 ? '' : 's'} with unsatisfiable build-dependencies` : ''].filter(Boolean).join(', ')}`);
        return EXIT.no;
      }
      return EXIT.ok;
    }
    if (!planned.localRepo) throw new UsageError('xdeb-sequence needs the local repository: each build finds the results of the ones before it there (drop --disable-local-repo)');
    stateFile = (opts.state as string | undefined) ?? defaultStateFile(planned.localRepo, plan.hostArch);
    if (existsSync(stateFile)) {
      try {
        const old = readState(stateFile);
        const done = old.steps.filter((x) => x.status === 'done').length;
        if (done < old.steps.length) out.warn(`starting a new plan: the one in ${stateFile} (${done} of ${old.steps.length} steps built) is replaced; --resume would have continued it`);
      } catch {
        // not a state file we can read: replaced
      }
    }
    state = newState(plan, planned.localRepo, stateFile);
    if (!opts.json && !opts.dot) out.info(formatPlanText(plan, { maxLoops: 10 }).trimEnd());
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

  // The plan's toolchain, also when --resume is given none.
  const ctx = buildContext({ ...opts, localRepo: state.localRepo, hostArch: state.plan.hostArch, ...(state.plan.toolchain ? { toolchain: state.plan.toolchain.name } : {}) });
  const buildOpts: BuildOptions = {
    repo: opts.repo,
    mode: ctx.mode,
    implicit: opts.implicit,
    localRepo: state.localRepo,
    // --chroot (in ctx's configuration): how its builds get their compilers.
    native: opts.native,
    distcc: opts.distcc,
  };
  const jobsFromConfig = Number(ctx.cfg.get('jobs') ?? 1);
  const { code } = await runSteps(state, {
    jobs: jobs ?? (Number.isFinite(jobsFromConfig) && jobsFromConfig > 0 ? jobsFromConfig : 1),
    keepGoing: !!opts.keepGoing,
    buildOpts,
    ctx,
    stateFile,
    out,
    prog,
  });
  printResults(state, stateFile, opts, out);
  await (await import('./report.js')).reportIfAsked(opts, state.plan, state, out);
  return code;
}
