// Two builds of one source compared package by package — the facts a person checks when a cross
// build may differ from a native one: files and modes, control fields, maintainer scripts,
// sonames, NEEDED, exported symbols, ELF headers, text files by content, and ELF sections with
// the noise removed (build id, debug link, compiler names). Each difference is classified, so that
// a known difference (bookworm's gcc-12 cross and native compilers are different revisions) is
// labelled as such without hiding the rest.

import type { ElfInterface } from './elf-dynamic.js';

/** An ELF file's interface as compared: its sections by digest of their contents, noise sections left out. */
export type ElfFacts = Omit<ElfInterface, 'endian' | 'sections' | 'versionNeeds'> & {
  /** The symbol versions it needs, LIBRARY:VERSION (absent in facts from before they were read). */
  versionNeeds?: string[];
  /** Section name → digest of its contents. */
  sections: Record<string, string>;
};

export interface DebFile {
  path: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits (mode & 0o7777). */
  mode: number;
  size?: number;
  digest?: string;
  target?: string;
  text?: boolean;
  elf?: ElfFacts;
}

export interface DebFacts {
  /** Where it was read from. */
  file: string;
  package: string;
  version: string;
  arch: string;
  /** The Source field's name (the package's own name when there is none). */
  source: string;
  control: Record<string, string>;
  /** Control members other than control and md5sums (postinst, shlibs, symbols, triggers…): name → contents. */
  scripts: Record<string, string>;
  files: DebFile[];
}

export const DIFF_CLASSES = [
  'package',
  'missing-file',
  'file-mode',
  'dependency',
  'control',
  'maintainer-script',
  'elf-header',
  'soname',
  'needed',
  'symbol-set',
  'imports',
  'symbol-versions',
  'code-only',
  'compiler-version',
  'pkg-config',
  'text',
  'static-library',
  'other-content',
] as const;
export type DiffClass = (typeof DIFF_CLASSES)[number];

/** What each class means, for the summary and docs. */
export const CLASS_MEANING: Record<DiffClass, string> = {
  package: 'a binary package only one build has',
  'missing-file': 'a file only one build has',
  'file-mode': 'a file of another type, mode or link target',
  dependency: 'Depends, Pre-Depends, Recommends, Provides, Breaks… differ',
  control: 'another control field differs (Multi-Arch, Architecture, Version…)',
  'maintainer-script': 'a maintainer script, shlibs, symbols or triggers file differs',
  'elf-header': 'ELF class, machine or OS ABI differ',
  soname: 'a shared library has another soname',
  needed: "an ELF file's NEEDED libraries differ",
  'symbol-set': 'a shared object or program exports other symbols',
  imports:
    'an ELF file takes other symbols from its libraries (often a configure test answered otherwise, or another libc function chosen)',
  'symbol-versions': 'an ELF file needs other symbol versions from its libraries (GLIBC_2.34 where the other needs GLIBC_2.17…)',
  'code-only': 'ELF sections differ, the interface (exported and imported symbols and their versions, soname, NEEDED) does not',
  'compiler-version': '.comment names other compilers',
  'pkg-config': 'a pkg-config file differs',
  text: 'a text file differs',
  'static-library': 'a static library (.a) differs (its objects are not compared one by one)',
  'other-content': 'another file differs (data, compressed files)',
};

export interface Difference {
  class: DiffClass;
  package: string;
  path?: string;
  field?: string;
  a?: string;
  b?: string;
  /** One line for a person. */
  detail: string;
  /** A difference known and explained (bookworm's gcc-12 revisions). */
  known?: string;
}

/** The Debian changelog a package installs (dh_installchangelogs), and a binNMU's own (changelog.Debian.ARCH.gz). */
const INSTALLED_CHANGELOG = /^\/usr\/share\/doc\/[^/]+\/changelog\.Debian(\.[a-z0-9-]+)?\.gz$/;

const DEPENDENCY_FIELDS = [
  'Pre-Depends',
  'Depends',
  'Recommends',
  'Suggests',
  'Enhances',
  'Breaks',
  'Conflicts',
  'Replaces',
  'Provides',
  'Built-Using',
  'Static-Built-Using',
];
const CONTROL_FIELDS = ['Version', 'Architecture', 'Multi-Arch', 'Essential', 'Protected', 'Section', 'Priority'];

