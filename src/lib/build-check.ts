// Can a source package's build-dependencies be installed, on which architecture does each one
// land and why, and if not, why not. The answer xdeb-satisfydepends prints and installs.

import { buildDependencies, type BuildOptions } from './build-deps.js';
import type { Paragraph } from './deb822.js';
import { describePackage, Explainer, type Failure } from './explain.js';
import { DependencyIndex, Installer, type Prohibition, type Requirement } from './installability.js';
import { effectiveArch, placementReason } from './multiarch.js';
import type { BinaryPackage, Universe } from './universe.js';

/** The essential set every check includes (dose and apt both keep it installed). */
export function essentialRequirements(index: DependencyIndex): Requirement[] {
  const u = index.universe;
  const ctx = index.ctx;
  const byName = new Map<string, number[]>();
  const installed = u.installed().length > 0;
  for (const p of u.essentialPackages()) {
    // What is installed decides when dpkg's status is known; else the build arch's essential set.
    // dose counts an essential package of any architecture (it may swap gzip:amd64 for gzip:arm64).
    if (installed ? !p.installed : ctx.mode !== 'dose' && effectiveArch(p.arch, ctx) !== ctx.buildArch) continue;
    let l = byName.get(p.name);
    if (!l) byName.set(p.name, (l = []));
    l.push(p.id);
  }
  const reqs: Requirement[] = [];
  for (const [name, ids] of byName) {
    // Any version of the same architecture(s) will do: an upgrade keeps the package.
    const arches = new Set(ids.map((id) => effectiveArch(u.get(id).arch, ctx)));
    const candidates = u
      .named(name)
      .filter((id) => arches.has(effectiveArch(u.get(id).arch, ctx)))
      .sort((a, b) => (u.get(a).installed === u.get(b).installed ? 0 : u.get(a).installed ? -1 : 1));
    reqs.push({ relation: [], fromArch: ctx.buildArch, label: `essential: ${name}`, kind: 'essential', candidates });
  }
  return reqs;
}

export interface Placement {
  requirement: string;
  kind: Requirement['kind'];
  line?: number;
  /** The package chosen, or undefined when unsatisfiable. */
  package?: { name: string; version: string; arch: string };
  /** 'build' or 'host' (or the architecture's name when neither). */
  side?: 'build' | 'host' | string;
  reason: string;
}

export interface SourceVerdict {
  source: string;
  version: string;
  status: 'ok' | 'broken' | 'unknown';
  /** What would be installed (ok only). */
  install: BinaryPackage[];
  placements: Placement[];
  dropped: { field: string; text: string; line: number }[];
  failures: Failure[];
  warnings: string[];
}

export interface CheckSourceOptions extends BuildOptions {
  /** Explain failures (costs more solver runs). */
  explain?: boolean;
}

function side(arch: string, ctx: { buildArch: string; hostArch: string }): string {
  if (arch === ctx.buildArch) return 'build';
  if (arch === ctx.hostArch) return 'host';
  return arch;
}

const TOOL_LIKE = (name: string) => !/^lib|-dev$|-data$|-common$|-doc$|^gir1\.2-|-headers$/.test(name);

/** Check one source: its build-dependencies against the universe of `index`. */
export class BuildChecker {
  readonly base: Requirement[];
  readonly installer: Installer;
  readonly explainer: Explainer;
  private readonly installed: number[];

  constructor(readonly index: DependencyIndex) {
    this.base = essentialRequirements(index);
    this.installer = new Installer(index, this.base);
    this.explainer = new Explainer(this.installer);
    this.installed = index.universe.installed().map((p) => p.id);
  }

  get universe(): Universe {
    return this.index.universe;
  }

  check(source: Paragraph, opts: CheckSourceOptions): SourceVerdict {
    const name = source.get('Source') ?? source.get('Package') ?? '?';
    const version = source.get('Version') ?? '';
    const bd = buildDependencies(source, opts);
    return this.checkRequirements(name, version, bd.requirements, bd.prohibitions, bd.dropped, !!opts.explain);
  }

