// The package universe: every binary and source package the repositories in use offer (and
// what is installed), indexed by name and by what they provide. Relation fields are parsed on
// first use, so that loading a whole archive stays fast.

import type { ReleaseInfo } from './apt-preferences.js';
import { Paragraph } from './deb822.js';
import { InputError } from './errors.js';
import { parseRelationField, type Alternative, type RelationField } from './relation.js';

export type MultiArch = 'no' | 'same' | 'foreign' | 'allowed';

/** Where packages came from: an index file of a repository, the local repository, dpkg's status. */
export interface Origin {
  /** What a person reads: 'http://deb.debian.org/debian bookworm/main amd64', 'local repository (main)'. */
  label: string;
  file: string;
  kind: 'remote' | 'local' | 'file' | 'status';
  /** apt-style priority: higher wins between versions that both satisfy (local builds win by default). */
  priority: number;
  /** The repository root that Filename fields are relative to, when it is on this machine. */
  base?: string;
  /** What its Release says, for apt_preferences(5) pins (src/lib/apt-preferences.ts). */
  release?: ReleaseInfo;
  /** The preferences record that set its priority ('file:line'), when one did. */
  pinnedBy?: string;
}

const EMPTY: RelationField = [];

/**
 * A copy of a string that does not keep the text it was cut from alive: V8 substrings point
 * into their parent, and an index's values would otherwise hold every 1 MB chunk of the file.
 */
export function detach(s: string): string;
export function detach(s: string | undefined): string | undefined;
export function detach(s: string | undefined): string | undefined {
  return s === undefined || s.length < 13 ? s : (' ' + s).slice(1);
}

/** The source fields xdeb uses; the rest of a Sources stanza (checksums, files) is dropped. */
const SOURCE_FIELDS = [
  'Package',
  'Source',
  'Version',
  'Architecture',
  'Binary',
  'Package-List',
  'Build-Depends',
  'Build-Depends-Arch',
  'Build-Depends-Indep',
  'Build-Conflicts',
  'Build-Conflicts-Arch',
  'Build-Conflicts-Indep',
  'Directory',
  'Format',
];

export class BinaryPackage {
  /** Further origins that offer the same name, version and architecture. */
  alsoFrom: number[] | undefined;
  installed = false;
  /**
   * A host-arch package to be installed converted by dpkg-cross (as NAME-ARCH-cross, files under
   * /usr/<triplet>): it then co-installs with the build-arch copy of the same name.
   */
  crossConverted = false;
  /** A specific apt_preferences(5) pin of this version, which overrides its origins' priorities. */
  pin: number | undefined = undefined;
  private depends_: RelationField | undefined;
  private conflicts_: RelationField | undefined;
  private breaks_: RelationField | undefined;
  private provides_: Alternative[] | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly version: string,
    /** 'all' or a real architecture. */
    readonly arch: string,
    private multiArch_: MultiArch,
    readonly essential: boolean,
    readonly source: string,
    readonly sourceVersion: string,
    readonly origin: number,
    readonly line: number,
    private readonly raw: { depends?: string; preDepends?: string; conflicts?: string; breaks?: string; provides?: string },
    private readonly file: string,
    /** The .deb's path in its repository (Filename), when the index says. */
    readonly filename: string | undefined,
  ) {}

  get multiArch(): MultiArch {
    return this.multiArch_;
  }

  /** Count it as Multi-Arch: foreign, as a later release says it is (lib/assumed-foreign.ts). */
  assumeForeign(): void {
    this.multiArch_ = 'foreign';
  }

  private parse(text: string | undefined, field: string): RelationField {
    if (!text) return EMPTY;
    try {
      return parseRelationField(text, { field, buildDep: false });
    } catch (e) {
      if (e instanceof InputError) throw e.at({ file: this.file, line: this.line });
      throw e;
    }
  }

  /** Pre-Depends and Depends: both must hold before the package can be used in a build. */
  get depends(): RelationField {
    if (this.depends_ === undefined) {
      const pre = this.parse(this.raw.preDepends, 'Pre-Depends');
      const dep = this.parse(this.raw.depends, 'Depends');
      this.depends_ = pre.length ? [...pre, ...dep] : dep;
    }
    return this.depends_;
  }

  get conflicts(): RelationField {
    return (this.conflicts_ ??= this.parse(this.raw.conflicts, 'Conflicts'));
  }

  get breaks(): RelationField {
    return (this.breaks_ ??= this.parse(this.raw.breaks, 'Breaks'));
  }

  get provides(): Alternative[] {
    return (this.provides_ ??= this.parse(this.raw.provides, 'Provides').flat());
  }

  /** A copy of this package as dpkg-cross would install it (see crossConverted). */
  crossClone(id: number): BinaryPackage {
    const c = new BinaryPackage(
      id,
      this.name,
      this.version,
      this.arch,
      this.multiArch,
      false,
      this.source,
      this.sourceVersion,
      this.origin,
      this.line,
      this.raw,
      this.file,
      this.filename,
    );
    c.crossConverted = true;
    return c;
  }

  /** The name dpkg-cross gives the converted package. */
  crossName(): string {
    return `${this.name}-${this.arch}-cross`;
  }

  /** Raw field text, for conflict pre-indexing without parsing everything. */
  rawField(name: 'conflicts' | 'breaks' | 'provides' | 'depends'): string | undefined {
    return this.raw[name];
  }

  toString(): string {
    return `${this.name}:${this.arch} ${this.version}`;
  }
}

