import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDpkgArchTable } from '../../src/adapters/dpkg-tables.js';
import { ArchTable, isLegalArchName } from '../../src/lib/arch.js';
import * as builtinTexts from '../../src/lib/dpkg-tables.js';
import { InputError } from '../../src/lib/errors.js';
import { have } from '../support/cli.js';

const builtin = ArchTable.builtin();
const TABLES = ['cputable', 'ostable', 'tupletable', 'abitable'] as const;
const haveDpkgTables = TABLES.every((t) => existsSync(`/usr/share/dpkg/${t}`));
const haveDpkgArch = spawnSync('perl', ['-MDpkg::Arch', '-e', '1']).status === 0;
const haveDpkgArchitecture = have('dpkg-architecture') && haveDpkgArch;

/** Run one perl program with Dpkg::Arch loaded; its stdout. */
function perl(program: string, input = ''): string {
  const r = spawnSync('perl', ['-MDpkg::Arch=:all', '-e', program], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`perl failed: ${r.stderr}`);
  return r.stdout;
}

// Committed from dpkg 1.21.22 (dpkg-architecture -a<arch>): checked without dpkg, and against it when present.
const KNOWN: [arch: string, gnu: string, multiarch: string, tuple: string, bits: number, endian: 'little' | 'big'][] = [
  ['amd64', 'x86_64-linux-gnu', 'x86_64-linux-gnu', 'base-gnu-linux-amd64', 64, 'little'],
  ['i386', 'i686-linux-gnu', 'i386-linux-gnu', 'base-gnu-linux-i386', 32, 'little'],
  ['arm64', 'aarch64-linux-gnu', 'aarch64-linux-gnu', 'base-gnu-linux-arm64', 64, 'little'],
  ['armhf', 'arm-linux-gnueabihf', 'arm-linux-gnueabihf', 'eabihf-gnu-linux-arm', 32, 'little'],
  ['armel', 'arm-linux-gnueabi', 'arm-linux-gnueabi', 'eabi-gnu-linux-arm', 32, 'little'],
  ['x32', 'x86_64-linux-gnux32', 'x86_64-linux-gnux32', 'x32-gnu-linux-amd64', 32, 'little'],
  ['arm64ilp32', 'aarch64-linux-gnu_ilp32', 'aarch64-linux-gnu_ilp32', 'ilp32-gnu-linux-arm64', 32, 'little'],
  ['mips64el', 'mips64el-linux-gnuabi64', 'mips64el-linux-gnuabi64', 'abi64-gnu-linux-mips64el', 64, 'little'],
  ['mipsn32', 'mips64-linux-gnuabin32', 'mips64-linux-gnuabin32', 'abin32-gnu-linux-mips64', 32, 'big'],
  ['powerpcspe', 'powerpc-linux-gnuspe', 'powerpc-linux-gnuspe', 'spe-gnu-linux-powerpc', 32, 'big'],
  ['ppc64el', 'powerpc64le-linux-gnu', 'powerpc64le-linux-gnu', 'base-gnu-linux-ppc64el', 64, 'little'],
  ['s390x', 's390x-linux-gnu', 's390x-linux-gnu', 'base-gnu-linux-s390x', 64, 'big'],
  ['riscv64', 'riscv64-linux-gnu', 'riscv64-linux-gnu', 'base-gnu-linux-riscv64', 64, 'little'],
  ['loong64', 'loongarch64-linux-gnu', 'loongarch64-linux-gnu', 'base-gnu-linux-loong64', 64, 'little'],
  ['hurd-i386', 'i686-gnu', 'i386-gnu', 'base-gnu-hurd-i386', 32, 'little'],
  ['hurd-amd64', 'x86_64-gnu', 'x86_64-gnu', 'base-gnu-hurd-amd64', 64, 'little'],
  ['kfreebsd-amd64', 'x86_64-kfreebsd-gnu', 'x86_64-kfreebsd-gnu', 'base-gnu-kfreebsd-amd64', 64, 'little'],
  ['kfreebsd-armhf', 'arm-kfreebsd-gnueabihf', 'arm-kfreebsd-gnueabihf', 'eabihf-gnu-kfreebsd-arm', 32, 'little'],
  ['musl-linux-arm64', 'aarch64-linux-musl', 'aarch64-linux-musl', 'base-musl-linux-arm64', 64, 'little'],
  ['musl-linux-armhf', 'arm-linux-musleabihf', 'arm-linux-musleabihf', 'eabihf-musl-linux-arm', 32, 'little'],
  ['uclibc-linux-armel', 'arm-linux-uclibceabi', 'arm-linux-uclibceabi', 'eabi-uclibc-linux-arm', 32, 'little'],
  ['darwin-amd64', 'x86_64-darwin', 'x86_64-darwin', 'base-bsd-darwin-amd64', 64, 'little'],
  ['mint-m68k', 'm68k-mint', 'm68k-mint', 'base-tos-mint-m68k', 32, 'big'],
];

