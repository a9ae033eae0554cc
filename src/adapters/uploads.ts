// The upload queue (docs/repositories.md): after a publish, each build goes to every configured
// repository whose `upload` command takes its suite. A job is a directory
// REPO/xdeb/uploads/NAME/queue/ID/ holding hard links to the published files (so a later prune of
// the pool cannot lose them) and job.json; it is written under a temporary name and renamed into
// place. Every putresult runs the queue, oldest first: a job whose command exits 0 is moved to
// done.jsonl and its directory removed; a failed one stays, with the attempt recorded, and is
// retried by the next putresult. Runs hold REPO/xdeb/uploads/lock, so no job runs twice at once.

import { randomBytes } from 'node:crypto';
import { appendFile, copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildRecord } from '../lib/local-repo-layout.js';
import type { ConfiguredRepository } from '../lib/repositories.js';
import { changesOf, jobId, queueOrder, UPLOAD_FORMAT, uploadCommand, uploadTargets, type UploadJob } from '../lib/upload-queue.js';
import { withLock, type LockOptions } from './repo-lock.js';
import { repoPaths, withRepoLock } from './local-repo.js';
import { runTool } from './run-tool.js';

export interface UploadPaths {
  root: string;
  lock: string;
  queue: (repository: string) => string;
  done: (repository: string) => string;
}

export function uploadPaths(repo: string): UploadPaths {
  const root = join(repoPaths(repo).state, 'uploads');
  return { root, lock: join(root, 'lock'), queue: (r) => join(root, r, 'queue'), done: (r) => join(root, r, 'done.jsonl') };
}

export interface QueuedUpload {
  repository: string;
  id: string;
  source: string;
  version: string;
  suite: string;
}

export interface UploadOutcome {
  repository: string;
  id: string;
  source: string;
  version: string;
  suite: string;
  status: 'uploaded' | 'failed';
  attempts: number;
  code?: number;
  output?: string[];
}

/** Link a file (copy across file systems). */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
  }
}

/**
 * Queue the builds a publish added for every repository whose upload takes their suite. Files
 * come from the pool (read under the repository's shared lock), or from `fallback` (the result
 * files as given) when a concurrent prune removed them.
 */
export async function enqueueUploads(
  repo: string,
  records: readonly BuildRecord[],
  repos: readonly ConfiguredRepository[],
  fallback: (name: string) => string | undefined = () => undefined,
  now = new Date(),
): Promise<{ queued: QueuedUpload[]; skipped: string[] }> {
  const queued: QueuedUpload[] = [];
  const skipped: string[] = [];
  const root = repoPaths(repo).root;
  const paths = uploadPaths(repo);
  await withRepoLock(
    repo,
    async () => {
      for (const rec of records) {
        const targets = uploadTargets(repos, rec.suite);
        if (!targets.length) continue;
        const changes = changesOf(rec);
        if (!changes) {
          skipped.push(
            `${rec.source} ${rec.version} (${rec.suite}): no .changes to upload (published from loose .debs or a .dsc) — not queued for ${targets.map((t) => t.name).join(', ')}`,
          );
          continue;
        }
        for (const t of targets) {
          const id = jobId(rec, now, randomBytes(3).toString('hex'));
          const dir = join(paths.queue(t.name), id);
          const tmp = join(paths.queue(t.name), `.${id}.tmp`);
          await mkdir(tmp, { recursive: true });
          try {
            for (const f of rec.files) {
              let from = join(root, f.path);
              try {
                await stat(from);
              } catch {
                from = fallback(f.name) ?? from;
              }
              await linkOrCopy(from, join(tmp, f.name));
              const st = await stat(join(tmp, f.name));
              if (st.size !== f.size) throw new Error(`${f.name} has ${st.size} bytes, not ${f.size}`);
            }
            const job: UploadJob = {
              format: UPLOAD_FORMAT,
              id,
              repository: t.name,
              source: rec.source,
              version: rec.version,
              suite: rec.suite,
              architectures: rec.architectures,
              changes,
              files: rec.files.map((f) => f.name),
              queued: now.toISOString(),
              attempts: [],
            };
            await writeFile(join(tmp, 'job.json'), JSON.stringify(job, null, 1) + '\n');
            await rename(tmp, dir);
          } catch (e) {
            await rm(tmp, { recursive: true, force: true });
            throw e;
          }
          queued.push({ repository: t.name, id, source: rec.source, version: rec.version, suite: rec.suite });
        }
      }
    },
    { shared: true },
  );
  return { queued, skipped };
}

/** The jobs queued for a repository (their job.json), oldest first. */
export async function listQueue(repo: string, repository: string): Promise<UploadJob[]> {
  const dir = uploadPaths(repo).queue(repository);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const jobs: UploadJob[] = [];
  for (const n of names) {
    if (n.startsWith('.')) continue;
    try {
      jobs.push(JSON.parse(await readFile(join(dir, n, 'job.json'), 'utf8')) as UploadJob);
    } catch {
      // a directory without its job.json is not a job (renamed into place only once complete)
    }
  }
  return queueOrder(jobs);
}

