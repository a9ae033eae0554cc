#!/usr/bin/env node
// Cross builds against the archive's native builds: every final build of the distro run
// (bench/distro/run.sh: real bookworm sources cross-built for arm64 in a chroot) compared with
// `xdeb compare-builds` to the arm64 packages of the same versions that Debian's buildds built
// natively, downloaded with apt-get download. Every difference is classified; the result counts
// them per class and says what they mean.
//
//   node bench/compare/archive.mjs STATE RESULT-FILE
//
// STATE: the distro run's state.json (/work/distro-repo/xdeb/sequence/arm64/state.json).
// Environment: XDEB (the checkout whose bin/ runs; default this one), CACHE (where the archive's
// .debs are downloaded; default /work/archive-debs, kept between runs).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { footer, header, median } from '../run-info.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const XDEB = process.env.XDEB ?? join(HERE, '../..');
const CACHE = process.env.CACHE ?? '/work/archive-debs';
const [stateFile, resultFile] = process.argv.slice(2);
if (!stateFile || !resultFile) {
  process.stderr.write('usage: archive.mjs STATE RESULT-FILE\n');
  process.exit(2);
}
const state = JSON.parse(readFileSync(stateFile, 'utf8'));
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });

const finals = state.plan.steps.filter((s) => !s.stage && state.steps[s.n - 1].status === 'done');
const lines = [
  "# Cross builds against the archive's native builds: xdeb compare-builds on the distro run's final builds",
  ...header(XDEB, { dpkg: ['dpkg-query', '-W', '-f', '${Version}', 'dpkg'] }),
  `the builds: ${stateFile} (bench/distro/run.sh; cross-built for arm64 in the bookworm chroot with its gcc-12-aarch64-linux-gnu and debhelper)`,
  "the reference: the same binary packages at the same versions from deb.debian.org's bookworm (Debian's buildds, native arm64), apt-get download",
  "not compared: -dbgsym packages (the archive keeps them elsewhere), udebs (not in apt's indexes)",
  '',
];
const perClass = new Map();
const perClassSources = new Map();
const rows = [];
const details = [];
const seconds = [];
for (const s of finals) {
  const x = state.steps[s.n - 1];
  const dir = dirname(x.changes);
  const debs = readdirSync(dir).filter((f) => f.endsWith('.deb') && !/-dbgsym_/.test(f));
  const ours = join(CACHE, 'ours', s.source);
  const theirs = join(CACHE, 'archive', s.source);
  rmSync(ours, { recursive: true, force: true });
  mkdirSync(ours, { recursive: true });
  mkdirSync(theirs, { recursive: true });
  const missing = [];
  for (const f of debs) {
    symlinkSync(join(dir, f), join(ours, f));
    const [name, version, arch] = sh('dpkg-deb', ['-f', join(dir, f), 'Package', 'Version', 'Architecture'])
      .stdout.split('\n')
      .map((l) => l.replace(/^\S+: /, ''));
    const want = `${name}_${version.replace(/^\d+:/, '')}_${arch}.deb`;
    if (readdirSync(theirs).some((g) => decodeURIComponent(g.replace(/%3a/gi, ':')).replace(/_\d+:/, '_') === want)) continue;
    const r = sh('apt-get', ['download', '-q', `${name}:${arch}=${version}`], { cwd: theirs });
    if (r.status !== 0) missing.push(`${name}:${arch}=${version}`);
  }
  const t0 = process.hrtime.bigint();
  const r = sh(process.execPath, [join(XDEB, 'bin/xdeb.js'), 'compare-builds', '--json', ours, theirs]);
  seconds.push(Number(process.hrtime.bigint() - t0) / 1e9);
  if (r.status !== 0 && r.status !== 1) {
    rows.push(`${s.source.padEnd(12)} ${s.version.padEnd(26)} ERROR exit ${r.status}: ${r.stderr.trim().split('\n')[0]}`);
    continue;
  }
  const c = JSON.parse(r.stdout);
  const classes = {};
  for (const d of c.differences) {
    const k = d.known ? `${d.class} (known)` : d.class;
    classes[k] = (classes[k] ?? 0) + 1;
    perClass.set(k, (perClass.get(k) ?? 0) + 1);
    if (!perClassSources.has(k)) perClassSources.set(k, new Set());
    perClassSources.get(k).add(s.source);
    if (!d.known) details.push(`  ${s.source}: ${d.class}: ${d.package}: ${d.detail}`);
  }
  const verdict = c.equivalent ? (c.differences.length ? 'equivalent (known differences only)' : 'equivalent') : 'different';
  rows.push(
    `${s.source.padEnd(12)} ${(s.binNMU ? `${s.version} +b${s.binNMU}` : s.version).padEnd(26)} ${String(c.compared.length).padStart(2)} pkgs  ${verdict}${
      Object.keys(classes).length
        ? `: ${Object.entries(classes)
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`
        : ''
    }${missing.length ? `; the archive has no ${missing.join(', ')}` : ''}`,
  );
}

lines.push(`== per source (${finals.length} sources; packages compared; verdict; differences per class)`, ...rows, '');
const equivalent = rows.filter((r) => / equivalent/.test(r)).length;
lines.push(
  '== totals',
  `${equivalent} of ${finals.length} sources equivalent (no difference, or known ones only), ${finals.length - equivalent} different`,
  'differences per class (count; sources):',
  ...[...perClass]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `  ${k.padEnd(30)} ${String(n).padStart(5)}  ${[...perClassSources.get(k)].join(', ')}`),
  `compare-builds per source: median ${median(seconds).toFixed(2)} s (max ${Math.max(...seconds).toFixed(2)} s)`,
  '',
  '== every difference not known (package: detail)',
  ...details,
  '',
  footer(),
);
writeFileSync(resultFile, lines.join('\n') + '\n');
process.stdout.write(lines.slice(0, 8 + rows.length + 12).join('\n') + '\n');
process.stdout.write(`${resultFile}\n`);
