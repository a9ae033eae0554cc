// Dependency fields (deb-src-control(5), Dpkg::Deps): parse, format and reduce.
//   field       := relation (',' relation)*        AND
//   relation    := alternative ('|' alternative)*  OR
//   alternative := name[:qual] [(op version)] [[arch list]] [<profiles>]...
// What Dpkg::Deps accepts, xdeb accepts with the same meaning; where it reads malformed text
// in a surprising way, xdeb refuses it or warns (docs/relations.md lists each case).

import { archTable, isLegalArchName, type ArchTable } from './arch.js';
import { formatLocation, InputError, type InputLocation } from './errors.js';
import type { RelationOp } from './version.js';

export interface Alternative {
  name: string;
  /** ':any', ':native' or ':<arch>' without the colon. */
  archQualifier: string | undefined;
  op: RelationOp | undefined;
  version: string | undefined;
  /** The arch list as written, negations keep their '!'. */
  archList: string[] | undefined;
  /** Restriction formula: any group true; a group is true when all its terms are. */
  profiles: string[][] | undefined;
}

/** Alternatives: one of them must hold. */
export type Relation = Alternative[];
/** Relations: all of them must hold. */
export type RelationField = Relation[];

export interface ParseRelationOptions {
  /** The field's name, for messages and for field-specific rules (Build-Conflicts* take no '|'). */
  field?: string;
  /** Build-dependency field: ':native' allowed. Defaults to true for Build-* fields. */
  buildDep?: boolean;
  /** Where the value starts, for error messages. */
  loc?: InputLocation;
  /**
   * Called for what dpkg accepts but is probably a mistake (legacy '<' and '>', empty items),
   * with a message that starts with the file and line as errors do.
   */
  warn?: (message: string) => void;
}

const C_TAB = 9;
const C_NL = 10;
const C_CR = 13;
const C_SPACE = 32;
const C_BANG = 33;
const C_OPEN = 40; // (
const C_CLOSE = 41; // )
const C_COMMA = 44;
const C_COLON = 58;
const C_LT = 60;
const C_EQ = 61;
const C_GT = 62;
const C_LBRACKET = 91;
const C_RBRACKET = 93;
const C_BAR = 124;
const END = -1;

function isSpace(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_NL || c === C_CR || c === 11 || c === 12;
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 43 /* + */ || c === 46 /* . */ || c === 45; /* - */
}
/** The end of an item: what Dpkg::Deps splits the field on before parsing an alternative. */
function isItemEnd(c: number): boolean {
  return c === END || c === C_COMMA || c === C_BAR;
}

export function isConflictsField(field: string | undefined): boolean {
  return field !== undefined && /^build-conflicts/i.test(field);
}

class RelationScanner {
  pos = 0;
  private readonly len: number;
  private readonly noOr: boolean;
  private readonly buildDep: boolean;

  constructor(
    readonly text: string,
    readonly opts: ParseRelationOptions,
  ) {
    this.len = text.length;
    this.noOr = isConflictsField(opts.field);
    this.buildDep = opts.buildDep ?? /^build-/i.test(opts.field ?? 'Build-Depends');
  }

  /** The line of offset `at`: the value's first line plus the line breaks before it. */
  private lineAt(at: number): number | undefined {
    let line = this.opts.loc?.line;
    if (line === undefined) return undefined;
    const t = this.text;
    for (let i = 0; i < at && i < t.length; i++) if (t.charCodeAt(i) === C_NL) line++;
    return line;
  }

  private prefix(): string {
    return this.opts.field ? `${this.opts.field}: ` : '';
  }

  fail(reason: string, at = this.pos): never {
    throw new InputError(this.prefix() + reason, { file: this.opts.loc?.file, line: this.lineAt(at) });
  }

