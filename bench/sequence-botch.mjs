#!/usr/bin/env node
// xdeb-sequence against botch on bookworm, the same input for both (a script, not a test):
//   A. the self-contained build closure of the minimal system (Essential: yes, build-essential,
//      apt, sysvinit-core, debhelper: botch-native's own selection), natively for amd64, with
//      --full --bootstrap: closure, strongly connected components, staged builds, each difference
//      explained. botch-native --self-contained --deb-drop-b-d-indep is run once and cached; xdeb
//      gets botch's own seeds (tmp/crossed-src) and available set (tmp/available-crossed-all).
//   B. the same closure cross-built for arm64 (--full --bootstrap): xdeb's plan, its loops and timing.
//   C. the whole-archive strongly connected components (native amd64, the minimal system's and the
//      arch:all binaries available): botch-create-graph + botch-buildgraph2srcgraph (cached), the
//      components of its source graph against xdeb-sequence --all --full.
//
// Usage: node bench/sequence-botch.mjs [--data DIR] [--cache DIR] [--parts A,B,C] [--runs N] [--out FILE]
//   --runs   how many times each xdeb-sequence command runs (3); every run and the median are
//            printed. botch's steps run once (they take 15-20 min) and are cached with the date,
//            their version and /proc/loadavg at their start and end, which the report repeats.
//   --data   Packages_amd64, Packages_arm64, Sources, uncompressed (/tmp/bookworm), or the .xz files
//            of ../shared/data/bookworm (decompressed into the cache)
//   --cache  where botch's outputs and their timings are kept between runs (/tmp/xdeb-bench-botch);
//            remove it to run botch again (A takes 15-20 min, C about 10 on 2 cores)
//   --out    also write the report to this file (e.g. bench/results/sequence-botch-<date>.txt)
// The report starts with the date, the commit and whether the tree is clean, the tools' versions
// and /proc/loadavg, and ends with /proc/loadavg (bench/run-info.mjs).
// Like for like: botch-native's 'wall time' in A includes computing the inputs that xdeb is then
// handed (the minimal system's seeds, the available set, the self-contained closure); xdeb's does
// not. In C both start from the same files.
// Needs dist/ (npm run build), botch, /usr/bin/time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, createWriteStream } from 'node:fs';
import { debVersion, footer, header, median, procLoadavg, runsAndMedian } from './run-info.mjs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

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
const cache = resolve(opt('--cache', '/tmp/xdeb-bench-botch'));
const parts = new Set(opt('--parts', 'A,B,C').split(','));
const outFile = opt('--out', undefined);
const RUNS = Math.max(1, Number(opt('--runs', 3)));
const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
const sh = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });

// ---- inputs
function dataFiles() {
  const given = opt('--data', undefined);
  const dirs = given ? [resolve(given)] : ['/tmp/bookworm', join(checkout, '../shared/data/bookworm')];
  const out = {};
  for (const name of ['Packages_amd64', 'Packages_arm64', 'Sources']) {
    for (const d of dirs) {
      if (existsSync(join(d, name))) {
        out[name] = join(d, name);
        break;
      }
      if (existsSync(join(d, `${name}.xz`))) {
        mkdirSync(join(cache, 'data'), { recursive: true });
        const to = join(cache, 'data', name);
        if (!existsSync(to)) sh(`xz -dc ${join(d, `${name}.xz`)} > ${to}`);
        out[name] = to;
        break;
      }
    }
    if (!out[name]) throw new Error(`no ${name} in ${dirs.join(' or ')}`);
  }
  return out;
}

/** Run a command under /usr/bin/time: wall seconds, peak RSS, stdout. */
function timed(argv, opts = {}) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: m ? Number(m[1]) : NaN, rssMB: m ? Number(m[2]) / 1024 : NaN };
}

