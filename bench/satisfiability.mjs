#!/usr/bin/env node
// Archive-wide cross-satisfiability of bookworm (build amd64, host arm64, profiles cross,nocheck,
// arch-only): xdeb-satisfydepends --all against dose-builddebcheck, and a random sample of sources
// against apt-get build-dep in a private apt. Prints agreement rates, every class of disagreement
// with its count and an example, and time and memory ratios. A script, not a test: run it once.
//
// Usage: node bench/satisfiability.mjs [--data DIR] [--runs N] [--sample N] [--seed N] [--one SRC] [--out FILE] [--parts a,b,c,d,one] [--keep]
//   --runs    how many times each of (a), (b) and (c) runs, in turns a b c a b c … so that the load
//             hits them alike (3); every run and the median are printed, the verdicts of every run
//             must be the same
//   --data    directory with Packages_amd64.xz, Packages_arm64.xz, Sources.xz (../shared/data/bookworm)
//   --sample  how many sources to ask apt about (200); --seed the sample's seed (20241122)
//   --one     the source timed alone against the full universe (hello)
//   --out     also write the report to this file (bench/results/satisfiability-<date>.txt)
//   --parts   (a) dose, (b) xdeb in dose mode, (c) xdeb in apt mode, (d) the apt sample, one: the
//             one-source timing; b and c need a
//   --keep    keep the temporary directory (indexes, private apts) and say where
// The report starts with the date, the commit and whether the tree is clean, the tools' versions
// and /proc/loadavg, and ends with /proc/loadavg (bench/run-info.mjs).
// Needs dist/ (npm run build), dose-builddebcheck, apt-utils, /usr/bin/time. With 3 runs and the
// sample of 200, about 45 min on 2 cores.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { debVersion, footer, header, median, runsAndMedian } from './run-info.mjs';

// The JSON reports of 34,000 sources need a larger heap than node's default.
if (v8.getHeapStatistics().heap_size_limit < 6e9 && !process.env.XDEB_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, XDEB_BENCH_CHILD: '1' },
  });
  process.exit(r.status ?? 1);
}

const checkout = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dataDir = resolve(opt('--data', join(checkout, '../shared/data/bookworm')));
const sampleSize = Number(opt('--sample', 200));
const runs = Math.max(1, Number(opt('--runs', 3)));
const seed = Number(opt('--seed', 20241122));
const oneSource = opt('--one', 'hello');
const outFile = opt('--out', undefined);
const parts = new Set(opt('--parts', 'a,b,c,d,one').split(','));
const keep = args.includes('--keep');

const BUILD = 'amd64';
const HOST = 'arm64';
const PROFILES = 'cross,nocheck';

