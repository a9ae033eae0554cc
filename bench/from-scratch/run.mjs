#!/usr/bin/env node
// "From scratch, on paper": xdeb-sequence's plan for a new port, the minimal system of bookworm
// cross-built for arm64 with nothing of arm64 built yet (--full --bootstrap --no-seed), before and
// after what Debian itself knows is used: the Multi-Arch: foreign fixes of a later release
// (--assume-foreign-from trixie's Packages files), botch's droppable lists, and a hints file.
// It prints, for each configuration, the builds, the loops, the loop parts no profile breaks and
// the unsatisfiable builds; for the last configuration each remaining loop with its shortest cycle
// and what could break it, and each unsatisfiable build classified with the rule that would fix
// it; and the toolchain's stage order (lib/toolchain-stages) with the profiles bookworm's Sources
// really declare for binutils, gcc-12, glibc and linux. A script, not a test.
//
// The minimal system: the Essential: yes packages and build-essential of Packages_<host>, their
// installation set as dose-deb-coinstall computes it (as botch-native does), the sources of its
// architecture-dependent packages (arch:all packages need no build for a new port).
//
// Usage: node bench/from-scratch/run.mjs [--data DIR] [--later DIR] [--host ARCH] [--runs N]
//                                        [--cache DIR] [--hints FILE] [--out FILE]
//   --data   bookworm's Sources.xz, Packages_amd64.xz, Packages_<host>.xz (../shared/data/bookworm)
//   --later  the later release's Packages_*.xz and Sources.xz (../shared/data/trixie)
//   --runs   xdeb-sequence runs per configuration (3): every run and the median are printed
//   --cache  where the indexes are decompressed for dose and the classifier (/tmp/xdeb-bench-from-scratch)
//   --hints  the hints file of the last configuration (bench/from-scratch/hints.deb822, when there)
//   --out    also write the report to this file (bench/results/from-scratch-bookworm-<date>.txt)
// The report starts with the date, the commit and whether the tree is clean, the tools' versions,
// uptime and /proc/loadavg, and ends with /proc/loadavg (bench/run-info.mjs).
// Needs dist/ (npm run build), dose-deb-coinstall, grep-dctrl, xz, /usr/bin/time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { debVersion, footer, header, median, runsAndMedian } from '../run-info.mjs';

if (v8.getHeapStatistics().heap_size_limit < 6e9 && !process.env.XDEB_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, XDEB_BENCH_CHILD: '1' },
  });
  process.exit(r.status ?? 1);
}

