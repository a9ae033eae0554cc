// xdeb-runbuild: one build with the session's architectures, profiles, toolchain, log directory
// and root command.

import { parseProfileList } from '../lib/local-repo-layout.js';
import { toolchainPlanFor } from '../adapters/toolchain.js';
import { runBuild, type RunBuildResult } from '../adapters/runbuild.js';
import type { Session } from './session.js';

export interface RunbuildInput {
  /** A source tree or a .dsc. */
  source: string;
  /** dpkg-buildpackage --build (default: any for a cross build, binary for a native one). */
  buildType?: string;
  outputDir?: string;
  log?: string;
  checkBuilddeps: boolean;
  elfCheck: boolean;
  elfAllow: string[];
  keepTree: boolean;
}

export async function runBuildIn(session: Session, input: RunbuildInput): Promise<RunBuildResult> {
  const { out, buildArch, hostArch } = session;
  // The configured profiles are for cross builds; a native build has none unless given.
  const profiles = session.profilesGiven || hostArch !== buildArch ? parseProfileList(session.profiles) : undefined;
  const configured = session.toolchain();
  const toolchain = configured ? toolchainPlanFor(configured, buildArch, hostArch) : undefined;
  return runBuild({
    ...(toolchain ? { toolchain } : {}),
    source: input.source,
    hostArch,
    buildArch,
    profiles,
    buildType: input.buildType,
    outputDir: input.outputDir,
    log: input.log,
    logDir: session.buildLogDir,
    rootCommand: session.rootCmd,
    checkBuilddeps: input.checkBuilddeps,
    elfCheck: input.elfCheck,
    elfAllow: input.elfAllow,
    keepTree: input.keepTree,
    echo: !out.quiet && (out.tty || out.verbose),
    info: (m) => out.info(m),
    warn: (m) => out.warn(m),
  });
}
