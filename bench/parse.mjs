#!/usr/bin/env node
// Parse speed of xdeb's deb822 reader against apt's (python3-apt: apt_pkg.TagFile) and
// python-debian's (debian.deb822), on bookworm's Sources and Packages_amd64, uncompressed.
// Every tool reads every field of every paragraph; the counts must agree. Best times, each tool
// in processes of its own. Prints times (every run and the median), counts, peak memory and the
// ratios of the medians, after the date, the commit and whether the tree is clean, the tools'
// versions and /proc/loadavg (bench/run-info.mjs); --out FILE also writes the report to FILE
// (bench/results/parse-<date>.txt).
//
//   node bench/parse.mjs [--runs 3] [--deb822-runs 3] [--data ../shared/data/bookworm] [--out FILE]
//
// Needs dist/ (npm run build), xz, and /usr/bin/python3 with python3-apt and python3-debian.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { debVersion, footer, header, median } from './run-info.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
const REFERENCE = join(ROOT, 'bench', 'reference.py');
const FILES = ['Sources', 'Packages_amd64'];

// --worker FILE RUNS MODE: xdeb's side, in a process of its own (like the python ones).
if (process.argv[2] === '--worker') {
  const [file, runs, mode] = [process.argv[3], Number(process.argv[4]), process.argv[5]];
  const { readParagraphs, readParagraphBatches } = await import(pathToFileURL(join(ROOT, 'dist/adapters/deb822-files.js')).href);
  const times = [];
  let counts;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    let paragraphs = 0;
    let fields = 0;
    let valueChars = 0;
    // Every value is looked up by its name, as `section[key]` does in the python readers.
    const touch = (p) => {
      paragraphs++;
      for (const name of p.names) {
        valueChars += p.get(name).length;
        fields++;
      }
    };
    if (mode === 'batches') {
      for await (const batch of readParagraphBatches(file)) for (const p of batch) touch(p);
    } else {
      for await (const p of readParagraphs(file)) touch(p);
    }
    times.push((performance.now() - t0) / 1000);
    counts = { paragraphs, fields, valueChars };
  }
  process.stdout.write(JSON.stringify({ ...counts, times, maxRssKiB: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const RUNS = Number(option('--runs', '3'));
const DEB822_RUNS = Number(option('--deb822-runs', String(RUNS)));
const DATA = resolve(ROOT, option('--data', '../shared/data/bookworm'));
const OUT = option('--out', undefined);
const report = [];
const say = (s = '') => {
  report.push(...String(s).split('\n'));
  process.stdout.write(s + '\n');
};

function die(message, code = 3) {
  process.stderr.write(`bench/parse: ${message}\n`);
  process.exit(code);
}

if (!existsSync(join(ROOT, 'dist/adapters/deb822-files.js'))) die('dist/ is missing: run npm run build first');
if (spawnSync(PYTHON, ['-c', 'import apt_pkg, debian.deb822']).status !== 0) {
  die(`${PYTHON} lacks apt_pkg or debian.deb822: apt-get install -y python3-apt python3-debian`);
}

/** The uncompressed index, made once in a temporary directory and reused while it is current. */
function uncompressed(name) {
  const xz = join(DATA, `${name}.xz`);
  if (!existsSync(xz)) die(`no ${xz}`);
  const dir = join(tmpdir(), 'xdeb-bench-data');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(xz).mtimeMs && statSync(out).size > 0) return out;
  process.stderr.write(`decompressing ${xz} → ${out}\n`);
  const fd = openSync(`${out}.tmp`, 'w');
  const r = spawnSync('xz', ['-dc', xz], { stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  if (r.status !== 0) die(`xz -dc ${xz} failed`);
  renameSync(`${out}.tmp`, out);
  return out;
}

function runJson(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) die(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`, 1);
  return JSON.parse(r.stdout);
}

// Each tool in processes of its own. xdeb and apt_pkg take turns, round after round, so that
// both meet the same load on a shared machine; a round reads the file twice in one process:
// the first read includes compiling xdeb's code (a command run once), the second is warm.
const PER_ROUND = 2;
const worker = (mode) => (f) => runJson(process.execPath, [fileURLToPath(import.meta.url), '--worker', f, String(PER_ROUND), mode]);
const python = (tool, runs) => (f) => runJson(PYTHON, [REFERENCE, 'parse', tool, f, String(runs)]);
const tools = [
  { name: 'xdeb (paragraph batches)', key: 'xdeb', run: worker('batches'), rounds: true },
  { name: 'xdeb (one paragraph per await)', key: 'xdeb-each', run: worker('each'), rounds: true },
  { name: 'apt_pkg.TagFile', key: 'apt', run: python('apt_pkg', PER_ROUND), rounds: true },
  { name: 'python-debian (use_apt_pkg=True)', key: 'deb822-apt', run: python('deb822-apt', RUNS) },
  { name: 'python-debian (pure, use_apt_pkg=False)', key: 'deb822', run: python('deb822', DEB822_RUNS) },
];

const fmt = (s) => `${s.toFixed(3)} s`;
const ratio = (x) => `${x.toFixed(2)}x`;
let failed = false;
const summary = [];

say('# deb822 parse speed: xdeb against apt_pkg.TagFile and python-debian, every field of every paragraph');
for (const l of header(ROOT, {
  python3: [PYTHON, '--version'],
  'python3-apt': debVersion('python3-apt'),
  'python3-debian': debVersion('python3-debian'),
}))
  say(l);
say(
  `runs: xdeb and apt_pkg: ${RUNS} rounds of ${PER_ROUND} reads in one process each, in turns (the first read of a round includes compiling); ` +
    `python-debian: ${RUNS} reads (pure: ${DEB822_RUNS}) in one process. Times are the median of every read of the tool; ratios are of the medians`,
);
for (const name of FILES) {
  const file = uncompressed(name);
  const mb = statSync(file).size / 1e6;
  say(`\n${name}: ${mb.toFixed(1)} MB uncompressed`);
  const results = {};
  const merge = (key, r) => {
    const all = (results[key] ??= { ...r, times: [], first: [], maxRssKiB: 0 });
    all.times.push(...r.times);
    all.first.push(r.times[0]);
    all.maxRssKiB = Math.max(all.maxRssKiB, r.maxRssKiB);
    for (const k of ['paragraphs', 'fields']) if (all[k] !== r[k]) all[k] = NaN;
  };
  for (let round = 0; round < RUNS; round++) for (const tool of tools.filter((t) => t.rounds)) merge(tool.key, tool.run(file));
  for (const tool of tools.filter((t) => !t.rounds)) merge(tool.key, tool.run(file));
  for (const tool of tools) {
    const r = results[tool.key];
    r.best = median(r.times);
    r.firstBest = median(r.first);
    say(
      `  ${tool.name.padEnd(42)} median ${fmt(r.best).padStart(9)}  ${(mb / r.best).toFixed(0).padStart(4)} MB/s  ` +
        `${String(r.paragraphs).padStart(6)} paragraphs ${String(r.fields).padStart(8)} fields  peak RSS ${(r.maxRssKiB / 1024).toFixed(0)} MB` +
        `  (runs: ${r.times.map((t) => t.toFixed(3)).join(' ')})`,
    );
  }
  const ref = results.apt;
  for (const tool of tools) {
    const r = results[tool.key];
    if (r.paragraphs !== ref.paragraphs || r.fields !== ref.fields) {
      say(`  MISMATCH: ${tool.name} counted ${r.paragraphs} paragraphs / ${r.fields} fields, apt_pkg ${ref.paragraphs} / ${ref.fields}`);
      failed = true;
    }
  }
  if (!failed) say(`  counts agree: ${ref.paragraphs} paragraphs, ${ref.fields} fields in every tool`);
  const x = results.xdeb.best;
  const lines = [
    [`xdeb / apt_pkg`, x / ref.best, 'target <= 1.5x, parity 1.0x'],
    [`xdeb first read / apt_pkg`, results.xdeb.firstBest / ref.best, "(the median of the rounds' first reads: code not yet compiled)"],
    [`xdeb (per paragraph) / apt_pkg`, results['xdeb-each'].best / ref.best, ''],
    [`python-debian pure / xdeb`, results.deb822.best / x, 'target >= 10x'],
    [`python-debian use_apt_pkg / xdeb`, results['deb822-apt'].best / x, ''],
  ];
  for (const [what, value, target] of lines) say(`  ${what.padEnd(34)} ${ratio(value).padStart(8)}  ${target}`);
  summary.push(
    `${name}: xdeb/apt_pkg ${ratio(x / ref.best)} (first read ${ratio(results.xdeb.firstBest / ref.best)}), python-debian/xdeb ${ratio(results.deb822.best / x)}`,
  );
}
say(`\n${summary.join('\n')}`);
say(footer());
if (OUT) {
  mkdirSync(dirname(resolve(OUT)), { recursive: true });
  writeFileSync(OUT, report.join('\n') + '\n');
  process.stderr.write(`wrote ${OUT}\n`);
}
if (failed) process.exit(1);