const checkout = fileURLToPath(new URL('../..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const dataRoots = [join(checkout, '../shared/data'), '/work/shared/data'];
const findData = (release) =>
  dataRoots.map((r) => join(r, release)).find((d) => existsSync(join(d, 'Sources.xz'))) ?? join(dataRoots[0], release);
const dataDir = resolve(opt('--data', findData('bookworm')));
const laterDir = resolve(opt('--later', findData('trixie')));
const host = opt('--host', 'arm64');
const build = 'amd64';
const RUNS = Math.max(1, Number(opt('--runs', 3)));
const cache = resolve(opt('--cache', '/tmp/xdeb-bench-from-scratch'));
const hintsFile = resolve(opt('--hints', join(checkout, 'bench/from-scratch/hints.deb822')));
const outFile = opt('--out', undefined);
const xdeb = join(checkout, 'bin/xdeb-sequence.js');
const { compareVersions } = await import(join(checkout, 'dist/lib/version.js'));
const { toolchainStageOrder, formatToolchainStages } = await import(join(checkout, 'dist/lib/toolchain-stages.js'));

const lines = [];
const say = (s = '') => {
  lines.push(s);
  process.stdout.write(s + '\n');
};
const sh = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 30 });
const list = (xs, max = 12) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} … (${xs.length})`);

// ---- inputs

/** An index decompressed into the cache (dose and grep-dctrl read it; xdeb reads the .xz itself). */
function plain(dir, name) {
  const xz = join(dir, `${name}.xz`);
  if (!existsSync(xz)) throw new Error(`no ${xz}`);
  const to = join(cache, dir.split('/').filter(Boolean).pop(), name);
  if (!existsSync(to)) {
    mkdirSync(join(to, '..'), { recursive: true });
    const r = sh(`xz -dc '${xz}' > '${to}.tmp' && mv '${to}.tmp' '${to}'`);
    if (r.status !== 0) throw new Error(`xz -dc ${xz}: ${r.stderr}`);
  }
  return to;
}

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

/** Sources by name, the highest version of each. */
function sourcesByName(file) {
  const out = new Map();
  for (const s of stanzas(file)) {
    if (s['Extra-Source-Only'] === 'yes') continue;
    const known = out.get(s.Package);
    if (!known || compareVersions(s.Version, known.Version) > 0) out.set(s.Package, s);
  }
  return out;
}

/** Binary packages by name: { arch, ma, deps: [[name…]…] (unqualified alternatives), provides }, the highest version. */
function packagesByName(file) {
  const out = new Map();
  const providers = new Map();
  for (const p of stanzas(file)) {
    const known = out.get(p.Package);
    if (known && compareVersions(p.Version, known.version) <= 0) continue;
    const deps = [];
    for (const f of ['Pre-Depends', 'Depends'])
      for (const rel of splitRelations(p[f] ?? '')) {
        const names = rel.filter((a) => a.qual !== 'any' && a.qual !== 'native').map((a) => a.name);
        if (names.length) deps.push(names);
      }
    out.set(p.Package, {
      name: p.Package,
      version: p.Version,
      arch: p.Architecture,
      ma: p['Multi-Arch'] ?? 'no',
      deps,
      source: (p.Source ?? p.Package).split(' ')[0],
    });
    for (const a of splitRelations(p.Provides ?? '').flat()) {
      if (!providers.has(a.name)) providers.set(a.name, []);
      providers.get(a.name).push(p.Package);
    }
  }
  return { byName: out, providers };
}

/** A relation field's clauses: [[{ name, qual, version, archs, profiles, text }…]…]. */
function splitRelations(text) {
  const out = [];
  for (const clause of text.replace(/\n/g, ' ').split(',')) {
    if (!clause.trim()) continue;
    const alts = [];
    for (const alt of clause.split('|')) {
      const m = /^\s*([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(\([^)]*\))?\s*(\[[^\]]*\])?\s*((?:<[^>]*>\s*)*)$/.exec(alt);
      if (!m) continue;
      alts.push({ name: m[1], qual: m[2], version: m[3], archs: m[4], profiles: m[5]?.trim() || undefined, text: alt.trim() });
    }
    if (alts.length) out.push(alts);
  }
  return out;
}

/** Does an [arch list] let the clause apply to the host? */
function forHost(archs) {
  if (!archs) return true;
  const words = archs.slice(1, -1).trim().split(/\s+/);
  const match = (w) => [host, 'any', 'linux-any', `any-${host}`].includes(w);
  if (words[0]?.startsWith('!')) return !words.some((w) => match(w.slice(1)));
  return words.some(match);
}

/** The build-dependency clauses of a source that apply to a cross build for the host (arch and indep fields). */
function buildDepends(src) {
  const out = [];
  for (const f of ['Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep'])
    for (const rel of splitRelations(src?.[f] ?? '')) {
      const alts = rel.filter((a) => forHost(a.archs));
      if (alts.length) out.push({ field: f, alts });
    }
  return out;
}

/** The profiles a source's metadata mentions: [field → profiles], and its binaries' profile= of Package-List. */
function declaredProfiles(src) {
  const fields = {};
  for (const f of ['Build-Depends', 'Build-Depends-Arch', 'Build-Depends-Indep']) {
    const found = new Set();
    for (const m of (src[f] ?? '').replace(/\([^)]*\)/g, '').matchAll(/<([^<>]*)>/g))
      for (const t of m[1].trim().split(/\s+/)) found.add(t);
    if (found.size) fields[f] = [...found].sort();
  }
  const binaries = new Set();
  for (const m of (src['Package-List'] ?? '').matchAll(/profile=(\S+)/g)) binaries.add(m[1]);
  return { fields, binaries: [...binaries].sort() };
}

// ---- the minimal system

function minimalSystem(packagesHost) {
  const fg = join(cache, `minimal-fg-${host}`);
  const set = join(cache, `minimal-set-${host}`);
  let r = sh(`grep-dctrl -X \\( -FPackage build-essential --or -FEssential yes \\) '${packagesHost}' > '${fg}'`);
  if (r.status !== 0) throw new Error(`grep-dctrl: ${r.stderr}`);
  r = sh(`dose-deb-coinstall --bg='${packagesHost}' --fg='${fg}' --deb-native-arch=${host} > '${set}'`);
  if (r.status !== 0) throw new Error(`dose-deb-coinstall: ${r.stderr.slice(-2000)}`);
  const seeds = [...stanzas(fg)].map((p) => p.Package);
  const installed = [...stanzas(set)];
  const sources = new Set(installed.filter((p) => p.Architecture !== 'all').map((p) => (p.Source ?? p.Package).split(' ')[0]));
  const allOnly = new Set(installed.filter((p) => p.Architecture === 'all').map((p) => (p.Source ?? p.Package).split(' ')[0]));
  for (const s of sources) allOnly.delete(s);
  return { seeds, installed: installed.length, sources: [...sources].sort(), allOnly: [...allOnly].sort() };
}

// ---- running xdeb-sequence

function timed(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: m ? Number(m[1]) : NaN, rssMB: m ? Number(m[2]) / 1024 : NaN };
}

function runXdeb(argv) {
  const all = [];
  let plan;
  let stderr;
  let first;
  let same = true;
  for (let i = 0; i < RUNS; i++) {
    const r = timed([process.execPath, '--max-old-space-size=8192', xdeb, ...argv]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`xdeb-sequence ${argv.join(' ')} exited ${r.code}: ${r.stderr.slice(-3000)}`);
    const p = JSON.parse(r.stdout);
    const steps = JSON.stringify(p.steps.map((s) => [s.source, s.stage ?? '', s.unsatisfiable ?? '']));
    if (i === 0) [plan, stderr, first] = [p, r.stderr, steps];
    else if (steps !== first) same = false;
    all.push({
      seconds: r.seconds,
      rssMB: r.rssMB,
      graph: p.stats.milliseconds.graph / 1000,
      loops: p.stats.milliseconds.bootstrap / 1000,
    });
  }
  const timing = `${RUNS} run(s): wall s ${runsAndMedian(all.map((a) => a.seconds))}; graph s ${runsAndMedian(all.map((a) => a.graph))}; loops s ${runsAndMedian(all.map((a) => a.loops))}; peak RSS MB ${runsAndMedian(
    all.map((a) => a.rssMB),
    (x) => x.toFixed(0),
  )}${RUNS > 1 ? (same ? '; the same plan in every run' : '; PLANS DIFFER between runs (the figures are from run 1)') : ''}`;
  return { plan, stderr, timing, seconds: median(all.map((a) => a.seconds)) };
}

function figures(p) {
  const unbroken = p.loops.flatMap((l) => l.unbroken);
  const staged = p.loops.flatMap((l) => l.staged);
  const byKind = {};
  for (const s of staged) byKind[s.kind ?? 'profile'] = (byKind[s.kind ?? 'profile'] ?? 0) + 1;
  return {
    builds: p.steps.length,
    sources: p.stats.sources,
    cyclic: p.stats.cyclicComponents,
    largest: p.stats.largestComponent,
    staged: staged.length,
    byKind,
    unbrokenParts: unbroken.length,
    inUnbroken: unbroken.reduce((n, u) => n + u.sources.length, 0),
    unsatisfiable: p.steps.filter((s) => s.unsatisfiable).length,
  };
}

// ---- why a build is unsatisfiable, and what would fix it

const COMPILERS = /^(cpp|gcc|g\+\+|gfortran|gobjc|gobjc\+\+|gccgo|gdc|gnat|binutils)(-\d+)?$/;

/** The clauses of an unsatisfiable reason: [{ field, dep, reason }]. */
function reasonClauses(text) {
  return text.split(/;\s(?=Build-(?:Depends|Conflicts)(?:-Arch|-Indep)?: )/).map((c) => {
    const m = /^(Build-[A-Za-z-]+): ((?:\([^)]*\)|[^:(])+): (.*)$/s.exec(c);
    return m ? { field: m[1], dep: m[2].trim(), reason: m[3] } : { field: '', dep: '', reason: c };
  });
}

function classifyClause(c) {
  let m = /(\S+) is Architecture: all without Multi-Arch: foreign/.exec(c.reason);
  if (m) return { cls: 'arch-all', blocker: m[1] };
  m = /^(\S+):(\S+) \S+ conflicts with \1:(\S+) \S+, which must stay installed/.exec(c.reason);
  if (m) return { cls: 'essential', blocker: m[1] };
  m = /^(\S+):(\S+) \S+ conflicts with (\S+):(\S+) /.exec(c.reason);
  if (m) return { cls: COMPILERS.test(m[1]) ? 'compiler' : 'conflict', blocker: m[1] };
  m = /no package is named or provides '([^']+)'/.exec(c.reason);
  if (m) return { cls: 'missing', blocker: m[1] };
  return { cls: 'other', blocker: undefined };
}

const CLASS_NAMES = {
  'arch-all': 'Architecture: all without Multi-Arch: foreign',
  compiler: "compiler: the host's copy conflicts with the build's (cpp-12, binutils)",
  essential: 'an Essential package of the build architecture must stay (perl-base)',
  conflict: "another host copy conflicts with the build's (python3.11-minimal)",
  missing: 'needs a package with no source',
  other: 'other',
};

/**
 * A dependency path from `from` to one of `targets` through the host's packages: not through
 * Multi-Arch: foreign or arch:all ones (the build architecture's serve there), unless `throughForeign`.
 */
function pathTo(pk, from, targets, maxDepth = 6, throughForeign = false) {
  const seen = new Set([from]);
  let frontier = [[from]];
  for (let d = 0; d < maxDepth && frontier.length; d++) {
    const next = [];
    for (const path of frontier) {
      const name = path[path.length - 1];
      const real = pk.byName.get(name) ? [name] : (pk.providers.get(name) ?? []);
      for (const n of real) {
        if (targets.has(n)) return n === name ? path : [...path, n];
        const p = pk.byName.get(n);
        if (!p || (!throughForeign && (p.ma === 'foreign' || p.arch === 'all'))) continue;
        for (const alts of p.deps)
          for (const a of alts) {
            if (targets.has(a)) return [...path, ...(n === name ? [] : [n]), a];
            if (!seen.has(a)) {
              seen.add(a);
              next.push([...path, ...(n === name ? [] : [n]), a]);
            }
          }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** The clause of a later source that names `name` (or its -for-host form), with what changed. */
function laterClause(src, name) {
  if (!src) return undefined;
  for (const { alts } of buildDepends(src)) for (const a of alts) if (a.name === name || a.name === `${name}-for-host`) return a;
  return null;
}

function fixFor(ctx, step, c, k) {
  const dep = splitRelations(c.dep)[0]?.[0]?.name ?? c.dep;
  const laterSrc = ctx.later.sources.get(step.source);
  const mine = buildDepends(ctx.bw.sources.get(step.source))
    .flatMap((r) => r.alts)
    .find((a) => a.name === dep);
  if (k.blocker && ctx.laterForeign.has(k.blocker)) return `assume-foreign: trixie marks ${k.blocker} Multi-Arch: foreign`;
  if (mine?.profiles) return `bookworm's own ${mine.profiles} on ${dep}: a build with that profile does without it`;
  const lc = laterClause(laterSrc, dep);
  if (lc) {
    if (lc.name !== dep) return `trixie's ${step.source} build-depends on ${lc.text} instead (the host's compiler, by name)`;
    if (lc.qual === 'native' || lc.qual === 'any') return `trixie's ${step.source} says '${lc.text}': the build architecture's copy serves`;
    if (lc.profiles) return `trixie's ${step.source} says '${lc.text}': a profile build does without it`;
  } else if (lc === null) return `trixie's ${step.source} no longer build-depends on ${dep}`;
  if (k.cls === 'arch-all' && dep !== k.blocker) {
    const via = pathTo(ctx.bw.pk, dep, new Set([k.blocker]));
    const mid = via && via.length >= 2 ? via[via.length - 2] : undefined;
    if (mid) {
      if (!ctx.later.pk.byName.has(mid)) return `via ${via.join(' → ')}: trixie has no ${mid}`;
      const laterVia = pathTo(ctx.later.pk, mid, new Set([k.blocker]));
      if (!laterVia) {
        const anyVia = pathTo(ctx.later.pk, mid, new Set([k.blocker]), 6, true);
        const foreignOn = anyVia?.find((n) => ctx.later.pk.byName.get(n)?.ma === 'foreign');
        if (foreignOn)
          return `via ${via.join(' → ')}: trixie's ${mid} reaches ${k.blocker} only through ${foreignOn} (Multi-Arch: foreign): the build architecture's serves`;
        return `via ${via.join(' → ')}: trixie's ${mid} no longer depends on ${k.blocker}`;
      }
      return `via ${via.join(' → ')}: no later release changes it; ${mid} needs ${k.blocker}:native or ${k.blocker} Multi-Arch: foreign`;
    }
  }
  switch (k.cls) {
    case 'arch-all':
      return `needs ${k.blocker} Multi-Arch: foreign (no later release says so) or '${dep}:native' in Build-Depends`;
    case 'compiler':
      return `'${dep}' names the build architecture's compiler: the source needs ${dep.replace(/-\d+$/, '')}-for-host (trixie's gcc-defaults has gcc-, gfortran-, gobjc-for-host; bookworm only binutils-for-host) or the cross compiler (${dep}-${ctx.gnu})`;
    case 'essential':
      return `'${dep}' must be '${dep}:any' or '${dep}:native': ${k.blocker} is Essential and the build architecture's copy stays`;
    case 'conflict':
      return `'${dep}:native' (a build tool) or ${dep} Multi-Arch: foreign; its host copy pulls in ${k.blocker}:${host}`;
    case 'missing':
      return `no source of bookworm builds ${k.blocker}`;
    default:
      return 'see the reason';
  }
}