/** Run a botch step once: its output file and wall time are cached, with when and at what load it ran. */
function cachedStep(dir, name, cmd) {
  const timeFile = join(dir, `${name}.seconds`);
  const infoFile = join(dir, `${name}.info`);
  if (!existsSync(timeFile)) {
    process.stderr.write(`running ${name} (once; cached in ${dir}) …\n`);
    const start = `${new Date().toISOString()}, /proc/loadavg at start ${procLoadavg()}`;
    const t0 = Date.now();
    const r = sh(cmd);
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr.slice(-2000)}`);
    const s = (Date.now() - t0) / 1000;
    writeFileSync(timeFile, String(s));
    writeFileSync(infoFile, `${start}, at end ${procLoadavg()}`);
  }
  const seconds = Number(readFileSync(timeFile, 'utf8'));
  const info = existsSync(infoFile) ? readFileSync(infoFile, 'utf8') : 'date and load not recorded';
  say(`  ${name}: ${seconds.toFixed(1)} s, one run (${info})`);
  return seconds;
}

const xdeb = join(checkout, 'bin/xdeb-sequence.js');
/** xdeb-sequence `runs` times: the first run's plan (every run must give the same), the median wall time and peak RSS, every run's. */
function runXdeb(argv, runs = RUNS) {
  const all = [];
  let plan;
  let first;
  let same = true;
  for (let i = 0; i < runs; i++) {
    const r = timed([process.execPath, '--max-old-space-size=8192', xdeb, ...argv]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`xdeb-sequence ${argv.join(' ')} exited ${r.code}: ${r.stderr.slice(-2000)}`);
    const p = JSON.parse(r.stdout);
    const steps = JSON.stringify(p.steps.map((s) => [s.source, s.stage ?? '', s.profiles ?? '']));
    if (i === 0) {
      plan = p;
      first = steps;
    } else if (steps !== first) same = false;
    all.push({
      seconds: r.seconds,
      rssMB: r.rssMB,
      graph: p.stats.milliseconds.graph / 1000,
      loops: p.stats.milliseconds.bootstrap / 1000,
    });
  }
  const med = (k) => median(all.map((a) => a[k]));
  const line = `xdeb-sequence, ${runs} run${runs > 1 ? 's' : ''}: wall s ${runsAndMedian(all.map((a) => a.seconds))}; graph s ${runsAndMedian(all.map((a) => a.graph))}; loops/components s ${runsAndMedian(all.map((a) => a.loops))}; peak RSS MB ${runsAndMedian(
    all.map((a) => a.rssMB),
    (x) => x.toFixed(0),
  )}${runs > 1 ? (same ? '; the same plan in every run' : '; PLANS DIFFER between runs (the figures below are from run 1)') : ''}`;
  return { plan, seconds: med('seconds'), rssMB: med('rssMB'), graph: med('graph'), loops: med('loops'), line };
}

// ---- deb822 helpers for the comparison
function* stanzas(file) {
  const text = readFileSync(file, 'utf8');
  for (const para of text.split(/\n\s*\n/)) {
    if (!para.trim()) continue;
    const fields = {};
    let last;
    for (const line of para.split('\n')) {
      if (/^\s/.test(line) && last) fields[last] += '\n' + line.trim();
      else {
        const i = line.indexOf(':');
        if (i > 0) fields[(last = line.slice(0, i))] = line.slice(i + 1).trim();
      }
    }
    yield fields;
  }
}
const sourceNames = (file) => [...stanzas(file)].map((s) => s.Package).filter(Boolean);

/** Graphml of botch: source names per node id, edges with their binaries. */
function readGraphml(file) {
  const text = readFileSync(file, 'utf8');
  const keys = {};
  for (const m of text.matchAll(/<key id="([^"]+)" for="(node|edge)" attr\.name="([^"]+)"/g)) keys[`${m[2]}:${m[3]}`] = m[1];
  const nodes = new Map();
  for (const m of text.matchAll(/<node id="([^"]+)">([\s\S]*?)<\/node>/g)) {
    const data = {};
    for (const d of m[2].matchAll(/<data key="([^"]+)">([^<]*)<\/data>/g)) data[d[1]] = d[2];
    const kind = data[keys['node:kind']];
    const name = data[keys['node:name']];
    nodes.set(m[1], { kind, name, cudf: data[keys['node:cudfname']] });
  }
  const edges = [];
  for (const m of text.matchAll(
    /<edge [^>]*source="([^"]+)" target="([^"]+)"[^>]*>([\s\S]*?)<\/edge>|<edge [^>]*source="([^"]+)" target="([^"]+)"[^>]*\/>/g,
  )) {
    const from = m[1] ?? m[4];
    const to = m[2] ?? m[5];
    const bins = m[3] ? /<data key="[^"]+">([^<]*)<\/data>/.exec(m[3])?.[1] : undefined;
    edges.push({ from, to, binaries: bins ? bins.split(',').map((b) => b.replace(/ \(.*$/, '').trim()) : [] });
  }
  return { nodes, edges };
}

/** Tarjan over botch's source graph (the same iterative code as xdeb's: dist/lib/scc.js). */
async function botchComponents(srcgraph) {
  const { stronglyConnected, isCyclic } = await import(join(checkout, 'dist/lib/scc.js'));
  const g = readGraphml(srcgraph);
  const ids = [...g.nodes.keys()].filter((id) => g.nodes.get(id).kind === 'SrcPkg');
  const idx = new Map(ids.map((id, i) => [id, i]));
  const out = ids.map(() => []);
  const needs = new Map(); // "from\0to" → binaries
  for (const e of g.edges) {
    if (!idx.has(e.from) || !idx.has(e.to)) continue;
    out[idx.get(e.from)].push(idx.get(e.to));
    needs.set(`${g.nodes.get(e.from).name}\0${g.nodes.get(e.to).name}`, e.binaries);
  }
  const { components } = stronglyConnected(out);
  const cyclic = components.filter((c) => isCyclic(c, out)).map((c) => new Set(c.map((i) => g.nodes.get(ids[i]).name)));
  cyclic.sort((a, b) => b.size - a.size);
  return { sources: ids.map((id) => g.nodes.get(id).name), cyclic, needs };
}

function droppableLists() {
  const dir = '/usr/share/botch/droppable';
  const out = new Map(); // source → [{list, deps}]
  const weak = existsSync(join(dir, 'weak-build-dependencies.list'))
    ? readFileSync(join(dir, 'weak-build-dependencies.list'), 'utf8').split(/\s+/).filter(Boolean)
    : [];
  for (const list of ['pehjota', 'thorsten-glaser', 'daniel-schepler', 'gentoo', 'wookey', 'selfcycles']) {
    const f = join(dir, `${list}.list`);
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, 'utf8').split('\n')) {
      const [src, ...deps] = line.trim().split(/\s+/);
      if (!src?.startsWith('src:')) continue;
      const name = src.slice(4);
      out.set(name, [...(out.get(name) ?? []), { list, deps }]);
    }
  }
  return { bySource: out, weak };
}

/** Profiles a source's metadata mentions (Build-Depends, -Arch, Package-List), without cross. */
function offeredProfiles(src) {
  const found = new Set();
  // Version constraints go first: their '<<' and '>=' are no profile brackets.
  for (const f of ['Build-Depends', 'Build-Depends-Arch'])
    for (const m of (src[f] ?? '').replace(/\([^)]*\)/g, '').matchAll(/<([^<>]*)>/g))
      for (const t of m[1].trim().split(/\s+/)) found.add(t.replace(/^!/, ''));
  for (const m of (src['Package-List'] ?? '').matchAll(/profile=(\S+)/g))
    for (const t of m[1].split(/[+,]/)) found.add(t.replace(/^!/, ''));
  found.delete('cross');
  return [...found].sort();
}

/** Part A's explanations of sources in one side's loop only, for part C. */
const notesA = new Map();
const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : '-');
const list = (xs, max = 12) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} … (${xs.length})`);

