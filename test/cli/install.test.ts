// Installing xdeb: `npm install -g` of the packed package, and scripts/install under a DESTDIR,
// each followed by what a user then does: run a command, read its man page, press TAB.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandSpec } from '../../src/ui/spec.js';
import { ROOT } from '../support/cli.js';

let tmp: string;
let commands: CommandSpec[];
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  man: string[];
  files: string[];
};

function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-install-'));
  commands = ((await import(`${ROOT}/dist/cli/registry.js`)) as { commands: CommandSpec[] }).commands;
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** `man -P cat PAGE` with only MANPATH: the page must be found there and render without warnings. */
function man(manpath: string, ...page: string[]) {
  return run('man', ['--warnings', '-P', 'cat', ...page], {
    env: { PATH: process.env.PATH, MANPATH: manpath, MANWIDTH: '80', LANG: 'C.UTF-8' },
  });
}

describe('npm pack, then npm install -g', () => {
  let prefix: string;

  beforeAll(() => {
    // Pack a staging copy built like `npm run build` does, so that the shared tree is not touched.
    const stage = join(tmp, 'stage');
    mkdirSync(stage);
    for (const f of ['package.json', 'README.md', 'bin', 'dist', 'docs', 'scripts'])
      if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
    const gen = run(process.execPath, [join(ROOT, 'scripts', 'gen-assets.mjs'), '--out', stage]);
    expect(gen.stderr).toBe('');
    const pack = run('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: stage });
    expect(pack.status, pack.stderr).toBe(0);
    const tgz = join(tmp, `${pkg.name}-${pkg.version}.tgz`);
    expect(existsSync(tgz)).toBe(true);
    prefix = join(tmp, 'prefix');
    // Offline: the dependencies come from npm's cache, filled by `npm ci`.
    let inst = run('npm', ['install', '-g', tgz, '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--loglevel=error']);
    if (inst.status !== 0)
      inst = run('npm', ['install', '-g', tgz, '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error']);
    expect(inst.status, inst.stderr).toBe(0);
  }, 600_000);

  it('installs every binary, and xdeb-build --help runs', () => {
    for (const name of Object.keys(pkg.bin)) expect(existsSync(join(prefix, 'bin', name)), name).toBe(true);
    const r = run(join(prefix, 'bin', 'xdeb-build'), ['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: xdeb-build');
  });

  it('man xdeb-sequence renders from <prefix>/share/man, as do all listed pages', () => {
    const r = man(join(prefix, 'share', 'man'), 'xdeb-sequence');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^XDEB-SEQUENCE\(1\) +xdeb manual/);
    expect(r.stdout).toMatch(/^NAME\n +xdeb-sequence +- \S/m);
    for (const page of pkg.man) {
      const name = page.replace(/^.*\//, '').replace(/\.\d$/, '');
      const section = page.replace(/^.*\.(\d)$/, '$1');
      const p = man(join(prefix, 'share', 'man'), section, name);
      expect(p.status, page).toBe(0);
      expect(p.stderr, page).toBe('');
    }
  });

  it('ships the completion scripts and the docs', () => {
    const installed = join(prefix, 'lib', 'node_modules', pkg.name);
    for (const name of ['xdeb', ...commands.filter((c) => c.standalone).map((c) => `xdeb-${c.name}`)]) {
      expect(existsSync(join(installed, 'completions', 'bash', name)), name).toBe(true);
    }
    expect(existsSync(join(installed, 'completions', 'zsh', '_xdeb'))).toBe(true);
    expect(existsSync(join(installed, 'docs', 'exit-status.md'))).toBe(true);
  });
});

describe('scripts/install under DESTDIR', () => {
  let dest: string;
  const usr = () => join(dest, 'usr');

  beforeAll(() => {
    // scripts/install takes the built tree: generate the assets as `npm run build` does.
    const gen = run(process.execPath, [join(ROOT, 'scripts', 'gen-assets.mjs')]);
    expect(gen.status, gen.stderr).toBe(0);
    dest = join(tmp, 'dest');
    const r = run('sh', [join(ROOT, 'scripts', 'install'), '--prefix', '/usr', '--destdir', dest]);
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);

  it('lays files out the Debian way', () => {
    for (const name of Object.keys(pkg.bin)) {
      const link = join(usr(), 'bin', name);
      expect(lstatSync(link).isSymbolicLink(), name).toBe(true);
      expect(existsSync(join(usr(), 'share', 'bash-completion', 'completions', name)), name).toBe(true);
    }
    expect(readdirSync(join(usr(), 'share', 'man', 'man1')).sort()).toEqual(
      pkg.man
        .filter((m) => m.endsWith('.1'))
        .map((m) => m.replace(/^.*\//, '') + '.gz')
        .sort(),
    );
    expect(existsSync(join(usr(), 'share', 'man', 'man5', 'xdeb.cfg.5.gz'))).toBe(true);
    expect(existsSync(join(usr(), 'share', 'zsh', 'vendor-completions', '_xdeb'))).toBe(true);
    expect(existsSync(join(usr(), 'lib', 'xdeb', 'node_modules', 'commander', 'package.json'))).toBe(true);
    // Runtime dependencies only.
    expect(existsSync(join(usr(), 'lib', 'xdeb', 'node_modules', 'vitest'))).toBe(false);
    expect(existsSync(join(usr(), 'lib', 'xdeb', 'node_modules', 'typescript'))).toBe(false);
  });

  it('the installed commands run, from a directory outside the tree', () => {
    const r = run(join(usr(), 'bin', 'xdeb-build'), ['--help'], { cwd: tmp });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Usage: xdeb-build');
    const v = run(join(usr(), 'bin', 'xdeb'), ['compare-versions', '1.0~rc1', 'lt', '1.0'], { cwd: tmp });
    expect(v.status).toBe(0);
  });

  it('man xdeb-sequence and man 5 xdeb.cfg render from the gzipped pages', () => {
    const r = man(join(usr(), 'share', 'man'), 'xdeb-sequence');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^NAME\n +xdeb-sequence +- \S/m);
    expect(man(join(usr(), 'share', 'man'), '5', 'xdeb.cfg').stdout).toMatch(/^KEYS$/m);
  });

  it('bash-completion finds the installed completion for each command name', () => {
    const r = run(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        `source /usr/share/bash-completion/bash_completion\nsource ${ROOT}/test/support/complete-line.bash\n__t 'xdeb-build --he'\n__t 'xdeb config -a armh'`,
      ],
      { env: { PATH: `${join(usr(), 'bin')}:/usr/bin:/bin`, HOME: tmp, XDG_DATA_DIRS: `${join(usr(), 'share')}:/usr/share` } },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('--help\n@@\narmhf\n@@\n');
  });

  it('--uninstall removes what it installed', () => {
    const r = run('sh', [join(ROOT, 'scripts', 'install'), '--prefix', '/usr', '--destdir', dest, '--uninstall']);
    expect(r.status, r.stderr).toBe(0);
    const left = run('find', [dest, '-type', 'f']).stdout.trim();
    expect(left).toBe('');
  });
});
