// The generated bash completion, driven through real bash: with bash-completion loaded the way
// Debian loads it (one file per command name, found on demand), and without it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { have, ROOT } from '../support/cli.js';

const BASH_COMPLETION = '/usr/share/bash-completion/bash_completion';

type Registry = { commands: { name: string; standalone?: boolean; options?: { flags: string }[]; subcommands?: unknown[] }[] };
let registry: Registry;
let completion: typeof import('../../src/ui/completion.js');
let archs: string[];
let tmp: string;
let share: string;
let binDir: string;

beforeAll(async () => {
  registry = (await import(`${ROOT}/dist/cli/registry.js`)) as Registry;
  completion = await import(`${ROOT}/dist/ui/completion.js`);
  archs = (await import(`${ROOT}/dist/lib/arch.js`)).archTable().names();
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-completion-'));
  const gen = spawnSync(process.execPath, [`${ROOT}/scripts/gen-assets.mjs`, '--out', tmp], { encoding: 'utf8' });
  expect(gen.stderr).toBe('');
  expect(gen.status).toBe(0);
  // Installed the Debian way: $share/bash-completion/completions/<name>, found through XDG_DATA_DIRS.
  share = join(tmp, 'share');
  mkdirSync(join(share, 'bash-completion'), { recursive: true });
  symlinkSync(join(tmp, 'completions', 'bash'), join(share, 'bash-completion', 'completions'));
  binDir = join(tmp, 'bin');
  mkdirSync(binDir);
  const bins = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin as Record<string, string>;
  for (const [name, path] of Object.entries(bins)) symlinkSync(join(ROOT, path), join(binDir, name));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const DRIVER = `source ${ROOT}/test/support/complete-line.bash`;

interface BashOptions {
  bashCompletion?: boolean;
  /** A script to source instead of finding the installed files. */
  script?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Shell lines run after loading and before the completions (e.g. PATH=/nonexistent). */
  before?: string;
}

/** Each line's completions, in order, from one bash process. */
function complete(lines: string[], o: BashOptions = {}): string[][] {
  const load = o.bashCompletion === false ? '' : `source ${BASH_COMPLETION}\n`;
  const source = o.script ? `source ${o.script}\n` : '';
  const body = lines.map((l) => `__t ${shellQuote(l)}`).join('\n');
  const r = spawnSync('bash', ['--norc', '--noprofile', '-c', `${load}${source}${DRIVER}\n${o.before ?? ''}\n${body}`], {
    encoding: 'utf8',
    cwd: o.cwd ?? tmp,
    env: {
      PATH: `${binDir}:/usr/bin:/bin`,
      HOME: join(tmp, 'home'),
      XDG_DATA_DIRS: `${share}:/usr/share`,
      XDEB_SYSTEM_CONFIG: join(tmp, 'no-system.cfg'),
      ...o.env,
    },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const out = r.stdout.split('@@\n');
  out.pop();
  return out.map((block) => block.split('\n').filter(Boolean));
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function longOptions(spec: { options?: { flags: string }[] }): string[] {
  return (spec.options ?? []).flatMap((o) => o.flags.split(/[ ,|]+/).filter((f) => f.startsWith('--')));
}

describe('bash completion, installed the Debian way', () => {
  it('has bash-completion to test with', () => {
    expect(existsSync(BASH_COMPLETION)).toBe(true);
  });

  it('writes one completion file per command name, and xdeb completion bash prints the same script', () => {
    const names = completion.completionNames(registry.commands as never);
    expect(names).toContain('xdeb');
    for (const c of registry.commands.filter((c) => c.standalone)) expect(names).toContain(`xdeb-${c.name}`);
    const printed = spawnSync(process.execPath, [`${ROOT}/bin/xdeb.js`, 'completion', 'bash'], { encoding: 'utf8' });
    expect(printed.status).toBe(0);
    for (const n of names) expect(readFileSync(join(tmp, 'completions', 'bash', n), 'utf8')).toBe(printed.stdout);
  });

  it('xdeb completion bash --install writes the files where bash-completion finds them', () => {
    const home = join(tmp, 'install-home');
    const r = spawnSync(process.execPath, [`${ROOT}/bin/xdeb.js`, 'completion', 'bash', '--install'], {
      encoding: 'utf8',
      env: { ...process.env, HOME: home, XDG_DATA_HOME: '', BASH_COMPLETION_USER_DIR: '' },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const names = completion.completionNames(registry.commands as never);
    const dir = join(home, '.local', 'share', 'bash-completion', 'completions');
    expect(r.stdout).toBe(names.map((n) => join(dir, n) + '\n').join(''));
    const [got] = complete(['xdeb config -a armh'], { env: { HOME: home, XDG_DATA_DIRS: '/usr/share' } });
    expect(got).toEqual(['armhf']);
  });

  it('xdeb-<TAB> lists the commands (command-name completion with the binaries on PATH)', () => {
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', 'compgen -c xdeb-'], {
      encoding: 'utf8',
      env: { PATH: `${binDir}:/usr/bin:/bin` },
    });
    const found = new Set(r.stdout.split('\n').filter(Boolean));
    const expected = registry.commands.filter((c) => c.standalone).map((c) => `xdeb-${c.name}`);
    expect(expected.length).toBeGreaterThan(0);
    for (const e of expected) expect(found).toContain(e);
  });

  it('loads the completion on demand for every command name', () => {
    const names = completion.completionNames(registry.commands as never);
    const r = spawnSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `source ${BASH_COMPLETION}\nfor n in ${names.join(' ')}; do __load_completion $n && complete -p $n; done`,
      ],
      {
        encoding: 'utf8',
        env: { PATH: `${binDir}:/usr/bin:/bin`, HOME: join(tmp, 'home'), XDG_DATA_DIRS: `${share}:/usr/share` },
      },
    );
    for (const n of names) expect(r.stdout).toContain(`complete -F _xdeb ${n}\n`);
  });

  it('xdeb <TAB> lists the subcommands; xdeb help <TAB> too', () => {
    const [all, c, help] = complete(['xdeb ', 'xdeb c', 'xdeb help co']);
    expect(all!.sort()).toEqual([...registry.commands.map((c) => c.name), 'help'].sort());
    expect(c).toEqual(registry.commands.map((c) => c.name).filter((n) => n.startsWith('c')));
    expect(help).toEqual(registry.commands.map((c) => c.name).filter((n) => n.startsWith('co')));
  });

  it('completes options: a prefix, and every long option of every command', () => {
    const [lc] = complete(['xdeb config --local-c']);
    expect(lc).toEqual(['--local-config']);
    const lines: string[] = [];
    const expected: string[][] = [];
    for (const c of registry.commands) {
      if (c.subcommands?.length) continue;
      lines.push(`${c.standalone ? `xdeb-${c.name}` : `xdeb ${c.name}`} --`);
      expected.push([...longOptions(c), '--help']);
    }
    const got = complete(lines);
    expect(got).toHaveLength(lines.length);
    got.forEach((g, i) => {
      for (const e of expected[i]!) expect(g, lines[i]).toContain(e);
    });
  });

  it('-a arm<TAB> offers arm64, armel and armhf, in every form', () => {
    const got = complete([
      'xdeb config -a arm',
      'xdeb config --host-arch arm',
      'xdeb config --host-arch=arm',
      'xdeb deps reduce -a arm',
      'xdeb config -a arm64',
    ]);
    for (const g of got.slice(0, 4)) {
      expect(g).toEqual(expect.arrayContaining(['arm64', 'armel', 'armhf']));
      expect(g).not.toContain('amd64');
      for (const a of g) expect(archs).toContain(a);
    }
    expect(got[4]!.sort()).toEqual(['arm64', 'arm64ilp32']);
  });

  it('-a <TAB> offers the Linux architectures first, the others once typed', () => {
    const [plain, kf] = complete(['xdeb config -a ', 'xdeb config -a kfreebsd-a']);
    expect(plain).toEqual(expect.arrayContaining(['amd64', 'arm64', 'riscv64']));
    expect(plain!.every((a) => !a.includes('-'))).toBe(true);
    expect(kf).toContain('kfreebsd-amd64');
    expect(kf!.sort()).toEqual(archs.filter((a) => a.startsWith('kfreebsd-a')).sort());
  });

  it('completes the values of an option after other options, and positionals after options with values', () => {
    const [prof, key, afterValue] = complete(['xdeb config -P cross,no', 'xdeb config -a arm64 --json host', 'xdeb completion z']);
    expect(prof).toEqual(expect.arrayContaining(['cross,nocheck', 'cross,nodoc']));
    expect(prof!.every((p) => p.startsWith('cross,no'))).toBe(true);
    expect(key).toEqual(['host-arch']);
    expect(afterValue).toEqual(['zsh']);
  });

  it('completes files for a file option', () => {
    mkdirSync(join(tmp, 'cfgs'), { recursive: true });
    writeFileSync(join(tmp, 'cfgs', 'one.cfg'), '');
    const [files] = complete(['xdeb config --local-config cfgs/o']);
    expect(files).toEqual(['cfgs/one.cfg']);
  });
});

describe('bash completion of sources and chroots (a command that takes them)', () => {
  let work: string;
  let script: string;

  beforeAll(() => {
    // A command like xdeb-build: `xdeb-fakebuild [--chroot NAME] [--local-repo DIR] SOURCE...`.
    const fake = {
      name: 'fakebuild',
      summary: 'test',
      standalone: true,
      args: [{ name: 'source', description: 'a source', variadic: true, complete: 'source' }],
      options: [
        { flags: '--chroot <name>', description: 'chroot', complete: 'chroot' },
        { flags: '--local-repo <dir>', description: 'repo', complete: 'dir' },
        { flags: '--local-config <file>', description: 'cfg', complete: 'file' },
      ],
      async run() {},
    };
    script = join(tmp, 'fake-completion.bash');
    writeFileSync(script, completion.bashCompletion({ commands: [fake as never], archs }));

    // The local repository: a plain Sources in one suite, a compressed one only in another.
    const repo = join(tmp, 'repo');
    mkdirSync(join(repo, 'dists', 'local', 'main', 'source'), { recursive: true });
    writeFileSync(
      join(repo, 'dists', 'local', 'main', 'source', 'Sources'),
      'Package: hello\nVersion: 2.10-3\nBinary: hello\n\nPackage: libfoo\nVersion: 1.0\n\nPackage: hello\nVersion: 2.10-4\n',
    );
    mkdirSync(join(repo, 'dists', 'stage1', 'main', 'source'), { recursive: true });
    writeFileSync(join(repo, 'dists', 'stage1', 'main', 'source', 'Sources.gz'), gzipSync('Package: zlib-stage\nVersion: 1\n'));
    const other = join(tmp, 'other-repo');
    mkdirSync(join(other, 'dists', 'x', 'main', 'source'), { recursive: true });
    writeFileSync(join(other, 'dists', 'x', 'main', 'source', 'Sources'), 'Package: otherpkg\nVersion: 1\n');

    // A working directory: a source tree, a .dsc, and files that are neither.
    work = join(tmp, 'work');
    mkdirSync(join(work, 'mypkg', 'debian'), { recursive: true });
    writeFileSync(join(work, 'mypkg', 'debian', 'control'), 'Source: mypkg\n');
    writeFileSync(join(work, 'mypkg_1.0-1.dsc'), '');
    writeFileSync(join(work, 'notes.txt'), '');

    const chroots = join(tmp, 'chroots');
    mkdirSync(join(chroots, 'bookworm-arm64'), { recursive: true });
    writeFileSync(join(chroots, 'sid-armhf.tar.zst'), '');
    writeFileSync(join(chroots, 'sid-armhf.json'), '{}');
    writeFileSync(join(chroots, 'bookworm-arm64.lock'), '');
  });

  for (const bashCompletion of [true, false]) {
    describe(bashCompletion ? 'with bash-completion' : 'without bash-completion', () => {
      it("offers source directories, .dsc files and the local repository's source names", () => {
        const [all, h] = complete(['xdeb-fakebuild ', 'xdeb-fakebuild h'], {
          bashCompletion,
          script,
          cwd: work,
          env: { XDEB_LOCAL_REPO: join(tmp, 'repo') },
        });
        expect(all).toEqual(expect.arrayContaining(['mypkg', 'mypkg_1.0-1.dsc', 'hello', 'libfoo', 'zlib-stage']));
        expect(all).not.toContain('notes.txt');
        expect(all!.filter((x) => x === 'hello')).toHaveLength(1);
        expect(h).toEqual(['hello']);
      });

      it('finds the local repository through the configuration file and --local-repo', () => {
        const cfgHome = join(tmp, 'cfghome');
        mkdirSync(join(cfgHome, 'xdeb'), { recursive: true });
        writeFileSync(
          join(cfgHome, 'xdeb', 'xdeb.cfg'),
          `# mine\nhost-arch = arm64\n  local-repo =  ${join(tmp, 'repo')}  \n[repository x]\nlocal-repo = /nowhere\n`,
        );
        const [fromFile, fromFlag, fromLocalConfig] = complete(
          [
            'xdeb-fakebuild l',
            `xdeb-fakebuild --local-repo ${join(tmp, 'other-repo')} o`,
            `xdeb-fakebuild --local-config ${join(tmp, 'empty.cfg')} l`,
          ],
          {
            bashCompletion,
            script,
            cwd: work,
            env: { XDG_CONFIG_HOME: cfgHome },
          },
        );
        expect(fromFile).toEqual(['libfoo']);
        expect(fromFlag).toEqual(['otherpkg']);
        // --local-config: the user's file is not read, so the default (empty) repository is used.
        expect(fromLocalConfig).toEqual([]);
      });

      it('offers the names of stored chroots', () => {
        const [all] = complete(['xdeb-fakebuild --chroot '], { bashCompletion, script, env: { XDEB_CHROOT_DIR: join(tmp, 'chroots') } });
        expect(all!.sort()).toEqual(['bookworm-arm64', 'sid-armhf']);
      });

      it('starts no process on a TAB (PATH empty): architectures, sources, chroots', () => {
        const env = { XDEB_LOCAL_REPO: join(tmp, 'repo'), XDEB_CHROOT_DIR: join(tmp, 'chroots') };
        // One generated script per bash: they define the same functions.
        const [arch] = complete(['xdeb config -a arm'], {
          bashCompletion,
          before: `${bashCompletion ? '__load_completion xdeb' : `source ${tmp}/completions/bash/xdeb`}\nPATH=/nonexistent`,
        });
        const [src, chroot] = complete(['xdeb-fakebuild h', 'xdeb-fakebuild --chroot s'], {
          bashCompletion,
          script,
          cwd: work,
          env,
          before: 'PATH=/nonexistent',
        });
        expect(arch).toEqual(expect.arrayContaining(['arm64', 'armel', 'armhf']));
        expect(src).toEqual(['hello']);
        expect(chroot).toEqual(['sid-armhf']);
      });
    });
  }

  it('without bash-completion, --opt=value still completes', () => {
    const [eq, empty] = complete(['xdeb config --host-arch=armh', 'xdeb config --host-arch='], {
      bashCompletion: false,
      script: join(tmp, 'completions', 'bash', 'xdeb'),
    });
    expect(eq).toEqual(['armhf']);
    expect(empty).toEqual(expect.arrayContaining(['amd64', 'arm64']));
  });
});

describe('bash completion in an interactive bash (tmux)', () => {
  it.skipIf(!have('tmux'))('xdeb-<TAB><TAB> and xdeb config -a arm<TAB><TAB> print the candidates', async () => {
    const session = `xdeb-test-${process.pid}`;
    const rc = join(tmp, 'rc.sh');
    writeFileSync(rc, `PS1='$ '\nexport XDG_DATA_DIRS=${share}:/usr/share PATH=${binDir}:$PATH\nsource ${BASH_COMPLETION}\n`);
    const tmux = (...a: string[]) => spawnSync('tmux', a, { encoding: 'utf8' });
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '200',
      '-y',
      '50',
      `env -i HOME=${join(tmp, 'home')} TERM=xterm PATH=/usr/bin:/bin bash --rcfile ${rc} -i`,
    );
    try {
      const screen = async (want: RegExp) => {
        for (let i = 0; i < 50; i++) {
          const s = tmux('capture-pane', '-p', '-t', session).stdout;
          if (want.test(s)) return s;
          await new Promise((r) => setTimeout(r, 100));
        }
        return tmux('capture-pane', '-p', '-t', session).stdout;
      };
      await screen(/^\$ ?$/m);
      tmux('send-keys', '-t', session, 'xdeb-', 'Tab', 'Tab');
      const s1 = await screen(/xdeb-satisfydepends/);
      for (const c of registry.commands.filter((c) => c.standalone)) expect(s1).toContain(`xdeb-${c.name}`);
      tmux('send-keys', '-t', session, 'C-u', 'clear', 'Enter');
      await screen(/^\$ ?$/m);
      tmux('send-keys', '-t', session, 'xdeb config -a arm', 'Tab', 'Tab');
      const s2 = await screen(/armhf/);
      expect(s2).toMatch(/arm64\s.*armel\s.*armhf/s);
    } finally {
      tmux('kill-session', '-t', session);
    }
  });
});

describe('zsh completion', () => {
  it.skipIf(!have('zsh') || !have('tmux'))('xdeb <TAB> and xdeb config -a arm<TAB> in an interactive zsh (tmux)', async () => {
    const session = `xdeb-zsh-${process.pid}`;
    const zdot = join(tmp, 'zdot');
    const fn = join(tmp, 'completions', 'zsh');
    mkdirSync(zdot, { recursive: true });
    writeFileSync(
      join(zdot, '.zshrc'),
      `PS1='%% '\nfpath=(${fn} $fpath)\nexport PATH=${binDir}:$PATH\nautoload -Uz compinit && compinit -u -d ${zdot}/.zcompdump\n`,
    );
    const tmux = (...a: string[]) => spawnSync('tmux', a, { encoding: 'utf8' });
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '200',
      '-y',
      '50',
      `env -i HOME=${zdot} ZDOTDIR=${zdot} TERM=xterm PATH=/usr/bin:/bin zsh -i`,
    );
    try {
      const screen = async (want: RegExp) => {
        for (let i = 0; i < 50; i++) {
          const s = tmux('capture-pane', '-p', '-t', session).stdout;
          if (want.test(s)) return s;
          await new Promise((r) => setTimeout(r, 100));
        }
        return tmux('capture-pane', '-p', '-t', session).stdout;
      };
      await screen(/^% ?$/m);
      tmux('send-keys', '-t', session, 'xdeb ', 'Tab');
      const s1 = await screen(/completion/);
      for (const c of registry.commands) expect(s1).toContain(c.name);
      tmux('send-keys', '-t', session, 'C-u', 'clear', 'Enter');
      await screen(/^% ?$/m);
      tmux('send-keys', '-t', session, 'xdeb config -a arm', 'Tab');
      const s2 = await screen(/armhf/);
      expect(s2).toMatch(/arm64\s.*armel\s.*armhf/s);
    } finally {
      tmux('kill-session', '-t', session);
    }
  });

  it.skipIf(!have('zsh'))('parses', () => {
    const r = spawnSync('zsh', ['-n', join(tmp, 'completions', 'zsh', '_xdeb')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('names every command and option', () => {
    const z = readFileSync(join(tmp, 'completions', 'zsh', '_xdeb'), 'utf8');
    expect(z.split('\n')[0]).toBe(`#compdef ${completion.completionNames(registry.commands as never).join(' ')}`);
    for (const c of registry.commands) {
      expect(z).toContain(`_xdeb_cmd_${c.name.replace(/-/g, '_')}()`);
      for (const o of longOptions(c)) expect(z).toContain(o);
    }
  });
});