// ---- why a loop part stays

function loopNotes(ctx, u) {
  const out = [];
  const changed = [];
  u.cycle.forEach((c, i) => {
    const next = u.cycle[(i + 1) % u.cycle.length];
    const wanted = new Set(c.binaries.map((b) => b.replace(/:.*$/, '')));
    const src = ctx.bw.sources.get(c.source);
    const laterSrc = ctx.later.sources.get(c.source);
    const hits = [];
    for (const { field, alts } of buildDepends(src)) {
      const a = alts[0];
      if (a.qual === 'native' || a.qual === 'any') continue;
      const via = wanted.has(a.name) ? [a.name] : pathTo(ctx.bw.pk, a.name, wanted, 4);
      if (!via) continue;
      const lc = laterClause(laterSrc, a.name);
      const later =
        lc === undefined
          ? 'no trixie source'
          : lc === null
            ? 'trixie drops it'
            : lc.text === a.text
              ? 'trixie: the same'
              : `trixie: '${lc.text}'`;
      const lists = [
        ...new Set(ctx.droppable.filter((d) => (d.source === c.source || d.source === null) && d.deps.includes(a.name)).map((d) => d.list)),
      ];
      const text = `${field === 'Build-Depends' ? '' : field + ': '}${a.text}${via.length > 1 ? ` (→ ${via.slice(1).join(' → ')})` : ''}; ${later}${lists.length ? `; botch's ${lists.join(', ')} list(s) drop it` : ''}`;
      hits.push({ via, len: via.length, changed: lc !== undefined && (lc === null || lc.text !== a.text), text });
    }
    hits.sort((a, b) => a.len - b.len);
    changed.push(...hits.filter((h) => h.changed).map((h) => `${c.source}: ${h.text}`));
    for (const h of hits) for (const n of laterOnPath(ctx, h.via)) if (!changed.includes(n)) changed.push(n);
    const why = hits.length
      ? hits
          .slice(0, 3)
          .map((h) => h.text)
          .join(' | ')
      : 'through a tool or an implicit dependency (no build-dependency of its own leads there within 4 steps)';
    out.push(`      ${c.source}${c.stage ? ` [${c.stage}]` : ''} needs ${list(c.binaries, 3)} of ${next.source}: ${why}`);
  });
  out.push(`      → ${loopVerdict(ctx, u, changed)}`);
  return out;
}

