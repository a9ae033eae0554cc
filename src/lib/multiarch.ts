// The Multi-Arch rules (DESIGN §3, rules 8–16): which architecture of a package can satisfy a
// dependency, when two packages conflict, and when two architectures of one package co-install.
// Every answer can also be given as a reason a person reads.

import type { Alternative } from './relation.js';
import type { BinaryPackage, MultiArch } from './universe.js';

/**
 * Where apt, dose-builddebcheck and dpkg-checkbuilddeps disagree (rule 16), which one to follow.
 * 'apt' is the default: it is what really installs.
 */
export type ResolverMode = 'apt' | 'dose' | 'dpkg';

export interface ArchContext {
  buildArch: string;
  hostArch: string;
  mode: ResolverMode;
}

/** Architecture: all packages count as the build architecture (rule 9). */
export function effectiveArch(arch: string, ctx: ArchContext): string {
  return arch === 'all' ? ctx.buildArch : arch;
}

/**
 * Who declares a dependency: the source's build-dependencies, or a binary package's Depends.
 * dpkg-checkbuilddeps judges build-dependencies by its own rules (Dpkg::Deps::KnownFacts); the
 * installer (dpkg, apt) judges a package's dependencies like apt does.
 */
export type Dependant = 'build-deps' | 'package';

/**
 * Can a package of architecture `arch` and Multi-Arch `ma` satisfy a dependency with qualifier
 * `qualifier`, declared by a package (or a source's build-deps) of architecture `fromArch`?
 * docs/conformance.md has the cases, with what apt, dose-builddebcheck and dpkg-checkbuilddeps say.
 */
export function archSatisfies(
  arch: string,
  ma: MultiArch,
  qualifier: string | undefined,
  fromArch: string,
  ctx: ArchContext,
  dependant: Dependant = 'build-deps',
): boolean {
  const eff = effectiveArch(arch, ctx);
  const dpkgFacts = ctx.mode === 'dpkg' && dependant === 'build-deps';
  if (qualifier === undefined) {
    // Rule 8: the same architecture, or any when the package is Multi-Arch: foreign.
    if (eff === fromArch || ma === 'foreign') return true;
    // dpkg-checkbuilddeps accepts an arch:all package for any architecture (rule 16).
    return dpkgFacts && arch === 'all';
  }
  if (qualifier === 'any') {
    // Rule 10: ':any' needs Multi-Arch: allowed; dose takes any package of the name.
    return ma === 'allowed' || ctx.mode === 'dose';
  }
  if (qualifier === 'native') {
    // ':native' is the build architecture; dpkg refuses it on Multi-Arch: foreign (rule 16),
    // dose lets a Multi-Arch: foreign package of any architecture stand for it.
    if (dpkgFacts && ma === 'foreign') return false;
    return eff === ctx.buildArch || (ctx.mode === 'dose' && ma === 'foreign');
  }
  // An explicit architecture: dpkg-checkbuilddeps compares it with the Architecture field as
  // written ('all' is no architecture); dose lets Multi-Arch: foreign packages stand for any.
  if (dpkgFacts) return arch === qualifier;
  return eff === qualifier || (ctx.mode === 'dose' && ma === 'foreign');
}

/**
 * Rule 14: a virtual package satisfies like its provider, by the provider's Multi-Arch.
 * dpkg-checkbuilddeps alone takes a provider of any architecture for build-dependencies.
 */
export function providerArchSatisfies(
  arch: string,
  ma: MultiArch,
  qualifier: string | undefined,
  fromArch: string,
  ctx: ArchContext,
  dependant: Dependant = 'build-deps',
): boolean {
  if (ctx.mode === 'dpkg' && dependant === 'build-deps') return true;
  return archSatisfies(arch, ma, qualifier, fromArch, ctx, dependant);
}

/** Does a Conflicts/Breaks alternative name the architecture of `target`? Unqualified: every arch (rule 15). */
export function conflictArchMatches(qualifier: string | undefined, targetArch: string, ctx: ArchContext): boolean {
  if (qualifier === undefined || qualifier === 'any') return true;
  const eff = effectiveArch(targetArch, ctx);
  return qualifier === 'native' ? eff === ctx.buildArch : eff === qualifier;
}

/**
 * Does a Build-Conflicts alternative forbid a package of this architecture and Multi-Arch (or one
 * that provides the name, when `provider`)? Rule 15 for apt and dose. dpkg-checkbuilddeps looks
 * conflicts up as it looks up dependencies: an unqualified one only hits the host architecture,
 * arch:all and Multi-Arch: foreign, and a provider of any architecture.
 */
