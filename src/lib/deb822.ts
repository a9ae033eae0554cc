// deb822 control data (deb822(5)): debian/control, .dsc, .changes, Release, Packages, Sources.
// A push parser: feed it text in chunks of any size and it hands back whole paragraphs, so an
// adapter can stream a 50 MB index without holding it as one string. Errors name file and line.

import { InputError } from './errors.js';

const lowerCache = new Map<string, string>();
function lower(name: string): string {
  let l = lowerCache.get(name);
  if (l === undefined) {
    l = name.toLowerCase();
    if (lowerCache.size < 10_000) lowerCache.set(name, l);
  }
  return l;
}

/** One paragraph: fields in order, names compared without case but kept as written. */
export class Paragraph {
  /** Field names as written. */
  readonly names: string[] = [];
  /** Values: the first line trimmed; continuation lines follow after '\n' as written. */
  readonly values: string[] = [];
  /** Line of each field in its file (1-based); 0 when built in memory. */
  readonly lines: number[] = [];
  private readonly keys: string[] = [];

  constructor(
    /** Line where the paragraph starts. */
    readonly line = 0,
  ) {}

  static from(fields: Record<string, string> | Iterable<[string, string]>): Paragraph {
    const p = new Paragraph();
    for (const [k, v] of Symbol.iterator in fields ? (fields as Iterable<[string, string]>) : Object.entries(fields)) p.set(k, v);
    return p;
  }

  get size(): number {
    return this.names.length;
  }

  indexOf(name: string): number {
    const key = lower(name);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  get(name: string): string | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.values[i];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  /** The line a field starts on, or the paragraph's own line when the field is absent. */
  lineOf(name: string): number {
    const i = this.indexOf(name);
    return i < 0 ? this.line : this.lines[i]!;
  }

  /** Set a field; an existing field keeps its place and spelling. */
  set(name: string, value: string, line = 0): void {
    const i = this.indexOf(name);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    this.names.push(name);
    this.keys.push(lower(name));
    this.values.push(value);
    this.lines.push(line);
  }

  delete(name: string): boolean {
    const i = this.indexOf(name);
    if (i < 0) return false;
    for (const a of [this.names, this.keys, this.values, this.lines] as unknown[][]) a.splice(i, 1);
    return true;
  }

  /** @internal parser fast path: the caller checked for duplicates. */
  push(name: string, key: string, value: string, line: number): void {
    this.names.push(name);
    this.keys.push(key);
    this.values.push(value);
    this.lines.push(line);
  }

  /** @internal */
  keyIndex(key: string): number {
    return this.keys.indexOf(key);
  }

  /** @internal */
  appendToLast(text: string): void {
    const i = this.values.length - 1;
    this.values[i] = this.values[i] + text;
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }

  toObject(): Record<string, string> {
    const o: Record<string, string> = {};
    for (let i = 0; i < this.names.length; i++) o[this.names[i]!] = this.values[i]!;
    return o;
  }
}

export interface Deb822Options {
  /** File name for messages. */
  file?: string;
  /** Skip lines starting with '#' (debian/control comments). Default true. */
  comments?: boolean;
  /** Accept an OpenPGP clearsigned wrapper (.dsc, .changes, InRelease). Default true. */
  signed?: boolean;
}

const enum Pgp {
  /** Nothing seen yet: the first non-blank line tells whether the text is signed. */
  Start,
  Plain,
  /** In the armor header (Hash: …) before the blank line. */
  Header,
  Body,
  Signature,
  Done,
}

/**
 * Incremental deb822 parser. feed() returns the paragraphs completed by that chunk,
 * end() the last one; both throw InputError naming the file and line.
 */
export class Deb822Parser {
  private rest = '';
  private lineNo = 0;
  private current: Paragraph | undefined;
  private pgp = Pgp.Start;
  private signatureLine = 0;
  private readonly file: string | undefined;
  private readonly comments: boolean;
  private readonly signed: boolean;
  /** True when the input was clearsigned. */
  wasSigned = false;

  constructor(opts: Deb822Options = {}) {
    this.file = opts.file;
    this.comments = opts.comments ?? true;
    this.signed = opts.signed ?? true;
  }

  private fail(reason: string, line = this.lineNo): never {
    throw new InputError(reason, { file: this.file, line });
  }

  feed(chunk: string): Paragraph[] {
    const out: Paragraph[] = [];
    const text = this.rest ? this.rest + chunk : chunk;
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.line(text, pos, nl, out);
      pos = nl + 1;
    }
    this.rest = pos < text.length ? text.slice(pos) : '';
    return out;
  }

  end(): Paragraph[] {
    const out: Paragraph[] = [];
    if (this.rest) {
      const text = this.rest;
      this.rest = '';
      this.line(text, 0, text.length, out);
    }
    if (this.pgp === Pgp.Header || this.pgp === Pgp.Body) this.fail('truncated clearsigned data: no OpenPGP signature');
    if (this.pgp === Pgp.Signature) this.fail('truncated OpenPGP signature: no END PGP SIGNATURE line', this.signatureLine);
    this.finish(out);
    return out;
  }

