import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { replaceFile } from './exportTarget.js';

const directory = mkdtempSync(join(tmpdir(), 'export-target-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function writeAll(file: Writable, text: string): Promise<void> {
  file.end(text);
  await finished(file);
}

async function failHalfway(file: Writable): Promise<never> {
  file.write('half of the new rows\n');
  await new Promise((resolve) => setTimeout(resolve, 20));
  file.destroy();
  throw new Error('BigQuery went away');
}

describe('replacing an export file', () => {
  it('leaves an existing file as it was, and nothing beside it, when the writing fails halfway', async () => {
    const path = join(directory, 'kept.csv');
    writeFileSync(path, 'the postmortem export\n');
    await expect(replaceFile(path, failHalfway)).rejects.toThrow('BigQuery went away');
    expect(readFileSync(path, 'utf8')).toBe('the postmortem export\n');
    expect(readdirSync(directory).filter((name) => name.includes('kept'))).toEqual(['kept.csv']);
  });

  it('creates no file at all when the first export into a path fails', async () => {
    const path = join(directory, 'never.csv');
    await expect(replaceFile(path, failHalfway)).rejects.toThrow();
    expect(readdirSync(directory).filter((name) => name.includes('never'))).toEqual([]);
  });

  it('replaces the file only once it is complete, keeping its permissions', async () => {
    const path = join(directory, 'replaced.csv');
    writeFileSync(path, 'old\n');
    chmodSync(path, 0o640);
    let seenDuringWrite = '';
    await replaceFile(path, async (file) => {
      file.write('new\n');
      seenDuringWrite = readFileSync(path, 'utf8');
      await writeAll(file, 'rows\n');
    });
    expect(seenDuringWrite).toBe('old\n');
    expect(readFileSync(path, 'utf8')).toBe('new\nrows\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
  });

  it('writes through a symbolic link to its target, which stays a link', async () => {
    const target = join(directory, 'real.csv');
    const link = join(directory, 'link.csv');
    writeFileSync(target, 'old\n');
    symlinkSync(target, link);
    await replaceFile(link, (file) => writeAll(file, 'new\n'));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('new\n');
  });

  it('writes a device such as /dev/null directly, with no file beside it', async () => {
    await replaceFile('/dev/null', (file) => writeAll(file, 'discarded\n'));
    expect(readdirSync('/dev').filter((name) => name.startsWith('.null.'))).toEqual([]);
  });
});