/**
 * On a path of binaries (X → Y → …), what a later release changed in the source T of an
 * intermediate X: a profile on the build-dependency that makes X depend on Y's source.
 */
function laterOnPath(ctx, via) {
  const out = [];
  for (let i = 1; i + 1 < via.length; i++) {
    const x = ctx.bw.pk.byName.get(via[i]);
    const y = ctx.bw.pk.byName.get(via[i + 1]);
    if (!x || !y || x.source === y.source) continue;
    const ys = [...ctx.bw.pk.byName.values()].filter((p) => p.source === y.source).map((p) => p.name);
    const laterT = ctx.later.sources.get(x.source);
    for (const { alts } of buildDepends(laterT))
      for (const a of alts)
        if (a.profiles && ys.includes(a.name))
          out.push(
            `${x.source} (whose ${x.name} depends on ${y.name}): trixie's ${x.source} says '${a.text}', a staged ${x.source} without ${y.source}`,
          );
  }
  return out;
}

/** What a loop part is, in one line: the toolchain, its own build needed to cross-build, what Debian changed later, or no known rule. */
function loopVerdict(ctx, u, changed) {
  const names = u.sources.map((s) => (typeof s === 'string' ? s : s.source));
  const tool = names.filter((n) => /^gcc-\d+$/.test(n) || n === 'glibc');
  if (tool.length)
    return `the toolchain (${tool.join(', ')}): rebootstrap breaks it with the stages below; gcc's DEB_STAGE builds are build-architecture builds that make ${host}'s gcc-N-base, libgcc-s1, libstdc++6 … as by-products (with_deps_on_target_arch_pkgs), which no Build-Profile in Sources shows`;
  const own = u.cycle.length === 1 ? u.cycle[0] : undefined;
  const cross = own
    ? buildDepends(ctx.bw.sources.get(own.source))
        .flatMap((r) => r.alts)
        .find((a) => /<cross>/.test(a.profiles ?? '') && own.binaries.some((b) => b.startsWith(`${a.name}:`)))
    : undefined;
  if (cross)
    return `it needs its own ${host} build to cross-build ('${cross.text}', for the host, not ':native'): a native build on the new port first, or a seed`;
  if (changed.length) return `Debian changed a build-dependency on it later: ${changed.join('; ')}`;
  return 'no later release and no droppable list changes a build-dependency on the cycle';
}