function tupleString(t: ArchTable, arch: string): string | undefined {
  const x = t.tuple(arch);
  return x && `${x.abi}-${x.libc}-${x.os}-${x.cpu}`;
}

describe('the built-in table (committed expectations from dpkg 1.21.22)', () => {
  it.each(KNOWN)('%s → %s, %s', (arch, gnu, multiarch, tuple, bits, endian) => {
    expect(builtin.gnuTriplet(arch)).toBe(gnu);
    expect(builtin.multiarch(arch)).toBe(multiarch);
    expect(tupleString(builtin, arch)).toBe(tuple);
    expect(builtin.bits(arch)).toBe(bits);
    expect(builtin.endian(arch)).toBe(endian);
  });

  it('knows the 569 architectures of dpkg-architecture -L, and nothing else', () => {
    const names = builtin.names();
    expect(names).toHaveLength(569);
    expect(new Set(names).size).toBe(569);
    for (const a of ['arm', 'uclibc-linux-arm', 'hurd-i386', 'kopensolaris-sparc64', 'mint-m68k']) expect(names).toContain(a);
    expect(names).not.toContain('mint-amd64');
    expect(names).not.toContain('linux-arm64');
  });

  it('reads linux-<arch> as <arch>, as Dpkg::Arch does', () => {
    expect(tupleString(builtin, 'linux-arm64')).toBe('base-gnu-linux-arm64');
    expect(builtin.gnuTriplet('linux-armhf')).toBe('arm-linux-gnueabihf');
    expect(builtin.isKnown('linux-foo')).toBe(false);
  });

  it('has nothing for unknown architectures', () => {
    for (const a of ['foo', 'any', 'all', 'linux-any', 'source', '']) {
      expect(builtin.tuple(a)).toBeUndefined();
      expect(builtin.gnuTriplet(a)).toBeUndefined();
      expect(builtin.multiarch(a)).toBeUndefined();
      expect(builtin.bits(a)).toBeUndefined();
    }
  });

  it('checkArch: an illegal name and an unknown one are InputErrors that say which', () => {
    expect(builtin.checkArch('arm64')).toBe('arm64');
    expect(() => builtin.checkArch('amd_64', { file: 'x.cfg', line: 3 })).toThrow(
      new InputError("'amd_64' is not a legal architecture name", { file: 'x.cfg', line: 3 }),
    );
    expect(() => builtin.checkArch('amd_64', { file: 'x.cfg', line: 3 })).toThrow("x.cfg:3: 'amd_64' is not a legal architecture name");
    expect(() => builtin.checkArch('foo')).toThrow("unknown architecture 'foo'");
    expect(() => builtin.checkArch('!amd64')).toThrow("'!amd64' is not a legal architecture name");
  });

  it.each([
    ['amd64', true, true],
    ['!amd64', false, true],
    ['linux-any', true, true],
    ['Amd64', true, true],
    ['a', true, true],
    ['-amd64', false, false],
    ['amd_64', false, false],
    ['!', false, false],
    ['!!amd64', false, false],
    ['', false, false],
  ] as const)('isLegalArchName(%j): %s, with negation %s (Dpkg::Arch::debarch_is_illegal)', (name, positive, negated) => {
    expect(isLegalArchName(name)).toBe(positive);
    expect(isLegalArchName(name, { allowNegation: true })).toBe(negated);
  });
});

