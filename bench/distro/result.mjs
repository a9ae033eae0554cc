#!/usr/bin/env node
// The result file of the distro run (bench/distro/run.sh): the checkout and machine, the runs
// (bench/distro's runs.log), the plan's loops and how they were broken, every step with its
// source, version, stage, seconds and result, the totals, --verify's table, and the root
// filesystem with the programs run in it.
//   node bench/distro/result.mjs STATE OUT XDEB FILE   (run.sh: FILE is bench/results/distro-bookworm-arm64-DATE.txt)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { footer, header } from '../run-info.mjs';

const [stateFile, out, xdeb, file] = process.argv.slice(2);
const state = JSON.parse(readFileSync(stateFile, 'utf8'));
const { plan } = state;
const read = (f) => (existsSync(join(out, f)) ? readFileSync(join(out, f), 'utf8').trimEnd() : `(${f}: not there)`);
const lines = [
  "# XinHui's small distro: bench/distro/set.list cross-built for arm64 in a bookworm chroot, against itself",
  ...header(xdeb, { mmdebstrap: ['mmdebstrap', '--version'], dpkg: ['dpkg-query', '-W', '-f', '${Version}', 'dpkg'] }),
  `(the commit is the one of ${xdeb} when this file was written, and the load the machine's then; runs.log below names the commit each run used)`,
  '',
  "== runs (runs.log: every attempt and what stopped it; the steps below are the last one's)",
  read('runs.log'),
  '',
  '== the plan',
  `${plan.steps.length} builds for ${plan.hostArch} (cross from ${plan.buildArch}); ${plan.stats.sources} sources; args: ${plan.args.join(' ')}`,
];
for (const l of plan.loops) {
  lines.push(`loop ${l.n} (${l.sources.length} sources: ${l.sources.join(', ')}): ${l.broken ? 'broken' : 'NOT BROKEN'}`);
  for (const s of [...l.staged, ...l.nocheck])
    lines.push(
      `  step ${s.step}: ${s.source} [${s.kind}] ${s.profiles.join(',')}${s.drops ? ` without ${s.drops.join(',')}` : ''} does without ${s.breaks.map((b) => b.source).join(', ')}${s.evidence ? `: ${s.evidence}` : ''}`,
    );
}
lines.push('', '== steps (seconds: the step, from the start of its install to its publish)');
const width = String(plan.steps.length).length;
let built = 0;
let total = 0;
const status = {};
for (const x of state.steps) {
  const s = plan.steps[x.n - 1];
  status[x.status] = (status[x.status] ?? 0) + 1;
  if (x.status === 'done') {
    built++;
    total += x.seconds ?? 0;
  }
  lines.push(
    `${String(x.n).padStart(width)}  ${s.source.padEnd(12)} ${(s.binNMU ? `${s.version} +b${s.binNMU}` : s.version).padEnd(26)} ${(s.stage ?? 'full').padEnd(46)} ${x.seconds !== undefined ? x.seconds.toFixed(1).padStart(7) : '      -'}  ${x.status}${x.note ? ` (${x.note.slice(0, 160)})` : ''}`,
  );
}
const started = state.steps
  .map((x) => x.started)
  .filter(Boolean)
  .sort()[0];
const finished = state.steps
  .map((x) => x.finished)
  .filter(Boolean)
  .sort()
  .pop();
lines.push(
  '',
  `totals: ${Object.entries(status)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ')}; ${total.toFixed(0)} s of builds (${(total / 60).toFixed(1)} min, -j2), from ${started} to ${finished}`,
  '',
  '== xdeb-sequence --verify',
  read('verify.txt'),
  read('verify.err'),
  '',
  '== the root filesystem (mmdebstrap --variant=essential --architectures=arm64, the local repository pinned above the mirror) and programs of the set run in it (qemu-user, binfmt_misc)',
  read('rootfs-run.txt'),
  '',
  read('rootfs-check.txt'),
  '',
  `the HTML report: bench/results/distro-bookworm-arm64-report/index.html (copied from ${join(out, 'report')} with each step's messages; the build logs it links, 15 MB, are not committed)`,
  footer(),
);
writeFileSync(file, lines.join('\n') + '\n');
console.log(`${file}: ${built} of ${plan.steps.length} steps built`);
