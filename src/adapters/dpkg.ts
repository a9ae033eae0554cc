// Questions to dpkg about this machine.

import { execFileSync } from 'node:child_process';
import { EnvironmentError } from '../lib/errors.js';

let cachedBuildArch: string | undefined;

/** The build architecture: $DEB_BUILD_ARCH, else `dpkg --print-architecture`. */
export function buildArch(): string {
  if (cachedBuildArch) return cachedBuildArch;
  const env = process.env.DEB_BUILD_ARCH;
  if (env) return (cachedBuildArch = env);
  try {
    cachedBuildArch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  } catch {
    throw new EnvironmentError('cannot tell the build architecture: dpkg --print-architecture failed (set DEB_BUILD_ARCH)');
  }
  return cachedBuildArch;
}

/** Foreign architectures dpkg is configured for. */
export function foreignArchs(): string[] {
  try {
    return execFileSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
