#!/usr/bin/env node
// Conformance of `xdeb deps reduce` with dpkg's own Dpkg::Deps on every Build-Depends* and
// Build-Conflicts* field of a Sources index (bookworm's by default), for two cross builds:
// host arm64 with profiles cross,nocheck and host armhf with stage1 (build arch amd64).
// Prints the counts, the agreement rate, every disagreement and the time each side took.
//
//   node bench/deps-conformance.mjs [--sources FILE] [--runs N] [--out FILE] [--write-fixture DIR]
//
// --runs N (3): each side reduces every field N times, Dpkg::Deps and xdeb in turns; every run
// and the median are printed, and every run must print the same. --out FILE also writes the
// report to FILE (bench/results/deps-conformance-<date>.txt). The report names the date, the
// commit and whether the tree is clean, the tools' versions and /proc/loadavg (bench/run-info.mjs).
//
// --write-fixture DIR also writes a sample of a few hundred of the fields, chosen to cover arch
// lists, profiles, qualifiers and alternatives, with Dpkg::Deps' outputs, to DIR/bookworm-sample.json
// (the fixture test/lib/relation-fixture.test.ts checks xdeb against).
// Needs perl with dpkg-dev's Dpkg::Deps, xz, and a compiled dist/ (npx tsc).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { debVersion, footer, header, median, runsAndMedian } from './run-info.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const sources = opt('--sources', `${ROOT}../shared/data/bookworm/Sources.xz`);
const fixtureDir = opt('--write-fixture', undefined);
const RUNS = Math.max(1, Number(opt('--runs', 3)));
const outFile = opt('--out', undefined);
const report = [];
const say = (s = '') => {
  report.push(s);
  process.stdout.write(s + '\n');
};
const secs = (ms) => (ms / 1000).toFixed(2);

export const CONFIGS = [
  { hostArch: 'arm64', buildArch: 'amd64', profiles: ['cross', 'nocheck'] },
  { hostArch: 'armhf', buildArch: 'amd64', profiles: ['stage1'] },
];
const DEP_FIELDS = /^Build-(Depends|Conflicts)(-Arch|-Indep)?$/i;

function die(msg) {
  process.stderr.write(`deps-conformance: ${msg}\n`);
  process.exit(3);
}

if (!existsSync(sources)) die(`no ${sources} (give --sources FILE)`);
if (!existsSync(`${ROOT}dist/cli/main.js`)) die('no dist/: run npx tsc first');
if (spawnSync('perl', ['-MDpkg::Deps', '-e', '1']).status !== 0) die('perl with Dpkg::Deps (dpkg-dev) is needed');

/** Every build-dependency field of the index: { source, field, value } with continuation lines joined. */
function extractFields(path) {
  const r = spawnSync('xz', ['-dcf', path], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) die(`cannot read ${path}: ${r.stderr}`);
  const out = [];
  let skipped = 0;
  for (const para of r.stdout.split(/\n[ \t]*\n/)) {
    if (!para.trim()) continue;
    const fields = [];
    let source = '';
    let extraOnly = false;
    let cur;
    for (const line of para.split('\n')) {
      if (line.startsWith(' ') || line.startsWith('\t')) {
        if (cur) cur.value += ' ' + line.trim();
        continue;
      }
      cur = undefined;
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      if (name === 'Package') source = value;
      else if (name === 'Extra-Source-Only') extraOnly = value === 'yes';
      else if (DEP_FIELDS.test(name)) fields.push((cur = { field: name, value }));
    }
    if (extraOnly) {
      skipped++;
      continue;
    }
    for (const f of fields) out.push({ source, field: f.field, value: f.value.trim() });
  }
  return { fields: out, skipped };
}

const isConflicts = (f) => /^build-conflicts/i.test(f.field);

