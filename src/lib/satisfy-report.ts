// How xdeb-satisfydepends reports: the text a person reads and the JSON a script reads
// (docs/xdeb-satisfydepends.md documents the JSON shape; keep the two in step).

import type { SourceVerdict } from './build-check.js';
import type { Reason } from './explain.js';

export interface RepositoryReport {
  label: string;
  kind: string;
  files: string[];
  packages: number;
  sources: number;
}

export interface SourceReport {
  source: string;
  version: string;
  file: string;
  status: SourceVerdict['status'];
  dependencies: {
    requirement: string;
    kind: string;
    line?: number;
    package?: string;
    version?: string;
    arch?: string;
    side?: string;
    reason: string;
  }[];
  dropped: SourceVerdict['dropped'];
  /** What is not installed yet and would be (the whole set when nothing is installed). */
  install: { name: string; version: string; arch: string }[];
  /** How many packages of the solution are installed already. */
  alreadyInstalled: number;
  failures: SourceVerdict['failures'];
  warnings: string[];
  /** Host libraries installed by converting them with dpkg-cross (the fallback). */
  dpkgCross: { name: string; version: string; arch: string }[];
}

export interface SatisfyReport {
  buildArch: string;
  hostArch: string;
  profiles: string[];
  mode: string;
  repositories: RepositoryReport[];
  sources: SourceReport[];
  summary: { ok: number; broken: number; unknown: number; topReasons: { reason: string; count: number }[] };
}

export function sourceReport(v: SourceVerdict, file: string, dpkgCross: SourceReport['dpkgCross'] = []): SourceReport {
  return {
    source: v.source,
    version: v.version,
    file,
    status: v.status,
    dependencies: v.placements.map((p) => ({
      requirement: p.requirement,
      kind: p.kind,
      line: p.line,
      package: p.package?.name,
      version: p.package?.version,
      arch: p.package?.arch,
      side: p.side,
      reason: p.reason,
    })),
    dropped: v.dropped,
    install: v.install.filter((p) => !p.installed).map((p) => ({ name: p.name, version: p.version, arch: p.arch })),
    alreadyInstalled: v.install.filter((p) => p.installed).length,
    // A reason's `other` is a package id: internal, and not the same from one run to the next.
    failures: v.failures.map((f) => ({ ...f, reasons: f.reasons.map(({ other: _id, ...r }) => r) })),
    warnings: v.warnings,
    dpkgCross,
  };
}

/** A short key that groups failures of the same cause, for the summary's top reasons. */
export function reasonKey(r: Reason): string {
  if (r.kind === 'missing') {
    const m = /^(.*?) for [a-z0-9-]+: (.*)$/.exec(r.text);
    return m ? m[2]! : r.text;
  }
  return r.text.replace(/ \d\S* /g, ' ').replace(/ \d\S*$/, '');
}

