// deb822 control data (deb822(5)): debian/control, .dsc, .changes, Release, Packages, Sources.
// A push parser: feed it text in chunks of any size and it hands back whole paragraphs, so an
// adapter can stream a 50 MB index without holding it as one string. Errors name file and line.
//
// Values: the first line without its surrounding blanks; each continuation line follows after
// '\n' as written, less its trailing blanks. A field that was not written the canonical way
// ('Name: value', continuation lines without trailing blanks) keeps its text as read, so that
// the writer gives back what it read, byte for byte, until the field is changed.

import { InputError } from './errors.js';

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;

/**
 * The one internalised copy of `s`: V8 compares two internalised strings by address, so keys
 * compare in one step (a property name comes back from Object.keys internalised).
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

const lowerCache = new Map<string, string>();
/** The lookup key of a field name. */
function lower(name: string): string {
  let l = lowerCache.get(name);
  if (l === undefined) {
    l = intern(name.toLowerCase());
    if (lowerCache.size < 10_000) lowerCache.set(name, l);
  }
  return l;
}

/**
 * Field names met so far, each one shared string with its lower-case key, found straight from
 * the text: no slice and no lower-casing per line, and paragraphs share their name strings.
 * Bounded, so that random input cannot grow it without end. Only valid names get in.
 */
const NAME_SLOTS = 8192; // a power of two, at most half full
const NAME_MAX = NAME_SLOTS / 2;
const nameSlots = new Int32Array(NAME_SLOTS).fill(-1);
const knownNames: string[] = [];
const knownKeys: string[] = [];
/** The number of each known name's key: names that differ only in case share it. */
const knownKeyIds: number[] = [];
const keyIds = new Map<string, number>();
// The characters of the known names, one after the other: compared from a typed array.
let nameChars = new Uint16Array(1 << 14);
const nameStarts: number[] = [];
let nameCharsUsed = 0;
/**
 * The name that followed each known name last time (at NAME_MAX: the first of a paragraph).
 * Indexes list their fields in a steady order, so the guess is usually right and a field
 * line is then read with one comparison.
 */
const nextName = new Int32Array(NAME_MAX + 1).fill(-1);

/** A slot for text[s..e): the length and three characters are enough to spread the names. */
function nameSlot(text: string, s: number, e: number): number {
  const len = e - s;
  const h =
    Math.imul(Math.imul(Math.imul(len, 31) + text.charCodeAt(s), 31) + text.charCodeAt(e - 1), 31) + text.charCodeAt(s + (len >> 1));
  return h & (NAME_SLOTS - 1);
}

/** Is text[s..) known name `i`, up to its length? */
function isName(i: number, text: string, s: number): boolean {
  const start = nameStarts[i]!;
  const len = knownNames[i]!.length;
  let j = 0;
  while (j < len && nameChars[start + j] === text.charCodeAt(s + j)) j++;
  return j === len;
}

/** The index of text[s..e) in knownNames, or -1. */
function findName(text: string, s: number, e: number): number {
  const len = e - s;
  for (let slot = nameSlot(text, s, e); ; slot = (slot + 1) & (NAME_SLOTS - 1)) {
    const i = nameSlots[slot]!;
    if (i < 0) return -1;
    if (knownNames[i]!.length === len && isName(i, text, s)) return i;
  }
}

/** Add a valid name that findName() did not find; its index, or -1 when the table is full. */
function addName(name: string): number {
  if (knownNames.length >= NAME_MAX) return -1;
  let slot = nameSlot(name, 0, name.length);
  while (nameSlots[slot]! >= 0) slot = (slot + 1) & (NAME_SLOTS - 1);
  name = intern(name);
  const len = name.length;
  if (nameCharsUsed + len > nameChars.length) {
    const bigger = new Uint16Array(Math.max(nameChars.length * 2, nameCharsUsed + len));
    bigger.set(nameChars);
    nameChars = bigger;
  }
  for (let j = 0; j < len; j++) nameChars[nameCharsUsed + j] = name.charCodeAt(j);
  nameStarts.push(nameCharsUsed);
  nameCharsUsed += len;
  nameSlots[slot] = knownNames.length;
  const key = lower(name);
  let keyId = keyIds.get(key);
  if (keyId === undefined) keyIds.set(key, (keyId = keyIds.size));
  knownNames.push(name);
  knownKeys.push(key);
  knownKeyIds.push(keyId);
  return knownNames.length - 1;
}

