// xdeb-sequence --verify: was each final build of a distro built against the set's own builds?
// For every final step, each host-architecture package it installed that a member of the set
// provides must come from the local repository's own builds (full, staged or seeded), never
// from a seed build, the archive, or a copy that was there before (a chroot's base). The
// evidence: what the build installed and from where (recorded at install time, beside the
// build), checked against the versions its .buildinfo says were installed when it ran.

import type { Plan } from './plan.js';

/** One package a build installed for its build-dependencies, and where it came from. */
export interface InstalledDep {
  package: string;
  arch: string;
  version: string;
  /** The source that builds it. */
  source?: string;
  /** local: a .deb of the local repository (suite says which); remote/file: an archive's; present: installed before the step. */
  from: 'local' | 'remote' | 'file' | 'present';
  suite?: string;
  /** The repository as a person reads it. */
  origin: string;
}

/** What xdeb-build writes beside a build's results (BUILD_DEPS_FILE). */
export interface BuildDepsRecord {
  format: 1;
  source: string;
  version: string;
  hostArch: string;
  /** Built in a fresh chroot session: what was present came with the chroot's image. */
  chroot: boolean;
  installed: InstalledDep[];
}

export const BUILD_DEPS_FILE = 'xdeb-build-deps.json';

export interface VerifyStep {
  n: number;
  status: string;
  /** When it started (ISO): the order installs on one machine happened in. */
  started?: string;
  record?: BuildDepsRecord;
  /** Installed-Build-Depends of its .buildinfo: name → version. */
  buildinfo?: Map<string, string>;
  /** Packages the run reinstalled from a full build after this step (over a staged copy). */
  replaced?: { package: string; arch: string; version: string }[];
  /** Packages the run removed after this step (what a seed build took from the repositories). */
  removed?: { package: string; arch: string; version: string }[];
}

export type Verdict = 'own' | 'seed' | 'archive' | 'unknown';

export interface VerifyRow {
  step: number;
  source: string;
  package: string;
  arch: string;
  version: string;
  /** The member of the set that provides the package. */
  providedBy: string;
  verdict: Verdict;
  /** Where it came from, for a person. */
  from: string;
}

export interface VerifyResult {
  rows: VerifyRow[];
  /** Final steps checked. */
  checked: number;
  /** Each final build that took something not the set's own, with what. */
  offenders: { step: number; source: string; problems: string[] }[];
}

const OWN_SUITE = /^(full|seeded|staged-.+)$/;

function suiteVerdict(suite: string | undefined): Verdict {
  // A flavour's suites are `flavour-NAME` and `flavour-NAME+SUITE`; a staged suite's own name has `+` between its profiles.
  const tail = suite?.startsWith('flavour-') && suite.includes('+') ? suite.slice(suite.indexOf('+') + 1) : suite;
  if (tail === 'seed') return 'seed';
  if (tail && (OWN_SUITE.test(tail) || tail === 'dropped' || /^flavour-[^+]+$/.test(tail))) return 'own';
  return 'unknown';
}

/**
 * Check a run: `provides` maps a binary package name of the host architecture to the member of the set that builds it. Steps are
 * replayed in the order they started, so that a package a step found installed (a run on the machine itself) is traced to the step
 * that installed or replaced it.
 */