/** Every repository with queued jobs, by the names of their queue directories. */
async function queuedRepositories(repo: string): Promise<string[]> {
  try {
    return (await readdir(uploadPaths(repo).root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

export interface RunQueueOptions {
  lock?: LockOptions;
  info?: (m: string) => void;
  /** Environment of the upload commands (tests). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Run every queued upload, oldest first, with the repository's current command. A job of a
 * repository the configuration no longer has stays queued and is reported.
 */
export async function runUploads(
  repo: string,
  repos: readonly ConfiguredRepository[],
  o: RunQueueOptions = {},
): Promise<{ outcomes: UploadOutcome[]; orphaned: QueuedUpload[] }> {
  const paths = uploadPaths(repo);
  await mkdir(paths.root, { recursive: true });
  const outcomes: UploadOutcome[] = [];
  const orphaned: QueuedUpload[] = [];
  const info = o.info ?? (() => {});
  await withLock(
    paths.lock,
    async () => {
      for (const name of await queuedRepositories(repo)) {
        const target = repos.find((r) => r.name === name && r.upload);
        const jobs = await listQueue(repo, name);
        if (!target) {
          for (const j of jobs) orphaned.push({ repository: name, id: j.id, source: j.source, version: j.version, suite: j.suite });
          continue;
        }
        for (const job of jobs) {
          const dir = join(paths.queue(name), job.id);
          const command = uploadCommand(target.upload!, join(dir, job.changes));
          info(`uploading ${job.source} ${job.version} (${job.suite}) to ${name}: ${command}`);
          const env = {
            ...(o.env ?? process.env),
            XDEB_UPLOAD_REPOSITORY: name,
            XDEB_UPLOAD_SUITE: job.suite,
            XDEB_UPLOAD_DIR: dir,
            XDEB_UPLOAD_CHANGES: join(dir, job.changes),
          };
          let code: number;
          let output: string[];
          try {
            const r = await runTool('sh', ['-c', command], { cwd: dir, env });
            code = r.code;
            output = (r.stdout + r.stderr).trimEnd().split('\n').filter(Boolean).slice(-10);
          } catch (e) {
            code = -1;
            output = [(e as Error).message];
          }
          const attempt = { time: new Date().toISOString(), code, output };
          job.attempts.push(attempt);
          if (code === 0) {
            await appendFile(paths.done(name), JSON.stringify({ ...job, uploaded: attempt.time }) + '\n');
            await rm(dir, { recursive: true, force: true });
            outcomes.push({
              repository: name,
              id: job.id,
              source: job.source,
              version: job.version,
              suite: job.suite,
              status: 'uploaded',
              attempts: job.attempts.length,
            });
          } else {
            const tmp = join(dir, `.job.json.${process.pid}`);
            await writeFile(tmp, JSON.stringify(job, null, 1) + '\n');
            await rename(tmp, join(dir, 'job.json'));
            outcomes.push({
              repository: name,
              id: job.id,
              source: job.source,
              version: job.version,
              suite: job.suite,
              status: 'failed',
              attempts: job.attempts.length,
              code,
              output,
            });
          }
        }
      }
    },
    { what: `the upload queue of ${repoPaths(repo).root}`, ...o.lock },
  );
  return { outcomes, orphaned };
}

export interface UploadSummary {
  queued: QueuedUpload[];
  outcomes: UploadOutcome[];
  /** Jobs of repositories the configuration no longer has an upload command for: kept. */
  orphaned: QueuedUpload[];
  skipped: string[];
  /** Jobs still queued after this run (failed now or earlier, not run with --no-upload). */
  pending: number;
}

/** After a publish: queue its builds for the configured uploads, then (unless run is false) run the whole queue. */
export async function uploadAfterPublish(
  repo: string,
  repos: readonly ConfiguredRepository[],
  records: readonly BuildRecord[],
  o: {
    run: boolean;
    fallback?: (name: string) => string | undefined;
    info?: (m: string) => void;
    warn?: (m: string) => void;
    lock?: LockOptions;
  },
): Promise<UploadSummary> {
  const { queued, skipped } = await enqueueUploads(repo, records, repos, o.fallback);
  for (const s of skipped) o.warn?.(s);
  let outcomes: UploadOutcome[] = [];
  let orphaned: QueuedUpload[] = [];
  if (o.run) ({ outcomes, orphaned } = await runUploads(repo, repos, { info: o.info, lock: o.lock }));
  for (const f of outcomes.filter((x) => x.status === 'failed')) {
    o.warn?.(
      `upload of ${f.source} ${f.version} (${f.suite}) to ${f.repository} failed (exit status ${f.code}, attempt ${f.attempts}); it stays queued and the next xdeb-putresult retries it${f.output?.length ? `: ${f.output[f.output.length - 1]}` : ''}`,
    );
  }
  for (const j of orphaned)
    o.warn?.(
      `queued upload ${j.id} is for [repository ${j.repository}], which has no upload command in the configuration now: kept in ${uploadPaths(repo).queue(j.repository)}`,
    );
  let pending = 0;
  for (const name of await queuedRepositories(repo)) pending += (await listQueue(repo, name)).length;
  return { queued, outcomes, orphaned, skipped, pending };
}
