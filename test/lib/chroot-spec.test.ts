// Chroot names, descriptions, the mmdebstrap command, and the mounts of a session.
import { describe, expect, it } from 'vitest';
import {
  aptListPrefix,
  checkChrootName,
  chrootNames,
  missingSourceLines,
  parseChrootMeta,
  planCreate,
  shellQuote,
} from '../../src/lib/chroot-spec.js';
import { InputError, UsageError } from '../../src/lib/errors.js';
import { bindRoots, inRoot, mountsUnder, parseMountInfo, sessionMounts } from '../../src/lib/mount-plan.js';
import { spawnSync } from 'node:child_process';

describe('chroot names and the chroot-dir layout', () => {
  it.each(['bookworm-arm64', 'emu.arm64', 'a', 'x+1_2'])('%s is a name', (n) => expect(checkChrootName(n)).toBe(n));
  it.each(['', 'Arm64', '-x', '.hidden', 'a/b', 'a b', 'x.lock', 'x.tmp', 'x.log', 'x.json', 'x.tar.zst', 'x.tar'])('%s is not', (n) => {
    expect(() => checkChrootName(n)).toThrow(UsageError);
  });

  it('reads names from the entries as shell completion does (images, descriptions, not locks, logs or hidden files)', () => {
    expect(
      chrootNames(['a.tar.zst', 'a.json', 'a.lock', 'a.log', 'b.json', 'c', 'd.squashfs', '.sessions', '.a.1.new.tar.zst', 'e.tmp']),
    ).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('parseChrootMeta', () => {
  const good = {
    format: 1,
    name: 'x',
    kind: 'cross',
    buildArch: 'amd64',
    hostArch: 'arm64',
    architectures: ['amd64', 'arm64'],
    suite: 'bookworm',
    mirror: 'http://deb.debian.org/debian',
    include: [],
    image: 'x.tar.zst',
    command: ['mmdebstrap'],
    created: 't',
    updated: 't',
  };
  it('accepts a complete description', () => {
    expect(parseChrootMeta(JSON.stringify(good), 'x.json')).toMatchObject({ kind: 'cross', architectures: ['amd64', 'arm64'] });
  });
  it.each([
    ['not JSON', '{', /x\.json: not JSON/],
    ['another format', JSON.stringify({ ...good, format: 2 }), /unknown format 2/],
    ['a missing field', JSON.stringify({ ...good, suite: undefined }), /'suite' is missing/],
    ['a wrong kind', JSON.stringify({ ...good, kind: 'native' }), /kind must be cross or emulated/],
    ['an image elsewhere', JSON.stringify({ ...good, image: '../../etc/passwd' }), /image must be a file name/],
    ['a list of numbers', JSON.stringify({ ...good, include: [1] }), /'include' is missing or not a list of strings/],
  ])('refuses %s, naming the file', (_, text, re) => {
    expect(() => parseChrootMeta(text, 'x.json')).toThrow(InputError);
    expect(() => parseChrootMeta(text, 'x.json')).toThrow(re);
  });
});

describe('missingSourceLines: deb-src for a chroot made without them', () => {
  const table: [string, string[]][] = [
    ['deb http://deb.debian.org/debian bookworm main\n', ['deb-src http://deb.debian.org/debian bookworm main']],
    ['deb http://m/debian bookworm main\ndeb-src http://m/debian bookworm main\n', []],
    ['deb [arch=amd64] http://m/debian bookworm main contrib\n# deb-src x\n', ['deb-src http://m/debian bookworm main contrib']],
    [
      'deb http://m/d bookworm main\ndeb http://m/d bookworm-updates main\ndeb-src http://m/d bookworm main\n',
      ['deb-src http://m/d bookworm-updates main'],
    ],
    ['', []],
  ];
  it.each(table)('%j → %j', (text, want) => expect(missingSourceLines(text)).toEqual(want));
});

describe('planCreate: the mmdebstrap command', () => {
  const base = {
    name: 'c',
    machineArch: 'amd64',
    hostArch: 'arm64',
    suite: 'bookworm',
    mirror: 'http://deb.debian.org/debian',
    include: [],
    unshare: false,
    output: '/d/.c.new.tar.zst',
  };
  it('a cross chroot: the machine architecture first, the host one added, its cross toolchain, the lists kept', () => {
    const p = planCreate({ ...base, kind: 'cross', include: ['distcc', ' '], localRepoLine: 'deb [trusted=yes] file:/r full main' });
    expect(p.architectures).toEqual(['amd64', 'arm64']);
    expect(p.buildArch).toBe('amd64');
    expect(p.argv).toEqual([
      'mmdebstrap',
      '--mode=root',
      '--variant=buildd',
      '--architectures=amd64,arm64',
      '--include=crossbuild-essential-arm64,distcc',
      '--skip=cleanup/apt/lists',
      // No documentation but copyrights: the set's Multi-Arch: same rebuilds beside the archive's copies (changelogs differ).
      '--dpkgopt=path-exclude=/usr/share/doc/*',
      '--dpkgopt=path-include=/usr/share/doc/*/copyright',
      `--customize-hook=printf '%s\\n' 'path-exclude=/usr/share/doc/*' 'path-include=/usr/share/doc/*/copyright' > "$1/etc/dpkg/dpkg.cfg.d/xdeb-excludes"`,
      expect.stringMatching(/debian_chroot/),
      expect.stringMatching(/man-db\/auto-update/),
      `--customize-hook=echo 'deb [trusted=yes] file:/r full main' > "$1/etc/apt/sources.list.d/xdeb-local.list"`,
      'bookworm',
      '/d/.c.new.tar.zst',
      'deb http://deb.debian.org/debian bookworm main',
      'deb-src http://deb.debian.org/debian bookworm main',
    ]);
  });
  it('a mirror given as a sources.list line is used as it is', () => {
    const p = planCreate({ ...base, kind: 'cross', mirror: 'deb [trusted=yes] file:/m bookworm main' });
    expect(p.argv.slice(-1)).toEqual(['deb [trusted=yes] file:/m bookworm main']);
  });
  it('an emulated chroot: the host architecture only; unshare mode when not root', () => {
    const p = planCreate({ ...base, kind: 'emulated', unshare: true });
    expect(p.architectures).toEqual(['arm64']);
    expect(p.buildArch).toBe('arm64');
    expect(p.argv).toContain('--mode=unshare');
    expect(p.argv.some((a) => a.startsWith('--include'))).toBe(false);
  });
  it('refuses a cross chroot for the machine architecture and an emulated one of it', () => {
    expect(() => planCreate({ ...base, kind: 'cross', hostArch: 'amd64' })).toThrow(/would be a native one/);
    expect(() => planCreate({ ...base, kind: 'emulated', hostArch: 'amd64' })).toThrow(/runs natively here/);
  });
  it('quotes for sh so that the hook writes the line as given', () => {
    for (const s of ["it's", 'a b', '$HOME', 'deb [x] file:/a b c', 'plain']) {
      const r = spawnSync('sh', ['-c', `printf %s ${shellQuote(s)}`], { encoding: 'utf8' });
      expect(r.stdout).toBe(s);
    }
  });
  it('names the apt list files of a file: repository as apt does', () => {
    expect(aptListPrefix('/tmp/x/repo')).toBe('_tmp_x_repo_');
  });
});

describe('bind mounts of a session', () => {
  it('drops duplicates and paths inside another, read-write winning', () => {
    expect(
      bindRoots([
        { path: '/work/src/pkg', readOnly: false },
        { path: '/work/src', readOnly: true },
        { path: '/home/u/repo/', readOnly: true },
        { path: '/home/u/repo', readOnly: true },
        { path: '/tmp/a//b/.', readOnly: false },
      ]),
    ).toEqual([
      { path: '/tmp/a/b', readOnly: false },
      { path: '/work/src', readOnly: false },
      { path: '/home/u/repo', readOnly: true },
    ]);
  });
  it.each(['/', '/usr', '/var', '/etc', '/var/lib', '/tmp', '/root', '/lib'])("refuses %s: it would hide the chroot's own system", (p) => {
    expect(() => bindRoots([{ path: p, readOnly: true }])).toThrow(/would hide the chroot's own/);
  });
  it.each(['/proc/1', '/dev/shm/x', '/sys/fs', '/native/usr'])('refuses %s inside the kernel filesystems or /native', (p) => {
    expect(() => bindRoots([{ path: p, readOnly: true }])).toThrow(/cannot be shown inside a chroot/);
  });
  it('refuses relative paths and ..', () => {
    expect(() => bindRoots([{ path: 'src', readOnly: true }])).toThrow(/not an absolute path/);
    expect(() => bindRoots([{ path: '/tmp/x/../../etc', readOnly: true }])).toThrow(/'\.\.'/);
  });
  it('mounts /proc and /dev first, then /native, then the directories at their own paths', () => {
    expect(sessionMounts({ root: '/s/root', native: '/s/native', binds: [{ path: '/srv/repo', readOnly: true }] })).toEqual([
      { kind: 'proc', target: '/s/root/proc' },
      { kind: 'dev', source: '/dev', target: '/s/root/dev' },
      { kind: 'bind', source: '/s/native', target: '/s/root/native', readOnly: true },
      { kind: 'bind', source: '/srv/repo', target: '/s/root/srv/repo', readOnly: true },
    ]);
    expect(inRoot('/s/root/', '/')).toBe('/s/root');
  });
});

describe('mountinfo', () => {
  const info = [
    '22 27 0:21 / /proc rw,relatime - proc proc rw',
    '47 27 0:42 / /var/tmp/s/root/proc rw,relatime - proc proc rw',
    '48 27 0:6 / /var/tmp/s/root/dev rw,relatime - devtmpfs devtmpfs rw',
    '51 48 0:24 / /var/tmp/s/root/dev/pts rw,relatime - devpts devpts rw',
    '60 27 254:0 /home/u/my\\040repo /var/tmp/s/root/home/u/my\\040repo ro,relatime - ext4 /dev/vda rw',
    '61 27 254:0 / /var/tmp/s/rootless rw - ext4 /dev/vda rw',
  ].join('\n');
  it('reads mount points, unescaping \\040', () => {
    expect(parseMountInfo(info)).toContain('/var/tmp/s/root/home/u/my repo');
  });
  it('lists what is under a directory, deepest first, and not its namesakes', () => {
    expect(mountsUnder(parseMountInfo(info), '/var/tmp/s/root/')).toEqual([
      '/var/tmp/s/root/home/u/my repo',
      '/var/tmp/s/root/dev/pts',
      '/var/tmp/s/root/proc',
      '/var/tmp/s/root/dev',
    ]);
  });
});
