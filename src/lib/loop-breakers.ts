// The ways xdeb-sequence breaks a loop beyond the profiles a source offers, from their data:
// botch's droppable lists, the user's hints (and what the plan says of each), and the
// repositories' binaries a seed build can take (DESIGN §5; lib/bootstrap.ts tries them in order).

import type { ExtraOption } from './bootstrap.js';
import type { BootstrapHint, DroppableEntry } from './bootstrap-hints.js';
import type { Plan } from './plan.js';
import type { BinaryPackage, Universe } from './universe.js';
import { compareVersions } from './version.js';

function basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The hints for a source, as ways to build it that the loop solver tries last. */
export function hintOptions(hints: readonly BootstrapHint[], source: string): ExtraOption[] {
  return hints
    .filter((h) => h.source === source && !h.avoid.length)
    .map((h) => ({
      kind: 'hint' as const,
      ...(h.profiles.length ? { profiles: h.profiles } : {}),
      ...(h.drop.length ? { drops: h.drop } : {}),
      evidence: `${h.file}:${h.line}: ${h.reason}`,
    }));
}

/** The profiles the hints say a source's builds must not use. */
export function avoidedProfiles(hints: readonly BootstrapHint[], source: string): string[] {
  return hints.filter((h) => h.source === source).flatMap((h) => h.avoid);
}

/** What the plan says of each hint: used by a step, or why not. */
export function hintsUsed(hints: readonly BootstrapHint[], plan: Plan): NonNullable<Plan['hints']> {
  return hints.map((h) => {
    const where = `${h.file}:${h.line}`;
    const used = plan.loops
      .flatMap((l) => l.staged)
      .find((x) => x.kind === 'hint' && x.source === h.source && x.evidence?.startsWith(where));
    const inPlan = plan.steps.some((s) => s.source === h.source);
    return {
      source: h.source,
      ...(h.drop.length ? { drops: h.drop } : {}),
      ...(h.profiles.length ? { profiles: h.profiles } : {}),
      ...(h.avoid.length ? { avoid: h.avoid } : {}),
      reason: h.reason,
      file: h.file,
      line: h.line,
      ...(h.avoid.length
        ? {}
        : used
          ? { step: used.step }
          : {
              unused: inPlan ? 'its loop is broken otherwise, or the hint does not take the build off it' : 'the source is not in the plan',
            }),
    };
  });
}

/** What the repositories in use have of a binary ('name:arch'), any version, for a seed build: its newest, or undefined. */
export function seedsIn(universe: Universe, planned: ReadonlySet<number>): (binary: string) => string | undefined {
  return (binary) => {
    const colon = binary.lastIndexOf(':');
    const name = binary.slice(0, colon);
    const arch = binary.slice(colon + 1);
    let best: BinaryPackage | undefined;
    for (const id of universe.named(name)) {
      const p = universe.get(id);
      if (planned.has(id) || p.arch !== arch) continue;
      if (!best || compareVersions(p.version, best.version) > 0) best = p;
    }
    return best ? `${name}:${arch} ${best.version}` : undefined;
  };
}

/** botch's droppable lists as drop options of a source: each of its lines alone, its lines together, and the weak build-dependencies. */
export function droppableOptions(entries: readonly DroppableEntry[]): (source: string) => ExtraOption[] {
  const where = (e: DroppableEntry) => `botch's ${basename(e.file)}:${e.line}`;
  const bySource = new Map<string, ExtraOption[]>();
  const lines = new Map<string, DroppableEntry[]>();
  for (const e of entries) if (e.source !== null) lines.set(e.source, [...(lines.get(e.source) ?? []), e]);
  for (const [source, list] of lines) {
    const o: ExtraOption[] = list.map((e) => ({ kind: 'drop', drops: e.drop, evidence: `${where(e)} drops ${e.drop.join(', ')}` }));
    if (list.length > 1)
      o.push({ kind: 'drop', drops: [...new Set(list.flatMap((e) => e.drop))], evidence: `${list.map(where).join(', ')} together` });
    bySource.set(source, o);
  }
  const weak = entries.filter((e) => e.source === null);
  const names = [...new Set(weak.flatMap((e) => e.drop))];
  const weakOption: ExtraOption[] = names.length
    ? [
        {
          kind: 'drop',
          drops: names,
          evidence: `botch's ${basename(weak[0]!.file)}: weak build-dependencies (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})`,
        },
      ]
    : [];
  return (source) => [...(bySource.get(source) ?? []), ...weakOption];
}
