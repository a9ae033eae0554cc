// The dpkg-cross fallback (DESIGN §3, the spec's step 5): a host-arch library that is not
// Multi-Arch ready cannot be co-installed with its build-arch copy, so apt would remove the
// installed copy to install it. Instead, keep what is installed and install the host library
// converted by dpkg-cross (NAME-ARCH-cross, files under /usr/<triplet>), only for those packages.

import { BuildChecker, type CheckSourceOptions, type SourceVerdict } from './build-check.js';
import { buildDependencies } from './build-deps.js';
import type { Paragraph } from './deb822.js';
import { DependencyIndex, type Requirement } from './installability.js';
import type { BinaryPackage } from './universe.js';

export interface FallbackVerdict {
  verdict: SourceVerdict;
  /** Host packages to install through dpkg-cross. */
  converted: BinaryPackage[];
  /** Per converted package: the dependencies dpkg-cross must drop (-X), satisfied by real host packages. */
  exclude: Map<number, string[]>;
}

/** Installed packages the solution removes because it installs another architecture of the same name. */
function crossgraded(v: SourceVerdict, checker: BuildChecker): Set<string> {
  const u = checker.universe;
  const names = new Set<string>();
  const install = new Set(v.install.map((p) => p.id));
  for (const p of u.installed()) {
    if (install.has(p.id)) continue;
    if (v.install.some((q) => q.name === p.name && q.arch !== p.arch && q.multiArch !== 'same')) names.add(p.name);
  }
  return names;
}

export function checkWithCrossFallback(checker: BuildChecker, source: Paragraph, opts: CheckSourceOptions): FallbackVerdict {
  const first = checker.check(source, opts);
  const none: FallbackVerdict = { verdict: first, converted: [], exclude: new Map() };
  const u = checker.universe;
  const host = opts.hostArch;
  if (host === opts.buildArch) return none;
  // Names with an installed copy that a host-arch, not Multi-Arch-ready package would displace.
  let names: Set<string>;
  if (first.status === 'ok') names = crossgraded(first, checker);
  else {
    names = new Set();
    for (const p of u.installed())
      if (p.arch !== host && u.named(p.name).some((id) => u.get(id).arch === host && u.get(id).multiArch === 'no')) names.add(p.name);
  }
  if (names.size === 0) return none;
  for (const name of names) {
    for (const id of [...u.named(name)]) {
      const p = u.get(id);
      if (p.arch === host && p.multiArch === 'no' && !p.crossConverted) u.addCrossClone(id);
    }
  }
  const keep: Requirement[] = [];
  for (const p of u.installed()) {
    if (!names.has(p.name) || p.arch === host) continue;
    const same = u.named(p.name).filter((id) => u.get(id).arch === p.arch);
    keep.push({
      relation: [],
      fromArch: opts.buildArch,
      label: `keep installed: ${p.name}:${p.arch}`,
      kind: 'installed',
      candidates: same,
    });
  }
  const second = new BuildChecker(new DependencyIndex(u, checker.index.ctx));
  const bd = buildDependencies(source, opts);
  const name = source.get('Source') ?? source.get('Package') ?? '?';
  const v = second.checkRequirements(
    name,
    source.get('Version') ?? '',
    [...bd.requirements, ...keep],
    bd.prohibitions,
    bd.dropped,
    !!opts.explain,
  );
  if (v.status !== 'ok') return none;
  v.placements = v.placements.filter((p) => p.kind !== 'installed');
  const converted = v.install.filter((p) => p.crossConverted);
  const exclude = new Map<number, string[]>();
  const convertedNames = new Set(converted.map((p) => p.name));
  for (const p of converted) {
    const names = new Set(p.depends.flatMap((rel) => rel.map((a) => a.name)));
    exclude.set(p.id, [...names].filter((n) => !convertedNames.has(n)).sort());
  }
  return { verdict: v, converted, exclude };
}