// ---- A
async function partA(files) {
  const dir = join(cache, 'native-amd64');
  mkdirSync(join(dir, 'out'), { recursive: true });
  say('== A. self-contained build closure of the minimal system, native amd64, --full --bootstrap');
  const botchSeconds = cachedStep(
    dir,
    'botch-native',
    `cd ${dir} && rm -rf tmp && botch-native --self-contained --deb-drop-b-d-indep --timers --tmp ${dir}/tmp --output ${dir}/out amd64 ${files.Packages_amd64} ${files.Sources} > stdout.txt 2> stderr.txt`,
  );
  const seeds = [...new Set(sourceNames(join(dir, 'tmp/crossed-src')))].sort();
  const closure = sourceNames(join(dir, 'tmp/minimal-closure-src'));
  // botch's tocompile is what is left after its fixpoint: the sources it builds are both.
  const fixpoint = new Set(sourceNames(join(dir, 'tmp/compilable-src')));
  const tocompile = new Set([...sourceNames(join(dir, 'tmp/tocompile')), ...fixpoint]);
  const fas = new Map(); // source → build-deps botch's feedback arc set drops
  for (const l of readFileSync(join(dir, 'out/remove.list'), 'utf8').split('\n')) {
    const [src, ...deps] = l.trim().split(/\s+/);
    if (src?.startsWith('src:')) fas.set(src.slice(4), [...(fas.get(src.slice(4)) ?? []), ...deps]);
  }
  const fvs = readFileSync(join(dir, 'out/feedback_vertex_set.list'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^src:/, ''));
  const removed = readFileSync(join(dir, 'out/remove.list'), 'utf8').split('\n').filter(Boolean);
  const bsccs = (await botchComponents(join(dir, 'out/srcgraph.xml'))).cyclic;

  const x = runXdeb([
    '-a',
    'amd64',
    '--list',
    '--json',
    '--explain',
    '--full',
    '--bootstrap',
    '-B',
    '--implicit',
    'build-essential',
    '--disable-remote-repo',
    '--disable-local-repo',
    '--repo',
    files.Packages_amd64,
    '--repo',
    files.Sources,
    '--available',
    join(dir, 'tmp/available-crossed-all'),
    ...seeds,
  ]);
  const p = x.plan;
  const xnodes = new Set(p.steps.map((s) => s.source));
  const xloops = p.loops.filter((l) => l.staged.length || l.nocheck.length || l.unbroken.length).map((l) => new Set(l.sources));
  say(
    `input: the ${seeds.length} sources of botch's minimal system (cross-built, so their binaries are available), ${closure.length} sources in botch's self-contained closure`,
  );
  say('');
  say(`  ${x.line}`);
  say(
    "  NOT like for like: botch-native's time includes computing the minimal system, its self-contained closure and the available set, which xdeb is handed as input",
  );
  say('');
  say('                              botch        xdeb');
  say(
    `wall time                     ${botchSeconds.toFixed(0).padStart(5)} s   ${x.seconds.toFixed(1).padStart(7)} s   (botch: one run; xdeb: the median, ${x.graph.toFixed(1)} s graph, ${x.loops.toFixed(1)} s loops, the rest reading 100 MB of indexes; ${x.rssMB.toFixed(0)} MB)`,
  );
  say(
    `sources to build              ${String(tocompile.size).padStart(5)}     ${String(p.steps.filter((s) => !s.stage).length - seeds.filter((s) => xnodes.has(s)).length).padStart(7)}     (xdeb also lists the ${seeds.length} seeds, which need no build: their binaries are available)`,
  );
  // xdeb's counterpart of botch's fixpoint: builds that need nothing from a loop, directly or not.
  const inLoop = (s) => xloops.some((l) => l.has(s.source));
  const before = new Map();
  for (const s of p.steps) before.set(s.n, !s.stage && !inLoop(s) && s.after.every((a) => before.get(a)));
  const xfix = p.steps.filter((s) => before.get(s.n) && !seeds.includes(s.source)).length;
  say(
    `  of which built before loops ${String(fixpoint.size).padStart(5)}     ${String(xfix).padStart(7)}     (botch: its build-fixpoint; xdeb: steps that need nothing from a loop)`,
  );
  say(`cyclic components             ${String(bsccs.length).padStart(5)}     ${String(p.stats.cyclicComponents).padStart(7)}`);
  say(`largest component             ${String(bsccs[0]?.size ?? 0).padStart(5)}     ${String(p.stats.largestComponent).padStart(7)}`);
  say(
    `sources built with a profile  ${String(fvs.length).padStart(5)}     ${String(p.stats.stagedBuilds + p.stats.nocheckBuilds).padStart(7)}     (xdeb: ${p.stats.stagedBuilds} staged + ${p.stats.nocheckBuilds} with nocheck alone, which is final)`,
  );
  say(
    `build-deps dropped as a FAS   ${String(removed.length).padStart(5)}     ${'0'.padStart(7)}     (botch's feedback arc set, remove.list: edges it drops beyond profiles and its curated lists; xdeb uses the metadata only)`,
  );
  const unbroken = p.loops.flatMap((l) => l.unbroken);
  say(
    `left in loops no profile breaks   -     ${String(unbroken.reduce((a, u) => a + u.sources.length, 0)).padStart(7)}     (${unbroken.length} part${unbroken.length === 1 ? '' : 's'}; botch: none left, its lists break the rest)`,
  );
  say('');

  // Components, matched by overlap.
  say('Components (botch | xdeb | common | only botch | only xdeb):');
  const explainA = explainer(p, dir, files);
  for (const b of bsccs) {
    const xm = xloops.map((l) => [l, [...l].filter((s) => b.has(s)).length]).sort((u, v) => v[1] - u[1])[0];
    const xl = xm && xm[1] ? xm[0] : new Set();
    const onlyB = [...b].filter((s) => !xl.has(s)).sort();
    const onlyX = [...xl].filter((s) => !b.has(s)).sort();
    say(
      `  ${b.size} | ${xl.size} | ${b.size - onlyB.length} | ${onlyB.length} | ${onlyX.length}${onlyB.length + onlyX.length === 0 ? '   identical' : ''}`,
    );
    for (const s of onlyB) {
      const why = explainA.notInXdebLoop(s, b);
      notesA.set(`botch\0${s}`, why);
      say(`    only botch: ${s}: ${why}`);
    }
    for (const s of onlyX) {
      const why = explainA.notInBotchLoop(s, b, tocompile, fixpoint, closure);
      notesA.set(`xdeb\0${s}`, why);
      say(`    only xdeb:  ${s}: ${why}`);
    }
  }
  for (const l of xloops)
    if (!bsccs.some((b) => [...l].some((s) => b.has(s)))) say(`  xdeb only: a loop of ${l.size}: ${list([...l].sort())}`);
  say('');

  // Staged builds.
  const xstaged = new Map(p.loops.flatMap((l) => [...l.staged, ...l.nocheck]).map((s) => [s.source, s]));
  const both = fvs.filter((s) => xstaged.has(s));
  const onlyB = fvs.filter((s) => !xstaged.has(s));
  const onlyX = [...xstaged.keys()].filter((s) => !fvs.includes(s)).sort();
  say(
    `Sources built with a reduced profile: botch ${fvs.length}, xdeb ${xstaged.size}; both ${both.length}, only botch ${onlyB.length}, only xdeb ${onlyX.length}`,
  );
  const why = new Map();
  for (const s of onlyB) {
    const r = explainA.botchStaged(s, xloops, unbroken, fas);
    why.set(r.kind, [...(why.get(r.kind) ?? []), `${s}${r.detail ? ` (${r.detail})` : ''}`]);
  }
  for (const s of onlyX) {
    const r = explainA.xdebStaged(s, xstaged.get(s), bsccs, fvs);
    why.set(r.kind, [...(why.get(r.kind) ?? []), `${s}${r.detail ? ` (${r.detail})` : ''}`]);
  }
  for (const [kind, ss] of why) {
    say(`  ${kind}: ${ss.length}`);
    for (const s of ss) say(`    ${s}`);
  }
  say('');
  say('Loops no profile breaks (xdeb), each with a shortest cycle:');
  for (const u of unbroken)
    say(
      `  ${u.sources.length} sources: ${u.cycle.map((c) => `${c.source} needs ${c.binaries.slice(0, 2).join(', ')}`).join(' → ')} → ${u.cycle[0].source}`,
    );
  say('');
  return { seeds };
}