/** Dpkg::Deps' reduced outputs, one per field ('#ERROR …' when it rejects one). */
function perlReduce(values, cfg, field) {
  const t0 = performance.now();
  const r = spawnSync(
    'perl',
    [
      `${ROOT}bench/dpkg-deps-reduce.pl`,
      '--host-arch',
      cfg.hostArch,
      '--build-arch',
      cfg.buildArch,
      '--profiles',
      cfg.profiles.join(','),
      '--field',
      field,
    ],
    { input: values.map((v) => v + '\n').join(''), encoding: 'utf8', maxBuffer: 1 << 30 },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) die(`dpkg-deps-reduce.pl failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  lines.pop();
  if (lines.length !== values.length) die(`dpkg-deps-reduce.pl printed ${lines.length} lines for ${values.length} fields`);
  return { lines, ms };
}

/** xdeb's reduced outputs; a rejected field gets '#ERROR <message>' and the run goes on after it. */
function xdebReduce(values, cfg, field) {
  const lines = [];
  let ms = 0;
  let runs = 0;
  while (lines.length < values.length) {
    const rest = values.slice(lines.length);
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        `${ROOT}bin/xdeb.js`,
        'deps',
        'reduce',
        '--build-arch',
        cfg.buildArch,
        '--host-arch',
        cfg.hostArch,
        '--profiles',
        cfg.profiles.join(','),
        '--field',
        field,
      ],
      {
        input: rest.map((v) => v + '\n').join(''),
        encoding: 'utf8',
        maxBuffer: 1 << 30,
        env: { ...process.env, DEB_BUILD_ARCH: cfg.buildArch },
      },
    );
    ms += performance.now() - t0;
    runs++;
    const out = r.stdout.split('\n');
    out.pop();
    if (r.status === 0) {
      if (out.length !== rest.length) die(`xdeb printed ${out.length} lines for ${rest.length} fields`);
      lines.push(...out);
      break;
    }
    const m = /<stdin>:(\d+): (.*)/.exec(r.stderr);
    if (r.status !== 2 || !m) die(`xdeb deps reduce failed (exit ${r.status}): ${r.stderr}`);
    const bad = Number(m[1]);
    if (out.length !== bad - 1) die(`xdeb printed ${out.length} lines before failing on line ${bad}`);
    lines.push(...out, `#ERROR ${m[2]}`);
  }
  return { lines, ms, runs };
}

const normalise = (s) => (s.startsWith('#ERROR') ? '#ERROR' : s.replace(/\s+/g, ' ').trim());

