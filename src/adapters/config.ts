// Reads xdeb's configuration files and environment, and applies a command's flags on top.

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Config, configKey, parseConfigFile, type ConfigValue, type ParsedConfigFile } from '../lib/config.js';
import { InputError } from '../lib/errors.js';

/** The configuration files read, lowest precedence first. $XDEB_SYSTEM_CONFIG replaces /etc/xdeb/xdeb.cfg. */
export function configFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const system = env.XDEB_SYSTEM_CONFIG || '/etc/xdeb/xdeb.cfg';
  const userDir = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return [system, join(userDir, 'xdeb', 'xdeb.cfg')];
}

function readIfPresent(file: string, required: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new InputError(code === 'ENOENT' ? 'no such configuration file' : `cannot read: ${(e as Error).message}`, { file });
  }
}

/** A path written '~/…' in a file is under $HOME (the shell does this for XDEB_* and flags). */
function expandHome(parsed: ParsedConfigFile, env: NodeJS.ProcessEnv): ParsedConfigFile {
  const home = env.HOME || homedir();
  for (const e of parsed.entries) {
    if (configKey(e.key)?.kind === 'path' && typeof e.value === 'string' && e.value.startsWith('~/')) e.value = join(home, e.value.slice(2));
  }
  return parsed;
}

/** Command-line flags (commander's camelCase names) and the keys they set. */
const FLAG_KEYS: [opt: string, key: string, flag: string][] = [
  ['hostArch', 'host-arch', '--host-arch'],
  ['profiles', 'profiles', '--profiles'],
  ['localRepo', 'local-repo', '--local-repo'],
  ['chroot', 'chroot', '--chroot'],
  ['rootCmd', 'root-cmd', '--root-cmd'],
  ['signKey', 'sign-key', '--sign-key'],
  ['jobs', 'jobs', '--jobs'],
  ['suite', 'suite', '--suite'],
  ['mirror', 'mirror', '--mirror'],
  ['toolchain', 'toolchain', '--toolchain'],
];

export interface LoadConfigOptions {
  /** --local-config FILE: read only this file, not the system and user ones. */
  localConfig?: string;
  env?: NodeJS.ProcessEnv;
}

export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  const cfg = new Config();
  cfg.applyDefault('local-repo', defaultLocalRepo(env));
  cfg.applyDefault('chroot-dir', defaultChrootDir(env));
  cfg.localConfigFile = opts.localConfig;
  const files = opts.localConfig ? [opts.localConfig] : configFiles(env);
  for (const file of files) {
    const text = readIfPresent(file, !!opts.localConfig);
    if (text !== undefined) cfg.applyFile(expandHome(parseConfigFile(text, file), env), file);
  }
  cfg.applyEnvironment(env);
  return cfg;
}

/** The configuration a command runs with: files, environment, then its own flags. */
export function configFromOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Config {
  const cfg = loadConfig({ localConfig: opts.localConfig as string | undefined, env });
  for (const [opt, key, flag] of FLAG_KEYS) cfg.applyFlag(key, opts[opt] as ConfigValue | undefined, flag);
  if (opts.useLocalRepo) cfg.applyFlag('use-local-repo', true, '--use-local-repo');
  if (opts.disableLocalRepo) cfg.applyFlag('use-local-repo', false, '--disable-local-repo');
  if (opts.useRemoteRepo) cfg.applyFlag('use-remote-repo', true, '--use-remote-repo');
  if (opts.disableRemoteRepo) cfg.applyFlag('use-remote-repo', false, '--disable-remote-repo');
  return cfg;
}

/** Where the local repository lives when nothing says otherwise. */
export function defaultLocalRepo(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'xdeb', 'repo');
}

/** Where xdeb-chroot keeps its chroots when nothing says otherwise: one entry per chroot name. */
export function defaultChrootDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'xdeb', 'chroots');
}

function dataHome(env: NodeJS.ProcessEnv): string {
  return env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
}

export function localRepoDir(cfg: Config, env: NodeJS.ProcessEnv = process.env): string {
  return cfg.string('local-repo') ?? defaultLocalRepo(env);
}
