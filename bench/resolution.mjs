#!/usr/bin/env node
// Fred's inner loop (issue #15): how long xdeb takes to answer "what does this source need to
// cross-build?" on the machine's full apt lists (bookworm amd64 + arm64 + Sources), against
// `apt-get -s build-dep -a arm64` on the same lists, in one run:
//   (a) warm: hello and a seeded random sample of sources, xdeb and apt in turns, each run timed
//       as a whole process (/usr/bin/time: wall and peak RSS); medians; ratios xdeb/apt
//   (b) cold: hello with xdeb's index cache emptied, and apt with its pkgcache.bin removed
//   (c) with --baseline DIR (a built checkout of an earlier commit): the same warm and cold runs of
//       that xdeb, and the whole-archive check (--all --no-status) of both, so that the speed-up
//       and "--all is not slower" are measured in the same run, on the same machine
//   (d) xdeb-build of the fixture library repeated with nothing to install: wall time, the part
//       dpkg-buildpackage took (from --json), and the rest (xdeb's overhead, node start included)
// Root, arm64 enabled, deb-src in apt's sources, crossbuild-essential-arm64 installed.
// Usage: node bench/resolution.mjs [--runs N] [--sample N] [--seed N] [--baseline DIR] [--skip-all] [--skip-build] [--out FILE]

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { debVersion, footer, header, median, runsAndMedian } from './run-info.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const runs = Math.max(1, Number(opt('--runs', 3)));
const sampleSize = Number(opt('--sample', 20));
const seed = Number(opt('--seed', 20261206));
const baseline = opt('--baseline', undefined) && resolve(opt('--baseline'));
const outFile = opt('--out', undefined) && resolve(opt('--out'));
const LOCK = '/tmp/xdeb-dpkg.lock';

const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
const sh = (cmd, opts = {}) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
const scratch = mkdtempSync(join(tmpdir(), 'xdeb-bench-resolution-'));

/** One whole process under /usr/bin/time: wall seconds, peak RSS in MB, exit status. */
function timed(argv, env = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '@@%e %M', ...argv], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 28,
  });
  const m = /@@([\d.]+) (\d+)\s*$/.exec(r.stderr);
  if (!m) throw new Error(`${argv.join(' ')}: no timing (${r.stderr.slice(-500)})`);
  return { wall: Number(m[1]), rss: Number(m[2]) / 1024, status: r.status, stdout: r.stdout };
}

const xdebBin = (checkout) => join(checkout, 'bin/xdeb-satisfydepends.js');
const commitOf = (checkout) => sh(`git -C ${checkout} log -1 --format='%h %s'`).stdout.trim().slice(0, 90);

// --- the sources: hello and a seeded sample of the machine's Sources index --------------------
const sourcesFile = readdirSync('/var/lib/apt/lists').find((f) => /bookworm_main_source_Sources/.test(f));
if (!sourcesFile) throw new Error("no bookworm Sources in /var/lib/apt/lists: add deb-src to apt's sources and run apt-get update");
const cat = sourcesFile.endsWith('.lz4') ? 'lz4cat' : sourcesFile.endsWith('.xz') ? 'xzcat' : sourcesFile.endsWith('.gz') ? 'zcat' : 'cat';
const names = [
  ...new Set(
    sh(`${cat} /var/lib/apt/lists/${sourcesFile}`)
      .stdout.split('\n\n')
      .filter((s) => !/^Extra-Source-Only: yes$/m.test(s) && /^Architecture: .*\b(any|arm64)\b/m.test(s))
      .map((s) => /^Package: (\S+)$/m.exec(s)?.[1])
      .filter(Boolean),
  ),
].sort();
let state = seed >>> 0;
const rand = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const sample = new Set();
while (sample.size < Math.min(sampleSize, names.length)) sample.add(names[Math.floor(rand() * names.length)]);
const SOURCES = ['hello', ...[...sample].filter((s) => s !== 'hello')];

for (const l of header(root, { apt: debVersion('apt'), dpkg: debVersion('dpkg') })) say(l);
say(`lists: /var/lib/apt/lists (bookworm, bookworm-updates, bookworm-security main: amd64, arm64, armhf, source)`);
say(
  `sources: hello and ${SOURCES.length - 1} drawn with seed ${seed} from the ${names.length} sources of ${sourcesFile} that build for any or arm64`,
);
say(`runs: ${runs} of each, in turns (xdeb, apt${baseline ? ', baseline' : ''}); whole processes under /usr/bin/time; medians`);
say(`xdeb: node bin/xdeb-satisfydepends.js -a arm64 --list SOURCE (profiles cross,nocheck; dpkg's status read)`);
say(`apt:  apt-get -s build-dep -a arm64 SOURCE, with its binary caches (pkgcache.bin, srcpkgcache.bin) kept as on a stock Debian`);
if (baseline) say(`baseline: ${baseline} at ${commitOf(baseline)} (its own XDG_CACHE_HOME)`);
say('');