// Wildcards × a sample of architectures, computed by Dpkg::Arch::debarch_is (dpkg 1.21.22) and
// committed; the same table is recomputed against live perl below.
const SAMPLE_ARCHES =
  'amd64 i386 arm64 armhf armel arm x32 arm64ilp32 mips64el mipsn32 hurd-i386 hurd-amd64 kfreebsd-amd64 kfreebsd-armhf musl-linux-arm64 musl-linux-armhf uclibc-linux-armel powerpcspe ppc64el riscv64 loong64 linux-arm64'.split(
    ' ',
  );
const LINUX =
  'amd64 i386 arm64 armhf armel arm x32 arm64ilp32 mips64el mipsn32 musl-linux-arm64 musl-linux-armhf uclibc-linux-armel powerpcspe ppc64el riscv64 loong64 linux-arm64';
const WILDCARDS: [wildcard: string, matches: string, isWildcard: boolean][] = [
  ['any', SAMPLE_ARCHES.join(' '), true],
  ['all', '', false],
  ['linux-any', LINUX, true],
  ['any-arm', 'armhf armel arm kfreebsd-armhf musl-linux-armhf uclibc-linux-armel', true],
  ['any-arm64', 'arm64 arm64ilp32 musl-linux-arm64 linux-arm64', true],
  ['any-amd64', 'amd64 x32 hurd-amd64 kfreebsd-amd64', true],
  ['any-i386', 'i386 hurd-i386', true],
  [
    'gnu-any-any',
    'amd64 i386 arm64 armhf armel arm x32 arm64ilp32 mips64el mipsn32 hurd-i386 hurd-amd64 kfreebsd-amd64 kfreebsd-armhf powerpcspe ppc64el riscv64 loong64 linux-arm64',
    true,
  ],
  ['musl-linux-any', 'musl-linux-arm64 musl-linux-armhf', true],
  ['any-any-linux-any', LINUX, true],
  ['any-linux-any', LINUX, true],
  ['kfreebsd-any', 'kfreebsd-amd64 kfreebsd-armhf', true],
  ['hurd-any', 'hurd-i386 hurd-amd64', true],
  ['i386', 'i386', false],
  ['linux-arm64', 'arm64 linux-arm64', false],
  ['eabihf-any-any-any', 'armhf kfreebsd-armhf musl-linux-armhf', true],
  ['base-gnu-linux-any', 'amd64 i386 arm64 arm ppc64el riscv64 loong64 linux-arm64', true],
  ['linux-gnu-any', '', true], // three parts are libc-os-cpu: a libc called 'linux'
  ['armhf', 'armhf', false],
  ['arm', 'arm', false],
  ['any-any', SAMPLE_ARCHES.join(' '), true],
  ['any-any-any-any-any', '', true], // split in four: the cpu is 'any-any'
  ['amd64-any', '', true],
  ['ANY', '', false], // debarch_is does not fold case (debarch_is_concerned does)
  ['foo', '', false],
];

describe('wildcard matching (Dpkg::Arch::debarch_is, committed from dpkg 1.21.22)', () => {
  it.each(WILDCARDS)('%s matches %j', (wildcard, matches, isWildcard) => {
    expect(SAMPLE_ARCHES.filter((a) => builtin.matches(a, wildcard)).join(' ')).toBe(matches);
    expect(builtin.isWildcard(wildcard)).toBe(isWildcard);
  });

  it('any-arm is the arm cpu (armel, armhf), not arm64', () => {
    expect(builtin.matches('arm64', 'any-arm')).toBe(false);
    expect(builtin.matches('armhf', 'any-arm')).toBe(true);
    expect(builtin.matches('armel', 'any-arm')).toBe(true);
  });
});

