// Debian version strings: [epoch:]upstream[-revision], compared exactly as dpkg does
// (lib/dpkg/version.c). Digit runs are compared as strings so that any length works.

import { InputError, type InputLocation } from './errors.js';

export interface DebVersion {
  epoch: number;
  upstream: string;
  /** '' when the version has no revision. */
  revision: string;
}

export type RelationOp = '<<' | '<=' | '=' | '>=' | '>>';

export interface VersionProblem {
  /** dpkg refuses an 'error'; it compares anyway after a 'warning'. */
  severity: 'error' | 'warning';
  reason: string;
}

export interface VersionAnalysis {
  version?: DebVersion;
  problem?: VersionProblem;
}

const INT_MAX = 2147483647;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Parse as dpkg's parseversion() does: the same checks, in the same order, with its reasons. */
export function analyseVersion(input: string): VersionAnalysis {
  let start = 0;
  while (start < input.length && isBlank(input.charCodeAt(start))) start++;
  if (start === input.length) return { problem: { severity: 'error', reason: 'version string is empty' } };
  let end = start;
  while (end < input.length && !isBlank(input.charCodeAt(end))) end++;
  let after = end;
  while (after < input.length && isBlank(input.charCodeAt(after))) after++;
  if (after < input.length) return { problem: { severity: 'error', reason: 'version string has embedded spaces' } };

  let s = input.slice(start, end);
  let epoch = 0;
  const colon = s.indexOf(':');
  if (colon >= 0) {
    // strtol(): optional sign, then digits; the digits must end exactly at the colon.
    let i = 0;
    let negative = false;
    if (s[i] === '+' || s[i] === '-') {
      negative = s[i] === '-';
      i++;
    }
    const digitsStart = i;
    while (i < s.length && isDigit(s.charCodeAt(i))) i++;
    if (i === digitsStart) return { problem: { severity: 'error', reason: 'epoch in version is empty' } };
    if (i !== colon) return { problem: { severity: 'error', reason: 'epoch in version is not number' } };
    const digits = s.slice(digitsStart, i).replace(/^0+(?=\d)/, '');
    if (negative && digits !== '0') return { problem: { severity: 'error', reason: 'epoch in version is negative' } };
    if (digits.length > 10 || Number(digits) > INT_MAX) {
      return { problem: { severity: 'error', reason: 'epoch in version is too big' } };
    }
    if (colon + 1 === s.length) return { problem: { severity: 'error', reason: 'nothing after colon in version number' } };
    epoch = Number(digits);
    s = s.slice(colon + 1);
  }
  let upstream = s;
  let revision = '';
  const hyphen = s.lastIndexOf('-');
  if (hyphen >= 0) {
    upstream = s.slice(0, hyphen);
    revision = s.slice(hyphen + 1);
    if (revision === '') return { problem: { severity: 'error', reason: 'revision number is empty' } };
  }
  if (upstream === '') return { problem: { severity: 'error', reason: 'version number is empty' } };
  const version: DebVersion = { epoch, upstream, revision };
  if (!isDigit(upstream.charCodeAt(0))) {
    return { version, problem: { severity: 'warning', reason: 'version number does not start with digit' } };
  }
  for (let i = 1; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && '.-+~:'.indexOf(upstream[i]!) < 0) {
      return { version, problem: { severity: 'warning', reason: 'invalid character in version number' } };
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && '.+~'.indexOf(revision[i]!) < 0) {
      return { version, problem: { severity: 'warning', reason: 'invalid character in revision number' } };
    }
  }
  return { version };
}

/** A valid version or an InputError naming the reason; dpkg's warnings are errors here unless allowed. */
export function parseVersion(input: string, opts: { allowWarnings?: boolean; loc?: InputLocation } = {}): DebVersion {
  const { version, problem } = analyseVersion(input);
  if (problem && (problem.severity === 'error' || !opts.allowWarnings)) {
    throw new InputError(`invalid version '${input}': ${problem.reason}`, opts.loc);
  }
  return version!;
}

export function formatVersion(v: DebVersion): string {
  // An upstream version with a colon needs its epoch written, even 0, or the colon would be read as one.
  return (v.epoch || v.upstream.includes(':') ? `${v.epoch}:` : '') + v.upstream + (v.revision ? `-${v.revision}` : '');
}