  checkRequirements(
    source: string,
    version: string,
    requirements: Requirement[],
    prohibitions: Prohibition[],
    dropped: SourceVerdict['dropped'] = [],
    explain = true,
  ): SourceVerdict {
    const ctx = this.index.ctx;
    const result = this.installer.solve(requirements, prohibitions);
    const verdict: SourceVerdict = { source, version, status: 'ok', install: [], placements: [], dropped, failures: [], warnings: [] };
    if (result.status === 'sat') {
      const u = this.universe;
      verdict.install = result.install
        .map((id) => u.get(id))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : 1));
      requirements.forEach((req, i) => {
        const id = result.chosen[i]!;
        const pkg = u.get(id);
        const alt = req.relation.find((a) => this.index.candidates(a, req.fromArch).includes(id)) ?? req.relation[0]!;
        verdict.placements.push({
          requirement: req.label,
          kind: req.kind,
          line: req.line,
          package: { name: pkg.name, version: pkg.version, arch: pkg.arch },
          side: side(effectiveArch(pkg.arch, ctx), ctx),
          reason: alt ? placementReason(pkg, alt, req.fromArch, ctx) : 'required',
        });
      });
      verdict.warnings = this.warnings(requirements, new Set(result.install));
      return verdict;
    }
    verdict.status = result.status === 'unknown' ? 'unknown' : 'broken';
    // Place what can be placed, and explain every requirement that fails.
    const failing: Requirement[] = [];
    for (const req of requirements) {
      const alone = this.alone(req);
      if (alone.ok) verdict.placements.push({ requirement: req.label, kind: req.kind, line: req.line, reason: '', ...alone.placement });
      else {
        failing.push(req);
        verdict.placements.push({ requirement: req.label, kind: req.kind, line: req.line, reason: 'unsatisfiable' });
      }
    }
    for (const req of failing) {
      verdict.failures.push({ requirement: req.label, file: req.file, line: req.line, reasons: explain ? this.explainAlone(req) : [] });
    }
    if (failing.length === 0) {
      const reasons = explain ? this.explainer.explainConflict(requirements) : [];
      const first = reasons[0]?.chain[0];
      const req = requirements.find((r) => r.label === first);
      verdict.failures.push({ requirement: req?.label ?? 'the build-dependencies together', file: req?.file, line: req?.line, reasons });
    }
    if (explain && prohibitions.length && failing.length === 0 && verdict.failures.every((f) => f.reasons.length === 0)) {
      verdict.failures.push({
        requirement: 'Build-Conflicts',
        reasons: [
          { kind: 'conflict', text: `a package the build needs is forbidden by ${prohibitions.map((p) => p.label).join(', ')}`, chain: [] },
        ],
      });
    }
    return verdict;
  }

  // A requirement on its own (with the base set) gets the same answer in every source that has
  // it: debhelper-compat (= 13) is asked twenty thousand times in an archive.
  private readonly aloneCache = new Map<string, { ok: boolean; placement?: Omit<Placement, 'requirement' | 'kind' | 'line'> }>();
  private readonly explainCache = new Map<string, Failure['reasons']>();

  private key(req: Requirement): string {
    return req.candidates ? `#${req.candidates.join(',')}` : `${req.fromArch} ${req.label.replace(/^[^:]*: /, '')}`;
  }

  private alone(req: Requirement): { ok: boolean; placement?: Omit<Placement, 'requirement' | 'kind' | 'line'> } {
    const key = this.key(req);
    let r = this.aloneCache.get(key);
    if (r) return r;
    const ctx = this.index.ctx;
    const sol = this.explainer.solve([req]);
    if (sol.status === 'sat') {
      const id = sol.chosen[0]!;
      const pkg = this.universe.get(id);
      const alt = req.relation.find((a) => this.index.candidates(a, req.fromArch).includes(id));
      r = {
        ok: true,
        placement: {
          package: { name: pkg.name, version: pkg.version, arch: pkg.arch },
          side: side(effectiveArch(pkg.arch, ctx), ctx),
          reason: alt ? placementReason(pkg, alt, req.fromArch, ctx) : 'required',
        },
      };
    } else r = { ok: false };
    this.aloneCache.set(key, r);
    return r;
  }

  private explainAlone(req: Requirement): Failure['reasons'] {
    const key = this.key(req);
    let r = this.explainCache.get(key);
    if (!r) {
      r = this.explainer.explainRequirement(req);
      this.explainCache.set(key, r);
    }
    // The cached chain starts with another source's label for the same relation: use ours.
    return r.map((x) => ({ ...x, chain: [req.label, ...x.chain.slice(1)] }));
  }

  /** Rule 12 and removals: legal but usually mistakes, said with the chain that leads there. */
  private warnings(requirements: Requirement[], install: Set<number>): string[] {
    const ctx = this.index.ctx;
    const u = this.universe;
    const out: string[] = [];
    if (ctx.buildArch !== ctx.hostArch) {
      for (const id of install) {
        const p = u.get(id);
        if (p.arch !== ctx.hostArch) continue;
        const interp = p.multiArch === 'allowed';
        const tool = p.multiArch === 'no' && TOOL_LIKE(p.name);
        if (!interp && !tool) continue;
        // Only worth saying when the build architecture has the package too.
        if (!u.named(p.name).some((q) => effectiveArch(u.get(q).arch, ctx) === ctx.buildArch)) continue;
        const req = requirements.find((r) => this.index.relationCandidates(r.relation, r.fromArch).includes(id));
        const how = req ? `${req.label} → ${describePackage(p)}` : `${describePackage(p)} (pulled in by a dependency)`;
        out.push(
          interp
            ? `${how}: the Multi-Arch: allowed ${p.name} resolves to the host architecture; write ${p.name}:native (or :any) if the build runs it`
            : `${how}: the ${p.name} tool is not Multi-Arch and resolves to the host architecture${u.named(p.name).some((q) => u.get(q).installed) ? `; installing it removes ${p.name}:${ctx.buildArch}` : ''}; write ${p.name}:native if the build runs it`,
        );
      }
    }
    for (const id of this.installed) {
      if (install.has(id)) continue;
      if (this.index.conflicts(id).some((q) => install.has(q)))
        out.push(`installing the build-dependencies removes ${describePackage(u.get(id))}`);
    }
    return out;
  }
}
