// The upload queue of the local repository, as pure decisions (docs/repositories.md): which
// published builds a repository's upload command receives, the names of queued jobs, the command
// line a job runs, and the order jobs run in. A job stays queued until its command exits 0.

import type { BuildRecord } from './local-repo-layout.js';
import type { ConfiguredRepository } from './repositories.js';

export const UPLOAD_FORMAT = 1;

export interface UploadAttempt {
  time: string;
  /** Exit status of the command (-1 when it could not be started, or was killed). */
  code: number;
  /** The last lines it printed. */
  output: string[];
}

/** job.json of a queued upload. */
export interface UploadJob {
  format: number;
  id: string;
  repository: string;
  source: string;
  version: string;
  suite: string;
  architectures: string[];
  /** The .changes file's name, in the job's directory with every file it lists. */
  changes: string;
  files: string[];
  queued: string;
  attempts: UploadAttempt[];
}

/** The repositories with an upload command that take builds of this suite. */
export function uploadTargets(repos: readonly ConfiguredRepository[], suite: string): ConfiguredRepository[] {
  return repos.filter((r) => r.upload && r.uploadSuites.includes(suite));
}

/** A job's name: sorts in queue order, names the build, unique. */
export function jobId(record: Pick<BuildRecord, 'source' | 'version' | 'architectures'>, queued: Date, unique: string): string {
  const stamp = queued
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const v = record.version.replace(/^\d+:/, '').replace(/[^A-Za-z0-9.+~-]/g, '_');
  return `${stamp}-${record.source}_${v}_${[...record.architectures].sort().join('+')}-${unique}`;
}

/** The .changes a record publishes, if it has one (loose .debs and a lone .dsc have none). */
export function changesOf(record: Pick<BuildRecord, 'files'>): string | undefined {
  return record.files.find((f) => f.kind === 'changes')?.name;
}

/**
 * The shell command of a job: `{changes}` in the configured command is replaced by the .changes
 * path (quoted), else the path is appended as the last word.
 */
export function uploadCommand(template: string, changesPath: string): string {
  const quoted = `'${changesPath.replace(/'/g, `'\\''`)}'`;
  return template.includes('{changes}') ? template.split('{changes}').join(quoted) : `${template} ${quoted}`;
}

/** Jobs in the order they run: oldest first (their ids start with the time they were queued). */
export function queueOrder(jobs: readonly UploadJob[]): UploadJob[] {
  return [...jobs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