export class SourcePackage {
  constructor(
    readonly name: string,
    readonly version: string,
    /** The Architecture field, split: 'any', 'all', 'linux-any', real arches. */
    readonly architectures: string[],
    readonly paragraph: Paragraph,
    readonly file: string,
    readonly origin: number,
  ) {}

  field(name: string): string | undefined {
    return this.paragraph.get(name);
  }

  lineOf(name: string): number {
    return this.paragraph.lineOf(name);
  }

  /** Binary package names the source builds (Binary field). */
  get binaries(): string[] {
    return (this.paragraph.get('Binary') ?? '').split(/[,\s]+/).filter(Boolean);
  }
}

function multiArchOf(v: string | undefined, file: string, line: number): MultiArch {
  if (v === undefined || v === 'no') return 'no';
  if (v === 'same' || v === 'foreign' || v === 'allowed') return v;
  throw new InputError(`unknown Multi-Arch value '${v}'`, { file, line });
}

/** Split 'name (version)' from a Source field. */
function sourceOf(p: Paragraph, name: string, version: string): [string, string] {
  const s = p.get('Source');
  if (!s) return [name, version];
  const m = /^(\S+)\s*(?:\((\S+)\))?$/.exec(s);
  return m ? [m[1]!, m[2] ?? version] : [s, version];
}

/** What the universe keeps of a binary package stanza: plain strings, cacheable as they are. */
export interface BinaryRecord {
  name: string;
  version: string;
  arch: string;
  multiArch: string | undefined;
  essential: boolean;
  /** Absent when equal to name / version. */
  source: string | undefined;
  sourceVersion: string | undefined;
  depends: string | undefined;
  preDepends: string | undefined;
  conflicts: string | undefined;
  breaks: string | undefined;
  provides: string | undefined;
  filename: string | undefined;
  line: number;
}

/** Extract a package's record from its stanza (strings detached from the file's text). */
export function binaryRecord(p: Paragraph, file: string, defaultArch?: string): BinaryRecord {
  const name = p.get('Package');
  const version = p.get('Version');
  const arch = p.get('Architecture') ?? defaultArch;
  if (!name || !version || !arch) {
    throw new InputError(`package stanza without ${!name ? 'Package' : !version ? 'Version' : 'Architecture'}`, { file, line: p.line });
  }
  const [source, sourceVersion] = sourceOf(p, name, version);
  const dname = detach(name);
  return {
    name: dname,
    version: detach(version),
    arch,
    multiArch: p.get('Multi-Arch'),
    essential: p.get('Essential') === 'yes',
    source: source === name ? undefined : detach(source),
    sourceVersion: sourceVersion === version ? undefined : detach(sourceVersion),
    depends: detach(p.get('Depends')),
    preDepends: detach(p.get('Pre-Depends')),
    conflicts: detach(p.get('Conflicts')),
    breaks: detach(p.get('Breaks')),
    provides: detach(p.get('Provides')),
    filename: detach(p.get('Filename')),
    line: p.line,
  };
}

/** The fields of a source stanza xdeb keeps (see SOURCE_FIELDS), with their lines. */
export interface SourceRecord {
  line: number;
  names: string[];
  values: string[];
  lines: number[];
}

export function sourceRecord(p: Paragraph): SourceRecord {
  const r: SourceRecord = { line: p.line, names: [], values: [], lines: [] };
  for (const f of SOURCE_FIELDS) {
    const i = p.indexOf(f);
    if (i < 0) continue;
    r.names.push(p.names[i]!);
    r.values.push(detach(p.values[i]!));
    r.lines.push(p.lines[i]!);
  }
  return r;
}

export class Universe {
  readonly packages: BinaryPackage[] = [];
  readonly origins: Origin[] = [];
  readonly sources: SourcePackage[] = [];
  /** Real packages by name. */
  private readonly byName = new Map<string, number[]>();
  /** Packages providing a name: [package id, provided version or undefined]. */
  private providersIndex: Map<string, [number, string | undefined][]> | undefined;
  private readonly byKey = new Map<string, number>();
  private readonly sourcesByName = new Map<string, SourcePackage[]>();
  /** Architectures that have packages (besides 'all'). */
  readonly architectures = new Set<string>();

  addOrigin(origin: Origin): number {
    this.origins.push(origin);
    return this.origins.length - 1;
  }

  /** Add a binary package paragraph from a Packages file or dpkg status. */
  addBinary(p: Paragraph, origin: number, opts: { installed?: boolean; defaultArch?: string } = {}): BinaryPackage | undefined {
    const r = binaryRecord(p, this.origins[origin]!.file, opts.defaultArch);
    if (opts.installed && !/ installed$/.test(p.get('Status') ?? '')) return undefined;
    return this.addBinaryRecord(r, origin, opts);
  }