function readDroppable() {
  const dir = '/usr/share/botch/droppable';
  const out = [];
  if (!existsSync(dir)) return out;
  for (const f of sh(`ls ${dir}`)
    .stdout.split('\n')
    .filter((n) => n.endsWith('.list'))) {
    const name = f.replace(/\.list$/, '');
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const words = line.replace(/#.*/, '').trim().split(/\s+/).filter(Boolean);
      if (!words.length) continue;
      if (words[0].startsWith('src:')) out.push({ list: name, source: words[0].slice(4), deps: words.slice(1) });
      else if (name.startsWith('weak')) out.push({ list: name, source: null, deps: words });
    }
  }
  return out;
}

// ---- main

say('# xdeb-sequence from scratch, on paper: the minimal system of bookworm for a new arm64, nothing of arm64 built');
for (const l of header(checkout, {
  'dose-deb-coinstall (dose)': ['sh', '-c', "dpkg-query -W -f '${Version}' dose-builddebcheck"],
  botch: debVersion('botch'),
}))
  say(l);
say(`uptime: ${sh('uptime').stdout.trim()}`);
say(`data: ${dataDir} (Sources.xz, Packages_${build}.xz, Packages_${host}.xz); later release: ${laterDir}`);
say('');

const bwFiles = { Sources: plain(dataDir, 'Sources'), [`Packages_${host}`]: plain(dataDir, `Packages_${host}`) };
const ms = minimalSystem(bwFiles[`Packages_${host}`]);
say(
  `minimal system: the ${ms.seeds.length} Essential: yes packages and build-essential of Packages_${host}; dose-deb-coinstall's installation set, ${ms.installed} packages; the sources of its architecture-dependent ones: ${ms.sources.length}`,
);
say(`  ${ms.sources.join(' ')}`);
say(`  (arch:all only, no build needed for a new port: ${ms.allOnly.join(' ') || 'none'})`);
say('');