// Arch lists as in a dependency, evaluated left to right as debarch_is_concerned does (committed
// from dpkg 1.21.22): [list, the sample architectures it EXCLUDES]. Mixed lists are read in order:
// [linux-any !armel] includes armel (linux-any matched first), [i386 !i386] includes everything
// (no positive match, and a negation was seen).
const NOT_LINUX = 'hurd-i386 hurd-amd64 kfreebsd-amd64 kfreebsd-armhf';
const CONCERNED: [list: string[], excludes: string][] = [
  [['amd64'], SAMPLE_ARCHES.filter((a) => a !== 'amd64').join(' ')],
  [['!amd64'], 'amd64'],
  [['linux-any', '!armel'], ''],
  [['!armel', 'linux-any'], 'armel'],
  [['!amd64', 'linux-any'], 'amd64'],
  [['amd64', '!i386'], 'i386'],
  [['i386', '!i386'], ''],
  [['!i386', '!amd64'], 'amd64 i386'],
  [['!linux-any'], LINUX],
  [['!hurd-any', '!kfreebsd-any'], NOT_LINUX],
  [['AMD64', '!ARMHF'], 'armhf'],
  [['Linux-Any'], NOT_LINUX],
  [['any-arm', '!armhf'], ''],
  [['!armhf', 'any-arm'], 'armhf'],
  [['foo'], SAMPLE_ARCHES.join(' ')],
  [['!foo'], ''],
  [['any'], ''],
  [['all'], SAMPLE_ARCHES.join(' ')],
  [['!any'], SAMPLE_ARCHES.join(' ')],
  [[], SAMPLE_ARCHES.join(' ')],
];

describe('arch lists (Dpkg::Arch::debarch_is_concerned, committed from dpkg 1.21.22)', () => {
  it.each(CONCERNED)('[%s] excludes %j', (list, excludes) => {
    expect(SAMPLE_ARCHES.filter((a) => !builtin.isConcerned(a, list)).join(' ')).toBe(excludes);
  });

  it('gives the same answer when asked again (cached) and does not change the list', () => {
    const list = ['!Armel', 'linux-any'];
    expect(builtin.isConcerned('armel', list)).toBe(false);
    expect(builtin.isConcerned('armel', list)).toBe(false);
    expect(builtin.isConcerned('armhf', list)).toBe(true);
    expect(list).toEqual(['!Armel', 'linux-any']);
  });
});

describe('ArchTable reads the table files as Dpkg::Arch does', () => {
  it('skips comments, blank lines, indented lines and short rows; accepts CRLF', () => {
    const t = new ArchTable({
      cputable: '# comment\n\nfoo\tfoo64\tfoo64\t64\tlittle\r\n  bar\tbar\tbar\t32\tbig\nbaz\tbaz\tbaz\t32\n',
      ostable: 'base-gnu-linux\tlinux-gnu\tlinux[^-]*(-gnu.*)?\r\n',
      tupletable: '#x\nbase-gnu-linux-<cpu>\t<cpu>\n',
      abitable: '',
    });
    expect(t.names()).toEqual(['foo']);
    expect(t.gnuTriplet('foo')).toBe('foo64-linux-gnu');
    expect(t.bits('foo')).toBe(64);
    expect(t.endian('foo')).toBe('little');
  });

  it('expands <cpu> rows in cputable order, an earlier row for the same arch or tuple winning', () => {
    const t = new ArchTable({
      cputable: 'a\ta\ta\t32\tlittle\nb\tb\tb\t64\tbig\n',
      ostable: 'base-gnu-linux\tlinux-gnu\tx\nbase-gnu-hurd\tgnu\tx\n',
      tupletable: 'base-gnu-hurd-a\tb\nbase-gnu-linux-<cpu>\t<cpu>\nbase-gnu-hurd-<cpu>\thurd-<cpu>\n',
      abitable: '',
    });
    // 'b' is taken by the explicit row, so base-gnu-linux-b has no name; hurd-a: its tuple is taken.
    expect(t.names()).toEqual(['b', 'a', 'hurd-b']);
    expect(tupleString(t, 'b')).toBe('base-gnu-hurd-a');
    expect(t.gnuTriplet('b')).toBe('a-gnu');
  });
});

