// xdeb's own repository configuration: the [repository NAME] sections of xdeb.cfg
// (docs/repositories.md). With --local-config they replace apt's sources (their url, suite,
// components, signed-by, type, priority); in every mode a section's `upload` command receives the
// builds putresult publishes into the suites listed in `upload-suites`.

import type { Config, ConfigSection } from './config.js';
import { InputError } from './errors.js';
import { FULL_SUITE, isSuiteName } from './local-repo-layout.js';

export interface ConfiguredRepository {
  name: string;
  /** Where apt fetches it: an http(s), file or ftp URL; absent for an upload-only section. */
  url?: string;
  suite?: string;
  components: string[];
  /** deb, deb-src or both. */
  types: ('deb' | 'deb-src')[];
  signedBy?: string;
  /** A pin for every index of this repository (before any preferences record). */
  priority?: number;
  /** Shell command that uploads a build: its .changes is appended, or replaces {changes}. */
  upload?: string;
  /** Suites of the local repository whose builds are uploaded (default: full). */
  uploadSuites: string[];
  file: string;
  line: number;
  /** Line of each key, for messages. */
  lines: Record<string, number>;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function sectionRepository(s: ConfigSection): ConfiguredRepository {
  const at = (key: string) => ({ file: s.file, line: s.entries.get(key)?.line ?? s.line });
  const get = (key: string) => s.entries.get(key)?.text.trim();
  if (!NAME.test(s.name))
    throw new InputError(`'${s.name}' is not a repository name (letters, digits, '.', '_' and '-')`, { file: s.file, line: s.line });
  const url = get('url') || undefined;
  if (url !== undefined && !/^(https?|file|ftp|cdrom|copy|mirror\+\w+|tor\+https?):/.test(url)) {
    throw new InputError(`url '${url}' is not a repository URL (http://, https://, file:/, ftp://)`, at('url'));
  }
  const suite = get('suite') || undefined;
  if (url !== undefined && suite === undefined)
    throw new InputError(
      `[repository ${s.name}] has a url but no suite (for example 'suite = bookworm', or 'suite = ./' for a flat repository)`,
      { file: s.file, line: s.line },
    );
  const components = (get('components') ?? '').split(/[,\s]+/).filter(Boolean);
  if (suite?.endsWith('/') && components.length)
    throw new InputError('a flat repository (a suite ending in /) has no components', at('components'));
  const typeText = get('type') ?? 'deb';
  const types = typeText.split(/[,\s]+/).filter(Boolean);
  for (const t of types) if (t !== 'deb' && t !== 'deb-src') throw new InputError(`type '${t}' is not deb or deb-src`, at('type'));
  const prio = get('priority');
  let priority: number | undefined;
  if (prio !== undefined) {
    if (!/^[+-]?\d+$/.test(prio) || Number(prio) === 0)
      throw new InputError(`priority '${prio}' is not a non-zero whole number (an apt pin priority: 990, 500, 100, -1…)`, at('priority'));
    priority = Number(prio);
  }
  const upload = get('upload') || undefined;
  const uploadSuites = (get('upload-suites') ?? FULL_SUITE).split(/[,\s]+/).filter(Boolean);
  for (const suiteName of uploadSuites) {
    if (!isSuiteName(suiteName))
      throw new InputError(
        `upload-suites: '${suiteName}' is not a suite of the local repository (full, staged-…, flavour-…)`,
        at('upload-suites'),
      );
  }
  if (url === undefined && upload === undefined)
    throw new InputError(`[repository ${s.name}] needs a url (a repository to read) or an upload command, or both`, {
      file: s.file,
      line: s.line,
    });
  const signedBy = get('signed-by') || undefined;
  const lines: Record<string, number> = {};
  for (const [k, v] of s.entries) lines[k] = v.line;
  return {
    name: s.name,
    ...(url ? { url } : {}),
    ...(suite ? { suite } : {}),
    components: suite?.endsWith('/') ? [] : components.length ? components : ['main'],
    types: [...new Set(types)] as ('deb' | 'deb-src')[],
    ...(signedBy ? { signedBy } : {}),
    ...(priority !== undefined ? { priority } : {}),
    ...(upload ? { upload } : {}),
    uploadSuites,
    file: s.file,
    line: s.line,
    lines,
  };
}

/** Every [repository NAME] section of the configuration, checked. */
export function configuredRepositories(cfg: Pick<Config, 'sections'>): ConfiguredRepository[] {
  return cfg.sections.filter((s) => s.kind === 'repository').map(sectionRepository);
}

/** sources.list lines for a configured repository ('deb [trusted=yes] URL SUITE COMPONENT…'). */
export function sourcesLines(r: ConfiguredRepository): string[] {
  if (!r.url || !r.suite) return [];
  const options = r.signedBy ? `[signed-by=${r.signedBy}]` : r.url.startsWith('file:') ? '[trusted=yes]' : '';
  const tail = [r.url, r.suite, ...r.components].join(' ');
  return r.types.map((t) => `${t} ${options ? `${options} ` : ''}${tail}`);
}

/** The host name `Pin: origin` compares for a repository URL ('' for file: and cdrom:). */
export function siteOfUrl(url: string): string {
  const m = /^[a-z+]+:\/\/([^/:@]*@)?([^/:]*)/i.exec(url.replace(/^(mirror|tor)\+/, ''));
  return m ? m[2]!.toLowerCase() : '';
}
