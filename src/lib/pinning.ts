// apt_preferences(5) applied to a universe: each origin (index file) gets its priority from the
// general records, each package version a specific pin when one matches (src/lib/apt-preferences.ts).
// Universe.priority(id) then answers as apt's policy does, and the resolver prefers by it.

import { indexPriority, specificNames, specificPin, type PinRecord } from './apt-preferences.js';
import { formatLocation } from './errors.js';
import type { Universe } from './universe.js';

export interface PinSummary {
  /** Origins whose priority a record set: label → 'priority (file:line)'. */
  origins: { label: string; priority: number; by?: string }[];
  /** Package versions a specific record pinned. */
  packages: number;
}

function where(r: PinRecord): string {
  return r.line ? formatLocation({ file: r.file, line: r.line }) : r.file;
}

/**
 * Set origin priorities and package pins from the records, in apt's order. Origins without a
 * Release (index files given with --repo, dpkg's status) keep the priority they were loaded with.
 */
export function applyPins(u: Universe, records: readonly PinRecord[], nativeArch: string): PinSummary {
  const summary: PinSummary = { origins: [], packages: 0 };
  for (const o of u.origins) {
    if (o.kind === 'status' || !o.release) continue;
    const r = indexPriority(records, o.release);
    o.priority = r.priority;
    if (r.record) o.pinnedBy = where(r.record);
    summary.origins.push({ label: o.label, priority: o.priority, by: o.pinnedBy });
  }
  if (!records.some((r) => r.packages !== null)) return summary;
  const { names, everyPackage } = specificNames(records);
  const ids = everyPackage ? u.all().map((p) => p.id) : [...names].flatMap((n) => [...u.named(n)]);
  for (const id of ids) {
    const p = u.get(id);
    if (p.crossConverted) continue;
    const origins = [p.origin, ...(p.alsoFrom ?? [])].map((i) => u.origins[i]!).filter((o) => o.kind !== 'status');
    const rec = specificPin(
      records,
      { name: p.name, arch: p.arch, source: p.source, version: p.version, releases: origins.map((o) => o.release) },
      nativeArch,
    );
    if (rec) {
      p.pin = rec.priority;
      summary.packages++;
    }
  }
  return summary;
}
