// Signing a repository's Release with gpg: InRelease (--clearsign) and Release.gpg
// (--detach-sign), as apt wants them; and the public key, for apt's signed-by.
// gpg uses $GNUPGHOME (or ~/.gnupg) as usual.

import { EnvironmentError } from '../lib/errors.js';
import { runTool } from './run-tool.js';

function failure(what: string, key: string, stderr: string, code: number): EnvironmentError {
  const lines = stderr.trim().split('\n').filter(Boolean).slice(-3);
  return new EnvironmentError(`gpg could not ${what} with key '${key}'${lines.length ? ':' : ` (exit status ${code})`}`, lines);
}

/** The fingerprint of a secret key gpg can sign with, or an EnvironmentError. */
export async function signingKeyFingerprint(key: string): Promise<string> {
  const r = await runTool('gpg', ['--batch', '--with-colons', '--list-secret-keys', '--', key]);
  if (r.code !== 0)
    throw new EnvironmentError(
      `no secret key '${key}' in gpg's keyring${process.env.GNUPGHOME ? ` (GNUPGHOME=${process.env.GNUPGHOME})` : ''}`,
    );
  const fpr = /^fpr:(?:[^:]*:){8}([0-9A-F]{16,})/m.exec(r.stdout);
  if (!fpr) throw new EnvironmentError(`gpg did not give the fingerprint of key '${key}'`);
  return fpr[1]!;
}

/** Write InRelease and Release.gpg for a Release file. */
export async function signRelease(release: string, inRelease: string, releaseGpg: string, key: string): Promise<void> {
  const base = ['--batch', '--yes', '--armor', '--local-user', key, '--digest-algo', 'SHA512'];
  let r = await runTool('gpg', [...base, '--clearsign', '--output', inRelease, release]);
  if (r.code !== 0) throw failure('clearsign the Release file', key, r.stderr, r.code);
  r = await runTool('gpg', [...base, '--detach-sign', '--output', releaseGpg, release]);
  if (r.code !== 0) throw failure('sign the Release file', key, r.stderr, r.code);
}

/** The armored public key, for apt's signed-by. */
export async function exportPublicKey(key: string): Promise<string> {
  const r = await runTool('gpg', ['--batch', '--armor', '--export', '--', key]);
  if (r.code !== 0 || !r.stdout.includes('BEGIN PGP PUBLIC KEY BLOCK')) throw failure('export the public key', key, r.stderr, r.code);
  return r.stdout;
}
