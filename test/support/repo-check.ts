// Is a local repository valid for apt? A fresh private apt (no host state) runs
// `apt-get update --error-on=any` against it, and tells what it then sees.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateApt, type PrivateApt } from './private-apt.js';

export interface AptView {
  ok: boolean;
  output: string;
  apt: PrivateApt;
  /** `Package:arch version` of every package apt knows from the repository. */
  packages: string[];
  cleanup(): void;
}

export function aptView(repo: string, suites: string[], opts: { signedBy?: string; status?: string; withSources?: boolean } = {}): AptView {
  const dir = mkdtempSync(join(tmpdir(), 'xdeb-apt-'));
  const opt = opts.signedBy ? `signed-by=${opts.signedBy}` : 'trusted=yes';
  const types = opts.withSources ? ['deb', 'deb-src'] : ['deb'];
  const apt = privateApt(dir, {
    sources: suites.flatMap((s) => types.map((t) => `${t} [${opt}] file:${repo} ${s} main`)),
    status: opts.status,
  });
  const r = apt.run(['update', '--error-on=any']);
  const packages: string[] = [];
  if (r.status === 0) {
    const d = apt.run(['dumpavail'], 'apt-cache');
    for (const para of d.stdout.split('\n\n')) {
      const get = (f: string) => new RegExp(`^${f}: (.*)$`, 'm').exec(para)?.[1];
      if (get('Package')) packages.push(`${get('Package')}:${get('Architecture')} ${get('Version')}`);
    }
  }
  return {
    ok: r.status === 0,
    output: r.stdout + r.stderr,
    apt,
    packages: packages.sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Check, then clean up: the sorted package list, or a thrown error with apt's output. */
export function aptPackages(repo: string, suites: string[], opts: { signedBy?: string } = {}): string[] {
  const v = aptView(repo, suites, opts);
  try {
    if (!v.ok) throw new Error(`apt-get update failed against ${repo}:\n${v.output}`);
    return v.packages;
  } finally {
    v.cleanup();
  }
}

/** The repository's record of builds. */
export function builds(repo: string): {
  source: string;
  version: string;
  suite: string;
  staged: boolean;
  profiles: string[];
  files: { name: string; path: string; sha256: string }[];
}[] {
  return JSON.parse(readFileSync(join(repo, 'xdeb/builds.json'), 'utf8')).builds;
}