  /** Add a binary package from its record (as binaryRecord() extracts it, or from a cache). */
  addBinaryRecord(r: BinaryRecord, origin: number, opts: { installed?: boolean } = {}): BinaryPackage {
    const key = `${r.name}\0${r.version}\0${r.arch}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      const e = this.packages[existing]!;
      if (opts.installed) e.installed = true;
      else if (e.origin !== origin) (e.alsoFrom ??= []).push(origin);
      return e;
    }
    const file = this.origins[origin]!.file;
    const raw: { depends?: string; preDepends?: string; conflicts?: string; breaks?: string; provides?: string } = {};
    if (r.depends) raw.depends = r.depends;
    if (r.preDepends) raw.preDepends = r.preDepends;
    if (r.conflicts) raw.conflicts = r.conflicts;
    if (r.breaks) raw.breaks = r.breaks;
    if (r.provides) raw.provides = r.provides;
    const pkg = new BinaryPackage(
      this.packages.length,
      r.name,
      r.version,
      r.arch,
      multiArchOf(r.multiArch, file, r.line),
      r.essential,
      r.source ?? r.name,
      r.sourceVersion ?? r.version,
      origin,
      r.line,
      raw,
      file,
      r.filename,
    );
    pkg.installed = !!opts.installed;
    this.packages.push(pkg);
    this.byKey.set(key, pkg.id);
    let list = this.byName.get(r.name);
    if (!list) this.byName.set(r.name, (list = []));
    list.push(pkg.id);
    if (r.arch !== 'all') this.architectures.add(r.arch);
    this.providersIndex = undefined;
    return pkg;
  }

  /** Offer a dpkg-cross conversion of a host-arch package (the fallback for libraries not Multi-Arch ready). */
  addCrossClone(id: number): BinaryPackage {
    const clone = this.get(id).crossClone(this.packages.length);
    this.packages.push(clone);
    this.byName.get(clone.name)!.push(clone.id);
    this.providersIndex = undefined;
    return clone;
  }

  /** Add a source package paragraph from a Sources file, a .dsc or a debian/control. */
  addSource(p: Paragraph, origin: number): SourcePackage | undefined {
    const file = this.origins[origin]!.file;
    if (!(p.get('Package') ?? p.get('Source')) || !p.get('Version')) {
      throw new InputError(`source stanza without ${!(p.get('Package') ?? p.get('Source')) ? 'Package' : 'Version'}`, {
        file,
        line: p.line,
      });
    }
    // Extra-Source-Only stanzas are kept in the archive for licence reasons; nothing builds from them.
    if (p.get('Extra-Source-Only') === 'yes') return undefined;
    return this.addSourceRecord(sourceRecord(p), origin);
  }

  addSourceRecord(r: SourceRecord, origin: number): SourcePackage {
    const kept = new Paragraph(r.line);
    for (let i = 0; i < r.names.length; i++) kept.set(r.names[i]!, r.values[i]!, r.lines[i]!);
    const name = kept.get('Package') ?? kept.get('Source')!;
    const src = new SourcePackage(
      name,
      kept.get('Version')!,
      (kept.get('Architecture') ?? 'any').split(/\s+/).filter(Boolean),
      kept,
      this.origins[origin]!.file,
      origin,
    );
    this.sources.push(src);
    let list = this.sourcesByName.get(name);
    if (!list) this.sourcesByName.set(name, (list = []));
    list.push(src);
    return src;
  }

  named(name: string): readonly number[] {
    return this.byName.get(name) ?? [];
  }

  get(id: number): BinaryPackage {
    return this.packages[id]!;
  }

  /** Packages that provide `name`, each with the version it provides (if any). */
  providers(name: string): readonly [number, string | undefined][] {
    if (!this.providersIndex) {
      const idx = new Map<string, [number, string | undefined][]>();
      for (const pkg of this.packages) {
        if (!pkg.rawField('provides')) continue;
        for (const a of pkg.provides) {
          let l = idx.get(a.name);
          if (!l) idx.set(a.name, (l = []));
          l.push([pkg.id, a.op === '=' ? a.version : undefined]);
        }
      }
      this.providersIndex = idx;
    }
    return this.providersIndex.get(name) ?? [];
  }

  /** Source packages of that name, highest version first. */
  sourcesNamed(name: string): SourcePackage[] {
    return this.sourcesByName.get(name) ?? [];
  }

  get size(): number {
    return this.packages.length;
  }

  /** apt's priority of a package version: its specific pin, else the highest of the origins that offer it. */
  priority(id: number): number {
    const p = this.packages[id]!;
    if (p.pin !== undefined) return p.pin;
    let best = this.origins[p.origin]!.priority;
    if (p.alsoFrom) for (const o of p.alsoFrom) best = Math.max(best, this.origins[o]!.priority);
    return best;
  }
}
