// Debian architectures from dpkg's tables (cputable, ostable, tupletable, abitable):
// tuples, GNU triplets, multiarch paths and wildcard matching, as Dpkg::Arch does them.

import { InputError, type InputLocation } from './errors.js';
import * as builtin from './dpkg-tables.js';

export interface ArchTuple {
  abi: string;
  libc: string;
  os: string;
  cpu: string;
}

export interface DpkgTableTexts {
  cputable: string;
  ostable: string;
  tupletable: string;
  abitable: string;
}

interface CpuInfo {
  gnu: string;
  bits: number;
  endian: 'little' | 'big';
}

const ARCH_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]*$/;

/**
 * The rows of one of dpkg's tables, read as Dpkg::Arch reads them: a row starts at the first
 * column with `columns` fields separated by white space; '#' lines and anything else are skipped.
 */
function tableRows(text: string, columns: number): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#') || /^\s/.test(line)) continue;
    const cols = line.split(/\s+/);
    if (cols.length > 0 && cols[cols.length - 1] === '') cols.pop();
    if (cols.length >= columns) rows.push(cols);
  }
  return rows;
}

/** Perl's split(/-/, s, 4): at most four parts, the last keeps any further hyphens. */
function splitTuple(s: string): string[] {
  const parts = s.split('-');
  return parts.length > 4 ? [parts[0]!, parts[1]!, parts[2]!, parts.slice(3).join('-')] : parts;
}

export class ArchTable {
  private readonly cpus = new Map<string, CpuInfo>();
  private readonly oses = new Map<string, string>(); // abi-libc-os → GNU system
  private readonly archToTuple = new Map<string, ArchTuple>();
  private readonly abiBits = new Map<string, number>();
  /** arch → list item as written ('linux-any', '!Armel') → does the arch match its arch part? */
  private readonly matchCache = new Map<string, Map<string, boolean>>();

  constructor(texts: DpkgTableTexts) {
    const cpuOrder: string[] = [];
    for (const [name, gnu, , bits, endian] of tableRows(texts.cputable, 5)) {
      cpuOrder.push(name!);
      this.cpus.set(name!, { gnu: gnu!, bits: Number(bits), endian: endian === 'big' ? 'big' : 'little' });
    }
    for (const [name, gnu] of tableRows(texts.ostable, 3)) this.oses.set(name!, gnu!);
    for (const [name, bits] of tableRows(texts.abitable, 2)) this.abiBits.set(name!, Number(bits));
    const seenTuples = new Set<string>();
    for (const [tuple, arch] of tableRows(texts.tupletable, 2)) {
      // '<cpu>' rows expand to every cpu; an earlier, explicit row wins (as in Dpkg::Arch).
      const expansions = tuple!.includes('<cpu>')
        ? cpuOrder.map((cpu) => [tuple!.replace('<cpu>', cpu), arch!.replace('<cpu>', cpu)] as const)
        : [[tuple!, arch!] as const];
      for (const [t, a] of expansions) {
        if (tuple!.includes('<cpu>') && (this.archToTuple.has(a) || seenTuples.has(t))) continue;
        const [abi = '', libc = '', os = '', cpu = ''] = splitTuple(t);
        this.archToTuple.set(a, { abi, libc, os, cpu });
        seenTuples.add(t);
      }
    }
  }

  private static builtinTable: ArchTable | undefined;
  /** The copy of dpkg's tables compiled into xdeb. */
  static builtin(): ArchTable {
    return (ArchTable.builtinTable ??= new ArchTable(builtin));
  }

  /** Every architecture name the tables define. */
  names(): string[] {
    return [...this.archToTuple.keys()];
  }

  /** The (abi, libc, os, cpu) tuple of a real architecture; `linux-X` is read as X, as dpkg does. */
  tuple(arch: string): ArchTuple | undefined {
    const m = /^linux-([^-]*)/.exec(arch);
    return this.archToTuple.get(m ? m[1]! : arch);
  }

  isKnown(arch: string): boolean {
    return this.tuple(arch) !== undefined;
  }

  /** A real architecture name, or an InputError saying why not. */
  checkArch(arch: string, loc?: InputLocation): string {
    if (!ARCH_NAME.test(arch)) throw new InputError(`'${arch}' is not a legal architecture name`, loc);
    if (!this.isKnown(arch)) throw new InputError(`unknown architecture '${arch}'`, loc);
    return arch;
  }

