// From a source package's fields to what a build needs (DESIGN §3 rule 6): Build-Depends always,
// -Arch for arch-dependent and -Indep for arch-independent builds, reduced for the host arch and
// profiles, plus the implicit build-essential (and crossbuild-essential for a cross build).

import type { Paragraph } from './deb822.js';
import { InputError } from './errors.js';
import type { Prohibition, Requirement } from './installability.js';
import { alternativeApplies, formatRelation, parseRelationField, type Alternative, type Relation } from './relation.js';

export type ImplicitMode = 'sbuild' | 'dose' | 'build-essential' | 'none';

export interface BuildOptions {
  buildArch: string;
  hostArch: string;
  profiles: ReadonlySet<string>;
  /** Build arch-dependent packages (-B): Build-Depends-Arch applies. */
  arch: boolean;
  /** Build arch-independent packages (-A): Build-Depends-Indep applies. */
  indep: boolean;
  /**
   * Implicit requirements: 'sbuild' adds build-essential:native and, for a cross build, the cross
   * toolchain and libc-dev/libstdc++-dev for the host; 'build-essential' only build-essential:native
   * (what apt build-dep and dpkg-checkbuilddeps add); 'dose' that and, for a cross build,
   * crossbuild-essential-HOST:native (what dose-builddebcheck adds); 'none' nothing.
   */
  implicit: ImplicitMode;
  /**
   * Binary packages to build without (xdeb-build --drop-build-depends, a bootstrap's dropped step): every alternative naming one
   * is removed from its relation, and a relation left with none is dropped. Build-Conflicts and the implicit set are kept.
   */
  drop?: ReadonlySet<string>;
  /** For messages. */
  file?: string;
}

/** --drop-build-depends a,b (repeatable): binary package names, each once; a name that is none is an InputError. */
export function parseDropList(values: readonly string[], flag = '--drop-build-depends'): string[] {
  const out: string[] = [];
  for (const name of values.flatMap((v) => v.split(/[,\s]+/)).filter(Boolean)) {
    if (!/^[a-z0-9][a-z0-9+.-]+$/.test(name)) throw new InputError(`'${name}' is not a binary package name`, { file: flag });
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** Default profiles: 'cross nocheck' for a cross build (neither apt nor dpkg turns them on by itself). */
export function defaultProfiles(buildArch: string, hostArch: string): string[] {
  return buildArch === hostArch ? [] : ['cross', 'nocheck'];
}

function alt(name: string, archQualifier?: string): Alternative {
  return { name, archQualifier, op: undefined, version: undefined, archList: undefined, profiles: undefined };
}

/** The build-essential requirements sbuild adds: native and, for a cross build, the cross toolchain. */
export function implicitRequirements(buildArch: string, hostArch: string, mode: ImplicitMode = 'sbuild'): Requirement[] {
  if (mode === 'none') return [];
  const reqs: Requirement[] = [
    { relation: [alt('build-essential', 'native')], fromArch: hostArch, label: 'implicit: build-essential:native', kind: 'implicit' },
  ];
  if (buildArch === hostArch || mode === 'build-essential') return reqs;
  reqs.push({
    relation: [alt(`crossbuild-essential-${hostArch}`, 'native')],
    fromArch: hostArch,
    label: `implicit: crossbuild-essential-${hostArch}:native`,
    kind: 'implicit',
  });
  if (mode === 'sbuild') {
    reqs.push(
      { relation: [alt('libc-dev')], fromArch: hostArch, label: `implicit: libc-dev:${hostArch}`, kind: 'implicit' },
      { relation: [alt('libstdc++-dev')], fromArch: hostArch, label: `implicit: libstdc++-dev:${hostArch}`, kind: 'implicit' },
    );
  }
  return reqs;
}

export interface BuildDependencies {
  requirements: Requirement[];
  prohibitions: Prohibition[];
  /**
   * Relations dropped for this build, for --explain: by their arch list or profiles, or (text ending in '(dropped: NAME…)') because
   * every alternative left names a package of `drop`.
   */
  dropped: { field: string; text: string; line: number }[];
}

/** The fields that apply to a build. */
export function buildFields(opts: Pick<BuildOptions, 'arch' | 'indep'>): { depends: string[]; conflicts: string[] } {
  const depends = ['Build-Depends'];
  const conflicts = ['Build-Conflicts'];
  if (opts.arch) {
    depends.push('Build-Depends-Arch');
    conflicts.push('Build-Conflicts-Arch');
  }
  if (opts.indep) {
    depends.push('Build-Depends-Indep');
    conflicts.push('Build-Conflicts-Indep');
  }
  return { depends, conflicts };
}

/** What building `source` (its source stanza: debian/control, .dsc or Sources) needs. */
export function buildDependencies(source: Paragraph, opts: BuildOptions): BuildDependencies {
  const ctx = { hostArch: opts.hostArch, profiles: opts.profiles };
  const out: BuildDependencies = { requirements: [], prohibitions: [], dropped: [] };
  const { depends, conflicts } = buildFields(opts);
  const parse = (field: string) => {
    const text = source.get(field);
    if (text === undefined) return [];
    const line = source.lineOf(field);
    try {
      return parseRelationField(text, { field, buildDep: true, loc: { file: opts.file, line } });
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw e;
    }
  };
  for (const field of depends) {
    const line = source.lineOf(field);
    for (const rel of parse(field)) {
      const applies: Relation = rel
        .filter((a) => alternativeApplies(a, ctx))
        .map((a) => ({ ...a, archList: undefined, profiles: undefined }));
      if (applies.length === 0) {
        out.dropped.push({ field, text: formatRelation(rel), line });
        continue;
      }
      const drop = opts.drop;
      const kept = drop?.size ? applies.filter((a) => !drop.has(a.name)) : applies;
      if (kept.length === 0) {
        const names = [...new Set(applies.map((a) => a.name))].join(', ');
        out.dropped.push({ field, text: `${formatRelation(rel)} (dropped: ${names})`, line });
        continue;
      }
      out.requirements.push({
        relation: kept,
        fromArch: opts.hostArch,
        label: `${field}: ${formatRelation(kept)}`,
        kind: 'build-depends',
        file: opts.file,
        line,
      });
    }
  }
  for (const field of conflicts) {
    const line = source.lineOf(field);
    for (const rel of parse(field)) {
      for (const a of rel) {
        if (!alternativeApplies(a, ctx)) continue;
        const kept = { ...a, archList: undefined, profiles: undefined };
        out.prohibitions.push({ alt: kept, fromArch: opts.hostArch, label: `${field}: ${formatRelation([kept])}`, file: opts.file, line });
      }
    }
  }
  out.requirements.push(...implicitRequirements(opts.buildArch, opts.hostArch, opts.implicit));
  return out;
}