export function buildConflictMatches(
  arch: string,
  ma: MultiArch,
  qualifier: string | undefined,
  ctx: ArchContext,
  provider = false,
): boolean {
  if (ctx.mode === 'dpkg') return provider || archSatisfies(arch, ma, qualifier, ctx.hostArch, ctx, 'build-deps');
  return conflictArchMatches(qualifier, arch, ctx);
}

/** Rule 11 and the implicit rules: can two packages of the same name be installed together? */
export function sameNameCoinstallable(a: BinaryPackage, b: BinaryPackage, ctx: ArchContext): boolean {
  if (a.id === b.id) return true;
  const ea = effectiveArch(a.arch, ctx);
  const eb = effectiveArch(b.arch, ctx);
  if (ea === eb) return false; // one version per name and architecture
  // A dpkg-cross conversion is renamed (NAME-ARCH-cross): dpkg sees no clash with the other arch.
  if (a.crossConverted || b.crossConverted) return true;
  return a.multiArch === 'same' && b.multiArch === 'same' && a.version === b.version;
}

function maWords(ma: MultiArch): string {
  return ma === 'no' ? 'not Multi-Arch' : `Multi-Arch: ${ma}`;
}

/** Why a package of this kind lands on the architecture it does, for --explain. */
export function placementReason(pkg: BinaryPackage, alt: Alternative, fromArch: string, ctx: ArchContext): string {
  const eff = effectiveArch(pkg.arch, ctx);
  const cross = ctx.buildArch !== ctx.hostArch;
  if (alt.archQualifier === 'native') return `':native' asks for the build architecture`;
  if (alt.archQualifier === 'any') {
    if (pkg.multiArch !== 'allowed') return `':any' on a package that is not Multi-Arch: allowed: dose takes any package of the name`;
    return `':any' on a Multi-Arch: allowed package: any architecture, the build one preferred`;
  }
  if (alt.archQualifier !== undefined) {
    if (eff !== alt.archQualifier)
      return `qualified ':${alt.archQualifier}': dose lets the Multi-Arch: foreign ${pkg.name}:${pkg.arch} stand for it`;
    return `qualified ':${alt.archQualifier}'`;
  }
  if (pkg.arch === 'all') {
    return pkg.multiArch === 'foreign'
      ? 'Architecture: all, Multi-Arch: foreign: satisfies any architecture'
      : 'Architecture: all counts as the build architecture';
  }
  if (pkg.multiArch === 'foreign')
    return `Multi-Arch: foreign: any architecture satisfies it${eff === ctx.buildArch ? ', the build one preferred' : ''}`;
  if (!cross) return 'native build';
  if (pkg.multiArch === 'same') return 'Multi-Arch: same, unqualified dependency: the host architecture';
  if (pkg.multiArch === 'allowed')
    return `Multi-Arch: allowed, unqualified: the ${eff === fromArch ? 'host' : eff} architecture (add ':native' or ':any' for the build one)`;
  return `${maWords(pkg.multiArch)}, unqualified dependency: the host architecture`;
}

/**
 * Why no package of name `name` can satisfy `alt` for `fromArch` although some exist: the
 * Multi-Arch reason (used in explanations of unsatisfiable relations).
 */
export function archMismatchReason(pkg: BinaryPackage, alt: Alternative, fromArch: string, ctx: ArchContext): string {
  const eff = effectiveArch(pkg.arch, ctx);
  const q = alt.archQualifier;
  if (q === 'any')
    return `${pkg.name}:${pkg.arch} is ${maWords(pkg.multiArch)}, so ':any' cannot be satisfied (it needs Multi-Arch: allowed)`;
  if (q === 'native') {
    if (ctx.mode === 'dpkg' && pkg.multiArch === 'foreign') return `dpkg does not accept ':native' on the Multi-Arch: foreign ${pkg.name}`;
    return `${pkg.name}:${pkg.arch} is not for the build architecture ${ctx.buildArch}`;
  }
  if (q !== undefined) {
    if (ctx.mode === 'dpkg' && pkg.arch === 'all' && eff === q)
      return `dpkg-checkbuilddeps compares ':${q}' with the Architecture field as written, and ${pkg.name} is Architecture: all`;
    return `${pkg.name}:${pkg.arch} is not for ${q}`;
  }
  if (pkg.arch === 'all')
    return `${pkg.name} is Architecture: all without Multi-Arch: foreign, so it counts as ${ctx.buildArch} and cannot satisfy a dependency for ${fromArch}`;
  return `${pkg.name} exists for ${eff} but is ${maWords(pkg.multiArch)}, so it cannot satisfy a dependency for ${fromArch}`;
}
