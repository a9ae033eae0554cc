// Which repositories and pins a command uses (docs/repositories.md): apt's configured sources and
// preferences by default; with --local-config the [repository NAME] sections of that file and the
// apt_preferences(5) file its `preferences` key names. The local repository is read in both, its
// flavour suite first for a --toolchain build.

import type { PinRecord } from '../lib/apt-preferences.js';
import type { Config } from '../lib/config.js';
import { FULL_SUITE, FLAVOUR_PREFIX, STAGED_PREFIX } from '../lib/local-repo-layout.js';
import { configuredRepositories, type ConfiguredRepository } from '../lib/repositories.js';
import { readConfiguredPreferences } from './apt-preferences.js';

export interface RepositorySelection {
  /** Read apt's lists (apt-get indextargets). */
  aptLists: boolean;
  /** --local-config: its repositories to fetch and read. */
  configured: ConfiguredRepository[];
  /** The pins: undefined for apt's own. */
  preferences: PinRecord[] | undefined;
  /** Suites of the local repository to read, best first. */
  localSuites: string[];
}

/** The local suites a build reads: the flavour's counterpart of each one first (flavour-F before full). */
export function suitesWithFlavour(suites: readonly string[], flavour: string | undefined): string[] {
  if (!flavour) return [...suites];
  const out: string[] = [];
  for (const s of suites) {
    if (s === FULL_SUITE) out.push(FLAVOUR_PREFIX + flavour);
    else if (s.startsWith(STAGED_PREFIX)) out.push(`${FLAVOUR_PREFIX}${flavour}+${s}`);
    out.push(s);
  }
  return [...new Set(out)];
}

export async function repositorySelection(
  cfg: Config,
  o: { remote: boolean; flavour?: string; localSuites?: readonly string[] },
): Promise<RepositorySelection> {
  const localSuites = suitesWithFlavour(o.localSuites?.length ? o.localSuites : [FULL_SUITE], o.flavour);
  if (!cfg.localConfigFile) return { aptLists: o.remote, configured: [], preferences: undefined, localSuites };
  return {
    aptLists: false,
    configured: o.remote ? configuredRepositories(cfg).filter((r) => r.url) : [],
    preferences: readConfiguredPreferences(cfg),
    localSuites,
  };
}
