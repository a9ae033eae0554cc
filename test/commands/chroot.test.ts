// xdeb-chroot and xdeb-build --chroot end to end (issue #6), on one cross chroot (bookworm, arm64
// host) made once for this file with the real mmdebstrap: builds inside it leave the machine's
// dpkg state alone, a failed build, SIGINT and SIGTERM leave nothing mounted and no copy behind,
// distcc helpers are probed on loopback, one of them answering with x86-64 objects, and icecream
// sends compile jobs to a daemon in another network namespace.
// Needs root, mmdebstrap and deb.debian.org; the distcc part also distccd and the arm64 cross
// compiler; the emulated chroot (native compilers inside emulation) qemu-user-static in binfmt_misc.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debElfMachine, have, ROOT, runCli } from '../support/cli.js';
import { startIcecreamNet, type IcecreamNet } from '../support/icecream-net.js';
import { makeDsc, makeSource } from '../support/sources.js';

const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' });
const ready =
  process.getuid?.() === 0 && have('mmdebstrap') && have('dpkg-buildpackage') && have('zstd') && process.env.XDEB_TEST_NO_CHROOT !== '1';

/**
 * The lines of `dpkg -l` for these package names. The comparison is limited to the packages the
 * builds installed inside the chroot, those a leak would change: other test files (and, on a
 * shared machine, other people) install and remove packages on the machine meanwhile.
 */
function dpkgLines(list: string, names: ReadonlySet<string>): string[] {
  return list.split('\n').filter((l) => /^[a-z][a-z]/.test(l) && names.has((l.split(/\s+/)[1] ?? '').replace(/:.*/, '')));
}

/** The packages apt-get installed inside the chroot, from the --verbose 'running: chroot … apt-get install' lines. */
function installedInside(stderr: string): string[] {
  const names: string[] = [];
  for (const m of stderr.matchAll(/running: chroot \S+ .*? apt-get install (.*)/g)) {
    for (const w of m[1]!.split(' ')) {
      const t = /^([a-z0-9][a-z0-9.+-]*):[a-z0-9]+=/.exec(w);
      if (t) names.push(t[1]!);
    }
  }
  return names;
}

function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(dir + '/'));
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.on('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });
}

