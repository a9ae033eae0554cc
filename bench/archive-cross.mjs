#!/usr/bin/env node
// A real Debian package cross-built end to end from the archive's sources (issue #4): fetch the
// source with apt-get source (a private apt with deb-src, the machine's apt left alone), then
// xdeb-build -a arm64 it into a scratch local repository; check the .debs are arm64 and time it.
// Root, arm64 enabled, network to the Debian mirror needed.
// Usage: node bench/archive-cross.mjs [SOURCE…]   (default: hello)

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateApt } from '../dist/adapters/private-apt.js';

const root = new URL('..', import.meta.url).pathname;
const sources = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (sources.length === 0) sources.push('hello');
const sh = (cmd, cwd) => spawnSync('sh', ['-c', cmd], { cwd, encoding: 'utf8' });

const work = mkdtempSync(join(tmpdir(), 'xdeb-archive-cross-'));
const apt = new PrivateApt({ buildArch: 'amd64', sources: ['deb-src [trusted=yes] http://deb.debian.org/debian bookworm main'] });
const lines = [];
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
    const r = sh(`node ${root}/bin/xdeb-build.js -a arm64 --local-repo ${join(work, 'repo')} --json ${tree}`, dir);
    const t2 = performance.now();
    if (r.status !== 0) {
      lines.push(`${name}: xdeb-build failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    const build = JSON.parse(r.stdout).builds[0];
    const debs = readdirSync(dir).filter((f) => f.endsWith('.deb'));
    const arches = debs.map((d) => `${d}: ${sh(`dpkg-deb --field ${d} Architecture`, dir).stdout.trim()}`);
    const elf = sh(`for d in *_arm64.deb; do dpkg-deb --fsys-tarfile "$d" | tar -x -C x 2>/dev/null; done; file -L x/usr/bin/* 2>/dev/null | head -3`, (sh(`mkdir -p ${dir}/x`), dir)).stdout.trim();
    lines.push(
      `${name} ${build.version}: fetched in ${((t1 - t0) / 1000).toFixed(1)} s; xdeb-build -a arm64 in ${((t2 - t1) / 1000).toFixed(1)} s ` +
        `(satisfydepends ${build.seconds.satisfydepends.toFixed(1)} s, runbuild ${build.seconds.runbuild.toFixed(1)} s, putresult ${build.seconds.putresult.toFixed(1)} s), suite ${build.suite}`,
      ...arches.map((a) => `  ${a}`),
      ...elf.split('\n').map((l) => `  ${l}`),
    );
  }
} finally {
  apt.dispose();
}
const report = [`archive packages cross-built end to end (load ${sh('cat /proc/loadavg').stdout.trim()})`, ...lines].join('\n');
console.log(report);
if (process.argv.includes('--save')) {
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/archive-cross-${new Date().toISOString().slice(0, 10)}.txt`), report + '\n');
}
