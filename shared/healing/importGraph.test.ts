import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSync } from '@swc/core';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Every module specifier a TypeScript file names: imports and re-exports (type-only ones too), `import()` calls and `import('…')` types;
 * with `valuesOnly`, only those that load the module when the file runs.
 */
function specifiersIn(source: string, valuesOnly = false): string[] {
  const found: string[] = [];
  const typeOnly = (node: Record<string, any>) =>
    node.typeOnly === true || (node.type === 'ImportDeclaration' && node.specifiers.length > 0 && node.specifiers.every((specifier: Record<string, any>) => specifier.isTypeOnly === true));
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (typeof node !== 'object' || node === null) return;
    const { type, source: from, callee, arguments: args, argument } = node as Record<string, any>;
    if ((type === 'ImportDeclaration' || type === 'ExportNamedDeclaration' || type === 'ExportAllDeclaration') && from?.type === 'StringLiteral' && !(valuesOnly && typeOnly(node as Record<string, any>))) found.push(from.value);
    if (type === 'CallExpression' && callee?.type === 'Import' && args?.[0]?.expression?.type === 'StringLiteral') found.push(args[0].expression.value);
    if (type === 'TsImportType' && argument?.type === 'StringLiteral' && !valuesOnly) found.push(argument.value);
    for (const value of Object.values(node)) visit(value);
  };
  visit(parseSync(source, { syntax: 'typescript', target: 'es2022' }).body);
  return found;
}

/** The project files reachable from `start` (paths from the repository root), packages left out; with `valuesOnly`, through imports that run. */
function reachableFrom(start: string, valuesOnly = false): Set<string> {
  const seen = new Set<string>();
  const pending = [start];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!file.endsWith('.ts')) continue;
    for (const specifier of specifiersIn(readFileSync(join(root, file), 'utf8'), valuesOnly)) {
      if (!specifier.startsWith('.')) continue;
      pending.push(relative(root, join(root, dirname(file), specifier.replace(/\.js$/, '.ts'))));
    }
  }
  return seen;
}

/** The packages loaded by running `start`: imports that run, type-only ones left out. */
function packagesLoadedBy(start: string): Set<string> {
  const packages = new Set<string>();
  for (const file of reachableFrom(start, true)) {
    if (!file.endsWith('.ts')) continue;
    for (const specifier of specifiersIn(readFileSync(join(root, file), 'utf8'), true)) if (!specifier.startsWith('.')) packages.add(specifier);
  }
  return packages;
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
    expect(specifiersIn(`${source}\nimport { type A, type B } from './types.js';\nimport { type C, d } from './values.js';`, true)).toEqual([
      '../schemas/healing_events.json', './program.js', './commandLine.js', './runCleanup.js', './values.js',
    ]);
    expect(reachableFrom('shared/exitCodes.ts')).toContain('shared/config.ts');
  });
});

describe('the Google clients each program loads', () => {
  it('the healing module loads Firestore and never the BigQuery library', () => {
    const packages = packagesLoadedBy('shared/healing/index.ts');
    expect(packages.has('@google-cloud/firestore')).toBe(true);
    expect(packages.has('@google-cloud/bigquery')).toBe(false);
  });

  it('analyze-healing loads BigQuery and never the Firestore library', () => {
    const packages = packagesLoadedBy('cli/main.ts');
    expect(packages.has('@google-cloud/bigquery')).toBe(true);
    expect(packages.has('@google-cloud/firestore')).toBe(false);
  });
});