const baseCache = join(scratch, 'baseline-cache');
const xdeb = (src, env) => timed(['node', xdebBin(root), '-a', 'arm64', '--list', src], env);
const base = (src, env = { XDG_CACHE_HOME: baseCache }) => timed(['node', xdebBin(baseline), '-a', 'arm64', '--list', src], env);
// This machine's apt is configured without pkgcache.bin (Debian's docker images do that); a
// stock Debian keeps it, and apt answers from it: give apt its cache, in the scratch directory.
const aptCache = join(scratch, 'apt-cache');
const apt = (src) =>
  timed([
    'apt-get',
    '-o',
    `Dir::Cache::pkgcache=${aptCache}/pkgcache.bin`,
    '-o',
    `Dir::Cache::srcpkgcache=${aptCache}/srcpkgcache.bin`,
    '-s',
    'build-dep',
    '-a',
    'arm64',
    src,
  ]);
mkdirSync(aptCache);

// Warm every cache first (xdeb's index cache, apt's pkgcache.bin, the baseline's).
xdeb('hello');
apt('hello');
if (baseline) base('hello');

// --- (a) warm ---------------------------------------------------------------------------------
say('## (a) one source, warm caches');
say(
  'source                         xdeb s  xdeb MB   apt s   apt MB  ratio s  ratio MB  verdicts' +
    (baseline ? '   baseline s  baseline MB' : ''),
);
const all = { x: [], xm: [], a: [], am: [], b: [], bm: [] };
let agree = 0;
for (const src of SOURCES) {
  const x = [];
  const a = [];
  const b = [];
  for (let i = 0; i < runs; i++) {
    x.push(xdeb(src));
    a.push(apt(src));
    if (baseline) b.push(base(src));
  }
  const mx = median(x.map((r) => r.wall));
  const ma = median(a.map((r) => r.wall));
  const mxm = median(x.map((r) => r.rss));
  const mam = median(a.map((r) => r.rss));
  const xv = x[0].status === 0 ? 'ok' : x[0].status === 1 ? 'broken' : `exit ${x[0].status}`;
  const av = a[0].status === 0 ? 'ok' : 'broken';
  if (xv === av) agree++;
  all.x.push(mx);
  all.xm.push(mxm);
  all.a.push(ma);
  all.am.push(mam);
  let extra = '';
  if (baseline) {
    const mb = median(b.map((r) => r.wall));
    const mbm = median(b.map((r) => r.rss));
    all.b.push(mb);
    all.bm.push(mbm);
    extra = `   ${mb.toFixed(2).padStart(10)}  ${mbm.toFixed(0).padStart(11)}`;
  }
  say(
    `${src.padEnd(30)} ${mx.toFixed(2).padStart(6)}  ${mxm.toFixed(0).padStart(7)}  ${ma.toFixed(2).padStart(6)}  ${mam.toFixed(0).padStart(7)}  ${(mx / ma).toFixed(2).padStart(7)}  ${(mxm / mam).toFixed(2).padStart(8)}  ${xv}/${av}${extra}`,
  );
}
say(
  `median over the ${SOURCES.length} sources: xdeb ${median(all.x).toFixed(2)} s ${median(all.xm).toFixed(0)} MB; apt ${median(all.a).toFixed(2)} s ${median(all.am).toFixed(0)} MB; ratio xdeb/apt wall ${(median(all.x) / median(all.a)).toFixed(2)}, peak RSS ${(median(all.xm) / median(all.am)).toFixed(2)}`,
);
say(`slowest xdeb answer ${Math.max(...all.x).toFixed(2)} s, largest ${Math.max(...all.xm).toFixed(0)} MB`);
if (baseline)
  say(
    `baseline (${commitOf(baseline).split(' ')[0]}): median ${median(all.b).toFixed(2)} s ${median(all.bm).toFixed(0)} MB; this commit / baseline: wall ${(median(all.x) / median(all.b)).toFixed(2)}, peak RSS ${(median(all.xm) / median(all.bm)).toFixed(2)}`,
  );
say(
  `verdicts: xdeb and apt agree on ${agree} of ${SOURCES.length} (ok = installable; xdeb uses the cross,nocheck profiles, apt build-dep none)`,
);
say('');

