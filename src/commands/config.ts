import type { CommandSpec, OptionSpec } from '../ui/spec.js';
import { CONFIG_KEYS } from '../lib/config-keys.js';
import { CHROOT, HOST_ARCH, PROFILES, REPO_SELECTION, ROOT_CMD, sessionFlags } from './common-options.js';

const SIGN_KEY: OptionSpec = { flags: '--sign-key <key>', description: 'gpg key that signs the local repository' };

const spec: CommandSpec = {
  name: 'config',
  summary: 'show the effective configuration and where each value comes from',
  description:
    'Reads the configuration as every command does: /etc/xdeb/xdeb.cfg, then ~/.config/xdeb/xdeb.cfg,\n' +
    'then XDEB_* environment variables, then command-line flags, each overriding the ones before;\n' +
    '--local-config FILE reads that file instead of both files. Prints every key with its value and\n' +
    'its source (default, FILE:LINE, environment XDEB_KEY, command line --flag), then the named\n' +
    'sections. Give the same flags as to another command to see what that command would use.\n' +
    'With KEY, prints only that value (exit 1 when it is unset). The keys and the file syntax are\n' +
    'in xdeb.cfg(5).',
  args: [{ name: 'key', description: 'print only the value of this key', complete: CONFIG_KEYS.map((k) => k.key) }],
  options: [
    { flags: '--files', description: 'list the configuration files in the order they are read, and whether each exists' },
    HOST_ARCH,
    PROFILES,
    ...REPO_SELECTION,
    CHROOT,
    ROOT_CMD,
    SIGN_KEY,
  ],
  json: true,
  jsonOutput:
    '{"files": [{"path": "/etc/xdeb/xdeb.cfg", "read": false}, …],\n' +
    ' "keys": [{"key": "host-arch", "value": "arm64", "source": {"kind": "file", "file": "…", "line": 3}, "from": "…:3"},\n' +
    '          {"key": "chroot", "value": null, "source": null, "from": null}, …],\n' +
    ' "sections": [{"kind": "repository", "name": "ppa", "file": "…", "line": 9, "entries": {"url": "…"}}]}\n\n' +
    'value is a string, a boolean (yes/no keys), a number (jobs) or an array (profiles), null when unset;\n' +
    'source.kind is default, file (with file and line), environment (with variable) or command-line (with flag);\n' +
    'from is the source as text. With KEY: the one object of "keys". With --files: the "files" array.',
  examples: [
    { command: 'xdeb config', description: 'every key, its value and where it comes from' },
    { command: 'xdeb config host-arch', description: 'print only the host architecture (exit 1 when unset)' },
    { command: 'XDEB_HOST_ARCH=armhf xdeb config -a arm64 host-arch', description: 'print arm64: a flag beats the environment' },
    { command: 'xdeb config --local-config ./xdeb.cfg --json', description: 'only that file (and the environment), as JSON' },
    { command: 'xdeb config --files', description: 'the files read, highest precedence last' },
  ],
  exitStatus: [
    { code: 1, meaning: 'KEY is not set' },
    { code: 2, meaning: 'a bad key, value or line in a configuration file or XDEB_* variable (named with file and line)' },
  ],
  environment: [{ name: 'XDEB_SYSTEM_CONFIG', description: 'read this file instead of /etc/xdeb/xdeb.cfg (for tests)' }],
  seeAlso: ['xdeb.cfg(5)'],
  async run({ args, flags, out }) {
    const [{ existsSync }, cfgLib, { configFiles }, { configFromFlags }, { UsageError }] = await Promise.all([
      import('node:fs'),
      import('../lib/config.js'),
      import('../adapters/config.js'),
      import('../flows/session.js'),
      import('../lib/errors.js'),
    ]);
    const given = sessionFlags(flags);
    const { CONFIG_KEYS, configKey, describeSource, envName, suggestKey } = cfgLib;

    const files = given.localConfig ? [given.localConfig] : configFiles();
    if (flags.boolean('files')) {
      const rows = files.map((path) => ({ path, read: existsSync(path) }));
      if (out.json) out.jsonData(rows);
      else out.data(rows.map((r) => `${r.path}${r.read ? '' : '\t(absent)'}`).join('\n'));
      return 0;
    }

    // A misspelt XDEB_ variable is silently ignored by the other commands: say so here.
    const known = new Set([...CONFIG_KEYS.map((k) => envName(k.key)), 'XDEB_SYSTEM_CONFIG']);
    for (const v of Object.keys(process.env)
      .filter((v) => v.startsWith('XDEB_') && !known.has(v))
      .sort()) {
      const near = suggestKey(v.slice(5).toLowerCase().replace(/_/g, '-'));
      out.warn(`${v} is not a configuration variable, ignored${near ? ` (did you mean ${envName(near)}?)` : ''}`);
    }

    const cfg = configFromFlags(given);
    const show = (key: string) => {
      const e = cfg.entry(key);
      return { key, value: e?.value ?? null, source: e?.source ?? null, from: e ? describeSource(e.source) : null };
    };
    const text = (v: unknown): string => (v === true ? 'yes' : v === false ? 'no' : Array.isArray(v) ? v.join(', ') : String(v));

    if (args.length) {
      const key = args[0]!;
      if (!configKey(key)) {
        const near = suggestKey(key);
        throw new UsageError(`unknown configuration key '${key}'${near ? ` (did you mean '${near}'?)` : ''}`);
      }
      const row = show(key);
      if (out.json) out.jsonData(row);
      else if (row.value !== null) out.data(text(row.value));
      return row.value === null ? 1 : 0;
    }

    const keys = CONFIG_KEYS.map((k) => show(k.key));
    const sections = cfg.sections.map((s) => ({
      kind: s.kind,
      name: s.name,
      file: s.file,
      line: s.line,
      entries: Object.fromEntries([...s.entries].map(([k, v]) => [k, v.text])),
    }));
    if (out.json) {
      out.jsonData({ files: files.map((path) => ({ path, read: cfg.files.includes(path) })), keys, sections });
      return 0;
    }
    const width = Math.max(...keys.map((k) => k.key.length));
    const valueWidth = Math.min(40, Math.max(...keys.map((k) => (k.value === null ? 7 : text(k.value).length))));
    const lines = keys.map((k) =>
      k.value === null
        ? `${k.key.padEnd(width)}  ${'(unset)'.padEnd(valueWidth)}`
        : `${k.key.padEnd(width)}  ${text(k.value).padEnd(valueWidth)}  ${k.from}`,
    );
    for (const s of sections) {
      lines.push('', `[${s.kind} ${s.name}]  ${s.file}:${s.line}`);
      for (const [k, v] of Object.entries(s.entries)) lines.push(`${k} = ${v}`);
    }
    out.data(lines.map((l) => l.trimEnd()).join('\n'));
    return 0;
  },
};
export default spec;