const dpkgVersion = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'dpkg-dev'], { encoding: 'utf8' }).stdout || 'unknown';
say('# xdeb deps reduce against Dpkg::Deps (dpkg-dev) on every Build-Depends* and Build-Conflicts* field');
for (const l of header(ROOT, { 'dpkg-dev': debVersion('dpkg-dev'), perl: ['perl', '-e', 'print "$^V\\n"'] })) say(l);
say(`runs: ${RUNS} of each side per configuration, in turns; times are whole processes (the field list on stdin), the median of the runs`);
const t0 = performance.now();
const { fields, skipped } = extractFields(sources);
say(
  `${sources.replace(/^.*\/shared\//, 'shared/')}: ${fields.length} fields (${fields.filter((f) => !isConflicts(f)).length} Build-Depends*, ${fields.filter(isConflicts).length} Build-Conflicts*), ${skipped} Extra-Source-Only stanzas skipped, read in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
);
say(`reference: Dpkg::Deps from dpkg-dev ${dpkgVersion}, build arch amd64\n`);

const results = []; // per config: outputs (perl, xdeb) per field index
let allAgree = true;
const totalPerl = new Array(RUNS).fill(0);
const totalXdeb = new Array(RUNS).fill(0);
for (const cfg of CONFIGS) {
  const perl = new Array(fields.length);
  const xdeb = new Array(fields.length);
  const perlMs = new Array(RUNS).fill(0);
  const xdebMs = new Array(RUNS).fill(0);
  let runs = 0;
  for (const [group, pick, fieldName] of [
    ['Build-Depends*', (f) => !isConflicts(f), 'Build-Depends'],
    ['Build-Conflicts*', isConflicts, 'Build-Conflicts'],
  ]) {
    const idx = [];
    fields.forEach((f, i) => pick(f) && idx.push(i));
    const values = idx.map((i) => fields[i].value);
    for (let r = 0; r < RUNS; r++) {
      const p = perlReduce(values, cfg, fieldName);
      const x = xdebReduce(values, cfg, fieldName);
      if (r === 0) {
        idx.forEach((fi, k) => {
          perl[fi] = p.lines[k];
          xdeb[fi] = x.lines[k];
        });
        runs += x.runs;
      } else if (idx.some((fi, k) => perl[fi] !== p.lines[k] || xdeb[fi] !== x.lines[k]))
        die(`run ${r + 1} printed other outputs than run 1`);
      perlMs[r] += p.ms;
      xdebMs[r] += x.ms;
    }
    void group;
  }
  perlMs.forEach((ms, r) => (totalPerl[r] += ms));
  xdebMs.forEach((ms, r) => (totalXdeb[r] += ms));
  const disagreements = [];
  let errors = 0;
  for (let i = 0; i < fields.length; i++) {
    if (perl[i].startsWith('#ERROR')) errors++;
    if (normalise(perl[i]) !== normalise(xdeb[i])) disagreements.push(i);
  }
  const agree = fields.length - disagreements.length;
  const label = `host ${cfg.hostArch}, profiles ${cfg.profiles.join(',')}`;
  say(`== ${label}`);
  const items = (v) => v.split(',').filter((x) => x.trim()).length;
  const alts = (v) => v.split(/[,|]/).filter((x) => x.trim()).length;
  let relDropped = 0;
  let altDropped = 0;
  let emptied = 0;
  for (let i = 0; i < fields.length; i++) {
    if (perl[i].startsWith('#ERROR')) continue;
    relDropped += items(fields[i].value) - items(perl[i]);
    altDropped += alts(fields[i].value) - alts(perl[i]);
    if (perl[i] === '' && fields[i].value.trim() !== '') emptied++;
  }
  say(`  fields compared: ${fields.length}; rejected by Dpkg::Deps: ${errors}`);
  say(`  by the reduction: ${altDropped} alternatives dropped, ${relDropped} relations emptied and ignored, ${emptied} fields emptied`);
  say(`  agreement: ${agree}/${fields.length} = ${((100 * agree) / fields.length).toFixed(3)}%`);
  say(`  time, Dpkg::Deps (perl, 2 processes: Build-Depends*, Build-Conflicts*)  s ${runsAndMedian(perlMs, secs)}`);
  say(`  time, xdeb deps reduce (${runs} process${runs > 1 ? 'es' : ''})                      s ${runsAndMedian(xdebMs, secs)}`);
  say(`  ratio of the medians Dpkg::Deps / xdeb: ${(median(perlMs) / median(xdebMs)).toFixed(1)}x`);
  for (const i of disagreements) {
    const f = fields[i];
    say(`  DISAGREE ${f.source} ${f.field}: ${f.value}\n    dpkg: ${perl[i]}\n    xdeb: ${xdeb[i]}`);
  }
  if (disagreements.length) allAgree = false;
  say('');
  results.push({ perl, xdeb });
}
const differ = fields.filter((f, i) => results[0].perl[i] !== results[1].perl[i]).length;
say(`fields that the two configurations reduce differently: ${differ}`);
const ip = await inProcessTiming();
const ipMed = median(ip.times);
say(
  `xdeb in process (no process start, no I/O): parse ${fields.length} fields and reduce and format each for both configurations, ms ${runsAndMedian(ip.times, (x) => x.toFixed(0))} = ${(fields.length / ipMed).toFixed(0)}k fields/s at the median`,
);
say(
  `total of both configurations: Dpkg::Deps s ${runsAndMedian(totalPerl, secs)}; xdeb s ${runsAndMedian(totalXdeb, secs)}; ratio of the medians ${(median(totalPerl) / median(totalXdeb)).toFixed(1)}x`,
);
say(allAgree ? 'result: 100% agreement' : 'result: DISAGREEMENTS (listed above)');
say(footer());
if (outFile) {
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, report.join('\n') + '\n');
  process.stderr.write(`wrote ${outFile}\n`);
}

if (fixtureDir) writeFixture(fixtureDir);

/** xdeb's parse + reduce + format alone, in this process, over every field and both configurations. */
async function inProcessTiming() {
  const { parseRelationField, reduceRelationField, formatRelationField } = await import(`${ROOT}dist/lib/relation.js`);
  const ctxs = CONFIGS.map((c) => ({ hostArch: c.hostArch, profiles: new Set(c.profiles) }));
  let n = 0;
  const times = [];
  for (let round = 0; round < Math.max(3, RUNS); round++) {
    const t0 = performance.now();
    for (const f of fields) {
      const parsed = parseRelationField(f.value, { field: f.field });
      for (const ctx of ctxs) n += formatRelationField(reduceRelationField(parsed, ctx)).length > 0 ? 1 : 0;
    }
    times.push(performance.now() - t0);
  }
  return { times, n };
}

/** A deterministic sample of fields covering each feature, with Dpkg::Deps' outputs. */
function writeFixture(dir) {
  const features = [
    ['positive arch list', /\[\s*[a-z]/],
    ['negated arch list', /\[\s*!/],
    ['linux-any', /linux-any/],
    ['any-<cpu> wildcard', /any-(amd64|i386|arm64|arm)\b/],
    ['kfreebsd/hurd wildcard', /(kfreebsd|hurd)-any/],
    ['armel/armhf/arm64 named', /\[[^\]]*\b(armel|armhf|arm64)\b/],
    ['profile <!nocheck>', /<!nocheck>/],
    ['profile <cross>', /<cross>/],
    ['profile <!cross>', /<!cross>/],
    ['profile stage1', /stage1/],
    ['profile group with several terms', /<[^>]* [^>]*>/],
    ['several profile groups', /<[^>]*>\s*<[^>]*>/],
    ['pkg.* profile', /<[^>]*pkg\./],
    [':native', /:native/],
    [':any', /:any/],
    [':<arch>', /:(amd64|i386|arm64|armhf)\b/],
    ['alternatives', /\|/],
    ['alternative with arch list', /\|[^,]*\[|\[[^\]]*\][^,]*\|/],
    ['alternative with profiles', /\|[^,]*<|<[^>]*>[^,]*\|/],
    ['(<<', /\(\s*<</],
    ['(<=', /\(\s*<=/],
    ['(=', /\(\s*=/],
    ['(>>', /\(\s*>>/],
    ['empty item', /,\s*,|^\s*,|,\s*$/],
  ];
  const chosen = new Map(); // field index → the features it was chosen for
  const take = (i, why) => {
    if (!chosen.has(i)) chosen.set(i, []);
    chosen.get(i).push(why);
  };
  const short = fields.map((f, i) => i).filter((i) => fields[i].value.length <= 700);
  const spread = (hits, n, why) => {
    n = Math.min(hits.length, n);
    for (let k = 0; k < n; k++) take(hits[Math.floor((k * hits.length) / n)], why);
  };
  for (const [why, re] of features)
    spread(
      short.filter((i) => re.test(fields[i].value)),
      12,
      why,
    );
  spread(
    short.filter((i) => results[0].perl[i] !== results[1].perl[i] && fields[i].value.length < 400),
    40,
    'reduced differently for arm64 and armhf',
  );
  for (const kind of [
    'Build-Depends',
    'Build-Depends-Arch',
    'Build-Depends-Indep',
    'Build-Conflicts',
    'Build-Conflicts-Indep',
    'Build-Conflicts-Arch',
  ]) {
    spread(
      short.filter((i) => fields[i].field === kind),
      8,
      kind,
    );
  }
  const sample = [...chosen.keys()]
    .sort((a, b) => a - b)
    .map((i) => ({
      source: fields[i].source,
      field: fields[i].field,
      covers: chosen.get(i),
      value: fields[i].value,
      expected: results.map((r) => r.perl[i]),
    }));
  mkdirSync(dir, { recursive: true });
  const doc = {
    about:
      'Real build-dependency fields of Debian bookworm (Sources) with the output of Dpkg::Deps deps_parse (reduce_arch, host_arch, build_arch, build_dep, reduce_profiles, build_profiles; union for Build-Conflicts*), one per configuration. Written by bench/deps-conformance.mjs --write-fixture.',
    dpkgDev: dpkgVersion,
    configs: CONFIGS,
    fields: sample,
  };
  writeFileSync(`${dir}/bookworm-sample.json`, JSON.stringify(doc, null, 1) + '\n');
  say(`fixture: ${sample.length} fields written to ${dir}/bookworm-sample.json`);
}
