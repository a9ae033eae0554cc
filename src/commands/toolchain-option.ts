// The --toolchain option of xdeb-build, xdeb-runbuild and xdeb-satisfydepends (docs/toolchains.md).
import type { OptionSpec } from '../ui/spec.js';

export const TOOLCHAIN: OptionSpec = {
  flags: '--toolchain <name>',
  description:
    'build with this toolchain: a [toolchain NAME] section of the configuration, or gcc-N, clang, clang-N; results go to the suite flavour-NAME',
};
