#!/usr/bin/env node
// Version comparison speed: xdeb's compareVersions against apt's apt_pkg.version_compare (in
// /usr/bin/python3), on the real pairs of ../shared/data/version-pairs.tsv repeated to
// 1,000,000 comparisons. Both sides must give the same verdict on every pair. Best of N runs,
// the two sides taking turns.
//
//   node bench/version-compare.mjs [--count 1000000] [--runs 5] [--pairs FILE]
//
// Needs dist/ (npm run build) and /usr/bin/python3 with python3-apt.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const COUNT = Number(option('--count', '1000000'));
const RUNS = Number(option('--runs', '5'));
const PAIRS = resolve(ROOT, option('--pairs', '../shared/data/version-pairs.tsv'));

function die(message, code = 3) {
  process.stderr.write(`bench/version-compare: ${message}\n`);
  process.exit(code);
}
if (!existsSync(join(ROOT, 'dist/lib/version.js'))) die('dist/ is missing: run npm run build first');
if (!existsSync(PAIRS)) die(`no ${PAIRS}`);
if (spawnSync(PYTHON, ['-c', 'import apt_pkg']).status !== 0) die(`${PYTHON} lacks apt_pkg: apt-get install -y python3-apt`);

const { compareVersions } = await import(pathToFileURL(join(ROOT, 'dist/lib/version.js')).href);

// version_a <TAB> version_b <TAB> ... with a header line.
const pairs = readFileSync(PAIRS, 'utf8')
  .split('\n')
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => l.split('\t').slice(0, 2));

// The same work list for both sides, built before timing.
const A = new Array(COUNT);
const B = new Array(COUNT);
for (let i = 0; i < COUNT; i++) [A[i], B[i]] = pairs[i % pairs.length];

// Rounds alternate the two sides, so that both meet the same load on a shared machine:
// apt's side in a python process of its own, xdeb's in this one.
const dir = mkdtempSync(join(tmpdir(), 'xdeb-bench-'));
const apt = { times: [], signs: '' };
const times = [];
let sum = 0;
try {
  writeFileSync(join(dir, 'pairs'), pairs.map(([a, b]) => `${a}\t${b}\n`).join(''));
  for (let round = 0; round < RUNS; round++) {
    const r = spawnSync(PYTHON, [join(ROOT, 'bench/reference.py'), 'compare', join(dir, 'pairs'), String(COUNT), '1'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0) die(`reference.py compare failed:\n${r.stderr}`, 1);
    const result = JSON.parse(r.stdout);
    apt.times.push(...result.times);
    apt.signs = result.signs;

    const t0 = performance.now();
    sum = 0;
    for (let i = 0; i < COUNT; i++) sum += compareVersions(A[i], B[i]);
    times.push((performance.now() - t0) / 1000);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const signs = pairs.map(([a, b]) => '<=>'[compareVersions(a, b) + 1]).join('');

let disagree = 0;
for (let i = 0; i < pairs.length; i++) {
  if (signs[i] !== apt.signs[i]) {
    if (disagree++ < 10) console.log(`DISAGREE: ${pairs[i][0]} vs ${pairs[i][1]}: xdeb ${signs[i]}, apt_pkg ${apt.signs[i]}`);
  }
}

const best = Math.min(...times);
const aptBest = Math.min(...apt.times);
const per = (t) => `${((t / COUNT) * 1e9).toFixed(0)} ns/comparison`;
console.log(
  `node ${process.version}; ${COUNT} comparisons over ${pairs.length} real pairs (${PAIRS}); best of ${RUNS} runs, taking turns (xdeb's first run includes compiling)`,
);
console.log(
  `  xdeb compareVersions          ${best.toFixed(3)} s  ${per(best)}  (runs: ${times.map((t) => t.toFixed(3)).join(' ')}; checksum ${sum})`,
);
console.log(
  `  apt_pkg.version_compare       ${aptBest.toFixed(3)} s  ${per(aptBest)}  (runs: ${apt.times.map((t) => t.toFixed(3)).join(' ')}; python loop included)`,
);
console.log(`  verdicts agree on ${pairs.length - disagree}/${pairs.length} pairs`);
console.log(`  xdeb / apt_pkg                ${(best / aptBest).toFixed(2)}x  target <= 1.5x, parity 1.0x`);
if (disagree) process.exit(1);
