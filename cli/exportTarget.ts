import { open, stat, unlink } from 'node:fs/promises';
import { UsageError } from '../shared/exitCodes.js';

/**
 * Proves `path` can be written before any query runs: an existing file is opened for writing
 * (without truncating it); a missing one is created and removed again.
 */
export async function assertWritable(path: string, flag = '--export', exampleName = 'healing.csv'): Promise<void> {
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${flag} ${path} is a directory; name a file such as ${path.replace(/\/+$/, '')}/${exampleName}`);
  try {
    if (existing) {
      await (await open(path, 'r+')).close();
    } else {
      await (await open(path, 'wx')).close();
      await unlink(path);
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