// dpkg's order(): '~' before everything (even the end), then the end and digits, then letters,
// then everything else. Bytes >= 0x80 are negative signed chars in C: c - 256 + 256 = c.
// A table of the 256 byte values: one load per character in the loop below.
const ORDER = new Int32Array(256);
for (let c = 0; c < 256; c++) ORDER[c] = isDigit(c) ? 0 : isAlpha(c) ? c : c === 126 ? -1 : c >= 128 ? c : c ? c + 256 : 0;

/** verrevcmp()'s answer when it meets a non-ASCII character outside byte mode. */
const NON_ASCII = 0x40000000;

/**
 * dpkg's verrevcmp() on a[ai..ae) and b[bi..be). With `bytes`, the strings hold bytes (char
 * codes < 256); else, meeting a non-ASCII character gives NON_ASCII, to compare again as bytes.
 * (Until then all characters seen were ASCII, the same as bytes, so what was decided stands.)
 */
function verrevcmp(a: string, ai: number, ae: number, b: string, bi: number, be: number, bytes: boolean): number {
  while (ai < ae || bi < be) {
    for (;;) {
      const ca = ai < ae ? a.charCodeAt(ai) : -1;
      const cb = bi < be ? b.charCodeAt(bi) : -1;
      // Stop at a digit or the end on both sides.
      if ((ca < 0 || (ca >= 48 && ca <= 57)) && (cb < 0 || (cb >= 48 && cb <= 57))) break;
      if (!bytes && (ca >= 128 || cb >= 128)) return NON_ASCII;
      const oa = ca < 0 ? 0 : ORDER[ca]!;
      const ob = cb < 0 ? 0 : ORDER[cb]!;
      if (oa !== ob) return oa - ob;
      ai++;
      bi++;
    }
    while (ai < ae && a.charCodeAt(ai) === 48) ai++;
    while (bi < be && b.charCodeAt(bi) === 48) bi++;
    let firstDiff = 0;
    while (ai < ae && bi < be) {
      const ca = a.charCodeAt(ai);
      const cb = b.charCodeAt(bi);
      if (!isDigit(ca) || !isDigit(cb)) break;
      if (!firstDiff) firstDiff = ca - cb;
      ai++;
      bi++;
    }
    if (ai < ae && isDigit(a.charCodeAt(ai))) return 1;
    if (bi < be && isDigit(b.charCodeAt(bi))) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

// Non-ASCII text is compared byte by byte, as dpkg sees its UTF-8.
const utf8 = new TextEncoder();
function asBytes(s: string): string {
  return String.fromCharCode(...utf8.encode(s));
}

function trimBlank(s: string): string {
  if (s.length === 0) return s;
  if (!isBlank(s.charCodeAt(0)) && !isBlank(s.charCodeAt(s.length - 1))) return s;
  let i = 0;
  while (i < s.length && isBlank(s.charCodeAt(i))) i++;
  let j = i;
  while (j < s.length && !isBlank(s.charCodeAt(j))) j++;
  return s.slice(i, j);
}

/** The epoch before index `colon`, read without allocating; 0 when there is none. */
function epochOf(s: string, colon: number): number {
  let n = 0;
  for (let i = 0; i < colon; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return i === 0 && c === 43 ? epochOf(s.slice(1), colon - 1) : 0;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** The index of the last '-' in s[from..), or -1. */
function lastHyphen(s: string, from: number): number {
  for (let i = s.length - 1; i >= from; i--) if (s.charCodeAt(i) === 45) return i;
  return -1;
}

/** compareVersions() of trimmed versions; NON_ASCII when it must be done again as bytes. */
function compareTrimmed(a: string, b: string, bytes: boolean): number {
  const ac = a.indexOf(':');
  const bc = b.indexOf(':');
  const ae = ac > 0 ? epochOf(a, ac) : 0;
  const be = bc > 0 ? epochOf(b, bc) : 0;
  if (ae !== be) return ae < be ? -1 : 1;
  const as = ac + 1;
  const bs = bc + 1;
  // The revision starts after the last hyphen; without one, the revision is empty.
  const ah = lastHyphen(a, as);
  const bh = lastHyphen(b, bs);
  const aEnd = ah < 0 ? a.length : ah;
  const bEnd = bh < 0 ? b.length : bh;
  let r: number;
  if (as === bs) {
    // Skip the common start of the upstream versions: verrevcmp() would find it equal. Restart
    // where it would be in the same state, at the start of the digit run the common part ends in.
    const end = aEnd < bEnd ? aEnd : bEnd;
    let p = as;
    while (p < end && a.charCodeAt(p) === b.charCodeAt(p)) p++;
    while (p > as && isDigit(a.charCodeAt(p - 1))) p--;
    r = verrevcmp(a, p, aEnd, b, p, bEnd, bytes);
  } else {
    r = verrevcmp(a, as, aEnd, b, bs, bEnd, bytes);
  }
  if (r !== 0) return r;
  return verrevcmp(a, ah < 0 ? a.length : ah + 1, a.length, b, bh < 0 ? b.length : bh + 1, b.length, bytes);
}

/**
 * Compare two version strings as `dpkg --compare-versions` does; returns -1, 0 or 1.
 * Versions dpkg would refuse are compared by their parts all the same; validate with
 * analyseVersion() where that matters. An empty string is dpkg's blank version.
 */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  if (a === b) return 0;
  a = trimBlank(a);
  b = trimBlank(b);
  let r = compareTrimmed(a, b, false);
  if (r === NON_ASCII) r = compareTrimmed(asBytes(a), asBytes(b), true);
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

/** Does `version` satisfy `op reference`? */
export function versionSatisfies(version: string, op: RelationOp, reference: string): boolean {
  const c = compareVersions(version, reference);
  switch (op) {
    case '<<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '=':
      return c === 0;
    case '>=':
      return c >= 0;
    case '>>':
      return c > 0;
  }
}

/** The operators `dpkg --compare-versions` takes, with their truth for each ordering. */
const COMPARE_OPS: Record<string, { lt: boolean; eq: boolean; gt: boolean; emptyIsGreater?: boolean }> = {
  lt: { lt: true, eq: false, gt: false },
  le: { lt: true, eq: true, gt: false },
  eq: { lt: false, eq: true, gt: false },
  ne: { lt: true, eq: false, gt: true },
  ge: { lt: false, eq: true, gt: true },
  gt: { lt: false, eq: false, gt: true },
  '<<': { lt: true, eq: false, gt: false },
  '<=': { lt: true, eq: true, gt: false },
  '=': { lt: false, eq: true, gt: false },
  '>=': { lt: false, eq: true, gt: true },
  '>>': { lt: false, eq: false, gt: true },
  // Deprecated forms: '<' is '<=', '>' is '>='.
  '<': { lt: true, eq: true, gt: false },
  '>': { lt: false, eq: true, gt: true },
  // "Not-less": an empty version counts as later than any other.
  'lt-nl': { lt: true, eq: false, gt: false, emptyIsGreater: true },
  'le-nl': { lt: true, eq: true, gt: false, emptyIsGreater: true },
  'ge-nl': { lt: false, eq: true, gt: true, emptyIsGreater: true },
  'gt-nl': { lt: false, eq: false, gt: true, emptyIsGreater: true },
};

export function isCompareOperator(op: string): boolean {
  return Object.hasOwn(COMPARE_OPS, op);
}

/**
 * Evaluate `a op b` with dpkg --compare-versions semantics. The caller has already refused
 * versions dpkg calls errors; '' and '<unknown>' are dpkg's blank (empty) version.
 */
export function compareWithOperator(a: string, op: string, b: string): boolean {
  const info = COMPARE_OPS[op];
  if (!info) throw new InputError(`unknown operator '${op}'`);
  const c = compareVersionsOrBlank(a, b, info.emptyIsGreater);
  return c < 0 ? info.lt : c > 0 ? info.gt : info.eq;
}

export function isBlankVersion(v: string): boolean {
  return v === '' || v === '<unknown>';
}

/**
 * compareVersions() where '' and '<unknown>' are dpkg's blank version: earlier than any
 * other (or later, for the -nl operators), equal only to another blank.
 */
export function compareVersionsOrBlank(a: string, b: string, blankIsGreater = false): -1 | 0 | 1 {
  const aBlank = isBlankVersion(a);
  const bBlank = isBlankVersion(b);
  if (aBlank || bBlank) {
    if (aBlank && bBlank) return 0;
    return aBlank !== blankIsGreater ? -1 : 1;
  }
  return compareVersions(a, b);
}