  warn(reason: string, at = this.pos): void {
    if (!this.opts.warn) return;
    const where = formatLocation({ file: this.opts.loc?.file, line: this.lineAt(at) });
    this.opts.warn((where ? where + ': ' : '') + this.prefix() + reason);
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < this.len && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  peek(): number {
    return this.pos < this.len ? this.text.charCodeAt(this.pos) : END;
  }

  /** The token at `at` for messages: up to the next space, separator, `)` or `]`. */
  private tokenAt(at: number): string {
    const t = this.text;
    let end = at + 1;
    for (
      let c = t.charCodeAt(end);
      end < this.len && !isSpace(c) && !isItemEnd(c) && c !== C_CLOSE && c !== C_RBRACKET;
      c = t.charCodeAt(++end)
    );
    return t.slice(at, end);
  }

  /** Is there a `close` before the end of the item? (Tells "unterminated" from "unexpected".) */
  private closesInItem(close: number): boolean {
    const t = this.text;
    for (let i = this.pos; i < this.len; i++) {
      const c = t.charCodeAt(i);
      if (c === close) return true;
      if (c === C_COMMA || c === C_BAR) return false;
    }
    return false;
  }

  /** Only white space and '|' up to the next ',' or the end? Dpkg drops such trailing empty alternatives. */
  private onlyBarsLeftInItem(): boolean {
    const t = this.text;
    for (let i = this.pos; i < this.len; i++) {
      const c = t.charCodeAt(i);
      if (c === C_COMMA) return true;
      if (c !== C_BAR && !isSpace(c)) return false;
    }
    return true;
  }

  alternative(): Alternative {
    const t = this.text;
    const nameStart = this.pos;
    this.pos++;
    while (this.pos < this.len && isNameChar(t.charCodeAt(this.pos))) this.pos++;
    const name = t.slice(nameStart, this.pos);

    let archQualifier: string | undefined;
    if (this.peek() === C_COLON) {
      const colon = this.pos++;
      const qStart = this.pos;
      if (isAlnum(this.peek())) {
        this.pos++;
        for (let c = this.peek(); isAlnum(c) || c === 45; c = this.peek()) this.pos++;
      }
      if (qStart === this.pos) this.fail(`missing architecture qualifier after '${name}:'`, colon);
      archQualifier = t.slice(qStart, this.pos);
      if (!this.buildDep && archQualifier === 'native')
        this.fail(`':native' is only allowed in build dependencies (${name}:native)`, colon);
    }
    this.skipSpace();

    let op: RelationOp | undefined;
    let version: string | undefined;
    if (this.peek() === C_OPEN) {
      const open = this.pos++;
      const unterminated = (): never => this.fail(`unterminated '(' in version constraint of '${name}'`, open);
      this.skipSpace();
      const opStart = this.pos;
      for (let c = this.peek(); c === C_LT || c === C_EQ || c === C_GT; c = this.peek()) this.pos++;
      const rawOp = t.slice(opStart, this.pos);
      switch (rawOp) {
        case '<<':
        case '<=':
        case '=':
        case '>=':
        case '>>':
          op = rawOp;
          break;
        case '<':
        case '>':
          // Dpkg reads them as '<=' and '>=' and warns.
          op = rawOp === '<' ? '<=' : '>=';
          this.warn(`relation '${rawOp}' of '${name}' is deprecated: use '${rawOp}${rawOp}' or '${rawOp}='`, opStart);
          break;
        case '':
          if (isItemEnd(this.peek()) && !this.closesInItem(C_CLOSE)) unterminated();
          this.fail(`missing operator in version constraint of '${name}' (one of << <= = >= >>)`, opStart);
        default:
          this.fail(`unknown operator '${rawOp}' in version constraint of '${name}' (one of << <= = >= >>)`, opStart);
      }
      this.skipSpace();
      const vStart = this.pos;
      for (let c = this.peek(); c !== C_CLOSE && !isItemEnd(c) && !isSpace(c); c = this.peek()) this.pos++;
      if (vStart === this.pos) {
        if (this.peek() === C_CLOSE) this.fail(`missing version after '${rawOp}' in version constraint of '${name}'`, vStart);
        unterminated();
      }
      version = t.slice(vStart, this.pos);
      this.skipSpace();
      if (this.peek() !== C_CLOSE) {
        if (!this.closesInItem(C_CLOSE)) unterminated();
        this.fail(`unexpected '${this.tokenAt(this.pos)}' in version constraint of '${name}' (a version has no spaces)`);
      }
      this.pos++;
      this.skipSpace();
    }

    let archList: string[] | undefined;
    if (this.peek() === C_LBRACKET) {
      const open = this.pos++;
      archList = [];
      let bad: string | undefined;
      for (;;) {
        this.skipSpace();
        const c = this.peek();
        if (c === C_RBRACKET) break;
        if (isItemEnd(c)) this.fail(`unterminated '[' in architecture list of '${name}'`, open);
        const aStart = this.pos;
        for (let d = c; d !== C_RBRACKET && !isItemEnd(d) && !isSpace(d); d = this.peek()) this.pos++;
        const arch = t.slice(aStart, this.pos);
        if (bad === undefined && !isLegalArchName(arch, { allowNegation: true })) bad = arch;
        archList.push(arch);
      }
      if (bad !== undefined)
        this.fail(`'${bad}' is not a legal architecture in list '${t.slice(open + 1, this.pos).trim()}' of '${name}'`, open);
      if (archList.length === 0) this.fail(`empty architecture list '[]' for '${name}'`, open);
      this.pos++;
      this.skipSpace();
    }

    let profiles: string[][] | undefined;
    while (this.peek() === C_LT) {
      const open = this.pos++;
      const group: string[] = [];
      for (;;) {
        this.skipSpace();
        const c = this.peek();
        if (c === C_GT) break;
        if (isItemEnd(c) || c === C_LT) this.fail(`unterminated '<' in build profiles of '${name}'`, open);
        const pStart = this.pos;
        for (let d = c; d !== C_GT && d !== C_LT && !isItemEnd(d) && !isSpace(d); d = this.peek()) this.pos++;
        const term = t.slice(pStart, this.pos);
        const first = term.charCodeAt(0) === C_BANG ? 1 : 0;
        if (term.length === first || term.indexOf('!', first) >= 0)
          this.fail(`'${term}' is not a legal build profile term (in the build profiles of '${name}')`, pStart);
        group.push(term);
      }
      if (group.length === 0) this.fail(`empty build profile restriction '<>' for '${name}'`, open);
      (profiles ??= []).push(group);
      this.pos++;
      const close = this.pos;
      this.skipSpace();
      if (this.pos === close && this.peek() === C_LT) {
        // Dpkg::BuildProfiles reads '<a><b>' as one odd term 'a><b'; apt and the author mean two lists.
        this.warn(`build profile lists of '${name}' should be separated by white space ('><')`, close);
      }
    }

    const c = this.peek();
    if (!isItemEnd(c)) {
      const what = t.slice(nameStart, this.pos).trim();
      switch (c) {
        case C_OPEN:
          this.fail(`the version constraint of '${name}' must come right after the name (before [arch] and <profile>)`);
        case C_LBRACKET:
          this.fail(
            archList
              ? `a second architecture list for '${name}'`
              : `the architecture list of '${name}' must come before its build profiles`,
          );
        case C_CLOSE:
        case C_RBRACKET:
        case C_GT:
          this.fail(`unbalanced '${t[this.pos]}' after '${what}'`);
        case C_COLON:
          this.fail(`unexpected ':' after '${what}' (the architecture qualifier goes right after the name)`);
        default:
          this.fail(`unexpected '${this.tokenAt(this.pos)}' after '${what}' (a missing ','?)`);
      }
    }
    return { name, archQualifier, op, version, archList, profiles };
  }

  /** One ','-separated item: alternatives separated by '|'. Empty when the item is empty. */
  relation(): Relation {
    const rel: Relation = [];
    let bar = -1;
    for (;;) {
      this.skipSpace();
      const c = this.peek();
      if (isAlnum(c)) {
        if (rel.length === 1 && this.noOr) this.fail(`alternatives ('|') are not allowed in ${this.opts.field}`, bar);
        rel.push(this.alternative());
      } else if (isItemEnd(c)) {
        // An empty alternative. Dpkg drops trailing ones ('a |', 'a | |'); a leading or middle
        // one ('| a', 'a || b') makes it reject the field.
        // Only a '|' can be followed by more text in the item.
        if (!this.onlyBarsLeftInItem()) this.fail(rel.length ? `empty alternative between '|' and '|'` : `empty alternative before '|'`);
        if (rel.length > 0 && bar >= 0) this.warn(`empty alternative after '|' ignored`, bar);
        while (this.peek() === C_BAR || isSpace(this.peek())) this.pos++;
        return rel;
      } else {
        this.fail(`expected a package name, found '${this.tokenAt(this.pos)}'`);
      }
      // alternative() stops at ',', '|' or the end.
      if (this.peek() !== C_BAR) return rel;
      bar = this.pos++;
    }
  }

  field(): RelationField {
    const out: RelationField = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.len) return out;
      const start = this.pos;
      const rel = this.relation();
      if (rel.length > 0) out.push(rel);
      if (this.pos >= this.len) return out;
      // At a ','. Empty items are ignored as Dpkg::Deps does; say so unless it is a trailing comma.
      this.pos++;
      if (rel.length === 0) {
        this.skipSpace();
        if (this.pos < this.len) this.warn(`empty dependency (a stray ',' or '|') ignored`, start);
      }
    }
  }
}