describe('dpkg tables adapter', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('loads a table directory, so that a newer dpkg brings its own architectures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdeb-dpkg-tables-'));
    dirs.push(dir);
    for (const name of TABLES) writeFileSync(join(dir, name), builtinTexts[name]);
    writeFileSync(join(dir, 'cputable'), builtinTexts.cputable + 'newcpu\t\tnewcpu64\tnewcpu64\t\t64\tlittle\n');
    const t = loadDpkgArchTable(dir)!;
    expect(t.isKnown('newcpu')).toBe(true);
    expect(t.gnuTriplet('newcpu')).toBe('newcpu64-linux-gnu');
    expect(t.matches('newcpu', 'linux-any')).toBe(true);
    expect(builtin.isKnown('newcpu')).toBe(false);
  });

  it('gives undefined when a table is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xdeb-dpkg-tables-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'cputable'), builtinTexts.cputable);
    expect(loadDpkgArchTable(dir)).toBeUndefined();
    expect(loadDpkgArchTable(join(dir, 'nowhere'))).toBeUndefined();
  });
});

describe.runIf(haveDpkgTables)('the built-in table equals /usr/share/dpkg', () => {
  it('has the same rows as the installed files (scripts/gen-dpkg-tables.mjs regenerates it)', () => {
    for (const name of TABLES) {
      const rows = readFileSync(`/usr/share/dpkg/${name}`, 'utf8')
        .split('\n')
        .filter((l) => l.trim() !== '' && !l.startsWith('#'));
      expect(builtinTexts[name].trimEnd().split('\n'), name).toEqual(rows);
    }
  });

  it('answers as the table loaded from the files for every architecture', () => {
    const system = loadDpkgArchTable()!;
    expect(system.names()).toEqual(builtin.names());
    for (const a of system.names()) {
      expect([builtin.gnuTriplet(a), builtin.multiarch(a), tupleString(builtin, a), builtin.bits(a), builtin.endian(a)], a).toEqual([
        system.gnuTriplet(a),
        system.multiarch(a),
        tupleString(system, a),
        system.bits(a),
        system.endian(a),
      ]);
    }
  });
});

