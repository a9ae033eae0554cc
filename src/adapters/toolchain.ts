// The toolchain of a build from the configuration (--toolchain, the toolchain key, [toolchain NAME]
// sections), and the check that its compiler is installed (docs/toolchains.md).

import { spawnSync } from 'node:child_process';
import { archTable } from '../lib/arch.js';
import type { Config } from '../lib/config.js';
import { describeSource } from '../lib/config.js';
import { EnvironmentError } from '../lib/errors.js';
import { planToolchain, resolveToolchain, type Toolchain, type ToolchainPlan } from '../lib/toolchain.js';

/** The configured toolchain, if any; an unknown name is an InputError naming where it was set. */
export function toolchainOf(cfg: Config): Toolchain | undefined {
  const e = cfg.entry('toolchain');
  const name = e && typeof e.value === 'string' ? e.value.trim() : '';
  if (!e || !name) return undefined;
  const loc = e.source.kind === 'file' ? { file: e.source.file, line: e.source.line } : { file: describeSource(e.source) };
  return resolveToolchain(name, cfg.sections, loc);
}

function onPath(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1" >/dev/null`, 'sh', program]).status === 0;
}

/** A toolchain's plan for a build from buildArch for hostArch. */
export function toolchainPlanFor(t: Toolchain, buildArch: string, hostArch: string, check = true): ToolchainPlan {
  const triplet = archTable().gnuTriplet(hostArch);
  if (!triplet) throw new EnvironmentError(`no GNU triplet is known for ${hostArch}`);
  return toolchainPlan(t, { cross: buildArch !== hostArch, hostTriplet: triplet, check });
}

/** The plan of a toolchain for a build; its compiler must be installed (EnvironmentError naming the package). */
export function toolchainPlan(t: Toolchain, o: { cross: boolean; hostTriplet: string; check?: boolean }): ToolchainPlan {
  const plan = planToolchain(t, { cross: o.cross, hostTriplet: o.hostTriplet, env: process.env });
  if (o.check !== false) {
    const missing = plan.needs.filter((n) => !onPath(n.program));
    if (missing.length) {
      throw new EnvironmentError(`the toolchain '${t.name}' needs ${missing.map((m) => m.program).join(', ')}, which is not installed`, [
        `install it: apt-get install ${missing.map((m) => m.package).join(' ')} (where the distribution has it)`,
      ]);
    }
  }
  return plan;
}