/** Why a source is on one side only, from xdeb's plan (--explain), botch's graph and the metadata. */
function explainer(plan, dir, files) {
  const steps = plan.steps;
  const byName = new Map();
  for (const s of steps) if (!s.stage) byName.set(s.source, s);
  const sources = new Map();
  for (const s of stanzas(files.Sources)) if (s.Package) sources.set(s.Package, s);
  const drops = droppableLists();
  let botchGraph;
  const bgraph = () => (botchGraph ??= readGraphml(join(dir, 'out/srcgraph.xml')));
  const botchNeeds = (needer, target) => {
    const g = bgraph();
    for (const e of g.edges) if (g.nodes.get(e.from)?.name === needer && g.nodes.get(e.to)?.name === target) return e.binaries;
    return undefined;
  };
  const xdebNeeds = (needer) => byName.get(needer)?.needs ?? [];
  const botchInEdges = (target, within) => {
    const g = bgraph();
    const out = [];
    for (const e of g.edges)
      if (g.nodes.get(e.to)?.name === target && within.has(g.nodes.get(e.from)?.name))
        out.push({ from: g.nodes.get(e.from).name, binaries: e.binaries });
    return out;
  };
  return {
    notInXdebLoop(s, bloop) {
      if (!byName.has(s)) {
        const e = botchInEdges(s, bloop)[0];
        if (!e) return "not in xdeb's closure";
        return `not in xdeb's closure: botch's solution for ${e.from} takes ${list(e.binaries, 3)} from it; xdeb's takes other alternatives (installation sets differ)`;
      }
      const e = botchInEdges(s, bloop)[0];
      return e
        ? `in xdeb's graph but on no cycle: botch has ${e.from} needing ${list(e.binaries, 3)} from it; xdeb's solution for ${e.from} ${xdebNeeds(e.from).some((n) => steps[n.step - 1].source === s) ? 'needs it too, but nothing it needs comes back' : 'does not take those binaries'}`
        : "on no cycle in xdeb's graph";
    },
    notInBotchLoop(s, bloop, tocompile, fixpoint, closure) {
      const inner = steps.filter((x) => !x.stage && bloop.has(x.source) && (x.needs ?? []).some((n) => steps[n.step - 1].source === s));
      const e = inner[0];
      const bins = e ? e.needs.find((n) => steps[n.step - 1].source === s).binaries : [];
      const bn = e ? botchNeeds(e.source, s) : undefined;
      const where = !closure.includes(s)
        ? "not in botch's closure"
        : fixpoint.has(s)
          ? "built by botch's fixpoint before the loops"
          : !tocompile.has(s)
            ? 'available for botch'
            : "in botch's graph, on no cycle";
      return `${where}; xdeb's solution for ${e ? `${e.source} takes ${list(bins, 3)} from it` : 'a loop member needs it'}${e ? (bn ? `, botch's takes ${list(bn, 3)}` : ", botch's solution takes none of its binaries") : ''} (installation sets differ)`;
    },
    botchStaged(s, xloops, unbroken, fas) {
      const src = sources.get(s) ?? {};
      const offered = offeredProfiles(src);
      const listed = drops.bySource.get(s);
      const bd = `${src['Build-Depends'] ?? ''},${src['Build-Depends-Arch'] ?? ''}`
        .replace(/\([^)]*\)|\[[^\]]*\]|<[^<>]*>/g, '')
        .split(/[,|]/)
        .map((x) => x.trim().replace(/:.*$/, ''))
        .filter(Boolean);
      const weak = drops.weak.filter((w) => bd.includes(w));
      const stuck = unbroken.some((u) => u.sources.includes(s));
      if (!xloops.some((l) => l.has(s))) return { kind: 'botch stages it, xdeb has it in no loop (installation sets differ)' };
      const how = [
        listed ? `curated lists: ${listed.map((l) => `${l.list}: ${l.deps.slice(0, 4).join(' ')}`).join('; ')}` : '',
        fas.has(s) ? `feedback arc set: ${fas.get(s).slice(0, 4).join(' ')}` : '',
        weak.length ? `weak build-deps: ${weak.join(' ')}` : '',
      ]
        .filter(Boolean)
        .join('; ');
      if (!offered.length) {
        return how
          ? { kind: 'its metadata offers no build profile; botch drops build-deps that are not in it', detail: how }
          : { kind: 'its metadata offers no build profile; botch drops build-deps its reduced graph marks droppable' };
      }
      if (stuck)
        return {
          kind: 'offers profiles, but it stays in the part no profile breaks: a staged build of it would free no source from that loop',
          detail: `${offered.join(',')}${how ? `; botch: ${how}` : ''}`,
        };
      return {
        kind: 'offers profiles; xdeb breaks its cycles through other sources (the heuristics choose differently)',
        detail: offered.join(','),
      };
    },
    xdebStaged(s, st, bsccs) {
      if (!bsccs.some((b) => b.has(s)))
        return { kind: 'xdeb stages it, botch has it in no loop (installation sets differ)', detail: st.profiles.join(',') };
      return {
        kind: 'xdeb stages it, botch breaks its cycles elsewhere (droppable lists or another vertex)',
        detail: `${st.profiles.join(',')}: does without ${list(
          st.breaks.map((b) => b.source),
          4,
        )}`,
      };
    },
  };
}