/** Starts a continuation line. */
function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}
/** Trimmed around values: blanks, and a CR left over from a CRLF line end. */
function isPad(c: number): boolean {
  return c === SPACE || c === TAB || c === CR;
}

/** Why `name` cannot be a field name (deb822(5)), or undefined when it can. */
function badFieldName(name: string): string | undefined {
  if (name === '') return 'field name is empty';
  const c = name.charCodeAt(0);
  if (c === HASH || c === DASH) return `field name '${name}' starts with '${name[0]}'`;
  for (let i = 0; i < name.length; i++) {
    const d = name.charCodeAt(i);
    if (d === COLON) return `field name '${name}' contains ':'`;
    if (d === SPACE || d === TAB) return `field name '${name}' contains white space`;
    if (d < 33 || d > 126) return `field name '${name}' contains ${notPrintable(d)}`;
  }
  return undefined;
}

function notPrintable(c: number): string {
  return `a character that is not printable ASCII (U+${c.toString(16).toUpperCase().padStart(4, '0')})`;
}

/** Why `value` cannot be written as a field value that reads back the same, or undefined. */
function badFieldValue(value: string): string | undefined {
  const n = value.length;
  let nl = value.indexOf('\n');
  const firstEnd = nl < 0 ? n : nl;
  if (firstEnd > 0 && (isPad(value.charCodeAt(0)) || isPad(value.charCodeAt(firstEnd - 1))))
    return 'the first line of the value has blanks around it';
  for (let line = 2; nl >= 0; line++) {
    const s = nl + 1;
    nl = value.indexOf('\n', s);
    const e = nl < 0 ? n : nl;
    let k = s + 1;
    while (k < e && isPad(value.charCodeAt(k))) k++;
    if (s === e || !isBlank(value.charCodeAt(s)) || k === e)
      return `line ${line} of the value does not start with a blank or has nothing else`;
    if (isPad(value.charCodeAt(e - 1))) return `line ${line} of the value ends with a blank`;
  }
  return undefined;
}