/** Bookworm's gcc-12: the cross compilers (gcc-12-cross) and the native ones are built from different revisions of the same GCC. */
export function knownCompilerDifference(a: readonly string[], b: readonly string[]): string | undefined {
  const gcc = (xs: readonly string[]) => xs.map((s) => /^GCC: \(Debian ([^)]+)\) (\d+\.\d+\.\d+)/.exec(s)).filter((m) => m !== null);
  const [ga, gb] = [gcc(a), gcc(b)];
  if (!ga.length || !gb.length) return undefined;
  const upstream = new Set([...ga, ...gb].map((m) => m[2]));
  return upstream.size === 1
    ? `the same GCC ${[...upstream][0]}, other Debian revisions (${[...new Set(ga.map((m) => m[1]))].join(', ')} / ${[...new Set(gb.map((m) => m[1]))].join(', ')}): bookworm's cross gcc-12 (gcc-12-cross) and its native gcc-12 are built separately`
    : undefined;
}

function listDiff(a: readonly string[], b: readonly string[]): { gone: string[]; added: string[] } {
  const sa = new Set(a);
  const sb = new Set(b);
  return { gone: a.filter((x) => !sb.has(x)), added: b.filter((x) => !sa.has(x)) };
}

function describeListDiff(d: { gone: string[]; added: string[] }, max = 8): string {
  const part = (sign: string, xs: string[]) =>
    xs.length ? `${sign}${xs.slice(0, max).join(` ${sign}`)}${xs.length > max ? ` (and ${xs.length - max} more)` : ''}` : '';
  return [part('-', d.gone), part('+', d.added)].filter(Boolean).join(' ');
}

function compareElf(pkg: string, path: string, a: ElfFacts, b: ElfFacts, out: Difference[]): void {
  if (a.bits !== b.bits || a.machine !== b.machine || a.osabi !== b.osabi) {
    out.push({
      class: 'elf-header',
      package: pkg,
      path,
      a: `ELF${a.bits} machine ${a.machine} osabi ${a.osabi}`,
      b: `ELF${b.bits} machine ${b.machine} osabi ${b.osabi}`,
      detail: `${path}: ELF${a.bits} machine ${a.machine} osabi ${a.osabi} / ELF${b.bits} machine ${b.machine} osabi ${b.osabi}`,
    });
    return;
  }
  let iface = false;
  if ((a.soname ?? '') !== (b.soname ?? '')) {
    iface = true;
    out.push({
      class: 'soname',
      package: pkg,
      path,
      a: a.soname ?? '',
      b: b.soname ?? '',
      detail: `${path}: soname ${a.soname ?? '(none)'} / ${b.soname ?? '(none)'}`,
    });
  }
  const needed = listDiff(a.needed, b.needed);
  if (needed.gone.length || needed.added.length) {
    iface = true;
    out.push({ class: 'needed', package: pkg, path, detail: `${path}: NEEDED ${describeListDiff(needed)}` });
  }
  const syms = listDiff(a.exports, b.exports);
  if (syms.gone.length || syms.added.length) {
    iface = true;
    out.push({
      class: 'symbol-set',
      package: pkg,
      path,
      a: syms.gone.join(' '),
      b: syms.added.join(' '),
      detail: `${path}: exported symbols ${describeListDiff(syms)}`,
    });
  }
  const imports = listDiff(a.imports, b.imports);
  if (imports.gone.length || imports.added.length) {
    iface = true;
    out.push({
      class: 'imports',
      package: pkg,
      path,
      a: imports.gone.join(' '),
      b: imports.added.join(' '),
      detail: `${path}: imported symbols ${describeListDiff(imports)}`,
    });
  }
  const versions = listDiff(a.versionNeeds ?? [], b.versionNeeds ?? []);
  if (versions.gone.length || versions.added.length) {
    iface = true;
    out.push({
      class: 'symbol-versions',
      package: pkg,
      path,
      a: versions.gone.join(' '),
      b: versions.added.join(' '),
      detail: `${path}: symbol versions needed ${describeListDiff(versions)}`,
    });
  }
  if (a.comment.join('\n') !== b.comment.join('\n')) {
    const known = knownCompilerDifference(a.comment, b.comment);
    out.push({
      class: 'compiler-version',
      package: pkg,
      path,
      a: a.comment.join('; '),
      b: b.comment.join('; '),
      detail: `${path}: ${a.comment.join('; ') || '(no .comment)'} / ${b.comment.join('; ') || '(no .comment)'}`,
      ...(known ? { known } : {}),
    });
  }
  const names = [...new Set([...Object.keys(a.sections), ...Object.keys(b.sections)])];
  const differing = names.filter((n) => a.sections[n] !== b.sections[n]);
  if (differing.length && !iface)
    out.push({
      class: 'code-only',
      package: pkg,
      path,
      detail: `${path}: sections ${differing.slice(0, 6).join(' ')}${differing.length > 6 ? ` (and ${differing.length - 6} more)` : ''} differ`,
    });
}