/** Parse a dependency field. Throws InputError with the file and line of the fault. */
export function parseRelationField(text: string, opts: ParseRelationOptions = {}): RelationField {
  return new RelationScanner(text, opts).field();
}

export function formatAlternative(a: Alternative): string {
  let s = a.name;
  if (a.archQualifier !== undefined) s += ':' + a.archQualifier;
  if (a.op !== undefined) s += ` (${a.op} ${a.version})`;
  if (a.archList !== undefined) s += ` [${a.archList.join(' ')}]`;
  if (a.profiles !== undefined) for (const g of a.profiles) s += ` <${g.join(' ')}>`;
  return s;
}

export function formatRelation(r: Relation): string {
  if (r.length === 1) return formatAlternative(r[0]!);
  let s = '';
  for (let i = 0; i < r.length; i++) s += (i ? ' | ' : '') + formatAlternative(r[i]!);
  return s;
}

/** Formatted as Dpkg::Deps' output(): 'a (>= 1) | b:native, c'. */
export function formatRelationField(f: RelationField): string {
  let s = '';
  for (let i = 0; i < f.length; i++) s += (i ? ', ' : '') + formatRelation(f[i]!);
  return s;
}

// '!p' for each active p, so that a negated term is looked up without slicing it.
const negatedSets = new WeakMap<ReadonlySet<string>, Set<string>>();
function negatedSet(active: ReadonlySet<string>): Set<string> {
  let s = negatedSets.get(active);
  if (s === undefined) {
    s = new Set<string>();
    for (const p of active) s.add('!' + p);
    negatedSets.set(active, s);
  }
  return s;
}