const repos = ['Packages_amd64.xz', `Packages_${host}.xz`, 'Sources.xz'].flatMap((f) => ['--repo', join(dataDir, f)]);
const base = [
  '-a',
  host,
  '--list',
  '--json',
  '--full',
  '--bootstrap',
  '--no-seed',
  '--disable-remote-repo',
  '--disable-local-repo',
  ...repos,
];
const foreign = ['Packages_amd64.xz', `Packages_${host}.xz`].flatMap((f) => ['--assume-foreign-from', join(laterDir, f)]);
const configs = [
  { name: 'before', label: 'before: no assumed Multi-Arch, no droppable lists, no hints', extra: ['--no-droppable'] },
  {
    name: 'foreign',
    label: "+ --assume-foreign-from trixie's Packages_amd64.xz and Packages_arm64.xz",
    extra: ['-v', ...foreign, '--no-droppable'],
  },
  { name: 'droppable', label: "+ botch's droppable lists (read by default with --bootstrap)", extra: ['-v', ...foreign] },
];
if (existsSync(hintsFile))
  configs.push({ name: 'hints', label: `+ --hints ${hintsFile.replace(checkout, '')}`, extra: ['-v', ...foreign, '--hints', hintsFile] });
const results = [];
for (const c of configs) {
  process.stderr.write(`running ${c.name} …\n`);
  const r = runXdeb([...base, ...c.extra, ...ms.sources]);
  results.push({ ...c, ...r, f: figures(r.plan) });
  say(`== ${c.label}`);
  const shorten = (a) => a.replace(laterDir, 'trixie').replace(checkout, '');
  say(`  xdeb-sequence … ${c.extra.map(shorten).join(' ')}: ${r.timing}`);
  const assumed = /assumed \d+ packages? .*$/m.exec(r.stderr);
  if (assumed) say(`  ${assumed[0]}`);
  const f = results[results.length - 1].f;
  say(
    `  ${f.builds} builds (${f.sources} sources); ${f.cyclic} cyclic component(s), the largest ${f.largest}; ${f.staged} staged builds (${Object.entries(
      f.byKind,
    )
      .map(([k, n]) => `${n} ${k}`)
      .join(', ')}); ${f.unbrokenParts} loop part(s) no profile breaks (${f.inUnbroken} sources); ${f.unsatisfiable} unsatisfiable builds`,
  );
  say('');
}