export function verifyRun(
  plan: Plan,
  steps: readonly VerifyStep[],
  provides: ReadonlyMap<string, string>,
  /** Is 'name:arch=version' in `suite` a build of this plan (not an older one the local repository also has)? */
  planBuilt: (key: string, suite: string) => boolean,
): VerifyResult {
  const rows: VerifyRow[] = [];
  const offenders: VerifyResult['offenders'] = [];
  const history = new Map<string, { version: string; verdict: Verdict; from: string }>();
  const ordered = [...steps].sort((a, b) => (a.started ?? '').localeCompare(b.started ?? '') || a.n - b.n);
  let checked = 0;
  for (const x of ordered) {
    const s = plan.steps[x.n - 1]!;
    const final = s.stage === null && x.status === 'done';
    const problems: string[] = [];
    if (final) {
      checked++;
      if (!x.record) problems.push(`no record of what it installed (${BUILD_DEPS_FILE} is missing beside its build)`);
    }
    for (const d of x.record?.installed ?? []) {
      let verdict: Verdict;
      let from: string;
      if (d.from === 'local') {
        verdict = suiteVerdict(d.suite);
        from = `local repository, suite ${d.suite ?? '?'}`;
        if (verdict === 'own' && !planBuilt(`${d.package}:${d.arch}=${d.version}`, d.suite ?? '')) {
          verdict = 'unknown';
          from += ", a build that is not this plan's";
        }
      } else if (d.from === 'present') {
        const h = history.get(`${d.package}:${d.arch}`);
        if (x.record!.chroot || !h || h.version !== d.version) {
          verdict = x.record!.chroot ? 'archive' : 'unknown';
          from = x.record!.chroot ? "the chroot's image" : 'installed before the run';
        } else {
          verdict = h.verdict;
          from = `${h.from}, installed by an earlier step`;
        }
      } else {
        verdict = 'archive';
        from = d.origin;
      }
      if (d.from !== 'present') history.set(`${d.package}:${d.arch}`, { version: d.version, verdict, from });
      const member = d.arch === plan.hostArch ? provides.get(d.package) : undefined;
      if (!final || member === undefined) continue;
      rows.push({ step: x.n, source: s.source, package: d.package, arch: d.arch, version: d.version, providedBy: member, verdict, from });
      if (verdict !== 'own')
        problems.push(
          `${d.package}:${d.arch} ${d.version} (built by ${member}) came from ${from}: ${verdictText(verdict)}${binNmuNote(d, verdict)}`,
        );
      const seen = x.buildinfo?.get(d.package);
      if (x.buildinfo && seen !== d.version)
        problems.push(`${d.package}:${d.arch}: installed ${d.version}, but its .buildinfo says ${seen ?? 'it was not installed'}`);
    }
    for (const r of x.removed ?? []) history.delete(`${r.package}:${r.arch}`);
    for (const r of x.replaced ?? [])
      history.set(`${r.package}:${r.arch}`, { version: r.version, verdict: 'own', from: 'local repository, suite full (reinstalled)' });
    if (problems.length) offenders.push({ step: x.n, source: s.source, problems });
  }
  rows.sort((a, b) => a.step - b.step || (a.package < b.package ? -1 : 1));
  offenders.sort((a, b) => a.step - b.step);
  return { rows, checked, offenders };
}

/** The archive's binNMU of a source the set builds without one: what usually forces it. */
function binNmuNote(d: InstalledDep, v: Verdict): string {
  const m = /\+b(\d+)$/.exec(d.version);
  if (v !== 'archive' || !m) return '';
  return ` (a binNMU, +b${m[1]}: a Multi-Arch: same package must have the version of its build-architecture copy, which the chroot has from the archive, and the set built it without +b${m[1]})`;
}

function verdictText(v: Verdict): string {
  switch (v) {
    case 'seed':
      return "a seed build's, not the set's own";
    case 'archive':
      return "the archive's, not the set's own";
    case 'unknown':
      return 'not traced to a build of the set';
    default:
      return "the set's own";
  }
}

/** Installed-Build-Depends of a .buildinfo: name → version. */
export function installedBuildDepends(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const m = /^Installed-Build-Depends:[^\n]*\n((?:[ \t][^\n]*\n?)*)/m.exec(text);
  if (!m) return out;
  for (const item of m[1]!.split(',')) {
    const r = /^\s*([a-z0-9][a-z0-9+.-]*)(?::[a-z0-9-]+)?\s*\(=\s*([^)\s]+)\s*\)/.exec(item);
    if (r) out.set(r[1]!, r[2]!);
  }
  return out;
}

/** The verification as a table a person reads. */
export function formatVerify(plan: Plan, r: VerifyResult): string {
  const lines = [
    `${r.checked} final build${r.checked === 1 ? '' : 's'} checked, ${r.rows.length} package${r.rows.length === 1 ? '' : 's'} of the set installed by them; ${r.offenders.length ? `${r.offenders.length} took something not the set's own` : "every one the set's own build"}`,
  ];
  const width = String(plan.steps.length).length;
  for (const row of r.rows)
    lines.push(
      `${String(row.step).padStart(width)}. ${row.source}: ${row.package}:${row.arch} ${row.version} (${row.providedBy}) ${row.verdict === 'own' ? 'own' : row.verdict.toUpperCase()}: ${row.from}`,
    );
  for (const o of r.offenders) for (const p of o.problems) lines.push(`step ${o.step} (${o.source}): ${p}`);
  return lines.join('\n') + '\n';
}
