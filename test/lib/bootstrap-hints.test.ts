// Bootstrap hints files and botch's droppable lists: what they say, and every error with its file and line. Debian's own lists are read
// as botch itself reads them (/usr/share/botch/util.py).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DROPPABLE_DIR, readDroppableLists } from '../../src/adapters/droppable-lists.js';
import { parseDroppableList, parseHints } from '../../src/lib/bootstrap-hints.js';
import { InputError } from '../../src/lib/errors.js';

describe('parseHints', () => {
  it('stanzas with Drop-Build-Depends or Profiles, each with its file and line; lists comma- or space-separated', () => {
    const text = [
      '# how to bootstrap',
      'Source: libselinux',
      'Drop-Build-Depends: swig, python3-all-dev',
      'Reason: the python bindings are not needed',
      ' for the first build',
      '',
      'Source: foo',
      'Profiles: pkg.foo.nopython stage1,stage1',
      'Reason: no python yet',
      '',
      'source: bar',
      'drop-build-depends: libgtk-3-dev',
      '  libqt5-dev,',
      'reason: no GUI',
      '',
    ].join('\n');
    expect(parseHints(text, 'hints')).toEqual([
      {
        source: 'libselinux',
        drop: ['swig', 'python3-all-dev'],
        profiles: [],
        avoid: [],
        reason: 'the python bindings are not needed for the first build',
        file: 'hints',
        line: 2,
      },
      { source: 'foo', drop: [], profiles: ['pkg.foo.nopython', 'stage1'], avoid: [], reason: 'no python yet', file: 'hints', line: 7 },
      { source: 'bar', drop: ['libgtk-3-dev', 'libqt5-dev'], profiles: [], avoid: [], reason: 'no GUI', file: 'hints', line: 11 },
    ]);
    expect(
      parseHints('Source: audit\nAvoid-Profiles: pkg.audit.noldap\nReason: its rules chmod a directory the profile does not make\n', 'h'),
    ).toEqual([
      {
        source: 'audit',
        drop: [],
        profiles: [],
        avoid: ['pkg.audit.noldap'],
        reason: 'its rules chmod a directory the profile does not make',
        file: 'h',
        line: 1,
      },
    ]);
    expect(parseHints('', 'hints')).toEqual([]);
    expect(parseHints('# nothing yet\n\n', 'hints')).toEqual([]);
  });

  const bad: [string, string, RegExp][] = [
    [
      'a misspelt field: did you mean',
      'Source: foo\nDrop-Build-Depend: swig\nReason: r\n',
      /^hints:2: unknown field 'Drop-Build-Depend' \(did you mean 'Drop-Build-Depends'\?\)/,
    ],
    [
      'Build-Depends for Drop-Build-Depends',
      'Source: foo\nReason: r\nBuild-Depends: swig\n',
      /^hints:3: unknown field 'Build-Depends' \(did you mean 'Drop-Build-Depends'\?\)/,
    ],
    [
      'Profile for Profiles',
      'Source: foo\nProfile: stage1\nReason: r\n',
      /^hints:2: unknown field 'Profile' \(did you mean 'Profiles'\?\)/,
    ],
    ['an unknown field, nothing near', 'Source: foo\nProfiles: stage1\nReason: r\nUrgency: high\n', /^hints:4: unknown field 'Urgency';/],
    [
      'no Source',
      'Source: foo\nProfiles: stage1\nReason: r\n\n# b\nProfiles: stage1\nReason: r\n',
      /^hints:6: the stanza has no 'Source' field/,
    ],
    ['a bad source name', 'Source: Foo_1\nProfiles: stage1\nReason: r\n', /^hints:1: Source: 'Foo_1' is not a source package name/],
    [
      'both',
      'Source: foo\nProfiles: stage1\nReason: r\nDrop-Build-Depends: swig\n',
      /^hints:4: a hint has one of 'Drop-Build-Depends', 'Profiles', 'Avoid-Profiles', not 'Drop-Build-Depends' and 'Profiles'/,
    ],
    ['neither', 'Source: foo\nReason: r\n', /^hints:1: the hint for foo says none of 'Drop-Build-Depends', 'Profiles', 'Avoid-Profiles'/],
    ['an empty Avoid-Profiles', 'Source: foo\nAvoid-Profiles:\nReason: r\n', /^hints:2: Avoid-Profiles: no build profile named/],
    ['no Reason', 'Source: foo\nProfiles: stage1\n\nSource: bar\nProfiles: stage1\n', /^hints:1: the hint for foo has no 'Reason' field/],
    ['an empty Reason', 'Source: foo\nProfiles: stage1\nReason:\n', /^hints:3: Reason: empty/],
    [
      'a version in Drop-Build-Depends',
      'Source: foo\nDrop-Build-Depends: swig (>= 4)\nReason: r\n',
      /^hints:2: Drop-Build-Depends: '\(>=' is not a binary package name \(binary package names only/,
    ],
    [
      'an upper-case package',
      'Source: foo\nDrop-Build-Depends: Swig\nReason: r\n',
      /^hints:2: Drop-Build-Depends: 'Swig' is not a binary package name/,
    ],
    ['an empty Drop-Build-Depends', 'Source: foo\nDrop-Build-Depends: ,\nReason: r\n', /^hints:2: Drop-Build-Depends: no package named/],
    ['a bad profile', 'Source: foo\nProfiles: stage1 !nocheck\nReason: r\n', /^hints:2: '!nocheck' is not a build profile name/],
    ['an empty Profiles', 'Source: foo\nProfiles:\nReason: r\n', /^hints:2: Profiles: no build profile named/],
    ['a field twice (the deb822 parser)', 'Source: foo\nProfiles: stage1\nReason: r\nreason: s\n', /^hints:4: duplicate field 'reason'/],
    ['not deb822', 'Source: foo\nstage1\n', /^hints:2: line is not a field/],
  ];
  it.each(bad)('%s: an InputError naming the file and line', (_what, text, message) => {
    let err: unknown;
    try {
      parseHints(text, 'hints');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe('hints');
    expect((err as Error).message).toMatch(message);
  });
});

describe('parseDroppableList', () => {
  it('src: lines, weak names, comments; repeated names once; a line with another prefix skipped with why', () => {
    const text = [
      '# droppable',
      'src:gvfs libgdu-dev libbluray-dev libgdu-dev ',
      'srv:gvfs libgdu-dev',
      '',
      'doxygen   # documentation only',
      'texinfo ',
      'src:libselinux\tswig python-all-dev',
    ].join('\n');
    expect(parseDroppableList(text, 'x.list')).toEqual({
      entries: [
        { source: 'gvfs', drop: ['libgdu-dev', 'libbluray-dev'], file: 'x.list', line: 2 },
        { source: null, drop: ['doxygen'], file: 'x.list', line: 5 },
        { source: null, drop: ['texinfo'], file: 'x.list', line: 6 },
        { source: 'libselinux', drop: ['swig', 'python-all-dev'], file: 'x.list', line: 7 },
      ],
      skipped: [{ file: 'x.list', line: 3, text: 'srv:gvfs libgdu-dev', why: "'srv:' is not 'src:' (a typo in the list?)" }],
    });
    expect(parseDroppableList('', 'x.list')).toEqual({ entries: [], skipped: [] });
  });

  const bad: [string, RegExp][] = [
    ['src:foo\n', /^x\.list:1: 'src:foo' names no build-dependency to drop/],
    ['doxygen\nsrc:Foo bar\n', /^x\.list:2: 'src:Foo': 'Foo' is not a source package name/],
    ['src:foo bar Baz\n', /^x\.list:1: 'Baz' is not a binary package name/],
    ['\n\ndoxygen texinfo\n', /^x\.list:3: expected 'src:SOURCE PACKAGE…' or one package name, found 'doxygen texinfo'/],
    ['gtk-doc-tools\nlibfoo-dev (>= 1)\n', /^x\.list:2: expected 'src:SOURCE PACKAGE…'/],
  ];
  it.each(bad)('%j is refused naming the line', (text, message) => {
    expect(() => parseDroppableList(text, 'x.list')).toThrow(message);
  });
});

describe('readDroppableLists', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-droppable-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('every *.list of the directory in the order of their names; other files ignored; no directory, no entries', () => {
    const dir = join(work, 'lists');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.list'), 'src:bb xx\n');
    writeFileSync(join(dir, 'a.list'), 'srv:aa yy\nsrc:aa yy\n');
    writeFileSync(join(dir, 'README'), 'not a list\n');
    const r = readDroppableLists(dir);
    expect(r.entries.map((e) => [e.file, e.line, e.source, e.drop])).toEqual([
      [join(dir, 'a.list'), 2, 'aa', ['yy']],
      [join(dir, 'b.list'), 1, 'bb', ['xx']],
    ]);
    expect(r.skipped.map((s) => [s.file, s.line])).toEqual([[join(dir, 'a.list'), 1]]);
    expect(readDroppableLists(join(work, 'none'))).toEqual({ entries: [], skipped: [] });
    expect(() => readDroppableLists(join(dir, 'b.list'))).toThrow(/b\.list: not a directory/);
  });

  // CI installs botch (scripts/install-deps): this runs there.
  it.runIf(existsSync(DEFAULT_DROPPABLE_DIR))("Debian's lists read as botch reads them, thorsten-glaser.list's srv: line skipped", () => {
    const r = readDroppableLists(DEFAULT_DROPPABLE_DIR);
    expect(r.skipped).toEqual([
      {
        file: join(DEFAULT_DROPPABLE_DIR, 'thorsten-glaser.list'),
        line: 3,
        text: 'srv:gvfs libgdu-dev libbluray-dev libgdu-dev libbluray-dev',
        why: "'srv:' is not 'src:' (a typo in the list?)",
      },
    ]);
    // botch's readers: read_reduced_deps for the per-source lists, read_weak_deps for the weak one (as botch-native passes them).
    const py = [
      'import json, sys, glob',
      "sys.path.append('/usr/share/botch')",
      'from util import read_reduced_deps, read_weak_deps',
      `d = '${DEFAULT_DROPPABLE_DIR}'`,
      "lists = sorted(f for f in glob.glob(d + '/*.list') if not f.endswith('/weak-build-dependencies.list'))",
      "reduced = read_reduced_deps(','.join(lists))",
      "weak = read_weak_deps(d + '/weak-build-dependencies.list')",
      "print(json.dumps({'reduced': {k: sorted(v) for k, v in reduced.items()}, 'weak': sorted(weak)}))",
    ].join('\n');
    const p = spawnSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const botch = JSON.parse(p.stdout) as { reduced: Record<string, string[]>; weak: string[] };
    // botch keeps the typo as a source named 'srv:gvfs' that no source matches.
    delete botch.reduced['srv:gvfs'];
    const reduced: Record<string, Set<string>> = {};
    const weak = new Set<string>();
    for (const e of r.entries) {
      if (e.source === null) for (const d of e.drop) weak.add(d);
      else for (const d of e.drop) (reduced[`src:${e.source}`] ??= new Set()).add(d);
    }
    expect(Object.keys(botch.reduced).length).toBeGreaterThan(300);
    expect(botch.weak.length).toBeGreaterThan(20);
    expect(Object.fromEntries(Object.entries(reduced).map(([k, v]) => [k, [...v].sort()]))).toEqual(botch.reduced);
    expect([...weak].sort()).toEqual(botch.weak);
    // The weak names come from the weak list only.
    expect(new Set(r.entries.filter((e) => e.source === null).map((e) => e.file))).toEqual(
      new Set([join(DEFAULT_DROPPABLE_DIR, 'weak-build-dependencies.list')]),
    );
  });
});
