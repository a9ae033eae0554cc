// xdeb-sequence --verify: the run of a state file, checked build by build (lib/run-verify.ts):
// what each final build installed (recorded beside its results), its .buildinfo, and which
// binaries the set's builds published into the local repository.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NegativeAnswer } from '../lib/errors.js';
import {
  BUILD_DEPS_FILE,
  formatVerify,
  installedBuildDepends,
  verifyRun,
  type BuildDepsRecord,
  type VerifyResult,
  type VerifyStep,
} from '../lib/run-verify.js';
import type { Output } from '../ui/output.js';
import type { SequenceState } from './sequence-run.js';

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Check the run of `state`; exit 0 when every final build took only the set's own builds, else a NegativeAnswer naming them. */
export async function verifySequence(state: SequenceState, stateFile: string, out: Output): Promise<VerifyResult> {
  const { readBuilds } = await import('../adapters/local-repo.js');
  const { plan } = state;
  const members = new Set(plan.steps.map((s) => s.source));
  const versions = new Set(plan.steps.map((s) => `${s.source}=${s.version}`));
  const provides = new Map<string, string>();
  const built = new Set<string>();
  for (const r of await readBuilds(state.localRepo)) {
    if (!members.has(r.source)) continue;
    const ours = versions.has(`${r.source}=${r.sourceVersion}`);
    for (const f of r.files) {
      if (!f.package || f.architecture !== plan.hostArch) continue;
      provides.set(f.package, r.source);
      // The version of the .deb: its file name's (name_version_arch.deb, the epoch left out).
      if (ours) built.add(`${f.package}:${f.architecture}@${r.suite}=${f.name.split('_')[1] ?? ''}`);
    }
  }
  const planBuilt = (key: string, suite: string) => {
    const [pkg, version] = key.split('=') as [string, string];
    return built.has(`${pkg}@${suite}=${version.replace(/^\d+:/, '')}`);
  };
  const steps: VerifyStep[] = state.steps.map((x) => {
    const dir = x.changes ? dirname(x.changes) : x.dir;
    const record = readJson<BuildDepsRecord>(join(dir, BUILD_DEPS_FILE));
    const buildinfo = x.changes ? x.changes.replace(/\.changes$/, '.buildinfo') : undefined;
    return {
      n: x.n,
      status: x.status,
      ...(x.started ? { started: x.started } : {}),
      ...(record ? { record } : {}),
      ...(buildinfo && existsSync(buildinfo) ? { buildinfo: installedBuildDepends(readFileSync(buildinfo, 'utf8')) } : {}),
      ...(x.replaced ? { replaced: x.replaced } : {}),
    };
  });
  const result = verifyRun(plan, steps, provides, planBuilt);
  const notDone = state.steps.filter((x) => x.status !== 'done');
  if (out.json) out.jsonData({ stateFile, ...result, notDone: notDone.map((x) => x.n) });
  else out.data(formatVerify(plan, result).trimEnd());
  if (result.offenders.length)
    throw new NegativeAnswer(
      `${result.offenders.length} final build${result.offenders.length === 1 ? '' : 's'} did not take only the set's own builds: ${result.offenders.map((o) => `step ${o.step} (${o.source})`).join(', ')}`,
    );
  if (notDone.length)
    throw new NegativeAnswer(
      `the run is not complete: ${notDone.length} step${notDone.length === 1 ? '' : 's'} not built (${notDone
        .slice(0, 8)
        .map((x) => `${x.n}. ${plan.steps[x.n - 1]!.source}`)
        .join(', ')}${notDone.length > 8 ? ', …' : ''}); what was built is checked above`,
    );
  return result;
}