/**
 * Is a restriction formula true for the active profiles (Dpkg::BuildProfiles)? True when any
 * group is; a group is true when each term is: `p` when p is active, `!p` when it is not.
 * (The sets of active profiles are expected not to change once used.)
 */
export function profilesSatisfied(formula: readonly (readonly string[])[], active: ReadonlySet<string>): boolean {
  const negated = negatedSet(active);
  groups: for (const group of formula) {
    for (const term of group) {
      if (term.charCodeAt(0) === C_BANG ? negated.has(term) : !active.has(term)) continue groups;
    }
    return true;
  }
  return false;
}

export interface ReduceContext {
  hostArch: string;
  /** Active build profiles. */
  profiles: ReadonlySet<string>;
  /** The architecture table for wildcards; the one in use (archTable()) by default. */
  table?: ArchTable;
}

/** Does this alternative apply to the host architecture and the active profiles? */
export function alternativeApplies(a: Alternative, ctx: ReduceContext): boolean {
  if (a.archList !== undefined && !(ctx.table ?? archTable()).isConcerned(ctx.hostArch, a.archList)) return false;
  if (a.profiles !== undefined && !profilesSatisfied(a.profiles, ctx.profiles)) return false;
  return true;
}

/**
 * Reduce a field for one build, as Dpkg::Deps' deps_parse does with reduce_arch and
 * reduce_profiles: alternatives whose arch list or profile formula is false are dropped, the
 * others lose their arch list and profiles; a relation left empty is dropped (ignored, not
 * satisfied). The build architecture does not enter: ':native' stays for the resolver to place.
 */
export function reduceRelationField(field: RelationField, ctx: ReduceContext): RelationField {
  const table = ctx.table ?? archTable();
  const out: RelationField = [];
  for (const rel of field) {
    let kept: Relation | undefined;
    for (let i = 0; i < rel.length; i++) {
      const a = rel[i]!;
      if (a.archList === undefined && a.profiles === undefined) {
        if (kept) kept.push(a);
        continue;
      }
      const applies =
        (a.archList === undefined || table.isConcerned(ctx.hostArch, a.archList)) &&
        (a.profiles === undefined || profilesSatisfied(a.profiles, ctx.profiles));
      // Copy on the first change only: most relations have no restriction and are kept as they are.
      kept ??= rel.slice(0, i);
      if (applies) kept.push({ ...a, archList: undefined, profiles: undefined });
    }
    const r = kept ?? rel;
    if (r.length) out.push(r);
  }
  return out;
}

/** The profiles a field mentions (for bootstrap planning: what its metadata offers). */
export function mentionedProfiles(field: RelationField): Set<string> {
  const out = new Set<string>();
  for (const rel of field) for (const a of rel) for (const g of a.profiles ?? []) for (const t of g) out.add(t.replace(/^!/, ''));
  return out;
}