say('== figures, before → after');
const cols = ['builds', 'cyclic', 'largest', 'staged', 'dropsHints', 'unbrokenParts', 'inUnbroken', 'unsatisfiable'];
for (const r of results) r.f.dropsHints = `${r.f.byKind.drop ?? 0}/${r.f.byKind.hint ?? 0}`;
const heads = {
  builds: 'builds',
  cyclic: 'loops',
  largest: 'largest loop',
  staged: 'staged',
  dropsHints: 'of which drop/hint',
  unbrokenParts: 'parts unbroken',
  inUnbroken: 'sources in them',
  unsatisfiable: 'unsatisfiable',
};
say(
  `  ${'configuration'.padEnd(12)} ${cols.map((c) => heads[c].padStart(heads[c].length < 8 ? 8 : heads[c].length)).join(' ')}  wall s (median)`,
);
for (const r of results)
  say(
    `  ${r.name.padEnd(12)} ${cols.map((c) => String(r.f[c]).padStart(heads[c].length < 8 ? 8 : heads[c].length)).join(' ')}  ${r.seconds.toFixed(1)}`,
  );
say('');

// The classifier's data: bookworm's and trixie's Sources and Packages for the host.
process.stderr.write('reading the indexes for the classifier …\n');
const ctx = {
  gnu: sh(`dpkg-architecture -a${host} -qDEB_HOST_GNU_TYPE 2>/dev/null`).stdout.trim() || `${host}-linux-gnu`,
  bw: { sources: sourcesByName(bwFiles.Sources), pk: packagesByName(bwFiles[`Packages_${host}`]) },
  later: { sources: sourcesByName(plain(laterDir, 'Sources')), pk: packagesByName(plain(laterDir, `Packages_${host}`)) },
  droppable: readDroppable(),
};
ctx.laterForeign = new Set([...ctx.later.pk.byName.values()].filter((p) => p.ma === 'foreign').map((p) => p.name));

// What assume-foreign changed: blockers of the first configuration that trixie marks foreign.
const first = results[0].plan;
const last = results[results.length - 1];
const blockersBefore = new Map();
for (const s of first.steps.filter((s) => s.unsatisfiable))
  for (const c of reasonClauses(s.unsatisfiable)) {
    const k = classifyClause(c);
    if (k.blocker && ctx.laterForeign.has(k.blocker)) blockersBefore.set(k.blocker, [...(blockersBefore.get(k.blocker) ?? []), s.source]);
  }
say(
  `== what the assumed Multi-Arch: foreign changed: blockers of the first plan trixie marks foreign: ${
    blockersBefore.size ? [...blockersBefore].map(([b, ss]) => `${b} (${[...new Set(ss)].join(', ')})`).join('; ') : 'none'
  }`,
);
const unsatNames = (p) => new Set(p.steps.filter((s) => s.unsatisfiable).map((s) => s.source));
const fixedNow = [...unsatNames(first)].filter((s) => !unsatNames(last.plan).has(s));
say(`   builds satisfiable in the last configuration that were not in the first: ${fixedNow.length ? fixedNow.join(', ') : 'none'}`);
say('');

