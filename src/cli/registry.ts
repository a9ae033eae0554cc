// Every command, in the order `xdeb --help` lists them. Command modules are light: they
// declare options and import the library only when they run, so --help stays instant.

import type { CommandSpec } from '../ui/spec.js';
import compareBuilds from '../commands/compare-builds.js';
import compareVersions from '../commands/compare-versions.js';
import build from '../commands/build.js';
import chroot from '../commands/chroot.js';
import completion from '../commands/completion.js';
import config from '../commands/config.js';
import control from '../commands/control.js';
import deps from '../commands/deps.js';
import putresult from '../commands/putresult.js';
import runbuild from '../commands/runbuild.js';
import satisfydepends from '../commands/satisfydepends.js';
import sequence from '../commands/sequence.js';

export const commands: CommandSpec[] = [
  satisfydepends,
  runbuild,
  build,
  sequence,
  putresult,
  chroot,
  compareBuilds,
  compareVersions,
  deps,
  control,
  config,
  completion,
];

export function findCommand(name: string): CommandSpec | undefined {
  return commands.find((c) => c.name === name);
}
