import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from '@swc/core';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Every module specifier a TypeScript file names: imports and re-exports (type-only ones too), `import()` calls and `import('…')` types. */
function specifiersIn(source: string): string[] {
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const { type, source: from, callee, arguments: args, argument } = node as Record<string, any>;
    if ((type === 'ImportDeclaration' || type === 'ExportNamedDeclaration' || type === 'ExportAllDeclaration') && from?.type === 'StringLiteral') found.push(from.value);
    if (type === 'CallExpression' && callee?.type === 'Import' && args?.[0]?.expression?.type === 'StringLiteral') found.push(args[0].expression.value);
    if (type === 'TsImportType' && argument?.type === 'StringLiteral') found.push(argument.value);
    for (const value of Object.values(node)) visit(value);
  };
  visit(parseSync(source, { syntax: 'typescript', target: 'es2022' }).body);
  return found;
}

/** The project files reachable from `start` (paths from the repository root), packages left out. */
function reachableFrom(start: string): Set<string> {
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const specifier of specifiersIn(readFileSync(join(root, file), 'utf8'))) {
      if (!specifier.startsWith('.')) continue;
      pending.push(relative(root, join(root, dirname(file), specifier.replace(/\.js$/, '.ts'))));
    }
  }
  return seen;
}

const outsideTheModule = (file: string) => file.startsWith('jobs/') || file.startsWith('cli/') || file === 'shared/config.ts';

describe('the healing module a service imports', () => {
  it("reaches no file of jobs/, cli/ or the job's configuration (shared/config.ts), type imports included", () => {
    const reached = reachableFrom('shared/healing/index.ts');
    expect(reached.has('shared/healing/createHealingRecorder.ts')).toBe(true);
    expect([...reached].filter(outsideTheModule)).toEqual([]);
  });

  it('is checked by a walk that sees every form of import: type-only, re-export, import() and import types', () => {
    const source = [
      "import type { JobConfig } from '../../shared/config.js';",
      "import schema from '../schemas/healing_events.json' with { type: 'json' };",
      "export { main } from './program.js';",
      "export * from './commandLine.js';",
      "const later = await import('./runCleanup.js');",
      "type Flags = import('./flags.js').Flags;",
    ].join('\n');
    expect(specifiersIn(source)).toEqual(['../../shared/config.js', '../schemas/healing_events.json', './program.js', './commandLine.js', './runCleanup.js', './flags.js']);
    expect(reachableFrom('shared/exitCodes.ts')).toContain('shared/config.ts');
  });
});