say(
  `== remaining loop parts no profile breaks (${last.name}), each with its shortest cycle and, for each step of it, the build-dependency that leads there`,
);
for (const l of last.plan.loops)
  for (const u of l.unbroken) {
    const members = u.sources.map((s) => (typeof s === 'string' ? s : s.source));
    say(`  ${u.sources.length} source(s): ${u.cycle.map((c) => c.source).join(' → ')} → ${u.cycle[0].source}   [${list(members, 16)}]`);
    for (const n of loopNotes(ctx, u)) say(n);
  }
say('');

const bad = last.plan.steps.filter((s) => s.unsatisfiable);
const byClass = new Map();
for (const s of bad) {
  const clauses = reasonClauses(s.unsatisfiable).map((c) => ({ c, k: classifyClause(c) }));
  const main = clauses.find((x) => x.k.cls !== 'other') ?? clauses[0];
  const rules = clauses.map((x) => fixFor(ctx, s, x.c, x.k));
  const fixes = clauses.map((x, i) => `${x.c.dep}${x.k.blocker && x.k.blocker !== x.c.dep ? ` (${x.k.blocker})` : ''}: ${rules[i]}`);
  if (!byClass.has(main.k.cls)) byClass.set(main.k.cls, []);
  byClass.get(main.k.cls).push({ s, fixes: [...new Set(fixes)], kinds: new Set(rules.map(ruleKind)) });
}

/** Where a rule comes from: Debian's own data (a later release, the source's own profiles) or a change nobody made yet. */
function ruleKind(text) {
  if (/^'|^needs |^no source/.test(text)) return 'patch';
  if (/^assume-foreign/.test(text)) return 'assumed foreign';
  if (/^bookworm's own/.test(text)) return "bookworm's own profile";
  if (/trixie has no/.test(text)) return 'gone in trixie';
  if (/trixie/.test(text) && !/no later release/.test(text)) return 'trixie';
  return 'patch';
}
say(
  `== unsatisfiable builds (${last.name}): ${bad.length}, by class (the class of the first clause that has one), each with the rule that would fix it`,
);
for (const [cls, items] of [...byClass].sort((a, b) => b[1].length - a[1].length)) {
  say(`  ${CLASS_NAMES[cls]}: ${items.length}`);
  for (const { s, fixes } of items) say(`    ${s.source}: ${fixes.join(' | ')}`);
}
const all = [...byClass.values()].flat();
const known = all.filter((x) => [...x.kinds].every((k) => ['trixie', "bookworm's own profile", 'assumed foreign'].includes(k)));
say(
  `  every reason with a rule from Debian's own data (trixie's Sources or Packages, or the source's own profile): ${known.length} (${known.map((x) => x.s.source).join(', ')}); the others (a change no release made, or a chain trixie no longer has): ${all.length - known.length}`,
);
for (const kind of ['trixie', "bookworm's own profile", 'gone in trixie', 'assumed foreign', 'patch'])
  say(`    builds with a reason whose rule is '${kind}': ${all.filter((x) => x.kinds.has(kind)).length}`);
say('');

const planSources = new Set(last.plan.steps.map((s) => s.source));
say(formatToolchainStages(toolchainStageOrder(planSources, { hostArch: host, gnuType: ctx.gnu })).trimEnd());
say("  what bookworm's Sources declare (the highest version of each), read now:");
for (const name of [
  'binutils',
  [...planSources]
    .filter((s) => /^gcc-\d+$/.test(s))
    .sort()
    .pop() ?? 'gcc-12',
  'linux',
  'glibc',
]) {
  const src = ctx.bw.sources.get(name);
  if (!src) continue;
  const d = declaredProfiles(src);
  say(
    `    ${name} ${src.Version}: ${
      Object.entries(d.fields)
        .map(([f, ps]) => `${f} <${ps.join(' ')}>`)
        .join('; ') || 'no profile in Build-Depends'
    }; Package-List profile= ${d.binaries.length ? list(d.binaries, 6) : 'none'}`,
  );
}
const steps = last.plan.steps.filter((s) => ['binutils', 'linux', 'glibc'].includes(s.source) || /^gcc-\d+$/.test(s.source));
say(
  `  xdeb's plan builds them as: ${steps.map((s) => `${s.n}. ${s.source}${s.stage ? ` [${s.stage}]` : ''}${s.unsatisfiable ? ' (unsatisfiable)' : s.loop ? ` (loop ${s.loop})` : ''}`).join(', ')}`,
);
say('');
say(footer());
if (outFile) writeFileSync(outFile, lines.join('\n') + '\n');
