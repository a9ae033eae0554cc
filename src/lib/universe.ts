// The package universe: every binary and source package the repositories in use offer (and
// what is installed), indexed by name and by what they provide. Packages come either added one
// by one, or from attached package indexes (lib/package-index.ts) that are read by name: a
// package exists in memory once a question has touched its name, so one source's check reads a
// few thousand of an archive's records. Each package's place in the order of its index files
// decides ties exactly as if every record had been read up front. Relation fields are parsed on
// first use.

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
  /** Its place in the order the index files list packages (ties between candidates follow it). */
  order = 0;
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
  /** Its place in the order the index files list sources. */
  order = 0;

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

/** A package index the universe reads by name (PackageIndexReader, lib/package-index.ts). */
export interface RecordIndex {
  readonly binaryCount: number;
  readonly sourceCount: number;
  readonly archCounts: Readonly<Record<string, number>>;
  binary(ordinal: number): BinaryRecord;
  source(ordinal: number): SourceRecord;
  binaryName(ordinal: number): string;
  named(name: string): number[];
  providing(name: string): number[];
  sourcesNamed(name: string): number[];
  essential(): number[];
  /** Every record is about to be read. */
  preload(): void;
}

interface Attached {
  origin: number;
  index: RecordIndex;
  /** Order of its first binary and source record. */
  binaryBase: number;
  sourceBase: number;
  /** Architectures whose packages count ('all' and the build and host architectures). */
  wanted: ReadonlySet<string>;
  sources: boolean;
}

const byOrder = (a: { order: number }, b: { order: number }) => a.order - b.order;

/** Insert into a list kept in the packages' order (entries arrive mostly at the end). */
function insertOrdered<T>(list: T[], item: T, order: (t: T) => number): void {
  const o = order(item);
  let i = list.length;
  while (i > 0 && order(list[i - 1]!) > o) i--;
  list.splice(i, 0, item);
}

export class Universe {
  private readonly packages: BinaryPackage[] = [];
  readonly origins: Origin[] = [];
  private readonly sourceList: SourcePackage[] = [];
  /** Real packages by name, in order. */
  private readonly byName = new Map<string, number[]>();
  /** Packages that provide a name: [package id, provided version or undefined], in order; built on first use. */
  private providersIndex: Map<string, [number, string | undefined][]> | undefined;
  /** Packages whose Conflicts or Breaks name a package; built on first use. */
  private declarersIndex: Map<string, number[]> | undefined;
  private readonly byKey = new Map<string, number>();
  private readonly sourcesByName = new Map<string, SourcePackage[]>();
  private readonly eagerArchitectures = new Set<string>();
  private readonly attached: Attached[] = [];
  /** Names (of packages, provided names, sources) already read from every attached index. */
  private readonly doneNames = new Set<string>();
  private readonly doneProvides = new Set<string>();
  private readonly doneSources = new Set<string>();
  private everyBinary = false;
  private everySource = false;
  private nextOrder = 0;
  private nextSourceOrder = 0;
  private readonly installedIds: number[] = [];
  private readonly essentialIds: number[] = [];
  private essentialRead = false;
  private attachedSourcesRead = 0;

  addOrigin(origin: Origin): number {
    this.origins.push(origin);
    return this.origins.length - 1;
  }

  /**
   * Read an index's packages by name from now on. Packages added one by one before it come
   * before its records in the order, those added after it after them; attach indexes in the
   * order their origins rank ties.
   */
  attach(origin: number, index: RecordIndex, opts: { wanted: Iterable<string>; sources?: boolean }): void {
    this.attached.push({
      origin,
      index,
      binaryBase: this.nextOrder,
      sourceBase: this.nextSourceOrder,
      wanted: new Set(opts.wanted),
      sources: opts.sources !== false,
    });
    this.nextOrder += index.binaryCount;
    this.nextSourceOrder += index.sourceCount;
  }

  /** Add a binary package paragraph from a Packages file or dpkg status. */
  addBinary(p: Paragraph, origin: number, opts: { installed?: boolean; defaultArch?: string } = {}): BinaryPackage | undefined {
    const r = binaryRecord(p, this.origins[origin]!.file, opts.defaultArch);
    if (opts.installed && !/ installed$/.test(p.get('Status') ?? '')) return undefined;
    return this.addBinaryRecord(r, origin, opts);
  }