function compareFiles(pkg: string, a: readonly DebFile[], b: readonly DebFile[], out: Difference[]): void {
  const mb = new Map(b.map((f) => [f.path, f] as const));
  const ma = new Map(a.map((f) => [f.path, f] as const));
  for (const fa of a) {
    const fb = mb.get(fa.path);
    if (!fb) {
      out.push({ class: 'missing-file', package: pkg, path: fa.path, a: fa.path, detail: `${fa.path}: only in A` });
      continue;
    }
    if (fa.kind !== fb.kind || fa.mode !== fb.mode || (fa.target ?? '') !== (fb.target ?? '')) {
      const d = (f: DebFile) => `${f.kind} ${f.mode.toString(8).padStart(4, '0')}${f.target ? ` → ${f.target}` : ''}`;
      out.push({ class: 'file-mode', package: pkg, path: fa.path, a: d(fa), b: d(fb), detail: `${fa.path}: ${d(fa)} / ${d(fb)}` });
      continue;
    }
    if (fa.kind !== 'file' || fa.digest === fb.digest) continue;
    if (fa.elf && fb.elf) compareElf(pkg, fa.path, fa.elf, fb.elf, out);
    else if (fa.path.endsWith('.pc')) out.push({ class: 'pkg-config', package: pkg, path: fa.path, detail: `${fa.path}: contents differ` });
    else if (fa.text && fb.text) out.push({ class: 'text', package: pkg, path: fa.path, detail: `${fa.path}: contents differ` });
    else if (fa.path.endsWith('.a'))
      out.push({
        class: 'static-library',
        package: pkg,
        path: fa.path,
        detail: `${fa.path}: contents differ (${fa.size ?? '?'} / ${fb.size ?? '?'} bytes)`,
      });
    else if (INSTALLED_CHANGELOG.test(fa.path))
      out.push({
        class: 'other-content',
        package: pkg,
        path: fa.path,
        detail: `${fa.path}: contents differ (${fa.size ?? '?'} / ${fb.size ?? '?'} bytes)`,
        known:
          "documentation: the Debian changelog as each build installed it (a newer debhelper keeps only recent entries; a binNMU's entry names who built it and when)",
      });
    else
      out.push({
        class: 'other-content',
        package: pkg,
        path: fa.path,
        detail: `${fa.path}: contents differ (${fa.size ?? '?'} / ${fb.size ?? '?'} bytes)`,
      });
  }
  for (const fb of b)
    if (!ma.has(fb.path)) out.push({ class: 'missing-file', package: pkg, path: fb.path, b: fb.path, detail: `${fb.path}: only in B` });
}

/** The differences between two builds of one binary package. */
export function compareDebs(a: DebFacts, b: DebFacts): Difference[] {
  const out: Difference[] = [];
  const pkg = a.package;
  for (const f of [...DEPENDENCY_FIELDS, ...CONTROL_FIELDS]) {
    const va = a.control[f] ?? '';
    const vb = b.control[f] ?? '';
    if (va !== vb)
      out.push({
        class: DEPENDENCY_FIELDS.includes(f) ? 'dependency' : 'control',
        package: pkg,
        field: f,
        a: va,
        b: vb,
        detail: `${f}: ${va || '(none)'} / ${vb || '(none)'}`,
      });
  }
  for (const name of [...new Set([...Object.keys(a.scripts), ...Object.keys(b.scripts)])].sort()) {
    const [sa, sb] = [a.scripts[name], b.scripts[name]];
    if (sa === sb) continue;
    const path = `DEBIAN/${name}`;
    if (sa === undefined || sb === undefined) {
      out.push({ class: 'maintainer-script', package: pkg, path, detail: `${path}: only in ${sa === undefined ? 'B' : 'A'}` });
      continue;
    }
    const known = knownScriptDifference(sa, sb);
    out.push({
      class: 'maintainer-script',
      package: pkg,
      path,
      detail: `${path}: ${firstDifference(sa, sb)}`,
      ...(known ? { known } : {}),
    });
  }
  compareFiles(pkg, a.files, b.files, out);
  return out;
}

/** The first line that differs: "line 3: 'a' / 'b'". */
export function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++)
    if (la[i] !== lb[i]) return `line ${i + 1}: ${JSON.stringify(la[i] ?? '(end)')} / ${JSON.stringify(lb[i] ?? '(end)')}`;
  return 'contents differ';
}

