#!/usr/bin/env node
// xdeb-build against the same steps done by hand, on the same fixture, in one run (issue #4):
//   by hand: apt-get build-dep -a arm64 -P cross,nocheck --arch-only ./SRC
//            dpkg-buildpackage -a arm64 -B -P cross,nocheck (DEB_BUILD_OPTIONS=nocheck)
//            apt-ftparchive packages + release into a repository
//   xdeb:    xdeb-build -a arm64 --local-repo REPO SRC
// Runs alternate (hand, xdeb, hand, …) so that load on the machine hits both alike; medians and
// the ratio are printed. Root, arm64 enabled and crossbuild-essential-arm64 needed.
// Both install packages on this machine: the whole run holds /tmp/xdeb-dpkg.lock (the lock the
// test suite takes), so the timings never include waiting for it. The report names the date, the
// commit and whether the tree is clean, the tools' versions and /proc/loadavg (bench/run-info.mjs).
// Usage: node bench/build-overhead.mjs [--runs N] [--fixture NAME] [--save | --out FILE]

import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { debVersion, footer, header } from './run-info.mjs';

const LOCK = '/tmp/xdeb-dpkg.lock';
if (!process.env.XDEB_BENCH_LOCKED) {
  const r = spawnSync('flock', [LOCK, process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, XDEB_BENCH_LOCKED: '1' },
  });
  process.exit(r.status ?? 1);
}

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 5) || 5;
const fixture = args.includes('--fixture') ? args[args.indexOf('--fixture') + 1] : 'libxdebdemo';

function sh(cmd, cwd) {
  const r = spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-overhead-'));
  cpSync(join(root, 'fixtures/debian', fixture), join(dir, fixture), { recursive: true });
  return dir;
}

function byHand() {
  const dir = fresh();
  const t0 = performance.now();
  sh(`apt-get -o DPkg::Lock::Timeout=600 build-dep -y -q -a arm64 -P cross,nocheck --arch-only ./${fixture} >/dev/null`, dir);
  sh(`DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -a arm64 -B -Pcross,nocheck --no-sign >/dev/null 2>&1`, join(dir, fixture));
  const repo = join(dir, 'repo');
  mkdirSync(join(repo, 'pool'), { recursive: true });
  mkdirSync(join(repo, 'dists/full/main/binary-arm64'), { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.deb')) cpSync(join(dir, f), join(repo, 'pool', f));
  sh('apt-ftparchive packages pool > dists/full/main/binary-arm64/Packages', repo);
  sh('apt-ftparchive release dists/full > /tmp/xdeb-overhead-Release && mv /tmp/xdeb-overhead-Release dists/full/Release', repo);
  const t = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return t;
}

function withXdeb() {
  const dir = fresh();
  const t0 = performance.now();
  sh(`node ${root}/bin/xdeb-build.js -a arm64 --local-repo ${join(dir, 'repo')} ${fixture}`, dir);
  const t = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return t;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

execFileSync('sh', ['-c', `cd ${root} && npm run -s build >/dev/null`]);
const head = header(root, {
  dpkg: debVersion('dpkg'),
  'dpkg-dev': debVersion('dpkg-dev'),
  apt: debVersion('apt'),
  'gcc-aarch64-linux-gnu': debVersion('gcc-aarch64-linux-gnu'),
});
// One warm-up each: build-dependencies installed, caches filled, as on a developer's machine.
byHand();
withXdeb();
const hand = [];
const xdeb = [];
for (let i = 0; i < runs; i++) {
  hand.push(byHand());
  xdeb.push(withXdeb());
  process.stderr.write(`run ${i + 1}/${runs}: by hand ${hand[i].toFixed(2)} s, xdeb-build ${xdeb[i].toFixed(2)} s\n`);
}
const h = median(hand);
const x = median(xdeb);
const report = [
  `# build overhead: fixture ${fixture}, cross amd64 → arm64, ${runs} alternating runs after one warm-up each, holding ${LOCK}`,
  ...head,
  `  by hand (apt-get build-dep, dpkg-buildpackage -B, apt-ftparchive)  median ${h.toFixed(2)} s  [${hand.map((t) => t.toFixed(2)).join(' ')}]`,
  `  xdeb-build (satisfydepends, runbuild + ELF check, putresult)        median ${x.toFixed(2)} s  [${xdeb.map((t) => t.toFixed(2)).join(' ')}]`,
  `  ratio of the medians xdeb / by hand: ${(x / h).toFixed(3)} (target <= 1.05)`,
  footer(),
].join('\n');
console.log(report);
const out = args.includes('--out')
  ? resolve(args[args.indexOf('--out') + 1])
  : args.includes('--save')
    ? join(root, `bench/results/build-overhead-${new Date().toISOString().slice(0, 10)}.txt`)
    : undefined;
if (out) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, report + '\n');
}