describe.runIf(haveDpkgArchitecture)('against dpkg-architecture and Dpkg::Arch', () => {
  const all = spawnSync('dpkg-architecture', ['-L'], { encoding: 'utf8' }).stdout.trim().split('\n');
  const table = loadDpkgArchTable() ?? builtin;

  it('knows exactly the architectures of dpkg-architecture -L', () => {
    expect([...table.names()].sort()).toEqual([...all].sort());
  });

  it('GNU triplet, multiarch tuple, tuple, bits and endianness equal Dpkg::Arch for every architecture (one perl)', () => {
    const out = perl(
      'for my $a (get_valid_arches()) { my @t = debarch_to_debtuple($a); my ($b, $e) = debarch_to_abiattrs($a);' +
        ' print join("\\t", $a, debarch_to_gnutriplet($a), debarch_to_multiarch($a), join("-", @t), $b, $e), "\\n" }',
    );
    const rows = out.trim().split('\n');
    expect(rows).toHaveLength(all.length);
    const mismatches = rows.filter((row) => {
      const [a] = row.split('\t') as [string];
      return [a, table.gnuTriplet(a), table.multiarch(a), tupleString(table, a), table.bits(a), table.endian(a)].join('\t') !== row;
    });
    expect(mismatches).toEqual([]);
  });

  it('GNU triplet and multiarch tuple equal dpkg-architecture -a<arch> -qDEB_HOST_* (Linux and one of each OS, one shell)', () => {
    const picked = all.filter(
      (a) =>
        !a.includes('-') ||
        /^(hurd|kfreebsd|musl-linux|uclibc-linux|uclinux|darwin|freebsd|netbsd|openbsd|solaris|aix|mint|knetbsd|kopensolaris|dragonflybsd)-(amd64|i386|arm|armhf|armel|arm64|m68k)$/.test(
          a,
        ),
    );
    expect(picked.length).toBeGreaterThan(60);
    const r = spawnSync(
      'sh',
      [
        '-c',
        'while read -r a; do dpkg-architecture -a"$a" 2>/dev/null | sed -n "s/^DEB_HOST_\\(GNU_TYPE\\|MULTIARCH\\|ARCH_BITS\\|ARCH_ENDIAN\\)=/$a \\1 /p"; done',
      ],
      { input: picked.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 26, timeout: 120_000 },
    );
    const got = new Map<string, Record<string, string>>();
    for (const line of r.stdout.trim().split('\n')) {
      const [a, key, value] = line.split(' ') as [string, string, string];
      got.set(a, { ...got.get(a), [key]: value });
    }
    expect(got.size).toBe(picked.length);
    for (const a of picked) {
      expect({ arch: a, ...got.get(a) }).toEqual({
        arch: a,
        GNU_TYPE: table.gnuTriplet(a),
        MULTIARCH: table.multiarch(a),
        ARCH_BITS: String(table.bits(a)),
        ARCH_ENDIAN: table.endian(a),
      });
    }
  }, 180_000);

  it('matches and isWildcard equal debarch_is and debarch_is_wildcard on every architecture × the wildcards (one perl)', () => {
    const wildcards = [...WILDCARDS.map((w) => w[0]), ...all.filter((_, i) => i % 37 === 0)];
    const out = perl(
      'my @w = split " ", <STDIN>; for my $a (get_valid_arches(), "linux-arm64") { print join("", map { debarch_is($a, $_) ? 1 : 0 } @w), "\\n" }' +
        ' print join("", map { debarch_is_wildcard($_) ? 1 : 0 } @w), "\\n";',
      wildcards.join(' ') + '\n',
    );
    const lines = out.trim().split('\n');
    const arches = [...all, 'linux-arm64'];
    expect(lines).toHaveLength(arches.length + 1);
    const mismatches: string[] = [];
    arches.forEach((a, i) => {
      const mine = wildcards.map((w) => (table.matches(a, w) ? 1 : 0)).join('');
      if (mine !== lines[i]) mismatches.push(`${a}: xdeb ${mine} dpkg ${lines[i]}`);
    });
    expect(mismatches).toEqual([]);
    expect(wildcards.map((w) => (table.isWildcard(w) ? 1 : 0)).join('')).toBe(lines[arches.length]);
  });

  it('isConcerned equals debarch_is_concerned on every architecture × the lists (one perl)', () => {
    const lists = CONCERNED.map((c) => c[0]);
    const out = perl(
      'my @l = map { [split " "] } split /\\|/, do { local $/; <STDIN> }, -1; for my $a (get_valid_arches()) { print join("", map { debarch_is_concerned($a, @$_) ? 1 : 0 } @l), "\\n" }',
      lists.map((l) => l.join(' ')).join('|'),
    );
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(all.length);
    const mismatches: string[] = [];
    all.forEach((a, i) => {
      const mine = lists.map((l) => (table.isConcerned(a, l) ? 1 : 0)).join('');
      if (mine !== lines[i]) mismatches.push(`${a}: xdeb ${mine} dpkg ${lines[i]}`);
    });
    expect(mismatches).toEqual([]);
  });

  it('the committed expectations still hold for this dpkg', () => {
    const out = perl(
      'my ($as, $ws) = split /\\|/, <STDIN>; my @a = split " ", $as; for my $w (split " ", $ws) { print join(" ", grep { debarch_is($_, $w) } @a), "\\n" }',
      `${SAMPLE_ARCHES.join(' ')}|${WILDCARDS.map((w) => w[0]).join(' ')}`,
    );
    expect(out.split('\n').slice(0, WILDCARDS.length)).toEqual(WILDCARDS.map((w) => w[1]));
    const known = perl(
      'for my $a (split " ", <STDIN>) { my @t = debarch_to_debtuple($a); my ($b, $e) = debarch_to_abiattrs($a);' +
        ' print join("\\t", $a, debarch_to_gnutriplet($a), debarch_to_multiarch($a), join("-", @t), $b, $e), "\\n" }',
      KNOWN.map((k) => k[0]).join(' ') + '\n',
    );
    expect(known.trim().split('\n')).toEqual(KNOWN.map((k) => k.join('\t')));
  });
});