// ---- B
function partB(files, seeds) {
  say('== B. the same closure cross-built for arm64 (--full --bootstrap; build-arch and arch:all packages from the archive)');
  const x = runXdeb([
    '-a',
    'arm64',
    '--list',
    '--json',
    '--full',
    '--bootstrap',
    '--disable-remote-repo',
    '--disable-local-repo',
    '--repo',
    files.Packages_amd64,
    '--repo',
    files.Packages_arm64,
    '--repo',
    files.Sources,
    ...seeds,
  ]);
  const p = x.plan;
  const bad = p.steps.filter((s) => s.unsatisfiable);
  say(`  ${x.line}`);
  say(
    `xdeb: ${x.seconds.toFixed(1)} s wall, the median (${x.graph.toFixed(1)} s graph, ${x.loops.toFixed(1)} s loops), ${x.rssMB.toFixed(0)} MB`,
  );
  say(
    `${p.stats.sources} builds for arm64 in the closure; ${p.stats.cyclicComponents} cyclic component(s), the largest ${p.stats.largestComponent}; ${p.stats.stagedBuilds} staged builds; ${p.stats.unbrokenLoops} part(s) no profile breaks; ${bad.length} builds not cross-satisfiable`,
  );
  for (const l of p.loops) {
    say(
      `  staged: ${list(
        l.staged.map((s) => `${s.source} [${s.profiles.join(',')}]`),
        40,
      )}`,
    );
    for (const u of l.unbroken)
      say(
        `  no profile breaks ${u.sources.length}: ${u.cycle.map((c) => `${c.source} needs ${c.binaries.slice(0, 2).join(', ')}`).join(' → ')} → ${u.cycle[0].source}`,
      );
  }
  say(
    `  not cross-satisfiable: ${list(
      bad.map((s) => s.source),
      20,
    )}`,
  );
  say('');
}

