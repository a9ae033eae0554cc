// What every command promises a user and a script: --help with examples and exit status, usage
// errors as exit 2 without a stack trace, --json that parses, data only on stdout, and docs that
// cover every command, exit code and configuration key.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_KEYS, envName } from '../../src/lib/config.js';
import { EXIT } from '../../src/lib/errors.js';
import type { CommandSpec } from '../../src/ui/spec.js';
import { ROOT, runCli } from '../support/cli.js';

let commands: CommandSpec[];
let readsConfig: (spec: CommandSpec) => boolean;
let tmp: string;

beforeAll(async () => {
  commands = ((await import(`${ROOT}/dist/cli/registry.js`)) as { commands: CommandSpec[] }).commands;
  readsConfig = (await import(`${ROOT}/dist/ui/manpage.js`)).readsConfig;
  tmp = mkdtempSync(join(tmpdir(), 'xdeb-help-'));
  const gen = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-assets.mjs'), '--out', join(tmp, 'assets')], { encoding: 'utf8' });
  expect(gen.stderr).toBe('');
  expect(gen.status).toBe(0);
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Every way to call each command: [argv before --help, bin, the spec]. */
function invocations(): { label: string; args: string[]; bin?: string; spec: CommandSpec }[] {
  const out: { label: string; args: string[]; bin?: string; spec: CommandSpec }[] = [];
  for (const c of commands) {
    out.push({ label: `xdeb ${c.name}`, args: [c.name], spec: c });
    if (c.standalone) out.push({ label: `xdeb-${c.name}`, args: [], bin: `xdeb-${c.name}`, spec: c });
    for (const s of c.subcommands ?? []) out.push({ label: `xdeb ${c.name} ${s.name}`, args: [c.name, s.name], spec: s });
  }
  return out;
}

const STACK = /^\s+at .*\(?.*:\d+:\d+\)?$/m;

describe('--help', () => {
  it('xdeb --help lists every command and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    for (const c of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c.name}\\b`, 'm'));
  });

  it('every command: exit 0, usage, options, examples (real commands), exit status, the man page', () => {
    const list = invocations();
    expect(list.length).toBeGreaterThan(commands.length);
    for (const { label, args, bin, spec } of list) {
      const r = runCli([...args, '--help'], { bin });
      expect(r.status, label).toBe(0);
      expect(r.stderr, label).toBe('');
      expect(r.stdout, label).toContain(`Usage: ${label}`);
      expect(r.stdout, label).toContain('-h, --help');
      expect(r.stdout, label).toMatch(
        /Exit status: 0 ok, 1 the answer is no, 2 usage or bad input, 3 environment,\n  70 internal error, 130 interrupted/,
      );
      expect(r.stdout, label).toContain(`See: man xdeb-${label.replace(/^xdeb[- ]/, '').split(' ')[0]}`);
      if (spec.run) expect(r.stdout, label).toMatch(/-q, --quiet[\s\S]*-v, --verbose/);
      if (spec.json) expect(r.stdout, label).toContain('--json');
      if (!spec.subcommands?.length) expect(r.stdout, label).toContain('Examples:\n  $ ');
    }
  });
});

describe('usage errors', () => {
  it('an unknown option is exit 2 with a one-line message and no stack trace, on every command', () => {
    for (const { label, args, bin } of invocations()) {
      const r = runCli([...args, '--no-such-option'], { bin });
      expect(r.status, label).toBe(EXIT.usage);
      expect(r.stdout, label).toBe('');
      expect(r.stderr, label).toContain("unknown option '--no-such-option'");
      expect(r.stderr, label).toMatch(/^xdeb[- ]\S*.*: error: /);
      expect(r.stderr, label).not.toMatch(STACK);
    }
  });

  it('an unknown command, a missing argument and a bad choice are exit 2', () => {
    const unknown = runCli(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const missing = runCli(['completion']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument/);
    const shell = runCli(['completion', 'fish']);
    expect(shell.status).toBe(2);
    expect(shell.stderr).toBe("xdeb completion: error: unknown shell 'fish' (bash or zsh)\n");
    for (const r of [unknown, missing, shell]) expect(r.stderr).not.toMatch(STACK);
  });

  it('an unknown command with --help, or after help, is the same error (exit 2), not the umbrella help', () => {
    for (const argv of [
      ['frobnicate', '--help'],
      ['help', 'frobnicate'],
      ['-h', 'frobnicate'],
    ]) {
      const r = runCli(argv);
      expect(r.status, argv.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe("xdeb: error: unknown command 'frobnicate' (xdeb help lists the commands)\n");
    }
    // A known one still has its help.
    const known = runCli(['help', 'build']);
    expect(known.status).toBe(0);
    expect(known.stdout).toMatch(/^Usage: xdeb build/);
  });

  it('xdeb --version prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
});

describe('--json and stdout', () => {
  it('xdeb config --json and xdeb control --json print one JSON document and nothing on stderr', () => {
    const control = join(tmp, 'control');
    writeFileSync(control, 'Source: hello\nBuild-Depends: debhelper-compat (= 13)\n\nPackage: hello\nArchitecture: any\n');
    const env = { XDEB_SYSTEM_CONFIG: join(tmp, 'none.cfg'), HOME: tmp };
    for (const args of [
      ['config', '--json'],
      ['config', '--json', '--files'],
      ['config', '--json', 'profiles'],
      ['control', '--json', control],
    ]) {
      const r = runCli(args, { env });
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(() => JSON.parse(r.stdout), args.join(' ')).not.toThrow();
    }
    expect(JSON.parse(runCli(['control', '--json', control]).stdout)).toEqual([
      { Source: 'hello', 'Build-Depends': 'debhelper-compat (= 13)' },
      { Package: 'hello', Architecture: 'any' },
    ]);
  });

  it('--verbose and --quiet are accepted everywhere a command runs, and do not touch stdout', () => {
    const env = { XDEB_SYSTEM_CONFIG: join(tmp, 'none.cfg'), HOME: tmp };
    const plain = runCli(['config', 'profiles'], { env });
    for (const flag of ['--quiet', '-q', '--verbose', '-v']) {
      const r = runCli(['config', flag, 'profiles'], { env });
      expect(r.status, flag).toBe(0);
      expect(r.stdout, flag).toBe(plain.stdout);
    }
  });

  it('every command with --json has its shape documented (spec jsonOutput or docs/scripting.md)', () => {
    const scripting = readFileSync(join(ROOT, 'docs', 'scripting.md'), 'utf8');
    const withJson = commands.flatMap((c) =>
      [c, ...(c.subcommands ?? [])].filter((s) => s.json).map((s) => ({ s, name: s === c ? c.name : `${c.name} ${s.name}` })),
    );
    // config and control print --json (the test above): a registry that lost them would check nothing.
    expect(withJson.map((j) => j.name)).toEqual(expect.arrayContaining(['config', 'control']));
    for (const { s, name } of withJson) {
      expect(!!s.jsonOutput || scripting.includes(`### xdeb ${name}\n`), `xdeb ${name}: document the --json shape`).toBe(true);
    }
  });
});

describe('documentation', () => {
  it('docs/exit-status.md lists every exit code', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'exit-status.md'), 'utf8');
    for (const [name, code] of Object.entries(EXIT)) expect(doc, name).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });

  it('docs/configuration.md lists every configuration key with its variable', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
    for (const k of CONFIG_KEYS) expect(doc, k.key).toMatch(new RegExp(`^\\| \`${k.key}\` \\|.*\`${envName(k.key)}\``, 'm'));
  });

  it('the generated man pages cover every command, and package.json installs them all', () => {
    const out = join(tmp, 'assets');
    const expected = ['man/man1/xdeb.1', ...commands.map((c) => `man/man1/xdeb-${c.name}.1`), 'man/man5/xdeb.cfg.5'];
    const listed = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).man as string[];
    expect([...listed].sort()).toEqual([...expected].sort());
    for (const page of expected) {
      const roff = readFileSync(join(out, page), 'utf8');
      const sections = [
        'NAME',
        '"SYNOPSIS"',
        '"DESCRIPTION"',
        '"SEE ALSO"',
        ...(page.endsWith('.1') ? ['"EXIT STATUS"'] : ['"KEYS"', '"FILES"']),
      ];
      for (const section of sections) expect(roff, page).toContain(`.SH ${section}`);
    }
    expect(commands.some(readsConfig)).toBe(true);
    expect(commands.some((c) => c.examples?.length)).toBe(true);
    for (const c of commands) {
      const roff = readFileSync(join(out, 'man', 'man1', `xdeb-${c.name}.1`), 'utf8');
      expect(roff).toMatch(c.subcommands?.length ? /\.SH "SUBCOMMANDS"/ : /\.SH "OPTIONS"/);
      // A command that reads the configuration names its files and variables.
      if (readsConfig(c)) expect(roff).toMatch(/\.SH "ENVIRONMENT"[\s\S]*XDEB_HOST_ARCH[\s\S]*\.SH "FILES"[\s\S]*xdeb\.cfg/);
      if (c.examples?.length) expect(roff).toContain('.SH "EXAMPLES"');
      const md = readFileSync(join(out, 'docs', 'reference', `xdeb-${c.name}.md`), 'utf8');
      expect(md).toMatch(new RegExp(`^# xdeb-${c.name}\\(1\\)$`, 'm'));
      expect(md).toContain('## EXIT STATUS');
    }
  });

  it('man renders every page without warnings', () => {
    const out = join(tmp, 'assets');
    const pages = ['xdeb', ...commands.map((c) => `xdeb-${c.name}`)];
    for (const p of pages) {
      const r = spawnSync('man', ['--warnings', '-P', 'cat', p], {
        encoding: 'utf8',
        env: { ...process.env, MANPATH: join(out, 'man'), MANWIDTH: '80' },
      });
      expect(r.status, p).toBe(0);
      expect(r.stderr, p).toBe('');
      expect(r.stdout, p).toMatch(/^NAME\n {7}xdeb/m);
    }
    const cfg = spawnSync('man', ['--warnings', '-P', 'cat', '5', 'xdeb.cfg'], {
      encoding: 'utf8',
      env: { ...process.env, MANPATH: join(out, 'man') },
    });
    expect(cfg.stderr).toBe('');
    for (const k of CONFIG_KEYS) expect(cfg.stdout).toContain(k.key);
  });
});

describe('help layout', () => {
  it('reflows prose paragraphs for commander to wrap, keeping indented and bulleted lines', async () => {
    const { reflow } = (await import(`${ROOT}/dist/cli/main.js`)) as { reflow: (t: string) => string };
    expect(reflow('one line\nand the next\n\nsecond  \nparagraph')).toBe('one line and the next\n\nsecond paragraph');
    expect(reflow('list:\n- a\n- b')).toBe('list:\n- a\n- b');
    expect(reflow('run:\n  $ xdeb build .')).toBe('run:\n  $ xdeb build .');
  });

  it('no line of any --help is longer than 80 columns off a terminal, but for unbreakable words', () => {
    for (const bin of ['xdeb', 'xdeb-satisfydepends', 'xdeb-runbuild', 'xdeb-build', 'xdeb-sequence', 'xdeb-putresult', 'xdeb-chroot']) {
      const r = runCli(['--help'], { bin });
      expect(r.status).toBe(0);
      const long = r.stdout.split('\n').filter((l) => l.length > 80 && !/^\s*\$ /.test(l) && /\s\S+\s/.test(l.slice(0, 80)));
      expect(long, bin).toEqual([]);
    }
  });
});