/** debhelper writes its version into the comments of what it generates ("# Triggers added by dh_makeshlibs/13.11.4"). */
const DH_COMMENT = /^(#.* by dh_[\w-]+\/)[\w.~+-]+$/gm;

/** A script that differs only in the debhelper version of its generated comments. */
export function knownScriptDifference(a: string, b: string): string | undefined {
  if (a.replace(DH_COMMENT, '$1') !== b.replace(DH_COMMENT, '$1')) return undefined;
  const v = (s: string) => [...new Set([...s.matchAll(/by dh_[\w-]+\/([\w.~+-]+)$/gm)].map((m) => m[1]))].join(',');
  return `only the debhelper version in its generated comments (${v(a)} / ${v(b)})`;
}

/** Debug symbol packages: one build makes them, the archive keeps them elsewhere. Not compared. */
export function isDebugPackage(name: string): boolean {
  return name.endsWith('-dbgsym') || name.endsWith('-dbg');
}

export interface BuildComparison {
  source: string;
  arch: string;
  a: { label: string; packages: string[] };
  b: { label: string; packages: string[] };
  /** Packages compared (in both). */
  compared: string[];
  /** Debug packages left out. */
  ignored: string[];
  differences: Difference[];
  /** No difference but known ones (labelled, explained). */
  equivalent: boolean;
}

/** Compare two builds (their binary packages); the caller has checked they are of one source and architecture. */
export function compareBuilds(a: { label: string; debs: DebFacts[] }, b: { label: string; debs: DebFacts[] }): BuildComparison {
  const keep = (xs: DebFacts[]) => xs.filter((d) => !isDebugPackage(d.package));
  const ignored = [...new Set([...a.debs, ...b.debs].filter((d) => isDebugPackage(d.package)).map((d) => d.package))].sort();
  const ma = new Map(keep(a.debs).map((d) => [d.package, d] as const));
  const mb = new Map(keep(b.debs).map((d) => [d.package, d] as const));
  const differences: Difference[] = [];
  const compared: string[] = [];
  for (const [name, da] of [...ma].sort(([x], [y]) => x.localeCompare(y))) {
    const db = mb.get(name);
    if (!db) {
      differences.push({ class: 'package', package: name, a: name, detail: `${name}: only in A` });
      continue;
    }
    compared.push(name);
    differences.push(...compareDebs(da, db));
  }
  for (const name of [...mb.keys()].sort())
    if (!ma.has(name)) differences.push({ class: 'package', package: name, b: name, detail: `${name}: only in B` });
  const first = a.debs[0] ?? b.debs[0];
  return {
    source: first?.source ?? '',
    arch: first?.arch ?? '',
    a: { label: a.label, packages: [...ma.keys()].sort() },
    b: { label: b.label, packages: [...mb.keys()].sort() },
    compared,
    ignored,
    differences,
    equivalent: differences.every((d) => d.known),
  };
}

/** Counts per class, in DIFF_CLASSES order. */
export function countByClass(ds: readonly Difference[]): [DiffClass, number][] {
  return DIFF_CLASSES.map((c) => [c, ds.filter((d) => d.class === c).length] as [DiffClass, number]).filter(([, n]) => n > 0);
}

/** The summary a person reads: about ten lines. */
export function formatComparison(c: BuildComparison, maxLines = 10): string {
  const lines = [
    `${c.source} (${c.arch}): A ${c.a.label} (${c.a.packages.length} package${c.a.packages.length === 1 ? '' : 's'}), B ${c.b.label} (${c.b.packages.length})${c.ignored.length ? `; debug packages not compared: ${c.ignored.join(', ')}` : ''}`,
  ];
  const known = c.differences.filter((d) => d.known).length;
  const counts = countByClass(c.differences)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  if (c.equivalent && !known) {
    lines.push(`equivalent: ${c.compared.length} package${c.compared.length === 1 ? '' : 's'} compared, no difference`);
    return lines.join('\n') + '\n';
  }
  lines.push(
    c.equivalent
      ? `equivalent: ${c.compared.length} package${c.compared.length === 1 ? '' : 's'} compared; only known differences: ${counts}`
      : `different: ${counts}${known ? ` (${known} of them known)` : ''}`,
  );
  // The differences shown, and a last line for those that are not when they do not all fit.
  const room = c.differences.length > maxLines - lines.length ? Math.max(1, maxLines - lines.length - 1) : maxLines - lines.length;
  // Interface differences first: they are what a user of the package meets.
  const order = (d: Difference) => DIFF_CLASSES.indexOf(d.class) + (d.known ? 100 : 0);
  const shown = [...c.differences].sort((x, y) => order(x) - order(y));
  for (const d of shown.slice(0, room)) lines.push(`  ${d.class}: ${d.package}: ${d.detail}${d.known ? ` [known: ${d.known}]` : ''}`);
  if (shown.length > room) lines.push(`  … and ${shown.length - room} more (--json lists every one)`);
  return lines.join('\n') + '\n';
}
