// Reads xdeb's configuration files and environment (a command's flags go on top: src/flows/session.ts).

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Config, configKey, parseConfigFile, type ParsedConfigFile } from '../lib/config.js';
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
    if (configKey(e.key)?.kind === 'path' && typeof e.value === 'string' && e.value.startsWith('~/'))
      e.value = join(home, e.value.slice(2));
  }
  return parsed;
}

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