  /**
   * Add a binary package from its record (as binaryRecord() extracts it, or from an index, with its
   * order). One added after indexes were attached comes after their records, as if they had been
   * read first: the name is read from them before, so that an equal package of theirs stays the one.
   */
  addBinaryRecord(r: BinaryRecord, origin: number, opts: { installed?: boolean } = {}, order?: number): BinaryPackage {
    if (order === undefined) {
      this.readName(r.name);
      order = this.nextOrder++;
    }
    const key = `${r.name}\0${r.version}\0${r.arch}`;
    const existing = this.byKey.get(key);
    if (existing !== undefined) {
      const e = this.packages[existing]!;
      if (opts.installed) {
        if (!e.installed) insertOrdered(this.installedIds, e.id, (id) => this.packages[id]!.order);
        e.installed = true;
      } else if (e.origin !== origin) (e.alsoFrom ??= []).push(origin);
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
    pkg.order = order;
    this.packages.push(pkg);
    this.byKey.set(key, pkg.id);
    this.indexPackage(pkg);
    if (r.arch !== 'all') this.eagerArchitectures.add(r.arch);
    return pkg;
  }

  /** Enter a new package in the indexes by name, provides, conflicts, installed and essential. */
  private indexPackage(pkg: BinaryPackage): void {
    const ord = (id: number) => this.packages[id]!.order;
    let list = this.byName.get(pkg.name);
    if (!list) this.byName.set(pkg.name, [pkg.id]);
    else insertOrdered(list, pkg.id, ord);
    if (pkg.installed) insertOrdered(this.installedIds, pkg.id, ord);
    if (pkg.essential) insertOrdered(this.essentialIds, pkg.id, ord);
    if (this.providersIndex && pkg.rawField('provides')) this.addProvides(this.providersIndex, pkg);
    if (this.declarersIndex && (pkg.rawField('conflicts') || pkg.rawField('breaks'))) this.addDeclarer(this.declarersIndex, pkg);
  }

  private addProvides(idx: Map<string, [number, string | undefined][]>, pkg: BinaryPackage): void {
    for (const a of pkg.provides) {
      let l = idx.get(a.name);
      if (!l) idx.set(a.name, (l = []));
      const entry: [number, string | undefined] = [pkg.id, a.op === '=' ? a.version : undefined];
      insertOrdered(l, entry, (e) => this.packages[e[0]]!.order);
    }
  }

  private addDeclarer(idx: Map<string, number[]>, pkg: BinaryPackage): void {
    for (const field of [pkg.conflicts, pkg.breaks]) {
      for (const rel of field) {
        for (const alt of rel) {
          let l = idx.get(alt.name);
          if (!l) idx.set(alt.name, (l = []));
          if (!l.includes(pkg.id)) insertOrdered(l, pkg.id, (id) => this.packages[id]!.order);
        }
      }
    }
  }

  /** Offer a dpkg-cross conversion of a host-arch package (the fallback for libraries not Multi-Arch ready). */
  addCrossClone(id: number): BinaryPackage {
    const clone = this.get(id).crossClone(this.packages.length);
    clone.order = this.nextOrder++;
    this.packages.push(clone);
    this.indexPackage(clone);
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

  addSourceRecord(r: SourceRecord, origin: number, order = this.nextSourceOrder++): SourcePackage {
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
    src.order = order;
    this.sourceList.push(src);
    let list = this.sourcesByName.get(name);
    if (!list) this.sourcesByName.set(name, [src]);
    else insertOrdered(list, src, (s) => s.order);
    return src;
  }

  /** Read the records of one attached index entry, unless a name read them already. */
  private readBinary(a: Attached, ordinal: number): void {
    const r = a.index.binary(ordinal);
    if (a.wanted.has(r.arch)) this.addBinaryRecord(r, a.origin, {}, a.binaryBase + ordinal);
  }

  /** Make every package of that name, from every attached index, exist. */
  private readName(name: string): void {
    if (this.everyBinary || this.attached.length === 0 || this.doneNames.has(name)) return;
    this.doneNames.add(name);
    for (const a of this.attached) for (const j of a.index.named(name)) this.readBinary(a, j);
  }

  named(name: string): readonly number[] {
    this.readName(name);
    return this.byName.get(name) ?? [];
  }

  get(id: number): BinaryPackage {
    return this.packages[id]!;
  }

  /** Packages that provide `name`, each with the version it provides (if any). */
  providers(name: string): readonly [number, string | undefined][] {
    if (!this.everyBinary && this.attached.length && !this.doneProvides.has(name)) {
      this.doneProvides.add(name);
      for (const a of this.attached) for (const j of a.index.providing(name)) this.readName(a.index.binaryName(j));
    }
    if (!this.providersIndex) {
      const idx = new Map<string, [number, string | undefined][]>();
      for (const pkg of [...this.packages].sort(byOrder)) if (pkg.rawField('provides')) this.addProvides(idx, pkg);
      this.providersIndex = idx;
    }
    return this.providersIndex.get(name) ?? [];
  }

  /**
   * Packages read so far whose Conflicts or Breaks name `name` (the caller checks versions and
   * architectures). Not read from the indexes: a package nobody has asked for yet is in no answer.
   */
  conflictDeclarers(name: string): readonly number[] {
    if (!this.declarersIndex) {
      const idx = new Map<string, number[]>();
      for (const pkg of [...this.packages].sort(byOrder))
        if (pkg.rawField('conflicts') || pkg.rawField('breaks')) this.addDeclarer(idx, pkg);
      this.declarersIndex = idx;
    }
    return this.declarersIndex.get(name) ?? [];
  }

  /** Every package, in order (reads every attached index whole: for archive-wide questions). */
  all(): readonly BinaryPackage[] {
    if (!this.everyBinary && this.attached.length) {
      for (const a of this.attached) {
        a.index.preload();
        for (let j = 0; j < a.index.binaryCount; j++) {
          const r = a.index.binary(j);
          if (this.doneNames.has(r.name) || !a.wanted.has(r.arch)) continue;
          this.addBinaryRecord(r, a.origin, {}, a.binaryBase + j);
        }
      }
      this.everyBinary = true;
    }
    let sorted = true;
    for (let i = 1; i < this.packages.length && sorted; i++) sorted = this.packages[i - 1]!.order < this.packages[i]!.order;
    return sorted ? this.packages : [...this.packages].sort(byOrder);
  }

  /** What dpkg's status says is installed, in order. */
  installed(): BinaryPackage[] {
    return this.installedIds.map((id) => this.packages[id]!);
  }

  /** The Essential: yes packages, in order. */
  essentialPackages(): BinaryPackage[] {
    if (!this.essentialRead && !this.everyBinary) {
      this.essentialRead = true;
      for (const a of this.attached) for (const j of a.index.essential()) this.readName(a.index.binaryName(j));
    }
    return this.essentialIds.map((id) => this.packages[id]!);
  }

  private readSourceName(name: string): void {
    if (this.everySource || this.doneSources.has(name)) return;
    this.doneSources.add(name);
    for (const a of this.attached) {
      if (!a.sources) continue;
      for (const j of a.index.sourcesNamed(name)) this.readSource(a, j);
    }
  }

  /** A source record of an attached index, counted as read. */
  private readSource(a: Attached, ordinal: number, r: SourceRecord = a.index.source(ordinal)): void {
    this.addSourceRecord(r, a.origin, a.sourceBase + ordinal);
    this.attachedSourcesRead++;
  }

  /** Source packages of that name, in order. */
  sourcesNamed(name: string): readonly SourcePackage[] {
    this.readSourceName(name);
    return this.sourcesByName.get(name) ?? [];
  }

  /** Every source package, in order (reads every attached Sources index whole). */
  allSources(): readonly SourcePackage[] {
    if (!this.everySource && this.attached.length) {
      for (const a of this.attached) {
        if (!a.sources) continue;
        a.index.preload();
        for (let j = 0; j < a.index.sourceCount; j++) {
          const r = a.index.source(j);
          const pi = r.names.indexOf('Package');
          const name = pi >= 0 ? r.values[pi]! : r.values[r.names.indexOf('Source')]!;
          if (!this.doneSources.has(name)) this.readSource(a, j, r);
        }
      }
      this.everySource = true;
    }
    return [...this.sourceList].sort(byOrder);
  }

  /** How many source records the universe holds or can read. */
  get sourceCount(): number {
    let n = this.sourceList.length - this.attachedSourcesRead;
    for (const a of this.attached) if (a.sources) n += a.index.sourceCount;
    return n;
  }

  /** Ids run from 0 to this (exclusive): the size of a table indexed by package id. */
  get idLimit(): number {
    return this.packages.length;
  }

  /** Architectures that have packages (besides 'all'). */
  get architectures(): ReadonlySet<string> {
    const out = new Set(this.eagerArchitectures);
    for (const a of this.attached)
      for (const [arch, n] of Object.entries(a.index.archCounts)) if (n > 0 && arch !== 'all' && a.wanted.has(arch)) out.add(arch);
    return out;
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
