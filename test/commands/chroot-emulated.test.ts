// Builds in an emulated chroot with native compilers (issue #6). Making an emulated chroot takes
// five to seven minutes, so this runs only on chroots that exist already: XDEB_TEST_EMULATED=EMU
// and XDEB_TEST_NATIVE=CROSS name them in chroot-dir (XDEB_CHROOT_DIR or the default), e.g. those
// bench/emulation.mjs makes (bench-bookworm-emu-arm64, bench-bookworm-cross-arm64).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../support/cli.js';

const emu = process.env.XDEB_TEST_EMULATED;
const native = process.env.XDEB_TEST_NATIVE;
const chroots = process.env.XDEB_CHROOT_DIR ?? join(process.env.XDG_DATA_HOME ?? join(homedir(), '.local/share'), 'xdeb/chroots');

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(dir + '/'));
}

describe.runIf(process.getuid?.() === 0 && !!emu && !!native)('native compilers in an emulated chroot', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-emulated-test-'));
  const env = { XDEB_CHROOT_DIR: chroots, XDEB_LOCAL_REPO: join(work, 'repo'), XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'), XDG_CONFIG_HOME: join(work, 'config') };
  afterAll(() => {
    if (mountsUnder(work).length === 0) rmSync(work, { recursive: true, force: true });
  });
  const sessionsLeft = () => (existsSync(join(chroots, '.sessions')) ? readdirSync(join(chroots, '.sessions')).filter((e) => e.startsWith(`${emu}-`)) : []);

  it('gcc, g++ and cpp inside are the wrappers; C and C++ compile and link natively into arm64 programs that run', () => {
    const r = runCli(
      ['login', '--native', native!, emu!, '--', 'sh', '-c',
        'for c in gcc g++ cpp cc aarch64-linux-gnu-gcc; do command -v $c; done; printf "int main(void){return 3;}" > /tmp/a.c; gcc -O2 -o /tmp/a /tmp/a.c; /tmp/a; echo "status $?"; ' +
        'printf "#include <vector>\\nint main(){std::vector<int> v(4); return (int)v.size();}" > /tmp/b.cc; g++ -O2 -o /tmp/b /tmp/b.cc; /tmp/b; echo "status $?"'],
      { bin: 'xdeb-chroot', env, timeout: 600_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '/usr/lib/xdeb/native-bin/gcc',
      '/usr/lib/xdeb/native-bin/g++',
      '/usr/lib/xdeb/native-bin/cpp',
      '/usr/lib/xdeb/native-bin/cc',
      '/usr/lib/xdeb/native-bin/aarch64-linux-gnu-gcc',
      'status 3',
      'status 4',
      '',
    ]);
    expect(sessionsLeft()).toEqual([]);
  }, 600_000);

  it('xdeb-build --native builds the fixture library natively for arm64; the compiler versions are checked, nothing is left mounted', () => {
    cpSync(join(ROOT, 'fixtures/debian/libxdebdemo'), join(work, 'libxdebdemo'), { recursive: true });
    const r = runCli(['--chroot', emu!, '--native', native!, '-P', 'nocheck', '--json', '-v', 'libxdebdemo'], { bin: 'xdeb-build', env, cwd: work, timeout: 900_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).builds[0]).toMatchObject({ source: 'libxdebdemo', buildArch: 'arm64', hostArch: 'arm64', profiles: ['nocheck'] });
    expect(r.stderr).toMatch(/(the same GCC|different builds of GCC \d+\.\d+\.\d+): gcc-\d+ \S+ \(emulated\) and gcc-\d+-aarch64-linux-gnu \S+ \(native\)/);
    expect(r.stderr).toMatch(/\d+ compiler names run the native aarch64-linux-gnu-gcc-\d+/);
    const deb = join(work, 'libxdebdemo1_1.0_arm64.deb');
    expect(spawnSync('sh', ['-c', `dpkg-deb --fsys-tarfile ${deb} | tar -xO ./usr/lib/aarch64-linux-gnu/libxdebdemo.so.1 | od -An -tx1 -j18 -N2`], { encoding: 'utf8' }).stdout.trim()).toBe('b7 00');
    expect(sessionsLeft()).toEqual([]);
    expect(mountsUnder(join(chroots, '.sessions'))).toEqual([]);
  }, 900_000);

  it('--native on a cross chroot and --native with --distcc are refused', () => {
    const a = runCli(['--chroot', native!, '--native', native!, 'libxdebdemo'], { bin: 'xdeb-build', env, cwd: work });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/--native is for emulated chroots/);
    const b = runCli(['--chroot', emu!, '--native', native!, '--distcc', '127.0.0.1', 'libxdebdemo'], { bin: 'xdeb-build', env, cwd: work });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--native and --distcc exclude each other/);
  }, 120_000);
});
