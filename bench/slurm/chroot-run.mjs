// Real bookworm sources built by xdeb-sequence --executor slurm in the xdeb chroot, on a two-node
// Slurm started on this machine (test/support/slurm.ts, compiled here with the project's tsc):
// each job builds its source in a fresh session of the chroot on its node, publishes into one
// local repository, and the plan's steps end up there. A demonstration with figures, not a test
// (it needs the chroot and the network for apt-get source). Then, like for like, the same plan by
// the local executor with -j2 (the same two builds at a time, in this process): RUNS times each
// from an empty repository, the median of the wall times.
//
//   node bench/slurm/chroot-run.mjs [RESULT-FILE] [SOURCE…]
//
// Environment: XDEB (the checkout whose bin/ runs; default this one), CHROOT (bookworm-arm64),
// REPO (the local repository, emptied before each run; default /work/slurm-repo), RUNS (3).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { header, procLoadavg, runsAndMedian } from '../run-info.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHECKOUT = join(HERE, '../..');
const XDEB = process.env.XDEB ?? CHECKOUT;
const CHROOT = process.env.CHROOT ?? 'bookworm-arm64';
const REPO = process.env.REPO ?? '/work/slurm-repo';
const [resultFile, ...args] = process.argv.slice(2);
const sources = args.length ? args : ['bzip2', 'lz4', 'libcap2', 'zlib'];

// startSlurm from the test support, compiled to a temporary directory (it imports only node:*).
const tmp = mkdtempSync(join(tmpdir(), 'xdeb-slurm-bench-'));
const tsc = spawnSync(
  join(CHECKOUT, 'node_modules/.bin/tsc'),
  [
    '--outDir',
    tmp,
    '--module',
    'NodeNext',
    '--moduleResolution',
    'NodeNext',
    '--target',
    'ES2022',
    '--types',
    'node',
    join(CHECKOUT, 'test/support/slurm.ts'),
  ],
  { encoding: 'utf8' },
);
if (tsc.status !== 0) throw new Error(`tsc: ${tsc.stdout}${tsc.stderr}`);
writeFileSync(join(tmp, 'package.json'), '{"type": "module"}');
const { startSlurm } = await import(pathToFileURL(join(tmp, 'slurm.js')).href);

rmSync(REPO, { recursive: true, force: true });
const RUNS = Number(process.env.RUNS ?? 3);
const lines = [...header(XDEB), `sources: ${sources.join(' ')}; chroot ${CHROOT}; local repository ${REPO}`];
const cluster = await startSlurm({ nodes: 2 });
const walls = { slurm: [], local: [] };
try {
  for (let run = 1; run <= RUNS; run++) {
    for (const executor of ['slurm', 'local']) {
      rmSync(REPO, { recursive: true, force: true });
      const argv = [
        join(XDEB, 'bin/xdeb-sequence.js'),
        '--chroot',
        CHROOT,
        '--local-repo',
        REPO,
        '--keep-going',
        ...(executor === 'slurm' ? ['--executor', 'slurm', '--slurm-arg=--exclusive'] : ['-j2']),
        ...sources,
      ];
      const t0 = Date.now();
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8', env: { ...process.env, ...cluster.env }, maxBuffer: 1 << 28 });
      const wall = (Date.now() - t0) / 1000;
      walls[executor].push(wall);
      if (r.status !== 0) throw new Error(`${executor} run ${run}: exit status ${r.status}\n${r.stderr}`);
      // The last Slurm run in full.
      if (executor === 'slurm' && run === RUNS) describeSlurmRun(argv, r, wall);
    }
  }
} finally {
  await cluster.stop();
  rmSync(tmp, { recursive: true, force: true });
}
lines.push(
  '',
  `wall time from planning to the last step's end, ${RUNS} runs each, from an empty repository (seconds):`,
  `  --executor slurm, two nodes on this machine, --exclusive: ${runsAndMedian(walls.slurm)}`,
  `  local executor, -j2:                                        ${runsAndMedian(walls.local)}`,
  'like for like: the same plan, chroot and machine, two builds at a time either way; Slurm adds its scheduling passes and a process per step.',
);

function describeSlurmRun(argv, r, wall) {
  lines.push(`$ SLURM_CONF=… node ${argv.join(' ')}`);
  lines.push(`exit status ${r.status}; ${wall.toFixed(0)} s from planning to the last job's end`, '', r.stdout.trim());
  const state = JSON.parse(readFileSync(join(REPO, 'xdeb/sequence/arm64/state.json'), 'utf8'));
  lines.push('', 'step  source  job  node  started → finished  seconds  status');
  for (const x of state.steps) {
    const s = state.plan.steps[x.n - 1];
    lines.push(
      `${x.n}  ${s.source} ${s.version}  ${x.job?.id ?? '-'}  ${x.job?.node ?? '-'}  ${x.started ?? '-'} → ${x.finished ?? '-'}  ${x.seconds?.toFixed(1) ?? '-'}  ${x.status}${x.note ? ` (${x.note})` : ''}`,
    );
  }
  const sum = state.steps.reduce((a, x) => a + (x.seconds ?? 0), 0);
  lines.push(
    `sum of the steps' build times ${sum.toFixed(0)} s over ${wall.toFixed(0)} s of wall time: ${(sum / wall).toFixed(2)} steps at once on average`,
  );
  const builds = JSON.parse(readFileSync(join(REPO, 'xdeb/builds.json'), 'utf8')).builds;
  lines.push(`in the local repository: ${builds.map((b) => `${b.source} ${b.version} (${b.suite})`).join(', ')}`);
  // Each job built in its own session of the chroot on its node: the step's messages say which.
  for (const x of state.steps) {
    const log = readFileSync(join(x.dir, 'xdeb-sequence.log'), 'utf8');
    const session = /chroot[^\n]*session[^\n]*/i.exec(log)?.[0] ?? '';
    lines.push(`step ${x.n}: ${session.slice(0, 160)}`);
  }
}
lines.push(`/proc/loadavg at end: ${procLoadavg()}`);
const text = lines.join('\n') + '\n';
if (resultFile) writeFileSync(resultFile, text);
process.stdout.write(text);