  /** Dpkg::Arch::debwildcard_to_debtuple: the tuple of a wildcard or real architecture. */
  private wildcardTuple(alias: string): ArchTuple | undefined {
    const p = splitTuple(alias);
    if (p.includes('any')) {
      const full =
        p.length === 4 ? p : p.length === 3 ? ['any', ...p] : p.length === 2 ? ['any', 'any', ...p] : ['any', 'any', 'any', 'any'];
      return { abi: full[0]!, libc: full[1]!, os: full[2]!, cpu: full[3]! };
    }
    return this.tuple(alias);
  }

  /** Dpkg::Arch::debarch_is: is the real `arch` the architecture or wildcard `alias`? */
  matches(arch: string, alias: string): boolean {
    if (alias === arch || alias === 'any') return true;
    const real = this.tuple(arch);
    const wild = this.wildcardTuple(alias);
    return (
      real !== undefined &&
      wild !== undefined &&
      (wild.abi === real.abi || wild.abi === 'any') &&
      (wild.libc === real.libc || wild.libc === 'any') &&
      (wild.os === real.os || wild.os === 'any') &&
      (wild.cpu === real.cpu || wild.cpu === 'any')
    );
  }

  /** Dpkg::Arch::debarch_is_wildcard. */
  isWildcard(alias: string): boolean {
    if (alias === 'all') return false;
    const t = this.wildcardTuple(alias);
    return t !== undefined && (t.abi === 'any' || t.libc === 'any' || t.os === 'any' || t.cpu === 'any');
  }

  /** Does `arch` match the arch part of a list item (lower-cased, without its '!')? Cached: lists repeat. */
  private itemMatches(arch: string, item: string): boolean {
    let byItem = this.matchCache.get(arch);
    if (byItem === undefined) this.matchCache.set(arch, (byItem = new Map()));
    let r = byItem.get(item);
    if (r === undefined) {
      const alias = (item.charCodeAt(0) === 33 /* ! */ ? item.slice(1) : item).toLowerCase();
      r = this.matches(arch, alias);
      byItem.set(item, r);
    }
    return r;
  }

  /**
   * Dpkg::Arch::debarch_is_concerned: does an arch list such as `[linux-any !armel]` include
   * `arch`? Evaluated left to right, as dpkg does (policy forbids mixing, dpkg accepts it): a
   * negated match excludes and stops, a positive match includes and stops; when nothing matched,
   * the list includes `arch` if it held a negation (`[!a !b]` means all but a and b).
   */
  isConcerned(arch: string, list: readonly string[]): boolean {
    let seenNegation = false;
    for (const item of list) {
      if (item.charCodeAt(0) === 33 /* ! */) {
        if (this.itemMatches(arch, item)) return false;
        seenNegation = true;
      } else if (this.itemMatches(arch, item)) {
        return true;
      }
    }
    return seenNegation;
  }

  /** Is a package of `Architecture: field` (a list such as `any`, `all`, `linux-any armel`) built for `arch`? */
  fieldIncludes(field: string, arch: string): boolean {
    for (const a of field.split(/\s+/)) if (a && this.matches(arch, a)) return true;
    return false;
  }

  gnuTriplet(arch: string): string | undefined {
    const t = this.tuple(arch);
    if (!t) return undefined;
    const cpu = this.cpus.get(t.cpu);
    const os = this.oses.get(`${t.abi}-${t.libc}-${t.os}`);
    return cpu && os ? `${cpu.gnu}-${os}` : undefined;
  }

  /** The multiarch tuple (the directory under /usr/lib), e.g. aarch64-linux-gnu, i386-linux-gnu. */
  multiarch(arch: string): string | undefined {
    const gnu = this.gnuTriplet(arch);
    if (!gnu) return undefined;
    const dash = gnu.indexOf('-');
    return /^i[4567]86$/.test(gnu.slice(0, dash)) ? `i386${gnu.slice(dash)}` : gnu;
  }

  bits(arch: string): number | undefined {
    const t = this.tuple(arch);
    if (!t) return undefined;
    return this.abiBits.get(t.abi) ?? this.cpus.get(t.cpu)?.bits;
  }

  endian(arch: string): 'little' | 'big' | undefined {
    const t = this.tuple(arch);
    return t ? this.cpus.get(t.cpu)?.endian : undefined;
  }
}

let current: ArchTable | undefined;

/** The architecture table in use: dpkg's own when an adapter installed it, else the built-in copy. */
export function archTable(): ArchTable {
  return (current ??= ArchTable.builtin());
}

export function useArchTable(table: ArchTable): void {
  current = table;
}

/** Is `name` a syntactically legal architecture name or wildcard (Dpkg::Arch::debarch_is_illegal)? */
export function isLegalArchName(name: string, opts: { allowNegation?: boolean } = {}): boolean {
  return ARCH_NAME.test(opts.allowNegation && name.startsWith('!') ? name.slice(1) : name);
}
