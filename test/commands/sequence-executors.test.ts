// xdeb-sequence's executors for real: a Slurm cluster of two nodes started on this machine
// (test/support/slurm.ts) runs the stage1 loop plan and an independent library as jobs, cross
// builds for arm64 on this machine; a failed step, --resume, --cancel, a controller that does not
// answer, a submission that fails half-way, a node that cannot see the repository. Then the plan
// as a Makefile, run with make.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDependency, parseScontrolJobs } from '../../src/lib/slurm-jobs.js';
import { canCrossBuildArm64, removeInstalled, ROOT, runCli } from '../support/cli.js';
import { canRunSlurm, startSlurm, type SlurmCluster } from '../support/slurm.js';

const FIXTURES = join(ROOT, 'fixtures/debian');
const ready = canCrossBuildArm64() && canRunSlurm();

interface StepEntry {
  n: number;
  status: string;
  note?: string;
  started?: string;
  finished?: string;
  dir: string;
  job?: { id: string; node?: string; state?: string };
}
interface State {
  plan: { steps: { n: number; source: string; stage: string | null; after: number[] }[] };
  steps: StepEntry[];
  executor?: { kind: string };
}

describe.runIf(ready)('xdeb-sequence --executor slurm: the loop plan on a two-node Slurm', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-seq-slurm-'));
  const src = join(work, 'src');
  const repo = join(work, 'repo');
  const stateFile = join(repo, 'xdeb/sequence/arm64/state.json');
  cpSync(FIXTURES, src, { recursive: true });
  const rules = join(src, 'xdebloop-b/debian/rules');
  const goodRules = readFileSync(rules, 'utf8');
  let c: SlurmCluster;
  const readState = (f = stateFile): State => JSON.parse(readFileSync(f, 'utf8'));
  const seq = (args: string[], env: NodeJS.ProcessEnv = {}, timeout = 900_000) =>
    runCli(['--local-repo', repo, '-a', 'arm64', ...args], { bin: 'xdeb-sequence', cwd: src, env: { ...c.env, ...env }, timeout });
  const jobs = () => parseScontrolJobs(c.run('scontrol', ['show', 'job', '-o']).stdout);

  beforeAll(async () => {
    c = await startSlurm({ nodes: 2 });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    removeInstalled('libxdebloop-*', 'xdebloop-*', 'libxdebdemo*', 'xdebdemo-*');
    rmSync(work, { recursive: true, force: true });
  });

  it('--detach: the whole plan queued in one pass; the jobs depend on each other as the plan says', () => {
    removeInstalled('libxdebloop-*', 'libxdebdemo*');
    // b's build fails: its dependant must never run.
    writeFileSync(rules, '#!/usr/bin/make -f\n%:\n\tdh $@\noverride_dh_auto_build:\n\tfalse\n');
    const r = seq([
      '--bootstrap',
      '--executor',
      'slurm',
      '--detach',
      '--slurm-arg=--exclusive',
      '--json',
      'xdebloop-a',
      'xdebloop-b',
      'libxdebdemo',
    ]);
    const seen = jobs();
    expect(r.status, r.stderr).toBe(0);
    const st = readState();
    expect(st.executor?.kind).toBe('slurm');
    expect(st.plan.steps.map((s) => `${s.source}${s.stage ? `[${s.stage}]` : ''}`).sort()).toEqual(
      ['libxdebdemo', 'xdebloop-a', 'xdebloop-a[stage1]', 'xdebloop-b'].sort(),
    );
    expect(st.steps.map((x) => x.status).every((s) => s === 'queued' || s === 'running')).toBe(true);
    const idOf = (n: number) => st.steps[n - 1]!.job!.id;
    // What Slurm holds as each job's dependencies (read right after the submission, before any is fulfilled) is the plan's order.
    for (const s of st.plan.steps) {
      const job = seen.get(idOf(s.n))!;
      expect(job, `step ${s.n}`).toBeDefined();
      expect(job.name).toBe(`xdeb:${s.n}:${s.source}${s.stage ? `:${s.stage}` : ''}`);
      const deps = parseDependency(job.dependency);
      expect(deps.map((d) => d.id).sort()).toEqual(s.after.map(idOf).sort());
      expect(deps.every((d) => d.type === 'afterok')).toBe(true);
    }
    expect(r.stdout).toContain('"status": "queued"');
  }, 300_000);

  it('followed (--resume -k): a failed step, its dependant cancelled by Slurm and never run; two steps at once on two nodes', () => {
    const r = seq(['--resume', '--keep-going', '--json']);
    expect(r.status, r.stderr).toBe(1);
    const st = readState();
    const at = (source: string, stage: string | null = null) => st.plan.steps.findIndex((s) => s.source === source && s.stage === stage);
    const [a1, lib, b, a] = [at('xdebloop-a', 'stage1'), at('libxdebdemo'), at('xdebloop-b'), at('xdebloop-a')].map((i) => st.steps[i]!);
    expect([a1, lib, b, a].map((x) => x.status)).toEqual(['done', 'done', 'failed', 'skipped']);
    expect(b.note).toMatch(/the build failed/);
    expect(a.note).toBe(`needs step ${b.n} (xdebloop-b), which failed (Slurm cancelled job ${a.job!.id}: DependencyNeverSatisfied)`);
    // Slurm's own state says so: the dependant was cancelled, it never started.
    expect(jobs().get(a.job!.id)).toMatchObject({ state: 'CANCELLED', reason: 'DependencyNeverSatisfied' });
    expect(a.started).toBeUndefined();
    expect(jobs().get(b.job!.id)).toMatchObject({ state: 'FAILED' });
    expect(r.stderr).toMatch(new RegExp(`step ${b.n}/4 xdebloop-b 1\\.0 failed: .*the build failed`));
    // The stage1 build and the library ran side by side, one on each node (--exclusive).
    expect(new Set([a1.job!.node, lib.job!.node])).toEqual(new Set(['n1', 'n2']));
    expect(a1.started! < lib.finished! && lib.started! < a1.finished!).toBe(true);
    // Each step's messages and Slurm's output of its job where the local executor keeps a step's log.
    expect(readdirSync(a1.dir)).toEqual(expect.arrayContaining(['xdeb-sequence.log', `slurm-${a1.job!.id}.out`]));
    expect(readFileSync(join(a1.dir, `slurm-${a1.job!.id}.out`), 'utf8')).toMatch(
      new RegExp(`building step ${a1.n} \\(xdebloop-a 1\\.0 \\[stage1\\]\\) on n[12]`),
    );
  }, 900_000);

  it('--resume after the fix submits only what is not built, and finishes the plan in order', () => {
    writeFileSync(rules, goodRules);
    const before = readState();
    const r = seq(['--resume', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const st = readState();
    expect(st.steps.map((x) => x.status)).toEqual(['done', 'done', 'done', 'done']);
    // What was built was not run again; the failed and the skipped steps are new jobs.
    for (const x of before.steps) {
      if (x.status === 'done') {
        expect(st.steps[x.n - 1]!.job!.id).toBe(x.job!.id);
        expect(st.steps[x.n - 1]!.finished).toBe(x.finished);
      } else expect(st.steps[x.n - 1]!.job!.id).not.toBe(x.job!.id);
    }
    // Every step landed in the local repository, each after the ones it needs.
    const builds = JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds as {
      source: string;
      suite: string;
      time: string;
    }[];
    expect(builds.map((b) => `${b.source}/${b.suite}`).sort()).toEqual(
      ['libxdebdemo/full', 'xdebloop-a/full', 'xdebloop-a/staged-stage1', 'xdebloop-b/full'].sort(),
    );
    for (const s of st.plan.steps)
      for (const a of s.after) expect(st.steps[a - 1]!.finished! <= st.steps[s.n - 1]!.started!, `step ${a} before step ${s.n}`).toBe(true);
    expect(readFileSync('/usr/lib/aarch64-linux-gnu/libxdebloop-a.so.1', 'latin1')).toContain('xdebloop-a (full) for arm64');
  }, 900_000);

  it('--cancel: nothing of the plan stays queued', () => {
    const state = join(work, 'cancel.json');
    const r = seq(['--executor', 'slurm', '--detach', '--state', state, 'xdebdemo-tool', 'xdebloop-e', 'xdebdemo-broken']);
    expect(r.status, r.stderr).toBe(0);
    const ids = readState(state).steps.map((x) => x.job!.id);
    expect(ids.length).toBe(3);
    const x = seq(['--cancel', '--state', state]);
    expect(x.status, x.stderr).toBe(0);
    const left = jobs();
    for (const id of ids) expect(['CANCELLED', 'COMPLETED', 'FAILED']).toContain(left.get(id)?.state);
    expect(c.run('squeue', ['--noheader', '-j', ids.join(',')]).stdout.trim()).toBe('');
    expect(readState(state).steps.some((s) => s.status === 'queued' || s.status === 'running')).toBe(false);
    expect(x.stdout).toMatch(/pending: cancelled \(xdeb-sequence --cancel\)/);
  }, 300_000);

  it('Ctrl-C while following: the queued jobs are cancelled, exit 130, the steps pending again', async () => {
    // The jobs wait two minutes to begin (--begin): none is running when Ctrl-C comes (a host build killed in dpkg would harm the machine).
    const state = join(work, 'interrupt.json');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/xdeb-sequence.js'),
        '--local-repo',
        repo,
        '-a',
        'arm64',
        '--executor',
        'slurm',
        '--slurm-arg=--begin=now+120',
        '--state',
        state,
        'xdebdemo-tool',
        'xdebloop-e',
        'xdebdemo-broken',
      ],
      { cwd: src, env: { ...process.env, ...c.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number>((res) => child.on('exit', (code, signal) => res(code ?? (signal ? 128 : -1))));
    for (let i = 0; i < 600 && !(existsSync(state) && readState(state).steps.every((x) => x.job)); i++)
      await new Promise((r) => setTimeout(r, 100));
    const ids = readState(state).steps.map((x) => x.job!.id);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(c.run('squeue', ['--noheader', '-j', ids.join(',')]).stdout.trim()).toBe('');
    const st = readState(state);
    expect(st.steps.some((x) => x.status === 'queued' || x.status === 'running')).toBe(false);
    expect(st.steps.map((x) => x.status)).toEqual(['pending', 'pending', 'pending']);
    expect(st.steps[0]!.note).toBe('interrupted (SIGINT): its job was cancelled');
  }, 300_000);

  it('--resume by another executor while jobs are queued: exit 2 naming them, nothing changed', () => {
    const state = join(work, 'busy.json');
    const r = seq(['--executor', 'slurm', '--detach', '--slurm-arg=--begin=now+120', '--state', state, 'xdebdemo-tool']);
    expect(r.status, r.stderr).toBe(0);
    const id = readState(state).steps[0]!.job!.id;
    const local = seq(['--resume', '--executor', 'local', '--state', state]);
    expect(local.status).toBe(2);
    expect(local.stderr).toBe(
      `xdeb-sequence: error: 1 step is queued or running as Slurm jobs (${id}): resume with --executor slurm to wait for them, or --cancel them first\n`,
    );
    expect(readState(state).steps[0]!.status).toBe('queued');
    expect(seq(['--cancel', '--state', state]).status).toBe(0);
    expect(c.run('squeue', ['--noheader', '-j', id]).stdout.trim()).toBe('');
  }, 120_000);

  it('no Slurm on the machine: exit 3 saying what to install, nothing planned or written', () => {
    // A PATH with everything of this machine but Slurm's clients.
    const bin = join(work, 'noslurm-bin');
    mkdirSync(bin);
    for (const d of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'])
      for (const f of existsSync(d) ? readdirSync(d) : [])
        if (!/^(sbatch|scancel|scontrol|squeue|sinfo|srun|salloc|sacct)$/.test(f) && !existsSync(join(bin, f)))
          symlinkSync(join(d, f), join(bin, f));
    const state = join(work, 'noslurm.json');
    const r = seq(['--executor', 'slurm', '--state', state, 'libxdebdemo'], { PATH: bin });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /^xdeb-sequence: error: the slurm executor needs sbatch, which is not installed \(install the slurm-client package/m,
    );
    expect(existsSync(state)).toBe(false);
  });

  it('slurmctld down: exit 3, nothing submitted', () => {
    const conf = join(work, 'down.conf');
    // The same cluster's configuration with a controller port nothing listens on.
    writeFileSync(conf, readFileSync(c.env.SLURM_CONF, 'utf8').replace(/^SlurmctldPort=\d+$/m, 'SlurmctldPort=9'));
    const before = jobs().size;
    const state = join(work, 'down.json');
    const r = seq(['--executor', 'slurm', '--state', state, 'libxdebdemo'], { SLURM_CONF: conf }, 120_000);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/slurmctld does not answer .*nothing was submitted/);
    expect(jobs().size).toBe(before);
    expect(existsSync(state)).toBe(false);
  }, 120_000);

  it('a submission that fails half-way (sbatch refusing the third job): the jobs before it are cancelled, nothing is queued', () => {
    // The one mock here: a controller that refuses a submission in the middle cannot be made to order. sbatch is wrapped.
    const bin = join(work, 'flaky-bin');
    mkdirSync(bin);
    const count = join(work, 'sbatch-count');
    writeFileSync(
      join(bin, 'sbatch'),
      `#!/bin/sh\nn=$(( $(cat ${count} 2>/dev/null || echo 0) + 1 )); echo $n > ${count}\n[ $n -ne 3 ] || { echo 'sbatch: error: Batch job submission failed: Socket timed out on send/recv operation' >&2; exit 1; }\nexec /usr/bin/sbatch "$@"\n`,
    );
    chmodSync(join(bin, 'sbatch'), 0o755);
    const state = join(work, 'flaky.json');
    const r = seq(['--executor', 'slurm', '--state', state, 'xdebdemo-tool', 'xdebloop-e', 'xdebdemo-broken', 'libxdebdemo'], {
      PATH: `${bin}:${process.env.PATH}`,
    });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(
      /sbatch failed: .*Socket timed out.*; the 2 jobs submitted before \((\d+), (\d+)\) were cancelled, nothing of the plan is queued/,
    );
    const [, a, b] = /\((\d+), (\d+)\) were cancelled/.exec(r.stderr)!;
    const now = jobs();
    expect(now.get(a!)?.state).toBe('CANCELLED');
    expect(now.get(b!)?.state).toBe('CANCELLED');
    expect(c.run('squeue', ['--noheader', '--states=PENDING,RUNNING']).stdout.trim()).toBe('');
  }, 300_000);
});

describe.runIf(ready)('xdeb-sequence --executor slurm: a node that cannot see the local repository', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-seq-blind-'));
  const repo = join(work, 'repo');
  let c: SlurmCluster;
  beforeAll(async () => {
    mkdirSync(repo);
    c = await startSlurm({ nodes: 1, hidden: [[repo]] });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the job fails, and the message names the path the node does not see', () => {
    const r = runCli(['--local-repo', repo, '-a', 'arm64', '--executor', 'slurm', 'xdebdemo-tool'], {
      bin: 'xdeb-sequence',
      cwd: FIXTURES,
      env: c.env,
      timeout: 300_000,
    });
    expect(r.status).toBe(3);
    const st = JSON.parse(readFileSync(join(repo, 'xdeb/sequence/arm64/state.json'), 'utf8')) as State;
    const x = st.steps[0]!;
    expect(x.status).toBe('failed');
    expect(x.note).toContain(
      `could not be started on n1 (JobLaunchFailure): its output ${join(x.dir, `slurm-${x.job!.id}.out`)} cannot be written there`,
    );
    expect(x.note).toContain(`the node must see ${join(repo, 'xdeb/sequence/arm64/steps')}`);
    expect(r.stderr).toMatch(/step 1\/1 xdebdemo-tool 1\.0 failed: Slurm job \d+ could not be started on n1/);
  }, 300_000);
});

describe.runIf(canCrossBuildArm64())('xdeb-sequence --executor make: the plan as a Makefile', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-seq-make-'));
  const src = join(work, 'src');
  const repo = join(work, 'repo');
  cpSync(FIXTURES, src, { recursive: true });
  const dir = join(repo, 'xdeb/sequence/arm64');
  const seq = (args: string[]) =>
    runCli(['--local-repo', repo, '-a', 'arm64', ...args], { bin: 'xdeb-sequence', cwd: src, timeout: 900_000 });
  afterAll(() => {
    removeInstalled('libxdebloop-*', 'xdebloop-*');
    rmSync(work, { recursive: true, force: true });
  });

  it('--print: a target a step, its needs as prerequisites, stamps beside the state; make -j2 builds it, and again builds nothing', () => {
    removeInstalled('libxdebloop-*');
    const r = seq(['--bootstrap', '--executor', 'make', '--print', 'xdebloop-a', 'xdebloop-b']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(dir, 'Makefile'), 'utf8'));
    expect(r.stdout).toContain(`STAMPS = ${dir}/stamps\n`);
    expect(r.stdout).toContain(
      '\n$(STAMPS)/0003.built: $(STAMPS)/0001.built $(STAMPS)/0002.built\n\t$(XDEB_SEQUENCE) --state $(STATE) --run-step 3\n',
    );
    const make = spawnSync('make', ['-f', join(dir, 'Makefile'), '-j2'], { encoding: 'utf8', timeout: 900_000 });
    expect(make.status, make.stderr).toBe(0);
    const st = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
    expect(st.steps.map((x) => x.status)).toEqual(['done', 'done', 'done']);
    expect(readdirSync(join(dir, 'stamps')).sort()).toEqual(['0001.built', '0002.built', '0003.built']);
    const again = spawnSync('make', ['-f', join(dir, 'Makefile'), '-j2'], { encoding: 'utf8' });
    expect(again.stdout).toMatch(/Nothing to be done for 'all'/);
    // --resume with make: stamps from the state, nothing left to build.
    const resume = seq(['--resume']);
    expect(resume.status, resume.stderr).toBe(0);
    expect(resume.stdout).toMatch(/^1\. xdebloop-a 1\.0 \[stage1\]: done/);
  }, 900_000);

  it('make -k with a failed step: what needs it is skipped, the rest built; exit 1', () => {
    const state = join(work, 'make-fail.json');
    const r = seq(['--executor', 'make', '-k', '-j2', '--state', state, 'xdebdemo-broken', 'xdebloop-e', 'xdebdemo-tool']);
    expect(r.status).toBe(1);
    const st = JSON.parse(readFileSync(state, 'utf8')) as State;
    const status = Object.fromEntries(st.plan.steps.map((s, i) => [s.source, st.steps[i]!.status]));
    expect(status).toEqual({ 'xdebdemo-broken': 'failed', 'xdebloop-e': 'skipped', 'xdebdemo-tool': 'done' });
    expect(r.stdout).toMatch(/xdebdemo-broken 1\.0: failed: .*the build failed/);
  }, 900_000);

  it('--run-step of a step whose needs are not built: exit 1 naming them; options of another executor: exit 2', () => {
    const st = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    for (const x of st.steps) x.status = 'pending';
    const other = join(work, 'other.json');
    writeFileSync(other, JSON.stringify(st));
    const r = seq(['--state', other, '--run-step', '3']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('xdeb-sequence: error: step 3 (xdebloop-a 1.0) needs steps 1, 2, not built yet\n');
    const p = seq(['--print', 'xdebloop-a']);
    expect(p.status).toBe(2);
    expect(p.stderr).toBe('xdeb-sequence: error: --print goes with --executor make (it prints the Makefile)\n');
    const d = seq(['--executor', 'make', '--detach', 'xdebloop-a']);
    expect(d.status).toBe(2);
  });
});