const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
const note = (s) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(3)}%` : 'n/a');
const f1 = (x) => x.toFixed(1);
const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const ratio = (a, b) => (a / b).toFixed(2);

const tmp = mkdtempSync(join(tmpdir(), 'xdeb-satbench-'));
process.on('exit', () => (keep ? process.stderr.write(`kept ${tmp}\n`) : rmSync(tmp, { recursive: true, force: true })));

// ---------------------------------------------------------------------------------------------
// Inputs: the indexes, uncompressed straight into the layout of an apt repository (apt-ftparchive
// release lists the files it finds, and would name a symlink's target), so that apt, dose and
// xdeb read the very same files; and a snapshot of the build, which a concurrent tsc cannot touch.

note(`decompressing ${dataDir}`);
const repo = join(tmp, 'repo');
const dist = join(repo, 'dists/bookworm');
const idx = {
  Packages_amd64: join(dist, 'main/binary-amd64/Packages'),
  Packages_arm64: join(dist, 'main/binary-arm64/Packages'),
  Sources: join(dist, 'main/source/Sources'),
};
for (const [name, file] of Object.entries(idx)) {
  mkdirSync(resolve(file, '..'), { recursive: true });
  const r = spawnSync('sh', ['-c', 'xz -dc "$1" > "$2"', 'sh', join(dataDir, `${name}.xz`), file]);
  if (r.status !== 0) throw new Error(`xz -dc ${name}.xz failed`);
}
const root = join(tmp, 'xdeb');
for (const f of ['package.json', 'bin', 'dist']) cpSync(join(checkout, f), join(root, f), { recursive: true });
symlinkSync(join(checkout, 'node_modules'), join(root, 'node_modules'));
const xdebBin = join(root, 'bin', 'xdeb-satisfydepends.js');
const lib = (p) => import(join(root, 'dist', p));
const repoArgs = [
  '--disable-remote-repo',
  '--disable-local-repo',
  '--repo',
  idx.Packages_amd64,
  '--repo',
  idx.Packages_arm64,
  '--repo',
  idx.Sources,
];

/** The stanzas of a deb822 file, each as the fields asked for (first line of each value). */
async function* stanzas(file, fields) {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let cur = {};
  let any = false;
  for await (const line of rl) {
    if (line === '') {
      if (any) yield cur;
      cur = {};
      any = false;
      continue;
    }
    any = true;
    if (line[0] === ' ' || line[0] === '\t') continue;
    const c = line.indexOf(':');
    const k = line.slice(0, c);
    if (fields.includes(k)) cur[k] = line.slice(c + 1).trim();
  }
  if (any) yield cur;
}

const eso = new Set();
let sourceStanzas = 0;
for await (const s of stanzas(idx.Sources, ['Package', 'Version', 'Extra-Source-Only'])) {
  sourceStanzas++;
  if (s['Extra-Source-Only'] === 'yes') eso.add(`${s.Package} ${s.Version}`);
}

// ---------------------------------------------------------------------------------------------
// Whole processes under /usr/bin/time -v

function timed(argv, stdoutFile) {
  return new Promise((done, fail) => {
    const timeFile = join(tmp, `time-${Math.random().toString(36).slice(2)}`);
    const out = createWriteStream(stdoutFile);
    const finished = new Promise((r) => out.on('finish', r));
    const child = spawn('/usr/bin/time', ['-v', '-o', timeFile, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.pipe(out);
    child.stderr.on('data', (b) => (err = (err + b).slice(-4000)));
    child.on('error', fail);
    child.on('close', (code) => {
      finished.then(() => {
        const t = readFileSync(timeFile, 'utf8');
        const num = (re) => Number(re.exec(t)?.[1] ?? NaN);
        const wall = (/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(t)?.[1] ?? '0')
          .split(':')
          .reduce((acc, x) => acc * 60 + Number(x), 0);
        done({
          code,
          wall,
          user: num(/User time \(seconds\): ([\d.]+)/),
          sys: num(/System time \(seconds\): ([\d.]+)/),
          rss: num(/Maximum resident set size \(kbytes\): (\d+)/),
          stderr: err,
        });
      });
    });
  });
}

const fmtRun = (r) => `wall ${f1(r.wall)} s, user CPU ${f1(r.user)} s (+${f1(r.sys)} s system), peak RSS ${mb(r.rss)}`;
/** The runs of one command: every run and the median of each figure. */
const fmtRuns = (rs) =>
  [
    `wall s      ${runsAndMedian(rs.map((r) => r.wall))}`,
    `user CPU s  ${runsAndMedian(rs.map((r) => r.user))}`,
    `system s    ${runsAndMedian(rs.map((r) => r.sys))}`,
    `peak RSS MB ${runsAndMedian(
      rs.map((r) => r.rss / 1024),
      (x) => x.toFixed(0),
    )}`,
  ].join('\n');
const medianOf = (rs) => ({
  wall: median(rs.map((r) => r.wall)),
  user: median(rs.map((r) => r.user)),
  sys: median(rs.map((r) => r.sys)),
  rss: median(rs.map((r) => r.rss)),
});
const sameVerdicts = (a, b) => a.size === b.size && [...a].every(([k, v]) => b.get(k)?.status === v.status);

/** dose's report: per source its status and, when broken, the first unsatisfied relation. */
async function readDose(file) {
  const out = new Map();
  let cur;
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line === ' -') {
      cur = { name: '', version: '', status: '', reason: '', kind: '' };
      continue;
    }
    if (!cur) continue;
    if (line.startsWith('  package: ')) cur.name = line.slice(11);
    else if (line.startsWith('  version: ')) cur.version = line.slice(11);
    else if (line.startsWith('  status: ')) {
      cur.status = line.slice(10);
      out.set(`${cur.name} ${cur.version}`, cur);
    } else if (!cur.kind && /^\s+(missing|conflict):$/.test(line)) cur.kind = line.trim().slice(0, -1);
    else if (!cur.reason && /^\s+unsat-(dependency|conflict): /.test(line)) cur.reason = line.trim();
  }
  return out;
}

/** xdeb-satisfydepends --all --json on the three indexes: the process's figures and a verdict per source. */
async function xdebAll(extra) {
  const file = join(tmp, 'xdeb.json');
  const argv = [process.execPath, xdebBin, '-a', HOST, '--all', '--no-status', ...extra, ...repoArgs, '--json'];
  const run = await timed(argv, file);
  if (run.code !== 0 && run.code !== 1) throw new Error(`xdeb-satisfydepends: exit ${run.code}\n${run.stderr}`);
  const report = JSON.parse(readFileSync(file, 'utf8'));
  rmSync(file);
  const verdicts = new Map();
  for (const s of report.sources) {
    const f = s.failures[0];
    const r = f?.reasons[0];
    verdicts.set(`${s.source} ${s.version}`, { status: s.status, requirement: f?.requirement ?? '', reason: r?.text ?? '' });
  }
  const shown = argv.slice(2).filter((a) => !a.startsWith(tmp) && a !== '--repo');
  return { run, verdicts, command: `xdeb-satisfydepends ${shown.join(' ')} --repo Packages_amd64 --repo Packages_arm64 --repo Sources` };
}

/** xdeb's verdicts against dose's, on the sources both report. */
function compare(dose, xdeb) {
  let agree = 0;
  let common = 0;
  const diffs = [];
  for (const [k, d] of dose) {
    const x = xdeb.get(k);
    if (!x) continue;
    common++;
    if (x.status === d.status) agree++;
    else diffs.push({ key: k, dose: d, xdeb: x });
  }
  return {
    agree,
    common,
    diffs,
    onlyDose: [...dose.keys()].filter((k) => !xdeb.has(k)),
    onlyXdeb: [...xdeb.keys()].filter((k) => !dose.has(k)),
  };
}

/**
 * The class of a disagreement: the rule it comes from, read from the reason xdeb gives in the
 * mode that says broken (`other` holds the verdicts of the other mode, which explain dose's side).
 */
function classify(diff, other) {
  const broken = diff.xdeb.status === 'ok' ? other?.get(diff.key) : diff.xdeb;
  if (!broken || broken.status === 'ok') return 'unexplained';
  const text = `${broken.requirement} ${broken.reason}`;
  if (/^implicit: /.test(broken.requirement))
    return `implicit ${broken.requirement.replace(/^implicit: /, '')} (sbuild's set; dose adds build-essential and crossbuild-essential only)`;
  if (/which must stay installed/.test(text))
    return 'an Essential package of the build arch would have to give way to its host copy (apt keeps it, dose swaps it)';
  if (/':any'/.test(text)) return "':any' on a package that is not Multi-Arch: allowed (dose takes any package of the name)";
  if (/Architecture: all without Multi-Arch/.test(text)) return 'Architecture: all without Multi-Arch: foreign';
  if (/':native'|qualified ':/.test(text)) return 'an explicit or :native qualifier on a Multi-Arch: foreign package';
  return `other: ${broken.reason.replace(/\d[\w.:~+-]*/g, 'V').slice(0, 120)}`;
}

function printComparison(cmp, other, label) {
  say(`per-source agreement with dose: ${cmp.agree}/${cmp.common} = ${pct(cmp.agree, cmp.common)}`);
  if (cmp.onlyDose.length || cmp.onlyXdeb.length)
    say(
      `reported by dose only: ${cmp.onlyDose.length} (${cmp.onlyDose.slice(0, 3).join(', ')}); by xdeb only: ${cmp.onlyXdeb.length} (${cmp.onlyXdeb.slice(0, 3).join(', ')})`,
    );
  if (cmp.diffs.length === 0) return say('disagreements: none');
  const classes = new Map();
  for (const d of cmp.diffs) {
    const c = `${label} ${d.xdeb.status}, dose ${d.dose.status}: ${classify(d, other)}`;
    if (!classes.has(c)) classes.set(c, []);
    classes.get(c).push(d);
  }
  say(`disagreements: ${cmp.diffs.length}, in ${classes.size} class${classes.size > 1 ? 'es' : ''}`);
  for (const [c, ds] of [...classes].sort((a, b) => b[1].length - a[1].length)) {
    const e = ds[0];
    const o = other?.get(e.key);
    say(`  ${String(ds.length).padStart(5)}  ${c}`);
    say(`         e.g. ${e.key}`);
    if (e.xdeb.status !== 'ok') say(`           xdeb: ${e.xdeb.requirement} — ${e.xdeb.reason}`);
    if (o && o.status !== 'ok') say(`           xdeb in dose mode: ${o.requirement} — ${o.reason}`);
    if (e.dose.reason) say(`           dose: ${e.dose.kind} ${e.dose.reason}`);
  }
}

// ---------------------------------------------------------------------------------------------

say(`# Cross-satisfiability of bookworm: ${BUILD} → ${HOST}, profiles ${PROFILES}, arch-only`);
for (const l of header(checkout, { 'dose-builddebcheck': debVersion('dose-builddebcheck'), apt: debVersion('apt') })) say(l);
say(`runs: ${runs} of each of (a), (b), (c), in turns; timings are whole processes under /usr/bin/time, the median of the runs`);
say(`Sources: ${sourceStanzas} stanzas, ${eso.size} of them Extra-Source-Only: yes (left out of every comparison)`);
say();

// (a) dose-builddebcheck over the whole archive, (b) xdeb in dose-emulation mode, (c) in its
// default apt mode, both against dose: `runs` rounds of a, b, c.
const doseArgs = [
  `--deb-native-arch=${BUILD}`,
  `--deb-host-arch=${HOST}`,
  '--deb-drop-b-d-indep',
  `--deb-profiles=${PROFILES}`,
  '-f',
  '-s',
  '-e',
];
const XDEB_PARTS = [
  [
    'b',
    ['--mode', 'dose', '--implicit', 'dose'],
    'dose-emulation mode (implicit dose: build-essential:native and crossbuild-essential-arm64:native, what dose-builddebcheck adds to a cross build)',
  ],
  [
    'c',
    ['--mode', 'apt'],
    'its default apt mode (implicit sbuild: build-essential, crossbuild-essential-arm64, libc-dev:arm64, libstdc++-dev:arm64)',
  ],
];
const dose = new Map();
const doseRuns = [];
const xdebRuns = { b: [], c: [] };
const xdebFirst = {};
let doseDropped = 0;
if (parts.has('a')) {
  for (let round = 1; round <= runs; round++) {
    note(`(a) dose-builddebcheck, run ${round}/${runs} (about 5-8 minutes)`);
    const doseOut = join(tmp, 'dose.yaml');
    const run = await timed(['dose-builddebcheck', ...doseArgs, idx.Packages_amd64, idx.Packages_arm64, idx.Sources], doseOut);
    if (run.code !== 0 && run.code !== 1) throw new Error(`dose-builddebcheck: exit ${run.code}\n${run.stderr}`);
    doseRuns.push(run);
    const got = await readDose(doseOut);
    rmSync(doseOut);
    if (round === 1) {
      for (const [k, v] of got) dose.set(k, v);
      doseDropped = [...dose.keys()].filter((k) => eso.has(k)).length;
      for (const k of eso) dose.delete(k);
    } else {
      for (const k of eso) got.delete(k);
      if (!sameVerdicts(dose, got)) throw new Error(`dose-builddebcheck gave other verdicts in run ${round}`);
    }
    for (const [part, extra, title] of XDEB_PARTS) {
      if (!parts.has(part)) continue;
      note(`(${part}) xdeb --all in ${title.replace(/ \(.*/, '')}, run ${round}/${runs}`);
      const x = await xdebAll(extra);
      xdebRuns[part].push(x.run);
      if (round === 1) xdebFirst[part] = x;
      else if (!sameVerdicts(xdebFirst[part].verdicts, x.verdicts)) throw new Error(`xdeb (${part}) gave other verdicts in run ${round}`);
    }
  }
  const ok = [...dose.values()].filter((d) => d.status === 'ok').length;
  say(`## (a) dose-builddebcheck ${doseArgs.join(' ')} Packages_amd64 Packages_arm64 Sources`);
  say(fmtRuns(doseRuns));
  say(
    `${dose.size + doseDropped} sources reported, ${doseDropped} Extra-Source-Only dropped: ${dose.size} compared, ${ok} ok, ${dose.size - ok} broken (the same verdicts in every run)`,
  );
  say();
  const doseMed = medianOf(doseRuns);
  for (const [part, , title] of XDEB_PARTS) {
    if (!parts.has(part)) continue;
    const x = xdebFirst[part];
    say(`## (${part}) xdeb in ${title}`);
    say(x.command);
    say(fmtRuns(xdebRuns[part]));
    const ok = [...x.verdicts.values()].filter((v) => v.status === 'ok').length;
    say(`${x.verdicts.size} sources checked, ${ok} ok, ${x.verdicts.size - ok} broken (the same verdicts in every run)`);
    printComparison(
      compare(dose, x.verdicts),
      part === 'c' ? xdebFirst.b?.verdicts : undefined,
      part === 'b' ? 'xdeb (dose mode)' : 'xdeb (apt mode)',
    );
    const xMed = medianOf(xdebRuns[part]);
    say(
      `ratios of the medians xdeb/dose: wall ${ratio(xMed.wall, doseMed.wall)}, user CPU ${ratio(xMed.user, doseMed.user)}, peak RSS ${ratio(xMed.rss, doseMed.rss)}`,
    );
    say();
  }
}

// ---------------------------------------------------------------------------------------------
// (d) a random sample against apt-get build-dep, on a buildd-like base

if (parts.has('d') || parts.has('one')) {
  note('apt: repository, base status');
  const { PrivateApt } = await lib('adapters/private-apt.js');
  const rel = spawnSync(
    'apt-ftparchive',
    [
      '-o',
      'APT::FTPArchive::Release::Suite=bookworm',
      '-o',
      'APT::FTPArchive::Release::Codename=bookworm',
      '-o',
      `APT::FTPArchive::Release::Architectures=${BUILD} ${HOST}`,
      '-o',
      'APT::FTPArchive::Release::Components=main',
      'release',
      dist,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (rel.status !== 0) throw new Error(`apt-ftparchive release: ${rel.stderr}`);
  writeFileSync(join(dist, 'Release'), rel.stdout);
  const line = `[trusted=yes] file:${repo} bookworm main`;

  // The base: what apt's resolver installs for the Essential: yes packages + apt + build-essential
  // on amd64 (the set of mmdebstrap --variant=buildd), written as dpkg's status from the stanzas.
  const essential = [];
  const stanzaText = new Map();
  for (const para of readFileSync(idx.Packages_amd64, 'utf8').split('\n\n')) {
    const get = (f) => new RegExp(`^${f}: (.*)$`, 'm').exec(para)?.[1];
    const name = get('Package');
    if (!name) continue;
    stanzaText.set(`${name} ${get('Version')} ${get('Architecture')}`, para.trim());
    if (get('Essential') === 'yes') essential.push(name);
  }
  const baseApt = new PrivateApt({ dir: join(tmp, 'apt-base'), buildArch: BUILD, foreignArchs: [HOST], sources: [`deb ${line}`] });
  await baseApt.update();
  const baseSim = await baseApt.run('apt-get', ['-s', '--no-install-recommends', 'install', ...essential, 'apt', 'build-essential']);
  if (baseSim.code !== 0) throw new Error(`apt-get -s install (base): ${baseSim.stderr}`);
  const base = [...baseSim.stdout.matchAll(/^Inst (\S+?)(?::\S+)? \((\S+) \S+ \[(\S+)\]\)/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
  const statusFile = join(tmp, 'status');
  const status = base.map((k) => {
    const t = stanzaText.get(k);
    if (!t) throw new Error(`no stanza for ${k}`);
    return t.replace(/^(Package: .*)$/m, '$1\nStatus: install ok installed');
  });
  writeFileSync(statusFile, status.join('\n\n') + '\n');
  stanzaText.clear();
  const apt = new PrivateApt({
    dir: join(tmp, 'apt'),
    buildArch: BUILD,
    foreignArchs: [HOST],
    sources: [`deb ${line}`, `deb-src ${line}`],
    status: statusFile,
  });
  await apt.update();

  note('xdeb: the universe, with the same base installed');
  const { loadUniverse } = await lib('adapters/universe-loader.js');
  const { DependencyIndex } = await lib('lib/installability.js');
  const { BuildChecker } = await lib('lib/build-check.js');
  const { archTable } = await lib('lib/arch.js');
  const t0 = performance.now();
  const { universe } = await loadUniverse({
    buildArch: BUILD,
    hostArch: HOST,
    remote: false,
    repos: [idx.Packages_amd64, idx.Packages_arm64, idx.Sources],
    status: statusFile,
  });
  const loadMs = performance.now() - t0;
  const table = archTable();
  // The sources a cross build for the host can build: what --all and dose check.
  const applicable = universe.sources
    .filter((s) => s.architectures.some((a) => a === 'all' || table.matches(HOST, a)))
    .map((s) => `${s.name} ${s.version}`)
    .sort();

  if (parts.has('d')) {
    // mulberry32: a small seeded generator, so that the sample is the same on every run.
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pool = [...applicable];
    const sample = [];
    while (sample.length < Math.min(sampleSize, pool.length)) sample.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
    sample.sort();

    note(`(d) apt-get build-dep on ${sample.length} sources`);
    const aptVerdicts = new Map();
    let aptMs = 0;
    for (const key of sample) {
      const [name, version] = key.split(' ');
      const s = performance.now();
      const r = await apt.run('apt-get', [
        '-s',
        '-a',
        HOST,
        '-P',
        PROFILES,
        '--arch-only',
        '--no-install-recommends',
        'build-dep',
        `${name}=${version}`,
      ]);
      aptMs += performance.now() - s;
      if (r.code !== 0 && r.code !== 100) throw new Error(`apt-get build-dep ${name}=${version}: exit ${r.code}\n${r.stderr}`);
      const install = [...r.stdout.matchAll(/^Inst (\S+?)(?::\S+)? .*\[(\S+)\]\)/gm)].map((m) => `${m[1]}:${m[2]}`).sort();
      const why = (r.stdout + r.stderr)
        .split('\n')
        .filter((l) => /^ \S.* : |^E: /.test(l))
        .slice(0, 4)
        .map((l) => l.trim());
      aptVerdicts.set(key, { status: r.code === 0 ? 'ok' : 'broken', install, why });
    }

    note('(d) xdeb (library) on the sample, apt mode');
    const checker = new BuildChecker(new DependencyIndex(universe, { buildArch: BUILD, hostArch: HOST, mode: 'apt' }));
    let agree = 0;
    let bothOk = 0;
    let sameInstall = 0;
    const diffs = [];
    const installDiff = new Map();
    const t1 = performance.now();
    for (const key of sample) {
      const [name, version] = key.split(' ');
      const src = universe.sourcesNamed(name).find((s) => s.version === version);
      const v = checker.check(src.paragraph, {
        buildArch: BUILD,
        hostArch: HOST,
        profiles: new Set(PROFILES.split(',')),
        arch: true,
        indep: false,
        implicit: 'build-essential',
        explain: true,
      });
      const a = aptVerdicts.get(key);
      if (v.status === a.status) agree++;
      else diffs.push({ key, apt: a, xdeb: v });
      if (v.status === 'ok' && a.status === 'ok') {
        bothOk++;
        const mine = v.install.filter((p) => !p.installed).map((p) => `${p.name}:${p.arch}`);
        const theirs = new Set(a.install);
        const extra = mine.filter((p) => !theirs.has(p)).map((p) => `+${p}`);
        const missing = a.install.filter((p) => !mine.includes(p)).map((p) => `-${p}`);
        if (extra.length + missing.length === 0) sameInstall++;
        for (const d of [...extra, ...missing]) {
          const e = installDiff.get(d) ?? { n: 0, example: key };
          e.n++;
          installDiff.set(d, e);
        }
      }
    }
    const checkMs = performance.now() - t1;
    const aptOk = [...aptVerdicts.values()].filter((a) => a.status === 'ok').length;
    say(
      `## (d) ${sample.length} sources (seed ${seed}) against apt-get -s -a ${HOST} -P ${PROFILES} --arch-only --no-install-recommends build-dep SRC=VERSION`,
    );
    say(
      `base: ${base.length} amd64 packages installed: apt's solution for the ${essential.length} Essential: yes packages + apt + build-essential (mmdebstrap's buildd set), one dpkg status for apt and xdeb`,
    );
    say(`xdeb: the library in apt mode on the same three indexes and status, implicit build-essential:native (what apt build-dep adds)`);
    say(`apt: ${aptOk} ok, ${sample.length - aptOk} broken; agreement ${agree}/${sample.length} = ${pct(agree, sample.length)}`);
    if (diffs.length === 0) say('disagreements: none');
    for (const d of diffs) {
      const f = d.xdeb.failures[0];
      say(`  ${d.key}: apt ${d.apt.status}, xdeb ${d.xdeb.status}`);
      if (d.apt.why.length) say(`    apt: ${d.apt.why.join(' | ')}`);
      if (f) say(`    xdeb: ${f.requirement} — ${f.reasons[0]?.text ?? ''}`);
    }
    say(`the same packages to install where both say ok: ${sameInstall}/${bothOk}`);
    for (const [d, e] of [...installDiff].sort((a, b) => b[1].n - a[1].n).slice(0, 10))
      say(
        `  ${String(e.n).padStart(4)}  ${d.startsWith('+') ? 'only xdeb installs' : 'only apt installs'} ${d.slice(1)} (e.g. ${e.example})`,
      );
    say(
      `time (one pass over the sample, not repeated): apt-get ${f1(aptMs / 1000)} s for the sample (${f1(aptMs / sample.length)} ms a source, one process each); xdeb ${f1(loadMs / 1000)} s to load the universe once + ${f1(checkMs / 1000)} s to check (${f1(checkMs / sample.length)} ms a source)`,
    );
    say();
  }

  // One source against the full universe: whole processes, median of 5
  if (parts.has('one')) {
    note(`one source: ${oneSource}`);
    const wallOf = (argv, env) => {
      const s = performance.now();
      const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0 && r.status !== 1 && r.status !== 100) throw new Error(`${argv.join(' ')}: exit ${r.status}\n${r.stderr}`);
      return performance.now() - s;
    };
    const oneVersion = applicable.find((k) => k.startsWith(`${oneSource} `))?.split(' ')[1];
    const xdebOne = [process.execPath, xdebBin, '-a', HOST, '--list', '--no-status', ...repoArgs, oneSource];
    const aptOne = [
      'apt-get',
      '-s',
      '-a',
      HOST,
      '-P',
      PROFILES,
      '--arch-only',
      '--no-install-recommends',
      'build-dep',
      `${oneSource}=${oneVersion}`,
    ];
    const xdebTimes = Array.from({ length: 5 }, () => wallOf(xdebOne));
    const aptTimes = Array.from({ length: 5 }, () => wallOf(aptOne, apt.env));
    rmSync(join(apt.dir, 'cache/pkgcache.bin'), { force: true });
    rmSync(join(apt.dir, 'cache/srcpkgcache.bin'), { force: true });
    const aptCold = wallOf(aptOne, apt.env);
    say(`## one source (${oneSource} ${oneVersion}) against the full universe: whole processes, median of 5`);
    say(
      `xdeb-satisfydepends -a ${HOST} --list --no-status --repo ×3 (reads the three indexes each time): ${f1(median(xdebTimes))} ms [runs: ${xdebTimes.map(f1).join(' ')}]`,
    );
    say(
      `apt-get -s build-dep in the private apt: ${f1(median(aptTimes))} ms with its binary caches built [runs: ${aptTimes.map(f1).join(' ')}], ${f1(aptCold)} ms rebuilding them (one run)`,
    );
    say(
      `ratio xdeb/apt: ${ratio(median(xdebTimes), median(aptTimes))} (apt's caches built), ${ratio(median(xdebTimes), aptCold)} (rebuilt)`,
    );
    say();
  }
}

say(footer());
if (outFile) {
  mkdirSync(resolve(outFile, '..'), { recursive: true });
  writeFileSync(outFile, lines.join('\n') + '\n');
  note(`wrote ${outFile}`);
}