// --- (b) cold ---------------------------------------------------------------------------------
say('## (b) hello, cold: xdeb with an empty index cache, apt without its pkgcache.bin and srcpkgcache.bin');
const cold = { x: [], xm: [], a: [], am: [], b: [], bm: [] };
for (let i = 0; i < runs; i++) {
  const dir = join(scratch, `cold-${i}`);
  const r = xdeb('hello', { XDG_CACHE_HOME: dir });
  cold.x.push(r.wall);
  cold.xm.push(r.rss);
  rmSync(aptCache, { recursive: true, force: true });
  mkdirSync(aptCache);
  const a = apt('hello');
  cold.a.push(a.wall);
  cold.am.push(a.rss);
  if (baseline) {
    const b = base('hello', { XDG_CACHE_HOME: join(scratch, `cold-base-${i}`) });
    cold.b.push(b.wall);
    cold.bm.push(b.rss);
  }
}
say(`xdeb wall s    ${runsAndMedian(cold.x, (v) => v.toFixed(2))}; peak RSS MB ${runsAndMedian(cold.xm, (v) => v.toFixed(0))}`);
say(`apt  wall s    ${runsAndMedian(cold.a, (v) => v.toFixed(2))}; peak RSS MB ${runsAndMedian(cold.am, (v) => v.toFixed(0))}`);
if (baseline) {
  say(`baseline wall s ${runsAndMedian(cold.b, (v) => v.toFixed(2))}; peak RSS MB ${runsAndMedian(cold.bm, (v) => v.toFixed(0))}`);
  say(
    `cold, this commit / baseline: wall ${(median(cold.x) / median(cold.b)).toFixed(2)}, peak RSS ${(median(cold.xm) / median(cold.bm)).toFixed(2)}`,
  );
}
say(`cold, xdeb / apt: wall ${(median(cold.x) / median(cold.a)).toFixed(2)}`);
say('');

// --- (c) the whole archive ---------------------------------------------------------------------
if (baseline && !args.includes('--skip-all')) {
  say(
    '## (c) the whole archive: xdeb-satisfydepends -a arm64 --all --no-status --json (warm caches), this commit and the baseline in turns',
  );
  const strip = (s) => s.replace(/,"other":\d+/g, '');
  const w = { x: [], xm: [], b: [], bm: [] };
  let same = true;
  for (let i = 0; i < runs; i++) {
    const x = timed(['node', join(root, 'bin/xdeb-satisfydepends.js'), '-a', 'arm64', '--all', '--no-status', '--json']);
    const b = timed(['node', join(baseline, 'bin/xdeb-satisfydepends.js'), '-a', 'arm64', '--all', '--no-status', '--json'], {
      XDG_CACHE_HOME: baseCache,
    });
    w.x.push(x.wall);
    w.xm.push(x.rss);
    w.b.push(b.wall);
    w.bm.push(b.rss);
    // The baseline printed a failure's internal package id ("other"), which depends on the order packages are read.
    if (strip(x.stdout) !== strip(b.stdout)) same = false;
    if (i === 0) say(`sources checked: ${(x.stdout.match(/"source":/g) ?? []).length}`);
  }
  say(`this commit wall s ${runsAndMedian(w.x)}; peak RSS MB ${runsAndMedian(w.xm, (v) => v.toFixed(0))}`);
  say(`baseline    wall s ${runsAndMedian(w.b)}; peak RSS MB ${runsAndMedian(w.bm, (v) => v.toFixed(0))}`);
  say(`this commit / baseline: wall ${(median(w.x) / median(w.b)).toFixed(2)}, peak RSS ${(median(w.xm) / median(w.bm)).toFixed(2)}`);
  say(`reports identical (apart from the baseline's internal ids): ${same ? 'yes' : 'NO'}`);
  say('');
}

// --- (d) xdeb-build's overhead ------------------------------------------------------------------
if (!args.includes('--skip-build')) {
  say('## (d) xdeb-build -a arm64 --json of fixtures/debian/libxdebdemo, repeated with nothing to install (one build before, not counted)');
  const dir = join(scratch, 'build');
  cpSync(join(root, 'fixtures/debian/libxdebdemo'), join(dir, 'libxdebdemo'), { recursive: true });
  const build = () => {
    const r = timed(
      ['flock', LOCK, 'node', join(root, 'bin/xdeb-build.js'), '-a', 'arm64', '--local-repo', join(dir, 'repo'), '--json', 'libxdebdemo'],
      {},
    );
    if (r.status !== 0) throw new Error(`xdeb-build failed (${r.status})`);
    return { ...r, seconds: JSON.parse(r.stdout).builds[0].seconds };
  };
  process.chdir(dir);
  build();
  const d = { wall: [], dpkg: [], out: [], sat: [] };
  for (let i = 0; i < runs + 2; i++) {
    const r = build();
    d.wall.push(r.wall);
    d.dpkg.push(r.seconds.dpkgBuildpackage);
    d.out.push(r.wall - r.seconds.dpkgBuildpackage);
    d.sat.push(r.seconds.satisfydepends);
  }
  say(`wall s                       ${runsAndMedian(d.wall, (v) => v.toFixed(2))}`);
  say(`dpkg-buildpackage s          ${runsAndMedian(d.dpkg, (v) => v.toFixed(2))}`);
  say(
    `outside dpkg-buildpackage s  ${runsAndMedian(d.out, (v) => v.toFixed(2))}  (wall − dpkg-buildpackage: node's start, satisfydepends, the rest of runbuild, putresult)`,
  );
  say(`of which satisfydepends s    ${runsAndMedian(d.sat, (v) => v.toFixed(2))}`);
  say('');
}

say(footer());
rmSync(scratch, { recursive: true, force: true });
if (outFile) writeFileSync(outFile, lines.join('\n') + '\n');