async function waitFor(what: string, test: () => boolean, seconds: number): Promise<void> {
  const end = Date.now() + seconds * 1000;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A source package made for these tests: debhelper, one C file, and the rules it is given. */
describe.runIf(ready)('xdeb-chroot: one cross chroot (bookworm, arm64), builds inside it', () => {
  const work = mkdtempSync(join(tmpdir(), 'xdeb-chroot-test-'));
  const chroots = join(work, 'chroots');
  const repo = join(work, 'repo');
  const src = join(work, 'src');
  const env = {
    XDEB_CHROOT_DIR: chroots,
    XDEB_LOCAL_REPO: repo,
    XDEB_SYSTEM_CONFIG: join(work, 'none.cfg'),
    XDG_CONFIG_HOME: join(work, 'config'),
  };
  const chroot = (args: string[], timeout = 900_000) => runCli(args, { bin: 'xdeb-chroot', env, cwd: work, timeout });
  /** xdeb-build in chroot NAME, from the fixtures' directory, with these variables added to the test's. */
  const buildIn = (name: string, args: string[], more: Record<string, string> = {}, timeout = 900_000) =>
    runCli(['--chroot', name, ...args], { bin: 'xdeb-build', env: { ...env, ...more }, cwd: src, timeout });
  const build = (args: string[], timeout = 900_000) => buildIn('ci', args, {}, timeout);
  let dpkgBefore = '';
  const touched = new Set<string>();
  let created: ReturnType<typeof runCli>;
  let createSeconds = 0;

  beforeAll(() => {
    cpSync(join(ROOT, 'fixtures/debian'), src, { recursive: true });
    dpkgBefore = sh('dpkg -l').stdout;
    const t0 = Date.now();
    created = chroot(['create', '-a', 'arm64', '--suite', 'bookworm', '--include', 'debhelper,distcc,icecc', '--json', 'ci']);
    createSeconds = (Date.now() - t0) / 1000;
  }, 900_000);

  afterAll(() => {
    // Never rm -rf across a mount: that would delete the machine's files.
    if (mountsUnder(work).length === 0) rmSync(work, { recursive: true, force: true });
  });

  const noSessionLeft = () => {
    expect(mountsUnder(chroots)).toEqual([]);
    expect(existsSync(join(chroots, '.sessions')) ? readdirSync(join(chroots, '.sessions')) : []).toEqual([]);
  };

  it('create: mmdebstrap made an image, described in NAME.json, listed', () => {
    expect(created.stderr).not.toMatch(/error/);
    expect(created.status).toBe(0);
    process.stderr.write(
      `xdeb-chroot create (bookworm, amd64+arm64, crossbuild-essential-arm64, debhelper, distcc, icecc): ${createSeconds.toFixed(0)} s\n`,
    );
    const meta = JSON.parse(created.stdout);
    expect(meta).toMatchObject({
      name: 'ci',
      kind: 'cross',
      buildArch: 'amd64',
      hostArch: 'arm64',
      architectures: ['amd64', 'arm64'],
      suite: 'bookworm',
      image: 'ci.tar.zst',
    });
    expect(meta.include).toEqual(['crossbuild-essential-arm64', 'debhelper', 'distcc', 'icecc']);
    expect(meta.command[0]).toBe('mmdebstrap');
    expect(existsSync(join(chroots, 'ci.tar.zst'))).toBe(true);
    const listed = JSON.parse(chroot(['list', '--json']).stdout);
    expect(listed.chroots.map((c: { name: string }) => c.name)).toEqual(['ci']);
    expect(chroot(['list']).stdout).toMatch(/^ci\tcross\tamd64\+arm64\tbookworm\t/);
  }, 900_000);

  it('login -- COMMAND: arm64 enabled, the cross toolchain in, the local repository an apt source; its exit status passes through', () => {
    const r = chroot([
      'login',
      'ci',
      '--',
      'sh',
      '-c',
      "dpkg --print-architecture; dpkg --print-foreign-architectures; dpkg-query -W -f '\${Status}\\n' crossbuild-essential-arm64; cat /etc/apt/sources.list.d/xdeb-local.list; cat /etc/debian_chroot; exit 7",
    ]);
    expect(r.status, r.stderr).toBe(7);
    expect(r.stdout.split('\n')).toEqual(['amd64', 'arm64', 'install ok installed', `deb [trusted=yes] file:${repo} full main`, 'ci', '']);
    noSessionLeft();
  }, 900_000);

  it("xdeb-build --chroot: a fixture library and a program needing libjansson-dev:arm64 are built inside; the machine's dpkg state does not change", () => {
    const probe = makeSource(src, 'xdebchroot-json', {
      buildDepends: 'libjansson-dev',
      c: '#include <jansson.h>\nint main(void) { json_t *j = json_object(); json_decref(j); return 0; }\n',
      make: '-ljansson',
    });
    const r = build(['--json', '--verbose', 'libxdebdemo', probe]);
    expect(r.status, r.stderr).toBe(0);
    const inside = installedInside(r.stderr);
    expect(inside).toContain('libjansson-dev');
    expect(inside).toContain('libc6-dev');
    for (const n of inside) touched.add(n);
    const builds = JSON.parse(r.stdout).builds;
    expect(
      builds.map((b: { source: string; buildArch: string; hostArch: string; suite: string }) => [
        b.source,
        b.buildArch,
        b.hostArch,
        b.suite,
      ]),
    ).toEqual([
      ['libxdebdemo', 'amd64', 'arm64', 'full'],
      ['xdebchroot-json', 'amd64', 'arm64', 'full'],
    ]);
    // The program was linked against the arm64 library installed in the chroot.
    const deb = join(src, 'xdebchroot-json_1.0_arm64.deb');
    expect(sh(`dpkg-deb --field ${deb} Depends`).stdout).toMatch(/libjansson4 \(>= /);
    expect(debElfMachine(deb, './usr/bin/xdebchroot-json')).toBe(183);
    expect(readdirSync(join(repo, 'pool/full/libx/libxdebdemo'))).toContain('libxdebdemo1_1.0_arm64.deb');
    expect(sh("dpkg-query -W -f '${Status}' libjansson-dev:arm64").stdout).not.toBe('install ok installed');
    expect(dpkgLines(sh('dpkg -l').stdout, touched)).toEqual(dpkgLines(dpkgBefore, touched));
    noSessionLeft();
  }, 900_000);

  it("xdeb-sequence --chroot: the stage1 loop is built inside, each build from a fresh copy, the staged build's result feeding the next ones", () => {
    const r = runCli(['--chroot', 'ci', '-a', 'arm64', '--bootstrap', '--json', '--verbose', 'xdebloop-a', 'xdebloop-b'], {
      bin: 'xdeb-sequence',
      env,
      cwd: src,
      timeout: 900_000,
    });
    expect(r.status, r.stderr).toBe(0);
    for (const n of installedInside(r.stderr)) touched.add(n);
    const out = JSON.parse(r.stdout);
    expect(out.results.map((s: { status: string }) => s.status)).toEqual(['done', 'done', 'done']);
    expect(out.steps[0]).toMatchObject({
      source: 'xdebloop-a',
      stage: 'stage1',
      profiles: ['cross', 'nocheck', 'stage1'],
      suite: 'staged-stage1',
    });
    expect(out.results[0]).toMatchObject({ n: 1, status: 'done', suite: 'staged-stage1' });
    // The staged build was made with its profile inside the chroot too (Built-For-Profiles of its .changes).
    const builds = JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds as {
      source: string;
      suite: string;
      profiles: string[];
      binaries: string[];
    }[];
    const staged = builds.find((b) => b.source === 'xdebloop-a' && b.suite === 'staged-stage1')!;
    expect(staged.profiles).toEqual(['cross', 'nocheck', 'stage1']);
    expect(staged.binaries).not.toContain('xdebloop-a-utils');
    // Three sessions, each a fresh copy of the image (and none left: noSessionLeft below).
    const stepsDir = join(repo, 'xdeb/sequence/arm64/steps');
    const stepLogs = readdirSync(stepsDir).map((d) => readFileSync(join(stepsDir, d, 'xdeb-sequence.log'), 'utf8'));
    expect(stepLogs).toHaveLength(3);
    for (const log of stepLogs) expect(log).toMatch(/chroot ci: a fresh copy \(/);
    expect(readdirSync(join(repo, 'pool/staged-stage1/x/xdebloop-a')).some((f) => f.endsWith('_arm64.deb'))).toBe(true);
    expect(readdirSync(join(repo, 'pool/full/x/xdebloop-a')).some((f) => f.endsWith('_arm64.deb'))).toBe(true);
    expect(sh("dpkg-query -W -f '${Status}' libxdebloop-a-dev:arm64").stdout).not.toBe('install ok installed');
    expect(dpkgLines(sh('dpkg -l').stdout, touched)).toEqual(dpkgLines(dpkgBefore, touched));
    noSessionLeft();
  }, 900_000);

  it('sources by name: a .dsc published into the local repository, and a real source from the mirror the chroot was made from (deb-src)', () => {
    // The chroot has the deb-src lines of its mirror, and their lists.
    const lines = chroot([
      'login',
      'ci',
      '--',
      'sh',
      '-c',
      'cat /etc/apt/sources.list; apt-cache showsrc hello | grep -c "^Package: hello$"',
    ]);
    expect(lines.status, lines.stderr).toBe(0);
    expect(lines.stdout).toMatch(/^deb-src http:\/\/deb\.debian\.org\/debian bookworm main$/m);
    expect(Number(lines.stdout.trim().split('\n').pop())).toBeGreaterThan(0);
    // A fixture source known by name only: published with its Sources index into the repository the chroot uses.
    const dsc = makeDsc(join(work, 'dsc'), 'xdebchroot-byname', { version: '1.0' });
    const put = runCli(['-P', 'cross,nocheck', dsc], { bin: 'xdeb-putresult', env, cwd: work });
    expect(put.status, put.stderr).toBe(0);
    const byName = build(['--json', '--verbose', 'xdebchroot-byname']);
    expect(byName.status, byName.stderr).toBe(0);
    expect(JSON.parse(byName.stdout).builds[0]).toMatchObject({
      source: 'xdebchroot-byname',
      version: '1.0',
      hostArch: 'arm64',
      suite: 'full',
    });
    for (const n of installedInside(byName.stderr)) touched.add(n);
    const seq = runCli(['--chroot', 'ci', '-a', 'arm64', '--json', '--verbose', 'xdebchroot-byname'], {
      bin: 'xdeb-sequence',
      env,
      cwd: src,
      timeout: 900_000,
    });
    expect(seq.status, seq.stderr).toBe(0);
    expect(seq.stderr).toMatch(/planning against chroot ci: arm64 on amd64/);
    const planned = JSON.parse(seq.stdout);
    expect(planned.steps.map((x: { arg: string }) => x.arg)).toEqual(['xdebchroot-byname=1.0']);
    expect(planned.results.map((x: { status: string }) => x.status)).toEqual(['done']);
    // --resume without -a finds the plan of the chroot's host architecture.
    const resumed = runCli(['--chroot', 'ci', '--resume'], { bin: 'xdeb-sequence', env, cwd: src, timeout: 900_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^1\. xdebchroot-byname 1\.0: done/m);
    // A real Debian source by name, NAME/SUITE as apt-get source takes it: found in the chroot's own Sources, fetched with its apt.
    const hello = build(['--json', '--verbose', 'hello/bookworm'], 1_800_000);
    expect(hello.status, hello.stderr).toBe(0);
    const built = JSON.parse(hello.stdout).builds[0];
    expect(built).toMatchObject({ source: 'hello', hostArch: 'arm64' });
    expect(hello.stderr).toMatch(/fetching hello \S+ with apt-get source/);
    for (const n of installedInside(hello.stderr)) touched.add(n);
    const deb = readdirSync(src).find((f) => /^hello_.*_arm64\.deb$/.test(f));
    expect(deb).toBeDefined();
    expect(debElfMachine(join(src, deb!), './usr/bin/hello')).toBe(183);
    expect(dpkgLines(sh('dpkg -l').stdout, touched)).toEqual(dpkgLines(dpkgBefore, touched));
    noSessionLeft();
  }, 1_800_000);

  it('update: apt-get update and dist-upgrade in a copy, packed back as the image; its description says when', () => {
    const before = JSON.parse(readFileSync(join(chroots, 'ci.json'), 'utf8'));
    const r = chroot(['update', '--json', 'ci']);
    expect(r.status, r.stderr).toBe(0);
    const after = JSON.parse(r.stdout);
    expect(after).toMatchObject({ name: 'ci', created: before.created, image: 'ci.tar.zst' });
    expect(Date.parse(after.updated)).toBeGreaterThan(Date.parse(before.updated));
    expect(JSON.parse(readFileSync(join(chroots, 'ci.json'), 'utf8')).updated).toBe(after.updated);
    noSessionLeft();
  }, 900_000);

  it('a build that fails: exit status 1 naming the step, nothing left mounted, the copy removed', () => {
    const r = build(['xdebdemo-broken']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/xdebdemo-broken: runbuild: .*the build failed/);
    noSessionLeft();
  }, 900_000);

  /** Start an xdeb command in the background; `ended` is set when it exits. */
  const start = (bin: string, args: string[], cwd: string) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', `${bin}.js`), ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = {
      child,
      stderr: '',
      ended: undefined as number | null | undefined,
      exited: undefined as unknown as Promise<number | null>,
    };
    child.stdout!.resume();
    child.stderr!.on('data', (b: Buffer) => (run.stderr += b.toString()));
    run.exited = new Promise((r) => child.on('exit', (c) => r((run.ended = c))));
    return run;
  };
  const stillRunning = (run: ReturnType<typeof start>, what: string) => () => {
    if (run.ended !== undefined) throw new Error(`${what} ended (exit status ${run.ended}) too early:\n${run.stderr}`);
    return true;
  };

  it('SIGINT during dpkg-buildpackage: exit status 130, the build stopped, nothing left mounted, the copy removed', async () => {
    makeSource(src, 'xdebchroot-sleep', {
      c: 'int main(void) { return 0; }\n',
      make: '',
      rules: 'override_dh_auto_build:\n\techo xdeb-test-sleeping; sleep 6173\n',
    });
    const log = join(src, 'xdebchroot-sleep_1.0_arm64.build');
    rmSync(log, { force: true });
    const run = start('xdeb-build', ['--chroot', 'ci', '--no-publish', 'xdebchroot-sleep'], src);
    const alive = stillRunning(run, 'xdeb-build');
    await waitFor(
      'the build to sleep',
      () => alive() && existsSync(log) && readFileSync(log, 'utf8').includes('xdeb-test-sleeping\n'),
      600,
    );
    expect(mountsUnder(join(chroots, '.sessions')).length).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exited, run.stderr).toBe(130);
    expect(run.stderr).toMatch(/interrupted by SIGINT; chroot ci: everything unmounted and the copy removed/);
    expect(sh('pgrep -f "^slee[p] 6173"').stdout).toBe('');
    noSessionLeft();
  }, 900_000);

  it('SIGTERM during login: the command inside is stopped, exit status 130, nothing left', async () => {
    const run = start('xdeb-chroot', ['login', 'ci', '--', 'sleep', '6174'], work);
    const alive = stillRunning(run, 'xdeb-chroot login');
    await waitFor('sleep inside', () => alive() && sh('pgrep -f "^slee[p] 6174"').stdout.trim() !== '', 120);
    run.child.kill('SIGTERM');
    expect(await run.exited, run.stderr).toBe(130);
    expect(sh('pgrep -f "^slee[p] 6174"').stdout).toBe('');
    noSessionLeft();
  }, 300_000);

  it('user errors: exit status 2 with a plain message, nothing mounted', () => {
    const r1 = buildIn('nosuch', ['libxdebdemo']);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toMatch(/no chroot 'nosuch' in .*\(there are: ci\)/);
    const r2 = chroot(['create', '-a', 'arm64', 'ci']);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/chroot 'ci' exists/);
    const r3 = chroot(['login', '--bind', '/usr', 'ci', '--', 'true']);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toMatch(/\/usr cannot be shown inside a chroot/);
    const r4 = chroot(['create', '-a', 'amd64', 'native']);
    expect(r4.status).toBe(2);
    expect(r4.stderr).toMatch(/would be a native one/);
    noSessionLeft();
  }, 300_000);

  const nothingHalfMade = (name: string) => {
    expect(JSON.parse(chroot(['list', '--json']).stdout).chroots.map((c: { name: string }) => c.name)).toEqual(['ci']);
    expect(
      readdirSync(chroots)
        .filter((e) => e.startsWith(name) || e.startsWith(`.${name}.`))
        .filter((e) => !/\.(log|lock)$/.test(e)),
    ).toEqual([]);
    noSessionLeft();
  };

  it("a mirror that does not answer: exit status 3 naming the mirror and apt's error, no chroot registered, no image left", async () => {
    const mirror = `http://127.0.0.1:${await freePort()}/debian`;
    const r = chroot(['create', '-a', 'arm64', '--suite', 'bookworm', '--mirror', mirror, 'nomirror'], 300_000);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toContain(
      `xdeb-chroot create: error: mmdebstrap failed (exit status 25): mirror ${mirror} does not answer: Could not connect to 127.0.0.1`,
    );
    expect(r.stderr).toMatch(/E: Failed to fetch http:\/\/127\.0\.0\.1:\d+\/debian\/dists\/bookworm\/InRelease/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    nothingHalfMade('nomirror');
  }, 300_000);

  it('a suite the mirror does not have: exit status 2, nothing registered', () => {
    const r = chroot(['create', '-a', 'arm64', '--suite', 'no-such-suite', 'nosuite'], 300_000);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/mirror http:\/\/deb\.debian\.org\/debian has no suite 'no-such-suite'/);
    nothingHalfMade('nosuite');
  }, 300_000);

  it('--emulated for an architecture this machine cannot run: exit status 3 saying why and how to enable binfmt_misc, before mmdebstrap runs', () => {
    // The first of these that arch-test says cannot run here (on CI, with no qemu-user-static: arm64).
    const arch = ['mips64el', 's390x', 'ppc64el', 'riscv64', 'armel', 'arm64'].find((a) => spawnSync('arch-test', [a]).status !== 0);
    const cases: [string, RegExp, RegExp][] = [
      ['ia64', /cannot run ia64 programs \(arch-test ia64 fails\), and qemu-user has no emulator for ia64/, /^/],
    ];
    if (arch)
      cases.push([
        arch,
        new RegExp(
          `cannot run ${arch} programs: (qemu-user-static is not installed|binfmt_misc is not mounted|no binfmt entry qemu-\\S+ is registered|the binfmt entry qemu-\\S+ is disabled)`,
        ),
        /\n  to enable it, as root:\n    (apt-get install qemu-user-static|mount -t binfmt_misc|update-binfmts --enable qemu-)/,
      ]);
    else process.stderr.write('chroot test: every candidate architecture runs here; only ia64 is checked\n');
    for (const [a, why, fix] of cases) {
      const t0 = Date.now();
      const r = chroot(['create', '--emulated', '-a', a, `emu-${a}`], 60_000);
      expect(r.status, r.stderr).toBe(3);
      expect(r.stderr).toMatch(why);
      expect(r.stderr).toMatch(fix);
      expect(Date.now() - t0).toBeLessThan(20_000);
      nothingHalfMade(`emu-${a}`);
    }
  }, 120_000);

  describe.runIf(have('distccd') && have('aarch64-linux-gnu-gcc-12') && existsSync('/usr/lib/distcc/aarch64-linux-gnu-gcc-12'))(
    '--distcc on loopback',
    () => {
      const daemons: ChildProcess[] = [];
      let good = 0;
      let bad = 0;
      const goodLog = join(work, 'helpers', 'distccd-good.log');
      beforeAll(async () => {
        // A wrong helper: its aarch64-linux-gnu-gcc-12 is the machine's own x86-64 gcc. distccd run
        // by root runs as the distccd user: its compilers and logs must be reachable by that user.
        const helpers = join(work, 'helpers');
        mkdirSync(helpers, { mode: 0o755 });
        chmodSync(work, 0o755);
        const wrong = join(helpers, 'wrong-bin');
        mkdirSync(wrong);
        symlinkSync(sh('command -v gcc-12').stdout.trim(), join(wrong, 'aarch64-linux-gnu-gcc-12'));
        good = await freePort();
        bad = await freePort();
        const start = (port: number, log: string, path: string) => {
          writeFileSync(log, '', { mode: 0o666 });
          chmodSync(log, 0o666);
          const d = spawn(
            'distccd',
            [
              '--daemon',
              '--no-detach',
              '--listen',
              '127.0.0.1',
              '--allow',
              '127.0.0.1',
              '--port',
              String(port),
              '--log-file',
              log,
              '--log-level',
              'info',
            ],
            {
              env: { ...process.env, PATH: path },
              stdio: 'ignore',
              detached: true,
            },
          );
          daemons.push(d);
        };
        start(good, goodLog, '/usr/lib/distcc:/usr/bin:/bin');
        start(bad, join(helpers, 'distccd-bad.log'), `${wrong}:/usr/lib/distcc:/usr/bin:/bin`);
        for (const port of [good, bad]) {
          const end = Date.now() + 30_000;
          while (!(await portOpen(port))) {
            if (Date.now() > end) throw new Error(`distccd does not listen on ${port}`);
            await new Promise((r) => setTimeout(r, 200));
          }
        }
      });
      afterAll(() => {
        for (const d of daemons) {
          try {
            process.kill(-d.pid!, 'SIGTERM');
          } catch {
            // gone
          }
        }
      });

      it('a helper whose cross compiler makes x86-64 objects is caught by the probe: exit status 3, nothing built', () => {
        const r = build(['--distcc', `127.0.0.1:${good} 127.0.0.1:${bad}`, '--no-publish', 'libxdebdemo']);
        expect(r.status).toBe(3);
        expect(r.stderr).toMatch(new RegExp(`distcc: 1 of 2 helper\\(s\\) cannot build for arm64`));
        expect(r.stderr).toMatch(
          new RegExp(
            `distcc helper 127\\.0\\.0\\.1:${bad} made an object that is .*x86-64.*not arm64: its aarch64-linux-gnu-gcc-12 is not a cross compiler for arm64`,
          ),
        );
        expect(r.stderr).not.toMatch(new RegExp(`helper 127\\.0\\.0\\.1:${good} made`));
        noSessionLeft();
      }, 900_000);

      it('with a good helper the compile jobs go to it, as aarch64-linux-gnu-gcc-12', () => {
        const r = build(['--distcc', `127.0.0.1:${good}`, '--no-publish', '-v', 'libxdebdemo']);
        expect(r.status, r.stderr).toBe(0);
        for (const n of installedInside(r.stderr)) touched.add(n);
        expect(r.stderr).toMatch(new RegExp(`distcc helper 127\\.0\\.0\\.1:${good}: aarch64-linux-gnu-gcc-12 makes arm64 objects`));
        const log = readFileSync(goodLog, 'utf8');
        expect(log).toMatch(/COMPILE_OK .* aarch64-linux-gnu-gcc-12 .*xdeb-distcc-probe\.c/);
        expect(log).toMatch(/COMPILE_OK .* aarch64-linux-gnu-gcc-12 .*src\/xdebdemo\.c/);
        noSessionLeft();
      }, 900_000);
    },
  );

  describe.runIf(have('icecc-scheduler') && have('iceccd') && have('icecc-create-env') && have('ip') && have('gcc-12') && have('g++-12'))(
    '--icecream between daemons in network namespaces',
    () => {
      let net: IcecreamNet | undefined;
      let wrongBundle = '';
      const iceVars = () => ({ XDG_CACHE_HOME: join(work, 'cache') });
      const iceBuild = (args: string[]) => buildIn('ci', args, iceVars());
      beforeAll(async () => {
        // iceccd runs as the icecc user: it must reach its directories.
        chmodSync(work, 0o755);
        net = await startIcecreamNet(join(work, 'icecream'));
        // A bundle made from the machine's own gcc: the remote daemon runs it and makes x86-64 objects.
        const dir = join(work, 'icecream', 'wrong');
        mkdirSync(dir, { recursive: true });
        const r = spawnSync('icecc-create-env', ['--gcc', sh('command -v gcc-12').stdout.trim(), sh('command -v g++-12').stdout.trim()], {
          cwd: dir,
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).toBe(0);
        wrongBundle = join(dir, /^creating (\S+)$/m.exec(r.stdout)![1]!);
      }, 120_000);
      afterAll(() => net?.stop());

      it('a scheduler that does not answer: exit status 3 before any session, the image unchanged', () => {
        const image = join(chroots, 'ci.tar.zst');
        const sum = () => createHash('sha256').update(readFileSync(image)).digest('hex');
        const imageBefore = sum();
        const r = iceBuild(['--icecream', `${net!.scheduler}:7000`, '--no-publish', 'libxdebdemo']);
        expect(r.status).toBe(3);
        expect(r.stderr).toBe(
          `xdeb-build: error: icecream scheduler ${net!.scheduler}:7000 does not answer on port 7001: ECONNREFUSED\n` +
            '  start it (icecc-scheduler), or give the scheduler your iceccd uses (iceccd -s HOST)\n',
        );
        expect(existsSync(join(chroots, '.sessions')) ? readdirSync(join(chroots, '.sessions')) : []).toEqual([]);
        const bad = iceBuild(['--icecream', net!.scheduler, '--icecream-env', join(work, 'none.tar.gz'), '--no-publish', 'libxdebdemo']);
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/--icecream-env .*none\.tar\.gz: no such file/);
        // The same scheduler from configuration; --no-icecream overrides it and the build runs here.
        const badConfig = { ...iceVars(), XDEB_ICECREAM: `${net!.scheduler}:7000` };
        const configured = buildIn('ci', ['--no-publish', 'libxdebdemo'], badConfig);
        expect(configured.status).toBe(3);
        expect(configured.stderr).toMatch(/icecream scheduler \S+:7000 does not answer on port 7001/);
        const off = buildIn('ci', ['--no-icecream', '--no-publish', '-v', 'libxdebdemo'], badConfig);
        expect(off.status, off.stderr).toBe(0);
        expect(off.stderr).not.toMatch(/icecream scheduler|ICECC_VERSION/);
        expect(sum()).toBe(imageBefore);
      }, 900_000);

      it('a remote daemon whose bundle makes x86-64 objects is caught by the probe: exit status 3, nothing built', () => {
        const before = net!.remoteCompiles();
        const r = iceBuild(['--icecream', net!.scheduler, '--icecream-env', wrongBundle, '--no-publish', 'libxdebdemo']);
        expect(r.status).toBe(3);
        expect(r.stderr).toMatch(/icecream: 1 of 1 daemon\(s\) cannot build for arm64/);
        expect(r.stderr).toMatch(
          new RegExp(
            `icecream daemon xdeb-remote \\(${net!.remote.address.replace(/\./g, '\\.')}\\) made an object that is .*x86-64.*, not arm64`,
          ),
        );
        // The probe really ran there, and nothing of the package was sent.
        expect(net!.remoteCompiles().slice(before.length)).toEqual(['probe.c']);
        noSessionLeft();
      }, 900_000);

      it("a build's compile jobs run on the remote daemon, with a bundle of the chroot's cross compiler", () => {
        const before = net!.remoteCompiles();
        const r = iceBuild(['--icecream', net!.scheduler, '--no-publish', '-v', '--json', 'libxdebdemo']);
        expect(r.status, r.stderr).toBe(0);
        for (const n of installedInside(r.stderr)) touched.add(n);
        const addr = net!.remote.address.replace(/\./g, '\\.');
        expect(r.stderr).toMatch(new RegExp(`icecream daemon xdeb-remote \\(${addr}\\): aarch64-linux-gnu-gcc-12 makes arm64 objects`));
        expect(r.stderr).toMatch(/icecream: bundling aarch64-linux-gnu-gcc-12 and aarch64-linux-gnu-g\+\+-12 with icecc-create-env/);
        // Counted on both sides: the client's log here, the remote daemon's own log there.
        const counted = new RegExp(
          `icecream: (\\d+) of (\\d+) compile jobs ran on other daemons \\(xdeb-remote \\(${addr}\\): (\\d+)\\)`,
        ).exec(r.stderr);
        expect(counted, r.stderr).not.toBeNull();
        const sent = net!.remoteCompiles().slice(before.length);
        expect(sent[0]).toBe('probe.c');
        expect(sent.slice(1)).toEqual(['src/xdebdemo.c']);
        expect(Number(counted![1])).toBe(1);
        expect(counted![2]).toBe(counted![1]);
        const b = JSON.parse(r.stdout).builds[0];
        expect(b.icecream).toMatchObject({ remote: { [net!.remote.address]: 1 }, local: 0, fellBack: 0 });
        const log = readFileSync(b.log, 'utf8');
        expect(log).toMatch(
          new RegExp(
            `^Icecream: scheduler ${net!.scheduler.replace(/\./g, '\\.')}; daemons xdeb-remote \\(${addr}\\); bundle [0-9a-f]+\\.tar\\.gz \\(aarch64-linux-gnu-gcc-12\\)$`,
            'm',
          ),
        );
        expect(debElfMachine(join(src, 'libxdebdemo1_1.0_arm64.deb'), './usr/lib/aarch64-linux-gnu/libxdebdemo.so.1')).toBe(183);
        noSessionLeft();
        // The bundle is kept by the compilers' versions: the next build sends the same one without making
        // it again. The scheduler comes from configuration this time (the icecream key, here its variable).
        const again = buildIn('ci', ['--no-publish', '-v', 'libxdebdemo'], { ...iceVars(), XDEB_ICECREAM: net!.scheduler });
        expect(again.status, again.stderr).toBe(0);
        expect(again.stderr).not.toMatch(/icecream: bundling/);
        expect(net!.remoteCompiles().slice(before.length + sent.length)).toEqual(['probe.c', 'src/xdebdemo.c']);
        // A damaged bundle in the cache (cut short) is not sent: it is made again, and the build goes on.
        const kept = join(work, 'cache', 'xdeb', 'icecream');
        const [key] = readdirSync(kept);
        const [bundle] = readdirSync(join(kept, key!)).filter((f) => f.endsWith('.tar.gz'));
        writeFileSync(join(kept, key!, bundle!), readFileSync(join(kept, key!, bundle!)).subarray(0, 1000));
        const third = iceBuild(['--icecream', net!.scheduler, '--no-publish', '-v', 'libxdebdemo']);
        expect(third.status, third.stderr).toBe(0);
        expect(third.stderr).toMatch(/icecream: bundling/);
        expect(readFileSync(join(kept, key!, bundle!)).length).toBeGreaterThan(1_000_000);
      }, 900_000);
    },
  );

  // Emulation needs qemu-user-static registered with binfmt_misc (F flag): scripts/install-deps sets it up.
  const emulation =
    spawnSync('arch-test', ['arm64']).status === 0 &&
    /flags: \S*F/.test(
      existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64') ? readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8') : '',
    );
  if (!emulation)
    process.stderr.write(
      'chroot test: this machine cannot run arm64 programs in a chroot (qemu-user-static, binfmt_misc): the emulated chroot is not tested\n',
    );
  describe.runIf(emulation)('an emulated arm64 chroot, with native compilers from the cross chroot', () => {
    let made: ReturnType<typeof runCli>;
    let seconds = 0;
    beforeAll(() => {
      const t0 = Date.now();
      made = chroot([
        'create',
        '--emulated',
        '-a',
        'arm64',
        '--suite',
        'bookworm',
        '--include',
        'debhelper',
        '--native',
        'ci',
        '--json',
        'emu',
      ]);
      seconds = (Date.now() - t0) / 1000;
    }, 900_000);

    it('create --emulated: arm64 only, the cross chroot named for its compilers', () => {
      expect(made.status, made.stderr).toBe(0);
      process.stderr.write(`xdeb-chroot create --emulated (bookworm, arm64, debhelper): ${seconds.toFixed(0)} s\n`);
      expect(JSON.parse(made.stdout)).toMatchObject({
        name: 'emu',
        kind: 'emulated',
        buildArch: 'arm64',
        hostArch: 'arm64',
        architectures: ['arm64'],
        native: 'ci',
      });
    });

    it('login --native: gcc, g++, cpp and the triplet names are the wrappers; C and C++ compile and link natively into arm64 programs that run', () => {
      const r = chroot([
        'login',
        '--native',
        'ci',
        'emu',
        '--',
        'sh',
        '-c',
        'for c in gcc g++ cpp cc aarch64-linux-gnu-gcc; do command -v $c; done; dpkg --print-architecture; printf "int main(void){return 3;}" > /tmp/a.c; gcc -O2 -o /tmp/a /tmp/a.c; /tmp/a; echo "status $?"; ' +
          'printf "#include <vector>\\nint main(){std::vector<int> v(4); return (int)v.size();}" > /tmp/b.cc; g++ -O2 -o /tmp/b /tmp/b.cc; /tmp/b; echo "status $?"; od -An -tx1 -j18 -N2 /tmp/b',
      ]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout.split('\n').map((l) => l.trim())).toEqual([
        '/usr/lib/xdeb/native-bin/gcc',
        '/usr/lib/xdeb/native-bin/g++',
        '/usr/lib/xdeb/native-bin/cpp',
        '/usr/lib/xdeb/native-bin/cc',
        '/usr/lib/xdeb/native-bin/aarch64-linux-gnu-gcc',
        'arm64',
        'status 3',
        'status 4',
        'b7 00',
        '',
      ]);
      noSessionLeft();
    }, 600_000);

    it('xdeb-build in it (native compilers by default, from its description): the fixture library built natively for arm64; versions checked; dpkg -l unchanged', () => {
      // A configured icecream scheduler serves cross chroots only: this build goes on without it (no scheduler is asked).
      const r = buildIn('emu', ['--no-publish', '--json', '-v', 'libxdebdemo'], { XDEB_ICECREAM: '127.0.0.1:1' });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/chroot emu: the configured icecream scheduler is not used \(not a cross chroot\)/);
      for (const n of installedInside(r.stderr)) touched.add(n);
      expect(JSON.parse(r.stdout).builds[0]).toMatchObject({ source: 'libxdebdemo', buildArch: 'arm64', hostArch: 'arm64', profiles: [] });
      expect(r.stderr).toMatch(
        /(the same GCC|different builds of GCC \d+\.\d+\.\d+): gcc-\d+ \S+ \(emulated\) and gcc-\d+-aarch64-linux-gnu \S+ \(native\)/,
      );
      expect(r.stderr).toMatch(/chroot emu: \d+ compiler names run the native aarch64-linux-gnu-gcc-\d+ of chroot ci/);
      const deb = join(src, 'libxdebdemo1_1.0_arm64.deb');
      expect(debElfMachine(deb, './usr/lib/aarch64-linux-gnu/libxdebdemo.so.1')).toBe(183);
      expect(dpkgLines(sh('dpkg -l').stdout, touched)).toEqual(dpkgLines(dpkgBefore, touched));
      noSessionLeft();
    }, 900_000);

    it('xdeb-build --compare emu: the fixture that drops a function when cross-compiling, built cross in ci and natively in emu, differs in its symbol set, naming the function', () => {
      const r = runCli(['--chroot', 'ci', '--no-publish', '--compare', 'emu', 'xdebcompare'], {
        bin: 'xdeb-build',
        env,
        cwd: src,
        timeout: 1_800_000,
      });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(
        /^xdebcompare 1\.0 arm64: built\nxdebcompare \(arm64\): A .*xdebcompare_1\.0_arm64\.changes \(1 package\), B native in emu \(1\)/,
      );
      expect(r.stdout).toMatch(/^different: .*symbol-set 1/m);
      expect(r.stdout).toContain(
        'symbol-set: libxdebcompare1: /usr/lib/aarch64-linux-gnu/libxdebcompare.so.1: exported symbols +xdebcompare_runtime_probe',
      );
      noSessionLeft();
    }, 1_800_000);

    it('--native on a cross chroot, and --native with --distcc, are refused', () => {
      const a = buildIn('ci', ['--native', 'ci', 'libxdebdemo']);
      expect(a.status).toBe(2);
      expect(a.stderr).toMatch(/--native is for emulated chroots/);
      const b = buildIn('emu', ['--native', 'ci', '--distcc', '127.0.0.1', 'libxdebdemo']);
      expect(b.status).toBe(2);
      expect(b.stderr).toMatch(/--native and --distcc exclude each other/);
      // --icecream given for an emulated chroot (it names its native compilers): refused, no scheduler asked.
      const c = buildIn('emu', ['--icecream', '127.0.0.1:1', 'libxdebdemo']);
      expect(c.status).toBe(2);
      expect(c.stderr).toMatch(/--icecream and --native exclude each other/);
      noSessionLeft();
    }, 120_000);

    it('login --host-binaries: sh, make, sed… are the native x86-64 programs of ci, the emulated ones aside; dpkg and uname still say arm64', () => {
      const r = chroot([
        'login',
        '-v',
        '--host-binaries=default,binutils-tools',
        '--native',
        'ci',
        'emu',
        '--',
        '/bin/sh',
        '-c',
        'dpkg --print-architecture; uname -m; for p in /bin/dash /usr/bin/make /bin/sed /usr/bin/dpkg-deb; do printf "%s " $p; od -An -tx1 -j18 -N2 "$(readlink -f $p)"; done; ' +
          'dpkg-divert --list | grep -c xdeb-emulated; od -An -tx1 -j18 -N2 /usr/bin/make.xdeb-emulated; od -An -tx1 -j18 -N2 /usr/bin/dpkg; cut -f1 /etc/xdeb/host-binaries | tr "\\n" " "; echo; ' +
          'readlink -f /usr/bin/strip; objdump -f /usr/bin/dpkg | grep -o "file format .*"',
      ]);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
      expect(lines.slice(0, 6)).toEqual([
        'arm64',
        'aarch64',
        '/bin/dash 3e 00',
        '/usr/bin/make 3e 00',
        '/bin/sed 3e 00',
        '/usr/bin/dpkg-deb 3e 00',
      ]);
      expect(Number(lines[6])).toBeGreaterThan(10);
      // The emulated make aside and dpkg itself are arm64 programs.
      expect(lines.slice(7, 9)).toEqual(['b7 00', 'b7 00']);
      expect(lines[9]).toMatch(
        /^dash make perl bash coreutils-files file sed grep m4 gzip bzip2 xz tar mawk diff find dpkg-deb binutils-tools$/,
      );
      // strip and objdump are the native chroot's cross binutils, and read arm64 files.
      expect(lines.slice(10, 12)).toEqual(['/native/usr/bin/aarch64-linux-gnu-strip', 'file format elf64-littleaarch64']);
      expect(r.stderr).toMatch(/chroot emu: \d+ programs of dash, make, perl, .* run natively from chroot ci/);
      noSessionLeft();
    }, 600_000);

    it('removing the host binaries restores the session copy exactly: every file, mode and link target as before', async () => {
      const { withChrootSession } = await import('../../src/adapters/chroot.js');
      const { setupNativeCompilers } = await import('../../src/adapters/native-compilers.js');
      const { setupHostBinaries, removeHostBinaries } = await import('../../src/adapters/host-binaries.js');
      const { Output } = await import('../../src/ui/output.js');
      const out = new Output({ prog: 'test', quiet: true });
      const skip = new Set(['/proc', '/dev', '/sys', '/native', '/tmp', repo]);
      /** path → type, mode and content hash (or link target), for the whole copy but its mounts. */
      const snapshot = (root: string): Map<string, string> => {
        const m = new Map<string, string>();
        const walk = (rel: string) => {
          for (const e of readdirSync(join(root, rel))) {
            const p = `${rel}/${e}`;
            if (skip.has(p)) continue;
            const st = lstatSync(join(root, p));
            if (st.isSymbolicLink()) m.set(p, `l ${readlinkSync(join(root, p))}`);
            else if (st.isDirectory()) {
              m.set(p, `d ${st.mode}`);
              walk(p);
            } else
              m.set(
                p,
                `f ${st.mode} ${createHash('sha256')
                  .update(readFileSync(join(root, p)))
                  .digest('hex')}`,
              );
          }
        };
        walk('');
        return m;
      };
      const diff = (a: Map<string, string>, b: Map<string, string>) =>
        [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).map((k) => `${k}: ${a.get(k)} → ${b.get(k)}`);
      await withChrootSession({ dir: chroots, name: 'emu', localRepo: repo, native: 'ci', out }, async (s) => {
        await setupNativeCompilers(
          s,
          () => {},
          () => {},
        );
        const before = snapshot(s.root);
        const h = await setupHostBinaries(s, [], () => {});
        expect(h.tools.length).toBeGreaterThan(10);
        const during = snapshot(s.root);
        expect(diff(before, during).length).toBeGreaterThan(20);
        await removeHostBinaries(s);
        expect(diff(before, snapshot(s.root))).toEqual([]);
      });
      noSessionLeft();
    }, 600_000);

    it('xdeb-build --host-binaries: the fixture library built with make, sh and the rest native; the log says which; an arm64 library', () => {
      const r = buildIn('emu', ['--host-binaries', '--no-publish', '--json', '-v', 'libxdebdemo']);
      expect(r.status, r.stderr).toBe(0);
      for (const n of installedInside(r.stderr)) touched.add(n);
      const b = JSON.parse(r.stdout).builds[0];
      expect(b).toMatchObject({ source: 'libxdebdemo', buildArch: 'arm64', hostArch: 'arm64' });
      const log = readFileSync(b.log, 'utf8');
      expect(log).toMatch(/^Native Compilers: aarch64-linux-gnu-gcc-\d+ of chroot ci$/m);
      expect(log).toMatch(
        /^Host Binaries: dash \S+, make \S+, perl \S+, bash \S+, coreutils-files \S+, file \S+, sed \S+, .*, binutils-tools \S+$/m,
      );
      expect(debElfMachine(join(src, 'libxdebdemo1_1.0_arm64.deb'), './usr/lib/aarch64-linux-gnu/libxdebdemo.so.1')).toBe(183);
      process.stderr.write(`xdeb-build in emu with native compilers and host binaries: ${b.seconds.runbuild.toFixed(1)} s runbuild\n`);
      noSessionLeft();
    }, 900_000);

    it('a build that makes Perl XS modules keeps perl emulated: it says why, and perl reports the arm64 archname', () => {
      makeSource(src, 'xdebperlxs', {
        buildDepends: 'perl-xs-dev',
        rules: 'override_dh_auto_build:\n\tperl -MConfig -e \'print "archname=$$Config{archname}\\n"\'\n\tdh_auto_build\n',
      });
      const r = buildIn('emu', ['--host-binaries=default', '--no-publish', '--json', '-v', 'xdebperlxs']);
      expect(r.status, r.stderr).toBe(0);
      for (const n of installedInside(r.stderr)) touched.add(n);
      expect(r.stderr).toMatch(
        /warning: perl stays emulated in this build: the build makes Perl XS modules \(it build-depends on perl-xs-dev\)/,
      );
      const log = readFileSync(JSON.parse(r.stdout).builds[0].log, 'utf8');
      expect(log).toMatch(/^archname=aarch64-linux-gnu-thread-multi$/m);
      expect(log).toMatch(/^Host Binaries: dash \S+, make \S+, bash /m);
      noSessionLeft();
    }, 900_000);

    it('bad --host-binaries: a tool that must stay emulated, an unknown one, none without a native chroot — exit status 2, the image unchanged', () => {
      const image = join(chroots, 'emu.tar.zst');
      const sum = () => createHash('sha256').update(readFileSync(image)).digest('hex');
      const before = sum();
      const cases: [string[], RegExp][] = [
        [
          ['--host-binaries', 'make,dpkg'],
          /these must stay emulated: dpkg \(`dpkg --print-architecture` must say the emulated architecture\)/,
        ],
        [['--host-binaries', 'python3'], /python3 \(a native python reports the build machine's platform/],
        [['--host-binaries', 'nosuchtool'], /no host binary named 'nosuchtool'/],
        [['--no-native', '--host-binaries=default'], /--host-binaries come from the native chroot/],
      ];
      for (const [args, message] of cases) {
        const r = buildIn('emu', [...args, 'libxdebdemo']);
        expect({ args, status: r.status }).toEqual({ args, status: 2 });
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(sum()).toBe(before);
      noSessionLeft();
    }, 300_000);

    it('remove emu', () => {
      expect(chroot(['remove', 'emu']).status).toBe(0);
    });
  });

  it('remove: the image, its description and its cache are gone', () => {
    const r = chroot(['remove', 'ci']);
    expect(r.status, r.stderr).toBe(0);
    // The failed creates above keep their logs (their errors name them); nothing of ci is left.
    expect(readdirSync(chroots).filter((e) => !e.startsWith('.') && !/^(nomirror|nosuite)\.(log|lock)$/.test(e))).toEqual([]);
    expect(existsSync(join(chroots, '.cache')) ? readdirSync(join(chroots, '.cache')).filter((e) => !e.endsWith('.lock')) : []).toEqual([]);
    expect(touched.size).toBeGreaterThan(5);
    expect(dpkgLines(sh('dpkg -l').stdout, touched)).toEqual(dpkgLines(dpkgBefore, touched));
  }, 900_000);
});
