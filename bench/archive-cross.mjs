#!/usr/bin/env node
// A real Debian package cross-built end to end from the archive's sources (issue #4): fetch the
// source with apt-get source (a private apt with deb-src, the machine's apt left alone), then
// xdeb-build -a arm64 it into a scratch local repository; check the .debs are arm64 and time it.
// Root, arm64 enabled, network to the Debian mirror needed.
//
// Usage: node bench/archive-cross.mjs [--runs N] [--keep-installed] [--out FILE] [SOURCE…]   (default: hello)
//   --runs N          builds of each source (3), each from a fresh copy of the unpacked source
//                     into a fresh local repository; every run and the median are printed
//   --keep-installed  leave the build-dependencies a run installed (by default they are purged
//                     after each run, so that every run installs them as a first build does)
//   --out FILE        also write the report to FILE (bench/results/archive-cross-<date>.txt)
// xdeb-build installs packages on this machine: each run (the dpkg snapshot, the build and the
// purge) holds /tmp/xdeb-dpkg.lock, the lock the test suite takes; the time is measured inside
// the lock. The report names the date, the commit and whether the tree is clean, the tools'
// versions and /proc/loadavg (bench/run-info.mjs).

import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { PrivateApt } from '../dist/adapters/private-apt.js';
import { debVersion, footer, header, median, runsAndMedian } from './run-info.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const runs = Math.max(1, Number(opt('--runs', 3)));
const outFile = opt('--out', undefined);
const keepInstalled = args.includes('--keep-installed');
const sources = args.filter((a, i) => !a.startsWith('--') && !['--runs', '--out'].includes(args[i - 1]));
if (sources.length === 0) sources.push('hello');
const sh = (cmd, cwd) => spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
const LOCK = '/tmp/xdeb-dpkg.lock';

const work = mkdtempSync(join(tmpdir(), 'xdeb-archive-cross-'));
const apt = new PrivateApt({ buildArch: 'amd64', sources: ['deb-src [trusted=yes] http://deb.debian.org/debian bookworm main'] });
const lines = [];
const say = (s) => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
for (const l of header(root, {
  dpkg: debVersion('dpkg'),
  apt: debVersion('apt'),
  'gcc-aarch64-linux-gnu': debVersion('gcc-aarch64-linux-gnu'),
}))
  say(l);
say(
  `runs: ${runs} builds of each source, each from a fresh copy of the source into a fresh local repository; ${keepInstalled ? 'build-dependencies left installed after the first run (later runs find them installed)' : 'the packages a run installed are purged after it, so every run installs the build-dependencies'}; wall times are the median of the runs, measured inside ${LOCK}`,
);
try {
  await apt.update();
  for (const name of sources) {
    const dir = join(work, name);
    mkdirSync(dir);
    const t0 = performance.now();
    const got = await apt.run('sh', ['-c', `cd ${dir} && apt-get source -q ${name}`]);
    if (got.code !== 0) throw new Error(`apt-get source ${name}: ${got.stderr}`);
    const tree = readdirSync(dir, { withFileTypes: true }).find((e) => e.isDirectory())?.name;
    const t1 = performance.now();
    say(`${name}: fetched in ${((t1 - t0) / 1000).toFixed(1)} s (apt-get source, once)`);
    const walls = [];
    const phases = { satisfydepends: [], runbuild: [], putresult: [] };
    let build;
    let last;
    for (let run = 1; run <= runs; run++) {
      const rdir = join(work, `${name}-run${run}`);
      mkdirSync(rdir);
      cpSync(join(dir, tree), join(rdir, tree), { recursive: true });
      const timeFile = join(rdir, 'time');
      const q = (x) => `'${x.replace(/'/g, `'\\''`)}'`;
      const inner =
        `dpkg-query -W -f '\${db:Status-Status} \${Package}:\${Architecture}\\n' | awk '$1 == "installed" { print $2 }' | sort > ${q(join(rdir, 'before'))}; ` +
        `/usr/bin/time -f %e -o ${q(timeFile)} node ${q(join(root, 'bin/xdeb-build.js'))} -a arm64 --local-repo ${q(join(rdir, 'repo'))} --json ${q(tree)} > ${q(join(rdir, 'out.json'))} 2> ${q(join(rdir, 'err'))}; rc=$?; ` +
        `dpkg-query -W -f '\${db:Status-Status} \${Package}:\${Architecture}\\n' | awk '$1 == "installed" { print $2 }' | sort > ${q(join(rdir, 'after'))}; ` +
        (keepInstalled
          ? ''
          : `comm -13 ${q(join(rdir, 'before'))} ${q(join(rdir, 'after'))} > ${q(join(rdir, 'new'))}; [ -s ${q(join(rdir, 'new'))} ] && DEBIAN_FRONTEND=noninteractive xargs apt-get purge -y -q < ${q(join(rdir, 'new'))} > /dev/null; `) +
        'exit $rc';
      const r = spawnSync('flock', [LOCK, 'sh', '-c', inner], { cwd: rdir, encoding: 'utf8' });
      const installed =
        readFileSync(join(rdir, 'after'), 'utf8').split('\n').length - readFileSync(join(rdir, 'before'), 'utf8').split('\n').length;
      if (r.status !== 0) {
        say(
          `  run ${run}: xdeb-build failed (exit ${r.status}): ${readFileSync(join(rdir, 'err'), 'utf8').trim().split('\n').slice(-3).join(' | ')}`,
        );
        continue;
      }
      const wall = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
      build = JSON.parse(readFileSync(join(rdir, 'out.json'), 'utf8')).builds[0];
      walls.push(wall);
      for (const k of Object.keys(phases)) phases[k].push(build.seconds[k]);
      say(
        `  run ${run}: xdeb-build -a arm64 ${wall.toFixed(1)} s (satisfydepends ${build.seconds.satisfydepends.toFixed(1)} s installing ${installed} packages, runbuild ${build.seconds.runbuild.toFixed(1)} s, putresult ${build.seconds.putresult.toFixed(1)} s), suite ${build.suite}`,
      );
      last = rdir;
    }
    if (!walls.length) continue;
    say(`${name} ${build.version}: xdeb-build -a arm64 wall s ${runsAndMedian(walls)}`);
    for (const k of Object.keys(phases)) say(`  ${k.padEnd(15)} s ${runsAndMedian(phases[k])}`);
    const debs = readdirSync(last).filter((f) => f.endsWith('.deb'));
    const arches = debs.map((d) => `${d}: ${sh(`dpkg-deb --field ${d} Architecture`, last).stdout.trim()}`);
    const elf = sh(
      `for d in *_arm64.deb; do dpkg-deb --fsys-tarfile "$d" | tar -x -C x 2>/dev/null; done; file -L x/usr/bin/* 2>/dev/null | head -3`,
      (sh(`mkdir -p ${last}/x`), last),
    ).stdout.trim();
    for (const l of [...arches, ...elf.split('\n')]) say(`  ${l}`);
  }
} finally {
  apt.dispose();
  rmSync(work, { recursive: true, force: true });
}
say(footer());
void median;
if (outFile) {
  mkdirSync(dirname(resolve(outFile)), { recursive: true });
  writeFileSync(outFile, lines.join('\n') + '\n');
}
