// Questions to dpkg about this machine.

import { execFileSync } from 'node:child_process';
import type { Paragraph } from '../lib/deb822.js';
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

/** The stanzas of a dpkg status file (a chroot's, seen from outside) whose package is installed. */
export async function installedStanzas(status: string): Promise<Paragraph[]> {
  // Imported here: buildArch() is on every command's start-up path, the deb822 reader is not.
  const { readAllParagraphs } = await import('./deb822-files.js');
  return (await readAllParagraphs(status)).filter((p) => / installed$/.test(p.get('Status') ?? ''));
}