// ---- C
async function partC(files) {
  const dir = join(cache, 'archive-amd64');
  mkdirSync(dir, { recursive: true });
  say('== C. whole-archive strongly connected components, native amd64 (minimal system and arch:all available)');
  const seeds = new Set(sourceNames(join(cache, 'native-amd64/tmp/crossed-src')));
  const available = join(dir, 'available');
  const tocompile = join(dir, 'tocompile');
  if (!existsSync(tocompile)) {
    // available: every arch:all package and every binary of the minimal system's sources; to
    // build: every source (xdeb-sequence --all), the same set for both.
    const av = createWriteStream(available);
    for (const p of stanzas(files.Packages_amd64)) {
      const src = /^(\S+)/.exec(p.Source ?? p.Package)[1];
      if (p.Architecture === 'all' || seeds.has(src))
        av.write(`Package: ${p.Package}\nVersion: ${p.Version}\nArchitecture: ${p.Architecture}\n\n`);
    }
    av.end();
    const tc = [];
    for (const s of stanzas(files.Sources))
      if (s['Extra-Source-Only'] !== 'yes')
        tc.push(
          Object.entries(s)
            .map(([k, v]) => `${k}: ${v.replace(/\n/g, '\n ')}`)
            .join('\n'),
        );
    writeFileSync(tocompile, tc.join('\n\n') + '\n');
    await new Promise((r) => av.on('finish', r));
  }
  const universe = `--deb-native-arch=amd64 --bg ${files.Sources} ${files.Packages_amd64} ${tocompile}`;
  const g1 = cachedStep(
    dir,
    'botch-create-graph',
    `botch-create-graph --deb-drop-b-d-indep --deb-ignore-essential -A ${available} ${universe} > ${dir}/buildgraph.xml 2> ${dir}/create-graph.err`,
  );
  const g2 = cachedStep(
    dir,
    'botch-buildgraph2srcgraph',
    `botch-buildgraph2srcgraph --deb-drop-b-d-indep ${dir}/buildgraph.xml ${universe} > ${dir}/srcgraph.xml 2> ${dir}/srcgraph.err`,
  );
  const b = await botchComponents(join(dir, 'srcgraph.xml'));
  const x = runXdeb([
    '-a',
    'amd64',
    '--list',
    '--json',
    '--all',
    '--full',
    '-B',
    '--implicit',
    'build-essential',
    '--disable-remote-repo',
    '--disable-local-repo',
    '--repo',
    files.Packages_amd64,
    '--repo',
    files.Sources,
    '--available',
    available,
  ]);
  const p = x.plan;
  const xl = p.loops.filter((l) => l.unbroken.length).map((l) => new Set(l.sources));
  xl.sort((u, v) => v.size - u.size);
  say(`  ${x.line}`);
  say(
    `botch: ${(g1 + g2).toFixed(0)} s, one run (create-graph ${g1.toFixed(0)} s, buildgraph2srcgraph ${g2.toFixed(0)} s) for ${b.sources.length} sources`,
  );
  say(
    `xdeb:  ${x.seconds.toFixed(1)} s wall, the median (${x.graph.toFixed(1)} s graph: ${p.stats.checks} checks; ${x.loops.toFixed(1)} s components), ${x.rssMB.toFixed(0)} MB, ${p.stats.sources} sources, ${p.stats.edges} edges`,
  );
  say('  like for like: both start from the same Packages, Sources and available set');
  say(
    `cyclic components: botch ${b.cyclic.length}, xdeb ${xl.length}; largest: botch ${b.cyclic[0]?.size ?? 0}, xdeb ${xl[0]?.size ?? 0}; sources in loops: botch ${b.cyclic.reduce((a, c) => a + c.size, 0)}, xdeb ${xl.reduce((a, c) => a + c.size, 0)}`,
  );
  const key = (s) => [...s].sort().join(' ');
  const xkeys = new Set(xl.map(key));
  const bkeys = new Set(b.cyclic.map(key));
  const same = b.cyclic.filter((c) => xkeys.has(key(c)));
  say(
    `identical components: ${same.length} of botch's ${b.cyclic.length} (${pct(same.length, b.cyclic.length)}), covering ${same.reduce((a, c) => a + c.size, 0)} sources`,
  );
  const diffs = []; // [side, source, botch component]
  for (const c of b.cyclic.filter((c) => !xkeys.has(key(c)))) {
    const overlapping = xl
      .map((l) => [l, [...l].filter((s) => c.has(s)).length])
      .filter(([, k]) => k > 0)
      .sort((u, v) => v[1] - u[1]);
    const m = overlapping[0]?.[0] ?? new Set();
    const onlyB = [...c].filter((s) => !m.has(s)).sort();
    const onlyX = [...m].filter((s) => !c.has(s)).sort();
    say(`  botch ${c.size} vs xdeb ${m.size}: only botch ${onlyB.length}, only xdeb ${onlyX.length}`);
    // Sources of the botch component that xdeb has in loops of their own.
    for (const [l] of overlapping.slice(1)) say(`    a separate xdeb loop of ${l.size} inside it: ${list([...l].sort(), 12)}`);
    for (const s of onlyB) diffs.push(['botch', s, c]);
    for (const s of onlyX) diffs.push(['xdeb', s, c]);
  }
  for (const l of xl.filter((l) => !b.cyclic.some((c) => [...l].some((s) => c.has(s))))) {
    say(`  xdeb only: a loop of ${l.size}: ${list([...l].sort(), 12)}`);
    for (const s of l) diffs.push(['xdeb', s, new Set()]);
  }
  // What the builds of the sources not explained in A need, for xdeb (one --only-explicit plan) and for botch (its graph).
  const rest = diffs.filter(([side, s]) => !notesA.has(`${side}\0${s}`));
  let q;
  if (rest.length) {
    q = runXdeb(
      [
        '-a',
        'amd64',
        '--list',
        '--json',
        '--explain',
        '--full',
        '--only-explicit',
        '-B',
        '--implicit',
        'build-essential',
        '--disable-remote-repo',
        '--disable-local-repo',
        '--repo',
        files.Packages_amd64,
        '--repo',
        files.Sources,
        '--available',
        available,
        ...new Set(rest.map(([, s]) => s)),
      ],
      1,
    ).plan;
  }
  /** What xdeb's build of src needs: [source, binaries] pairs (its own binaries: a self-loop). */
  const xdebNeeds = (src) => {
    const out = [];
    for (const pr of q?.problems ?? []) if (pr.needer === src) out.push([pr.source, pr.binaries]);
    const st = q?.steps.find((x) => x.source === src);
    for (const n of st?.needs ?? []) out.push([q.steps[n.step - 1].source, n.binaries]);
    const self = q?.loops.find((l) => l.sources.length === 1 && l.sources[0] === src);
    if (self) out.push([src, self.unbroken[0]?.cycle[0]?.binaries ?? []]);
    return out;
  };
  for (const [side, s, c] of diffs) {
    const noted = notesA.get(`${side}\0${s}`);
    if (noted) {
      say(`    only ${side}: ${s}: as in A (${noted})`);
      continue;
    }
    // The same sources on botch's side: what its build of s takes from each of them.
    const xn = xdebNeeds(s);
    const from = new Set([...xn.map(([t]) => t), s, ...[...c]]);
    const bn = [...b.needs]
      .filter(([k]) => k.startsWith(`${s}\0`) && from.has(k.split('\0')[1]))
      .map(([k, v]) => `${list(v, 2)} from ${k.split('\0')[1]}`);
    const xs = xn.map(([t, bins]) => `${list(bins, 2)} from ${t}${t === s ? ' (itself)' : ''}`);
    say(
      `    only ${side}: ${s}: xdeb's build of it needs ${list(xs, 4) || 'nothing unavailable'}; botch's needs ${list(bn, 4) || 'nothing from those'} (installation sets differ)`,
    );
  }
  say('');
}

const files = dataFiles();
say('# xdeb-sequence vs botch, bookworm');
for (const l of header(checkout, {
  botch: debVersion('botch'),
  'dose (libdose3-ocaml)': ['sh', '-c', "dpkg-query -W -f '${Version}' dose-builddebcheck"],
}))
  say(l);
say(`runs: xdeb-sequence ${RUNS} times per command (every run and the median); botch's steps once, cached in ${cache}`);
say('');
let seeds;
if (parts.has('A') || parts.has('B')) seeds = (await partA(files)).seeds;
if (parts.has('B')) partB(files, seeds);
if (parts.has('C')) await partC(files);
say(footer());
if (outFile) writeFileSync(outFile, lines.join('\n') + '\n');