  private finish(out: Paragraph[]): void {
    if (this.current) {
      out.push(this.current);
      this.current = undefined;
    }
  }

  private line(text: string, s: number, e: number, out: Paragraph[]): void {
    this.lineNo++;
    if (e > s && text.charCodeAt(e - 1) === 13) e--; // CRLF
    let c = s < e ? text.charCodeAt(s) : -1;

    if (this.pgp !== Pgp.Plain) {
      const start = this.pgpLine(text, s, e, c, out);
      if (start < 0) return;
      if (start !== s) {
        s = start;
        c = s < e ? text.charCodeAt(s) : -1;
      }
    }

    if (c === -1) {
      this.finish(out);
      return;
    }
    if (c === 32 || c === 9) {
      // Continuation, or a separator made only of blanks.
      let i = s + 1;
      while (i < e && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
      if (i === e) {
        this.finish(out);
        return;
      }
      if (!this.current) this.fail('continuation line before any field');
      this.current.appendToLast('\n' + text.slice(s, e).trimEnd());
      return;
    }
    if (c === 35 /* # */ && this.comments) return;
    const colon = text.indexOf(':', s);
    if (colon < 0 || colon >= e) this.fail(`line is not a field (no ':'): '${text.slice(s, Math.min(e, s + 60))}'`);
    if (colon === s) this.fail('field name is empty');
    const name = text.slice(s, colon);
    if (name.includes(' ') || name.includes('\t')) this.fail(`field name '${name}' contains white space`);
    const key = lower(name);
    let p = this.current;
    if (!p) p = this.current = new Paragraph(this.lineNo);
    else if (p.keyIndex(key) >= 0) this.fail(`duplicate field '${name}' (first on line ${p.lineOf(name)})`);
    p.push(name, key, text.slice(colon + 1, e).trim(), this.lineNo);
  }

  /** OpenPGP clearsign framing: -1 when the line belongs to the framing, else where its data starts. */
  private pgpLine(text: string, s: number, e: number, c: number, out: Paragraph[]): number {
    const isDash = c === 45 && text.startsWith('-----', s);
    switch (this.pgp) {
      case Pgp.Start:
        if (c === -1) return -1;
        if (isDash && text.startsWith('-----BEGIN PGP SIGNED MESSAGE-----', s)) {
          if (!this.signed) this.fail('unexpected OpenPGP signed data');
          this.pgp = Pgp.Header;
          this.wasSigned = true;
          return -1;
        }
        this.pgp = Pgp.Plain;
        return s;
      case Pgp.Header:
        if (c === -1) this.pgp = Pgp.Body;
        else if (!/^[A-Za-z]+: /.test(text.slice(s, e))) this.fail('malformed OpenPGP armor header');
        return -1;
      case Pgp.Body:
        if (isDash && text.startsWith('-----BEGIN PGP SIGNATURE-----', s)) {
          this.finish(out);
          this.pgp = Pgp.Signature;
          this.signatureLine = this.lineNo;
          return -1;
        }
        if (c === 45 /* - */) {
          // Dash-escaped line: '- ' + the real line.
          if (text.charCodeAt(s + 1) !== 32) this.fail('malformed dash-escaped line in clearsigned data');
          return s + 2;
        }
        return s;
      case Pgp.Signature:
        if (isDash && text.startsWith('-----END PGP SIGNATURE-----', s)) this.pgp = Pgp.Done;
        return -1;
      case Pgp.Done:
        if (c !== -1) this.fail('data after the OpenPGP signature');
        return -1;
      default:
        return s;
    }
  }
}

/** Parse a whole text. */
export function parseDeb822(text: string, opts: Deb822Options = {}): Paragraph[] {
  const p = new Deb822Parser(opts);
  const out = p.feed(text);
  for (const para of p.end()) out.push(para);
  return out;
}

/** Exactly one paragraph, or an InputError (a .dsc, a .changes, a Release file). */
export function parseSingleParagraph(text: string, opts: Deb822Options = {}): Paragraph {
  const paras = parseDeb822(text, opts);
  if (paras.length === 0) throw new InputError('no paragraph found', { file: opts.file });
  if (paras.length > 1) throw new InputError('more than one paragraph', { file: opts.file, line: paras[1]!.line });
  return paras[0]!;
}

/** Format a paragraph as deb822 text; parse → format gives back a canonical file byte for byte. */
export function formatParagraph(p: Paragraph): string {
  let s = '';
  for (let i = 0; i < p.names.length; i++) {
    const v = p.values[i]!;
    s += p.names[i] + (v === '' || v.charCodeAt(0) === 10 ? ':' : ': ') + v + '\n';
  }
  return s;
}

export function formatDeb822(paras: Iterable<Paragraph>): string {
  const parts: string[] = [];
  for (const p of paras) parts.push(formatParagraph(p));
  return parts.join('\n');
}

/** The lines of a multi-line field (Checksums-*, Files, Package-List), without the empty first line. */
export function fieldLines(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
