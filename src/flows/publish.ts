// Publishing results into the local repository, then the configured uploads (docs/repositories.md):
// the one path xdeb-putresult and xdeb-build (and so xdeb-sequence) take.

import { configuredRepositories } from '../lib/repositories.js';
import type { BootstrapSuite, BuildRecord } from '../lib/local-repo-layout.js';
import { readResults } from '../adapters/build-results.js';
import { publish, type PublishResult } from '../adapters/local-repo.js';
import { uploadAfterPublish, type UploadSummary } from '../adapters/uploads.js';
import type { Session } from './session.js';

export interface PublishInput {
  /** .changes, .dsc, .deb or .udeb files, read and verified before anything is published. */
  files: readonly string[];
  /** The profiles the builds were made with (default: each .changes' Built-For-Profiles). */
  profiles?: readonly string[];
  keepVersions?: number;
  replace?: boolean;
  flavour?: string;
  /** A build that breaks a loop without a profile: published to its bootstrap suite (seed, seeded, dropped). */
  bootstrap?: BootstrapSuite;
  /** How long to wait for another publish into the same repository. */
  lockWaitSeconds?: number;
  /** Run the upload queue now; false queues only (--no-upload). */
  runUploads: boolean;
  /** Only when a configured repository has an upload command: a build's publish says nothing of old queues otherwise. */
  uploadsOnlyWhenConfigured?: boolean;
}

export interface Published {
  repo: string;
  result: PublishResult;
  uploads: UploadSummary | undefined;
}

/** Publish into the session's local repository, then queue and run the uploads the configuration asks for. */
export async function publishAndUpload(session: Session, input: PublishInput): Promise<Published> {
  const { out } = session;
  const repo = session.localRepo.dir;
  const results = await readResults(input.files);
  const lock =
    input.lockWaitSeconds === undefined
      ? undefined
      : { waitSeconds: input.lockWaitSeconds, onWait: () => out.info(`waiting for another publish into ${repo} to finish`) };
  const result = await publish({
    repo,
    results,
    ...(input.profiles ? { profiles: input.profiles } : {}),
    signKey: session.signKey,
    keepVersions: input.keepVersions,
    ...(input.replace ? { replace: true } : {}),
    ...(input.flavour !== undefined ? { flavour: input.flavour } : {}),
    ...(input.bootstrap ? { bootstrap: input.bootstrap } : {}),
    ...(lock ? { lock } : {}),
    info: (m) => out.info(m),
  });
  const uploads = await runConfiguredUploads(
    session,
    result.records,
    input,
    results.flatMap((r) => r.files.map((f): [string, string] => [f.name, f.path])),
  );
  return { repo, result, uploads };
}

/** xdeb-putresult --retry-uploads: the queue alone. */
export async function retryUploads(session: Session, lockWaitSeconds: number): Promise<UploadSummary> {
  const summary = await runConfiguredUploads(session, [], { runUploads: true, lockWaitSeconds }, []);
  if (!summary) throw new Error('uploads are always run for --retry-uploads');
  return summary;
}

async function runConfiguredUploads(
  session: Session,
  records: readonly BuildRecord[],
  input: Pick<PublishInput, 'runUploads' | 'lockWaitSeconds' | 'uploadsOnlyWhenConfigured'>,
  given: readonly [string, string][],
): Promise<UploadSummary | undefined> {
  const { out } = session;
  const repo = session.localRepo.dir;
  const repos = configuredRepositories(session.cfg);
  if (input.uploadsOnlyWhenConfigured && !repos.some((r) => r.upload)) return undefined;
  const files = new Map(given);
  const lock =
    input.lockWaitSeconds === undefined
      ? undefined
      : { waitSeconds: input.lockWaitSeconds, onWait: () => out.info(`waiting for another putresult of ${repo} to finish`) };
  return uploadAfterPublish(repo, repos, records, {
    run: input.runUploads,
    info: (m) => out.info(m),
    warn: (m) => out.warn(m),
    ...(lock ? { lock } : {}),
    fallback: (name) => files.get(name),
  });
}