/** 'Name: value', or 'Name:' + value when the value is empty or starts on the next line. */
function canonicalField(name: string, value: string): string {
  return name + (value === '' || value.charCodeAt(0) === LF ? ':' : ': ') + value;
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
  /** The text of fields that were not written canonically, as read (sparse, usually absent). */
  private raws: (string | undefined)[] | undefined;

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
    // Names as written are mostly the shared strings that string literals also are.
    const names = this.names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
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

  /**
   * Set a field; an existing field keeps its place and spelling. Throws InputError for a name
   * or a value that deb822 cannot carry (the writer could not give it back).
   */
  set(name: string, value: string, line = 0): void {
    const why = badFieldName(name) ?? badFieldValue(value);
    if (why) throw new InputError(`cannot set field '${name}': ${why}`);
    const i = this.indexOf(name);
    if (i >= 0) {
      this.values[i] = value;
      if (this.raws) this.raws[i] = undefined;
      return;
    }
    this.push(name, lower(name), value, line, undefined);
  }

  delete(name: string): boolean {
    const i = this.indexOf(name);
    if (i < 0) return false;
    for (const a of [this.names, this.keys, this.values, this.lines, this.raws] as unknown[][]) a?.splice(i, 1);
    return true;
  }

  /** @internal parser fast path: the caller checked the name and for duplicates. */
  push(name: string, key: string, value: string, line: number, raw: string | undefined): void {
    if (raw !== undefined) (this.raws ??= [])[this.names.length] = raw;
    this.names.push(name);
    this.keys.push(key);
    this.values.push(value);
    this.lines.push(line);
  }

  /** @internal */
  keyIndex(key: string): number {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return i;
    return -1;
  }

  /** Field `i` as deb822 text without its final newline: as read when it was not canonical. */
  fieldText(i: number): string {
    return this.raws?.[i] ?? canonicalField(this.names[i]!, this.values[i]!);
  }

  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.names.length; i++) yield [this.names[i]!, this.values[i]!];
  }

  /** The fields as an object (without prototype, so that any name is an own property). */
  toObject(): Record<string, string> {
    const o: Record<string, string> = Object.create(null);
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

const BEGIN_SIGNED = '-----BEGIN PGP SIGNED MESSAGE-----';
const BEGIN_SIGNATURE = '-----BEGIN PGP SIGNATURE-----';
const END_SIGNATURE = '-----END PGP SIGNATURE-----';

/** Is text[s..e) `marker`, perhaps followed by blanks (RFC 4880 allows them on armor lines)? */
function isArmorLine(text: string, s: number, e: number, marker: string): boolean {
  if (e - s < marker.length || !text.startsWith(marker, s)) return false;
  for (let i = s + marker.length; i < e; i++) if (!isBlank(text.charCodeAt(i))) return false;
  return true;
}

/**
 * Incremental deb822 parser. feed() returns the paragraphs completed by that chunk,
 * end() the last one; both throw InputError naming the file and line.
 */
export class Deb822Parser {
  /** The last, incomplete line of the text fed so far. */
  private rest = '';
  private lineNo = 0;
  /** Text has been fed (a byte order mark is skipped only at the very start). */
  private started = false;
  private current: Paragraph | undefined;
  private pgp = Pgp.Start;
  private pgpLineNo = 0;
  private readonly file: string | undefined;
  private readonly comments: boolean;
  private readonly signed: boolean;
  /** True when the input was clearsigned. */
  wasSigned = false;

  // The open field. Its value is valuePrefix + text[valueStart..valueEnd) of the text being
  // scanned: most values are one slice of it, whatever their number of lines.
  private fieldName = '';
  private fieldKey = '';
  private fieldLine = 0;
  private valuePrefix = '';
  private valueStart = -1;
  private valueEnd = -1;
  /** The field's text as read, once it is known not to be canonical. */
  private fieldRaw: string | undefined;
  /** Known name of the previous field of the paragraph, -1 at its start or when unknown. */
  private prevName = -1;
  /** Paragraphs completed so far: the stamp of the current one in `seen`. */
  private paragraphs = 1;
  /** seen[k] === paragraphs when a field with key number k is in the current paragraph. */
  private seen = new Int32Array(64);
  /** The current paragraph has a field whose name is not in the (full) table of names. */
  private unlisted = false;

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
    let text = this.rest === '' ? chunk : this.rest + chunk;
    // A UTF-8 byte order mark is not part of the first field name.
    if (!this.started && text !== '') {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      this.line(text, pos, nl, out);
      pos = nl + 1;
    }
    this.keepValue(text);
    this.rest = pos === 0 ? text : pos < text.length ? text.slice(pos) : '';
    return out;
  }

  end(): Paragraph[] {
    const out: Paragraph[] = [];
    const text = this.rest;
    this.rest = '';
    if (text !== '') this.line(text, 0, text.length, out);
    if (this.pgp === Pgp.Header || this.pgp === Pgp.Body) {
      this.fail(`truncated clearsigned data: no OpenPGP signature (the signed message starts on line ${this.pgpLineNo})`);
    }
    if (this.pgp === Pgp.Signature) this.fail('truncated OpenPGP signature: no END PGP SIGNATURE line', this.pgpLineNo);
    this.finish(text, out);
    return out;
  }

  /** Close the open field into the current paragraph. */
  private closeField(text: string): void {
    if (this.fieldLine === 0) return;
    let value = this.valuePrefix;
    if (this.valueStart >= 0)
      value = value === '' ? text.slice(this.valueStart, this.valueEnd) : value + text.slice(this.valueStart, this.valueEnd);
    this.current!.push(this.fieldName, this.fieldKey, value, this.fieldLine, this.fieldRaw);
    this.fieldLine = 0;
    this.valuePrefix = '';
    this.valueStart = -1;
    this.fieldRaw = undefined;
  }

  /** Copy the open field's value out of `text` before it is let go. */
  private keepValue(text: string): void {
    if (this.valueStart >= 0) {
      this.valuePrefix += text.slice(this.valueStart, this.valueEnd);
      this.valueStart = -1;
    }
  }

  private finish(text: string, out: Paragraph[]): void {
    this.closeField(text);
    if (this.current) {
      out.push(this.current);
      this.current = undefined;
      this.paragraphs++;
      this.prevName = -1;
      this.unlisted = false;
    }
  }

  /** One line, text[s..e) without its '\n'. */
  private line(text: string, s: number, e: number, out: Paragraph[]): void {
    this.lineNo++;
    if (e > s && text.charCodeAt(e - 1) === CR) e--;
    if (this.pgp !== Pgp.Plain) {
      s = this.pgpLine(text, s, e, out);
      if (s < 0) return;
    }
    if (s === e) {
      this.finish(text, out);
      return;
    }
    const c = text.charCodeAt(s);
    if (c === SPACE || c === TAB) {
      this.continuation(text, s, e, out);
      return;
    }
    if (c === HASH && this.comments) return;

    // The name: first the one that followed the previous name last time, else the table; a
    // name not met before is checked (printable ASCII, deb822(5)) and added.
    let known = nextName[this.prevName < 0 ? NAME_MAX : this.prevName]!;
    let colon = known < 0 ? -1 : s + knownNames[known]!.length;
    if (known < 0 || colon >= e || text.charCodeAt(colon) !== COLON || !isName(known, text, s)) {
      colon = text.indexOf(':', s);
      if (colon < 0 || colon >= e) this.fail(`line is not a field (no ':'): '${text.slice(s, Math.min(e, s + 60))}'`);
      if (colon === s) this.fail('field name is empty');
      known = findName(text, s, colon);
      if (known < 0) {
        const name = text.slice(s, colon);
        const why = badFieldName(name);
        if (why) this.fail(why);
        known = addName(name);
      }
      if (known >= 0) nextName[this.prevName < 0 ? NAME_MAX : this.prevName] = known;
    }
    this.closeField(text);
    let name: string;
    let key: string;
    let p = this.current;
    if (!p) p = this.current = new Paragraph(this.lineNo);
    if (known >= 0) {
      name = knownNames[known]!;
      key = knownKeys[known]!;
      // Seen in this paragraph? A stamp per key, not a scan of the fields.
      const keyId = knownKeyIds[known]!;
      if (keyId >= this.seen.length) {
        const bigger = new Int32Array(Math.max(2 * this.seen.length, keyId + 1));
        bigger.set(this.seen);
        this.seen = bigger;
      }
      if (this.seen[keyId] === this.paragraphs || (this.unlisted && p.keyIndex(key) >= 0)) {
        this.fail(`duplicate field '${name}' (first on line ${p.lineOf(name)})`);
      }
      this.seen[keyId] = this.paragraphs;
    } else {
      // The table is full: a name outside it is looked for among the fields.
      name = text.slice(s, colon);
      key = lower(name);
      if (p.keyIndex(key) >= 0) this.fail(`duplicate field '${name}' (first on line ${p.lineOf(name)})`);
      this.unlisted = true;
    }
    this.prevName = known;
    this.fieldName = name;
    this.fieldKey = key;
    this.fieldLine = this.lineNo;

    // The value: 'Name:' alone, or 'Name: value' with no blanks around the value, is canonical.
    const v = colon + 1;
    if (v === e) {
      this.valueStart = this.valueEnd = e;
    } else if (text.charCodeAt(v) === SPACE && v + 1 < e && !isPad(text.charCodeAt(v + 1)) && !isPad(text.charCodeAt(e - 1))) {
      this.valueStart = v + 1;
      this.valueEnd = e;
    } else {
      let a = v;
      while (a < e && isPad(text.charCodeAt(a))) a++;
      let b = e;
      while (b > a && isPad(text.charCodeAt(b - 1))) b--;
      this.valueStart = a;
      this.valueEnd = b;
      this.fieldRaw = text.slice(s, e);
    }
  }

  /** A line starting with a blank: the next line of the open field, or a blank separator line. */
  private continuation(text: string, s: number, e: number, out: Paragraph[]): void {
    let t = e;
    while (t > s && isPad(text.charCodeAt(t - 1))) t--;
    if (t === s) {
      this.finish(text, out);
      return;
    }
    if (this.fieldLine === 0) this.fail('continuation line before any field');
    if (this.fieldRaw === undefined && t !== e) {
      // Trailing blanks: from here on, keep the field's text as read.
      this.keepValue(text);
      this.fieldRaw = canonicalField(this.fieldName, this.valuePrefix);
    }
    if (this.fieldRaw !== undefined) this.fieldRaw += '\n' + text.slice(s, e);
    if (s > 0 && text.charCodeAt(s - 1) === LF) {
      // '\n' + the line is text[s-1..t): extend the value's slice when it ends right there.
      if (this.valueStart >= 0 && this.valueEnd === s - 1) {
        this.valueEnd = t;
        return;
      }
      this.keepValue(text);
      this.valueStart = s - 1;
      this.valueEnd = t;
      return;
    }
    // The line does not follow a '\n' of this text (a new chunk, a dash-escaped line).
    this.keepValue(text);
    this.valuePrefix += '\n' + text.slice(s, t);
  }

  /** OpenPGP clearsign framing: -1 when the line belongs to the framing, else where its data starts. */
  private pgpLine(text: string, s: number, e: number, out: Paragraph[]): number {
    const c = s < e ? text.charCodeAt(s) : -1;
    switch (this.pgp) {
      case Pgp.Start:
        if (c === -1) return -1;
        if (c === DASH && isArmorLine(text, s, e, BEGIN_SIGNED)) {
          if (!this.signed) this.fail('unexpected OpenPGP signed data');
          this.pgp = Pgp.Header;
          this.pgpLineNo = this.lineNo;
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
        if (c === DASH) {
          if (isArmorLine(text, s, e, BEGIN_SIGNATURE)) {
            this.finish(text, out);
            this.pgp = Pgp.Signature;
            this.pgpLineNo = this.lineNo;
            return -1;
          }
          // Dash-escaped line: '- ' + the real line.
          if (s + 1 >= e || text.charCodeAt(s + 1) !== SPACE) this.fail('malformed dash-escaped line in clearsigned data');
          return s + 2;
        }
        return s;
      case Pgp.Signature:
        if (c === DASH && isArmorLine(text, s, e, END_SIGNATURE)) this.pgp = Pgp.Done;
        return -1;
      case Pgp.Done:
        if (c !== -1 && text.slice(s, e).trim() !== '') this.fail('data after the OpenPGP signature');
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

/**
 * Format a paragraph as deb822 text, each field ending in '\n'. What the parser read comes back
 * byte for byte (less comments, CRs and OpenPGP framing); changed fields are written canonically.
 */
export function formatParagraph(p: Paragraph): string {
  let s = '';
  const n = p.size;
  for (let i = 0; i < n; i++) s += p.fieldText(i) + '\n';
  return s;
}

/** Paragraphs separated by one empty line. */
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
