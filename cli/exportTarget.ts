import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { UsageError } from '../shared/exitCodes.js';

/**
 * Proves `path` can be written before any query runs: an existing file is opened for writing
 * (without truncating it), and a file is created and removed again beside it, where the new
 * content will be written first (see `replaceFile`).
 */
export async function assertWritable(path: string, flag = '--export', exampleName = 'healing.csv'): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${flag} ${path} is a directory; name a file such as ${path.replace(/\/+$/, '')}/${exampleName}`);
  try {
    if (existing) await (await open(path, 'r+')).close();
    if (existing === undefined || existing.isFile()) {
      const probe = temporaryBeside(await realTarget(path));
      await (await open(probe, 'wx')).close();
      await unlink(probe);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError(`${flag} ${path} cannot be written (${code}${reason(code)})`);
  }
}

function reason(code: string): string {
  switch (code) {
    case 'ENOENT':
      return ': its directory does not exist';
    case 'ENOTDIR':
      return ': part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return ': permission denied';
    case 'EROFS':
      return ': read-only file system';
    default:
      return '';
  }
}

/**
 * Writes a file so that a reader never finds it half written and a failure never costs the file
 * already there: `write` fills a temporary file beside the target, which replaces the target only
 * once `write` has succeeded (keeping an existing file's permissions; through a symbolic link, its
 * target), and is removed when it fails. A target that is not a regular file (a device such as
 * /dev/null, a pipe) is written directly.
 */
export async function replaceFile<T>(path: string, write: (file: Writable) => Promise<T>): Promise<T> {
  const target = await realTarget(path);
  const existing = await stat(target).catch(() => undefined);
  if (existing !== undefined && !existing.isFile()) return write(createWriteStream(path));
  const temporary = temporaryBeside(target);
  try {
    const result = await write(createWriteStream(temporary, { flags: 'wx', flush: true }));
    if (existing !== undefined) await chmod(temporary, existing.mode & 0o7777);
    await rename(temporary, target);
    return result;
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The file a path names, through symbolic links; the path itself when nothing is there yet. */
async function realTarget(path: string): Promise<string> {
  return realpath(path).catch(() => path);
}

function temporaryBeside(target: string): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}
