// Dependency fields (deb-src-control(5), Dpkg::Deps): parse, format and reduce.
//   field       := relation (',' relation)*        AND
//   relation    := alternative ('|' alternative)*  OR
//   alternative := name[:qual] [(op version)] [[arch list]] [<profiles>]...

import { archTable, isLegalArchName } from './arch.js';
import { InputError, type InputLocation } from './errors.js';
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
  /** Called for what dpkg warns about but accepts (legacy '<' and '>'). */
  warn?: (message: string) => void;
}

const C_SPACE = 32;
const C_TAB = 9;
const C_NL = 10;
const C_CR = 13;

function isSpace(c: number): boolean {
  return c === C_SPACE || c === C_TAB || c === C_NL || c === C_CR || c === 11 || c === 12;
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isNameChar(c: number): boolean {
  return isAlnum(c) || c === 43 /* + */ || c === 46 /* . */ || c === 45 /* - */;
}

export function isConflictsField(field: string | undefined): boolean {
  return field !== undefined && /^build-conflicts/i.test(field);
}

class RelationScanner {
  pos = 0;
  constructor(
    readonly text: string,
    readonly opts: ParseRelationOptions,
  ) {}

  fail(reason: string, at = this.pos): never {
    const loc = this.opts.loc ?? {};
    let line = loc.line;
    if (line !== undefined) {
      for (let i = 0; i < at && i < this.text.length; i++) if (this.text.charCodeAt(i) === C_NL) line++;
    }
    const what = this.opts.field ? `${this.opts.field}: ` : '';
    throw new InputError(`${what}${reason}`, { file: loc.file, line });
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length && isSpace(t.charCodeAt(this.pos))) this.pos++;
  }

  peek(): number {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  describeHere(): string {
    if (this.pos >= this.text.length) return 'end of field';
    return `'${this.text[this.pos]}'`;
  }

  /** Scan until `close`; the text between, or a failure naming the unterminated `open`. */
  until(open: string, close: number, what: string): string {
    const start = this.pos - 1;
    const end = this.text.indexOf(String.fromCharCode(close), this.pos);
    const stop = Math.min(...[',', '|'].map((s) => {
      const i = this.text.indexOf(s, this.pos);
      return i < 0 ? Infinity : i;
    }));
    if (end < 0 || end > stop) this.fail(`unterminated '${open}' in ${what}`, start);
    const inner = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return inner;
  }

  alternative(): Alternative {
    const t = this.text;
    this.skipSpace();
    const nameStart = this.pos;
    if (!isAlnum(this.peek())) {
      if (this.pos >= t.length || this.peek() === 44 || this.peek() === 124) this.fail('empty dependency (a stray , or |)');
      this.fail(`expected a package name, found ${this.describeHere()}`);
    }
    this.pos++;
    while (this.pos < t.length && isNameChar(t.charCodeAt(this.pos))) this.pos++;
    const name = t.slice(nameStart, this.pos);

    let archQualifier: string | undefined;
    if (this.peek() === 58 /* : */) {
      this.pos++;
      const qStart = this.pos;
      if (isAlnum(this.peek())) {
        this.pos++;
        while (this.pos < t.length && (isAlnum(t.charCodeAt(this.pos)) || t.charCodeAt(this.pos) === 45)) this.pos++;
      }
      archQualifier = t.slice(qStart, this.pos);
      if (!archQualifier) this.fail(`missing architecture qualifier after '${name}:'`);
      if (archQualifier === 'native' && !this.buildDep()) this.fail(`':native' is only allowed in build dependencies (${name}:native)`);
    }
    this.skipSpace();

    let op: RelationOp | undefined;
    let version: string | undefined;
    if (this.peek() === 40 /* ( */) {
      const open = this.pos;
      const inner = this.until('(', 41, `version constraint of '${name}'`);
      const m = /^\s*([<>=!]*)\s*([^\s)]*)\s*$/.exec(inner);
      if (!m) {
        this.pos = open;
        this.fail(`bad version constraint '(${inner.trim()})' of '${name}'`);
      }
      const rawOp = m[1]!;
      if (rawOp === '') this.fail(`missing operator in '(${inner.trim()})' of '${name}'`, open);
      if (rawOp === '<' || rawOp === '>') {
        op = rawOp === '<' ? '<=' : '>=';
        this.opts.warn?.(`${this.opts.field ? this.opts.field + ': ' : ''}relation '${rawOp}' of '${name}' is deprecated: use '${rawOp}${rawOp}' or '${rawOp}='`);
      } else if (rawOp === '<<' || rawOp === '<=' || rawOp === '=' || rawOp === '>=' || rawOp === '>>') {
        op = rawOp;
      } else {
        this.fail(`unknown operator '${rawOp}' in version constraint of '${name}'`, open);
      }
      version = m[2]!;
      if (version === '') this.fail(`missing version after '${rawOp}' for '${name}'`, open);
      this.skipSpace();
    }

    let archList: string[] | undefined;
    if (this.peek() === 91 /* [ */) {
      const open = this.pos;
      this.pos++;
      const inner = this.until('[', 93, `architecture list of '${name}'`);
      archList = inner.split(/\s+/).filter((a) => a !== '');
      if (archList.length === 0) this.fail(`empty architecture list for '${name}'`, open);
      for (const a of archList) {
        if (!isLegalArchName(a, { allowNegation: true })) this.fail(`'${a}' is not a legal architecture in list '[${inner.trim()}]'`, open);
      }
      this.skipSpace();
    }

    let profiles: string[][] | undefined;
    while (this.peek() === 60 /* < */) {
      const open = this.pos;
      this.pos++;
      const inner = this.until('<', 62, `build profiles of '${name}'`);
      const terms = inner.split(/\s+/).filter((p) => p !== '');
      if (terms.length === 0) this.fail(`empty build profile restriction '<>' for '${name}'`, open);
      (profiles ??= []).push(terms);
      this.skipSpace();
    }

    const c = this.peek();
    if (c !== -1 && c !== 44 && c !== 124) {
      if (c === 41 || c === 93 || c === 62) this.fail(`unbalanced '${t[this.pos]}' after '${name}'`);
      this.fail(`unexpected ${this.describeHere()} after '${t.slice(nameStart, this.pos).trim()}'`);
    }
    return { name, archQualifier, op, version, archList, profiles };
  }

  private buildDep(): boolean {
    return this.opts.buildDep ?? /^build-/i.test(this.opts.field ?? 'Build-Depends');
  }

  /** Is only white space, ',' and '|' left? Dpkg drops trailing empty items. */
  onlySeparatorsLeft(from: number, seps: RegExp): boolean {
    return seps.test(this.text.slice(from));
  }

  field(): RelationField {
    const t = this.text;
    const out: RelationField = [];
    const noOr = isConflictsField(this.opts.field);
    this.skipSpace();
    while (this.pos < t.length) {
      if (this.peek() === 44 && this.onlySeparatorsLeft(this.pos, /^[\s,]*$/)) break;
      const rel: Relation = [];
      for (;;) {
        rel.push(this.alternative());
        const c = this.peek();
        if (c !== 124) break;
        if (noOr) this.fail(`alternatives ('|') are not allowed in ${this.opts.field}`);
        this.pos++;
        // 'a |' and 'a |, b': trailing empty alternatives are dropped, as Dpkg::Deps does.
        const rest = t.slice(this.pos);
        const m = /^\s*(,|$)/.exec(rest);
        if (m) {
          this.pos += m[0].length - m[1]!.length;
          break;
        }
      }
      out.push(rel);
      if (this.peek() === 44) {
        this.pos++;
        this.skipSpace();
      }
    }
    return out;
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
  return r.map(formatAlternative).join(' | ');
}

/** Formatted as Dpkg::Deps' output(): 'a (>= 1) | b:native, c'. */
export function formatRelationField(f: RelationField): string {
  return f.map(formatRelation).join(', ');
}

/** Is a restriction formula true for the active profiles (Dpkg::BuildProfiles)? */
export function profilesSatisfied(formula: readonly (readonly string[])[], active: ReadonlySet<string>): boolean {
  for (const group of formula) {
    let ok = true;
    for (const term of group) {
      const negated = term.length > 1 && term.charCodeAt(0) === 33; /* ! */
      const name = negated ? term.slice(1) : term;
      if (active.has(name) === negated) {
        ok = false;
        break;
      }
    }
    if (ok) return true;
  }
  return false;
}

export interface ReduceContext {
  hostArch: string;
  /** Active build profiles. */
  profiles: ReadonlySet<string>;
}

/** Does this alternative apply to the host architecture and the active profiles? */
export function alternativeApplies(a: Alternative, ctx: ReduceContext): boolean {
  if (a.archList !== undefined && !archTable().isConcerned(ctx.hostArch, a.archList)) return false;
  if (a.profiles !== undefined && !profilesSatisfied(a.profiles, ctx.profiles)) return false;
  return true;
}

/**
 * Reduce a field for one build: alternatives whose arch list or profile formula is false are
 * dropped, the others lose their arch list and profiles; a relation left empty is dropped.
 * The build architecture does not enter: ':native' stays for the resolver to place.
 */
export function reduceRelationField(field: RelationField, ctx: ReduceContext): RelationField {
  const out: RelationField = [];
  for (const rel of field) {
    const kept: Relation = [];
    for (const a of rel) {
      if (!alternativeApplies(a, ctx)) continue;
      kept.push(a.archList === undefined && a.profiles === undefined ? a : { ...a, archList: undefined, profiles: undefined });
    }
    if (kept.length) out.push(kept);
  }
  return out;
}

/** The profiles a field mentions (for bootstrap planning: what its metadata offers). */
export function mentionedProfiles(field: RelationField): Set<string> {
  const out = new Set<string>();
  for (const rel of field) for (const a of rel) for (const g of a.profiles ?? []) for (const t of g) out.add(t.replace(/^!/, ''));
  return out;
}