export function summarize(sources: readonly SourceReport[]): SatisfyReport['summary'] {
  const counts = new Map<string, number>();
  let ok = 0;
  let broken = 0;
  let unknown = 0;
  for (const s of sources) {
    if (s.status === 'ok') ok++;
    else if (s.status === 'broken') broken++;
    else unknown++;
    const keys = new Set<string>();
    for (const f of s.failures) for (const r of f.reasons) keys.add(reasonKey(r));
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const topReasons = [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 10)
    .map(([reason, count]) => ({ reason, count }));
  return { ok, broken, unknown, topReasons };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s + ' ' : s + ' '.repeat(n - s.length);
}

function formatReason(r: Reason, indent: string): string[] {
  const out = [`${indent}${r.kind}: ${r.text}`];
  const chain = (c: string[]) => c.map((step, i) => `${indent}  ${i === 0 ? '' : '→ '}${step}`);
  if (r.chain.length) out.push(...chain(r.chain));
  if (r.chain2?.length) {
    out.push(`${indent}  and:`);
    out.push(...chain(r.chain2));
  }
  return out;
}

/** The text report of one source. */
export function formatSourceText(
  s: SourceReport,
  ctx: { buildArch: string; hostArch: string; profiles: string[]; explain: boolean },
): string {
  const lines: string[] = [];
  const build = ctx.buildArch === ctx.hostArch ? `native build on ${ctx.buildArch}` : `cross build ${ctx.buildArch} → ${ctx.hostArch}`;
  const verdict = s.status === 'ok' ? 'satisfiable' : s.status === 'broken' ? 'NOT satisfiable' : 'undecided (too complex)';
  lines.push(
    `${s.source} ${s.version} (${s.file}): ${verdict} — ${build}${ctx.profiles.length ? `, profiles ${ctx.profiles.join(' ')}` : ''}`,
  );
  const width = Math.min(56, Math.max(...s.dependencies.map((d) => d.requirement.length), 10) + 2);
  for (const d of s.dependencies) {
    if (!d.package) {
      lines.push(`  ✗ ${pad(d.requirement, width)}unsatisfiable`);
      continue;
    }
    const where =
      d.side === 'build' || d.side === 'host' ? `${d.side} ${d.side === 'build' ? ctx.buildArch : ctx.hostArch}` : (d.side ?? '');
    lines.push(`  ${s.status === 'ok' ? ' ' : '✓'} ${pad(d.requirement, width)}${pad(where, 12)}${d.package}:${d.arch} ${d.version}`);
    if (ctx.explain) lines.push(`      ${d.reason}`);
  }
  if (ctx.explain && s.dropped.length) {
    lines.push('  dropped for this build (arch list or profiles):');
    for (const d of s.dropped) lines.push(`    ${d.field}: ${d.text}`);
  }
  for (const f of s.failures) {
    lines.push(`  ✗ ${f.requirement}${f.line ? ` (${s.file}:${f.line})` : ''}`);
    if (f.reasons.length === 0) lines.push('      (run with --explain to see why)');
    for (const r of f.reasons) lines.push(...formatReason(r, '      '));
  }
  for (const w of s.warnings) lines.push(`  warning: ${w}`);
  if (s.dpkgCross.length)
    lines.push(
      `  dpkg-cross fallback: ${s.dpkgCross.map((p) => `${p.name}:${p.arch} ${p.version} → ${p.name}-${p.arch}-cross`).join(', ')}`,
    );
  if (s.status === 'ok') {
    const byArch = new Map<string, number>();
    for (const p of s.install) byArch.set(p.arch, (byArch.get(p.arch) ?? 0) + 1);
    const split = [...byArch].map(([a, n]) => `${n} ${a}`).join(', ');
    lines.push(
      `  ${s.install.length ? `installs ${s.install.length} packages (${split})` : 'installs nothing'}${s.alreadyInstalled ? `; ${s.alreadyInstalled} needed are installed already` : ''}`,
    );
    if (ctx.explain) for (const p of s.install) lines.push(`    ${p.name}:${p.arch} ${p.version}`);
  }
  return lines.join('\n');
}

export function formatRepositories(repos: readonly RepositoryReport[]): string {
  const lines = ['repositories used:'];
  for (const r of repos) lines.push(`  ${r.label}: ${r.packages} packages${r.sources ? `, ${r.sources} sources` : ''}`);
  if (repos.length === 0) lines.push('  (none)');
  return lines.join('\n');
}

export function formatSummary(s: SatisfyReport['summary']): string {
  const lines = [
    `checked ${s.ok + s.broken + s.unknown} sources: ${s.ok} ok, ${s.broken} broken${s.unknown ? `, ${s.unknown} undecided` : ''}`,
  ];
  if (s.topReasons.length) {
    lines.push('top reasons of failure:');
    for (const r of s.topReasons) lines.push(`  ${String(r.count).padStart(6)}  ${r.reason}`);
  }
  return lines.join('\n');
}
