// XinHui's distro runs: the set built by xdeb-sequence, then an arm64 root filesystem made by
// mmdebstrap from the local repository (pinned first) plus the Debian mirror as the base, and a
// program of the set run in it under qemu-user — the recipe of docs/xdeb-sequence.md.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canCrossBuildArm64, have, removeInstalled, ROOT, runCli } from '../support/cli.js';

const runsArm64 =
  spawnSync('arch-test', ['arm64']).status === 0 &&
  /flags: \S*F/.test(
    existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64') ? readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8') : '',
  );
const ready = process.getuid?.() === 0 && have('mmdebstrap') && canCrossBuildArm64() && runsArm64;
if (!ready)
  process.stderr.write(
    'distro-rootfs test: needs root, mmdebstrap, the arm64 cross toolchain and arm64 programs runnable (scripts/install-deps sets all up): not run\n',
  );
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.runIf(ready)('the distro runs: a root filesystem from the local repository, a program of the set under qemu', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-rootfs-'));
  const repo = join(work, 'repo');
  const rootfs = join(work, 'rootfs');
  // Built in a copy: a build leaves its files in the source trees.
  const src = join(work, 'src');
  cpSync(join(ROOT, 'fixtures/debian'), src, { recursive: true });
  afterAll(() => {
    removeInstalled('xdebdemo:arm64', 'libxdebdemo-dev:arm64', 'libxdebdemo1:arm64', 'xdebdemo-tool');
    rmSync(work, { recursive: true, force: true });
  });

  it('xdeb-sequence builds the set; mmdebstrap makes the arm64 root filesystem; xdebdemo runs in it, the set’s own build', () => {
    const seq = runCli(['--local-repo', repo, '-a', 'arm64', 'libxdebdemo', 'xdebdemo-tool', 'xdebdemo-prog'], {
      bin: 'xdeb-sequence',
      cwd: src,
      timeout: 900_000,
    });
    expect(seq.status, seq.stderr).toBe(0);
    // The recipe (docs/xdeb-sequence.md, "The distro runs"): the local repository pinned above the base, copy:// so that apt
    // copies its files into the new root.
    const mm = spawnSync(
      'mmdebstrap',
      [
        '--mode=root',
        '--variant=essential',
        '--architectures=arm64',
        '--include=xdebdemo',
        '--aptopt=APT::Get::allow-downgrades "true"',
        '--setup-hook=mkdir -p "$1/etc/apt/preferences.d" && printf "Package: *\\nPin: release o=xdeb\\nPin-Priority: 990\\n" > "$1/etc/apt/preferences.d/xdeb"',
        'bookworm',
        rootfs,
        'deb http://deb.debian.org/debian bookworm main',
        `deb [trusted=yes] copy:${repo} full main`,
      ],
      { encoding: 'utf8', timeout: 900_000 },
    );
    expect(mm.status, mm.stderr.split('\n').slice(-15).join('\n')).toBe(0);
    const run = spawnSync('chroot', [rootfs, '/usr/bin/xdebdemo', 'XinHui'], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/XinHui/);
    expect(spawnSync('chroot', [rootfs, 'dpkg', '--print-architecture'], { encoding: 'utf8' }).stdout.trim()).toBe('arm64');
    // The program and its library in the root filesystem are the files of the set's own builds.
    const deb = (pkg: string) => {
      const r = spawnSync('sh', ['-c', `ls ${repo}/pool/full/*/*/${pkg}_*_arm64.deb`], { encoding: 'utf8' });
      return r.stdout.trim();
    };
    const fromDeb = (file: string, path: string) =>
      sha256(spawnSync('sh', ['-c', `dpkg-deb --fsys-tarfile ${file} | tar -xO .${path}`], { maxBuffer: 1 << 26 }).stdout);
    expect(sha256(readFileSync(join(rootfs, 'usr/bin/xdebdemo')))).toBe(fromDeb(deb('xdebdemo'), '/usr/bin/xdebdemo'));
    const lib = spawnSync('sh', ['-c', `dpkg-deb -c ${deb('libxdebdemo1')} | grep -o '/usr/lib/.*\\.so\\.[0-9.]*$' | head -1`], {
      encoding: 'utf8',
    }).stdout.trim();
    expect(lib).not.toBe('');
    expect(sha256(readFileSync(join(rootfs, lib)))).toBe(fromDeb(deb('libxdebdemo1'), lib));
  }, 1_800_000);
});
