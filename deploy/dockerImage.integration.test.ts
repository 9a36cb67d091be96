import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative } from 'node:path';
import { repoRoot } from './test-support/deployScript.js';
import { dockerignore } from './test-support/dockerignore.js';

// There is no Docker engine on these machines, so this check plays the Dockerfile in plain folders:
// one folder per stage standing for its WORKDIR, COPY applied with .dockerignore, and the RUN
// commands the Dockerfile uses. Both programs then run from the final stage's folder, so a runtime
// dependency kept in devDependencies, or a file the image forgets, fails here.
//
// Two stand-ins, both for the same lockfile: the build stage's `npm ci` links this checkout's
// node_modules instead of downloading everything again; the final stage's `npm ci` runs as
// `npm install --no-save` with the same flags, because the npm on these machines (11) refuses this
// lockfile in `npm ci` (it lacks other platforms' optional packages, which the registry mirror here
// does not serve) while the image's npm (10, bundled with Node 22) accepts it. The installed tree is
// then compared with the lockfile, so the versions are exactly those `npm ci` would install.

interface Instruction {
  op: string;
  args: string;
}

interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
  dir: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  entrypoint: string[];
  cmd: string[];
}

const node22 = dirname(process.execPath);
const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

function parseDockerfile(text: string): Array<Pick<Stage, 'name' | 'from' | 'instructions'>> {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Array<Pick<Stage, 'name' | 'from' | 'instructions'>> = [];
  for (const line of logical) {
    const [, op = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    if (op.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${op} before the first FROM`);
      stage.instructions.push({ op: op.toUpperCase(), args });
    }
  }
  return stages;
}

const ignored = dockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));

function copyFromContext(source: string, target: string): void {
  const relativeSource = posix.normalize(source).replace(/\/+$/, '');
  const absolute = join(repoRoot, relativeSource);
  if (!existsSync(absolute) || ignored(relativeSource)) {
    throw new Error(`COPY ${source}: not in the build context (missing, or left out by .dockerignore)`);
  }
  cpSync(absolute, target, {
    recursive: true,
    filter: (path) => path === absolute || !ignored(relative(repoRoot, path).split('\\').join('/')),
  });
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env: { PATH: `${node22}:/usr/local/bin:/usr/bin:/bin`, HOME: process.env.HOME ?? tmpdir(), ...env },
    encoding: 'utf8',
    timeout: 240_000,
  });
  if (result.error) throw result.error;
  return result;
}

function mustRun(command: string, args: string[], cwd: string): void {
  const result = run(command, args, cwd);
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}) in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
}

function runStep(stage: Stage, command: string): void {
  const words = command.trim().split(/\s+/);
  if (words[0] === 'npm' && words[1] === 'ci') {
    const flags = words.slice(2);
    if (flags.includes('--omit=dev')) {
      mustRun('npm', ['install', '--no-save', '--prefer-offline', ...flags], stage.dir);
    } else {
      symlinkSync(join(repoRoot, 'node_modules'), join(stage.dir, 'node_modules'));
    }
  } else if (command.trim() === 'npm run build') {
    mustRun('npm', ['run', 'build'], stage.dir);
  } else if (command.trim() === 'npm cache clean --force') {
    // Only shrinks the image; nothing to check here.
  } else {
    throw new Error(`Dockerfile RUN "${command.trim()}" is not known to this check; teach deploy/dockerImage.integration.test.ts what it does`);
  }
}

/** Maps a path inside a stage's image to the stage's folder; only paths under WORKDIR are supported. */
function inStage(stage: Stage, path: string): string {
  const absolute = posix.resolve(stage.workdir, path);
  if (absolute !== stage.workdir && !absolute.startsWith(`${stage.workdir}/`)) {
    throw new Error(`Dockerfile path ${path} is outside WORKDIR ${stage.workdir}; this check supports only paths under it`);
  }
  return join(stage.dir, posix.relative(stage.workdir, absolute));
}

function playDockerfile(work: string): Stage[] {
  const stages: Stage[] = [];
  parseDockerfile(dockerfile).forEach((parsed, index) => {
    const stage: Stage = { ...parsed, dir: join(work, `stage-${index}`), workdir: '/', env: {}, user: 'root', entrypoint: [], cmd: [] };
    mkdirSync(stage.dir);
    stages.push(stage);
    for (const { op, args } of stage.instructions) {
      switch (op) {
        case 'WORKDIR':
          if (stage.workdir !== '/') throw new Error('this check supports one WORKDIR per stage');
          stage.workdir = args;
          break;
        case 'COPY': {
          const words = args.split(/\s+/);
          const from = words[0]?.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
          if (words.some((word) => word.startsWith('--'))) throw new Error(`COPY ${args}: flags other than --from are not supported here`);
          const target = words.pop()!;
          const intoFolder = target.endsWith('/') || words.length > 1;
          const origin = from === undefined ? undefined : stages.find((candidate) => candidate.name === from);
          if (from !== undefined && !origin) throw new Error(`COPY --from=${from}: no such stage`);
          for (const source of words) {
            const path = origin ? inStage(origin, source) : join(repoRoot, source);
            // Like Docker: a folder's contents go into the target; a file goes to the target, or into it when it is a folder.
            const isFolder = existsSync(path) && statSync(path).isDirectory();
            const destination = inStage(stage, !isFolder && intoFolder ? posix.join(target, posix.basename(source)) : target);
            if (origin) cpSync(path, destination, { recursive: true, dereference: true });
            else copyFromContext(source, destination);
          }
          break;
        }
        case 'RUN':
          for (const command of args.split('&&')) runStep(stage, command);
          break;
        case 'ENV': {
          const [, key = '', value = ''] = /^(\w+)[=\s]+(.*)$/.exec(args) ?? [];
          stage.env[key] = value;
          break;
        }
        case 'USER':
          stage.user = args;
          break;
        case 'ENTRYPOINT':
          stage.entrypoint = JSON.parse(args);
          break;
        case 'CMD':
          stage.cmd = JSON.parse(args);
          break;
        default:
          throw new Error(`Dockerfile ${op} is not known to this check`);
      }
    }
  });
  return stages;
}

function filesUnder(dir: string, skip: (name: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (skip(name)) return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, skip).map((file) => `${name}/${file}`) : [name];
  });
}

describe('the container image (Dockerfile played in plain folders)', () => {
  let image: Stage;
  let stages: Stage[];

  /** Runs a command as `docker run IMAGE ...args` would: the ENTRYPOINT with the args, or the CMD without. */
  const dockerRunWith = (env: Record<string, string>, ...args: string[]) => {
    const [program = '', ...rest] = [...image.entrypoint, ...(args.length > 0 ? args : image.cmd)].map((word) =>
      word.startsWith(`${image.workdir}/`) ? inStage(image, word) : word,
    );
    return run(program, rest, image.dir, { ...image.env, ...env });
  };
  const dockerRun = (...args: string[]) => dockerRunWith({}, ...args);

  const work = mkdtempSync(join(tmpdir(), 'image-'));

  beforeAll(() => {
    stages = playDockerfile(work);
    image = stages.at(-1)!;
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('builds on the Node 22 slim image in every stage', () => {
    expect(stages.map((stage) => stage.from)).toEqual(stages.map(() => 'node:22-slim'));
  });

  test.each(Object.entries(packageJson.bin))('%s (%s) prints its help with Node 22 from the image contents', (_name, path) => {
    const result = run(process.execPath, [path, '--help'], image.dir, image.env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/usage/i);
  });

  test('the default command runs the job, and analyze-healing runs the CLI by name', () => {
    expect(image.cmd).toEqual(['auto-batch-cleanup']);
    const job = dockerRun('auto-batch-cleanup', '--help');
    const cli = dockerRun('analyze-healing', '--help');
    expect([job.status, cli.status]).toEqual([0, 0]);
    expect(job.stdout).toEqual(run(process.execPath, [packageJson.bin['auto-batch-cleanup']!, '--help'], image.dir).stdout);
    expect(cli.stdout).toEqual(run(process.execPath, [packageJson.bin['analyze-healing']!, '--help'], image.dir).stdout);
    expect(job.stdout).not.toEqual(cli.stdout);
  });

  test('the arguments deploy.sh gives its Cloud Run Jobs reach the programs: an option alone goes to the job, a digest to the CLI', () => {
    // deploy.sh executes the job with --args=--check and runs the digests with
    // --args=analyze-healing,--last,24h,--compare,--slack. --check-config stands in for --check (which
    // needs Firestore), and a digest without its webhook stops before the network: both show the
    // arguments arrived.
    const project = { GOOGLE_CLOUD_PROJECT: 'image-check' };
    const check = dockerRunWith(project, '--check-config');
    expect(check.stdout.trim()).toBe('configuration ok');
    expect(check.status).toBe(0);
    const digest = dockerRunWith(project, 'analyze-healing', '--last', '24h', '--compare', '--slack');
    expect(digest.status).toBe(2);
    expect(digest.stderr.trim()).toMatch(/^analyze-healing: .*SLACK_WEBHOOK_URL/);
  });

  test("the job's command words reach the job as gcloud run jobs execute --args passes them, a mistyped word gets the job's usage error, and a program of the image runs as given", () => {
    const bin = packageJson.bin['auto-batch-cleanup']!;
    const help = run(process.execPath, [bin, '--help'], image.dir).stdout;
    const commands = [...(help.split('Commands:\n')[1] ?? '').matchAll(/^ {2}(\w[\w-]*)/gm)].map((match) => match[1]!);
    expect(commands).toEqual(expect.arrayContaining(['undo', 'pause', 'resume', 'exclude', 'include', 'status']));
    for (const command of commands) {
      const viaImage = dockerRun(command, '--help');
      expect({ command, status: viaImage.status, stdout: viaImage.stdout }).toEqual({ command, status: 0, stdout: run(process.execPath, [bin, command, '--help'], image.dir).stdout });
    }
    // --args=pause,--reason=deploying the fix,--for=2x: the job's own refusal of the DURATION shows the words arrived.
    const project = { GOOGLE_CLOUD_PROJECT: 'image-check' };
    const pause = dockerRunWith(project, 'pause', '--reason=deploying the fix', '--for=2x');
    expect(pause.status).toBe(2);
    expect(pause.stderr.trim()).toMatch(/^auto-batch-cleanup: option '--for <duration>' argument '2x' is invalid/);
    const typo = dockerRunWith(project, 'paus', '--reason=x');
    expect(typo.status).toBe(2);
    expect(typo.stderr.trim()).toMatch(/^auto-batch-cleanup: unknown command "paus"; the commands are undo, pause, /);
    const node = dockerRun('node', '-e', 'process.stdout.write("ran as given")');
    expect([node.status, node.stdout]).toEqual([0, 'ran as given']);
  });

  test('holds the production dependencies at their locked versions and no devDependencies', () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')).packages as Record<string, { version?: string; dev?: boolean; optional?: boolean }>;
    const installed = (name: string) => existsSync(join(image.dir, 'node_modules', name, 'package.json'));
    expect(Object.keys(packageJson.dependencies).filter((name) => !installed(name))).toEqual([]);
    // A devDependency may still be installed when a production dependency needs it too (the lockfile then says so).
    const devOnly = Object.keys(packageJson.devDependencies).filter((name) => lock[`node_modules/${name}`]?.dev);
    expect(devOnly).toEqual(expect.arrayContaining(['jest', 'typescript', 'node', '@swc/core']));
    expect(devOnly.filter(installed)).toEqual([]);

    const tree = JSON.parse(readFileSync(join(image.dir, 'node_modules/.package-lock.json'), 'utf8')).packages as Record<string, { version?: string }>;
    const drift = Object.entries(tree).filter(([path, entry]) => lock[path]?.version !== entry.version || lock[path]?.dev);
    expect(drift).toEqual([]);
    const missing = Object.entries(lock).filter(([path, entry]) => path !== '' && !entry.dev && !entry.optional && !(path in tree));
    expect(missing).toEqual([]);
  });

  test('leaves tests, sources, local data and build tools out', () => {
    const files = filesUnder(image.dir, (name) => name === 'node_modules');
    // Declarations (.d.ts) are build output for the healing module's consumers, not sources.
    expect(files.filter((file) => /\.(test|bench)\.[jt]s$|(?<!\.d)\.ts$/.test(file))).toEqual([]);
    expect(files.filter((file) => /^(\.local|test|scripts|coverage|\.git)\//.test(file))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'schemas/healing_events.json', 'image-entrypoint.sh']));
  });

  test('runs as a non-root user', () => {
    expect(image.user).not.toMatch(/^(root|0)(:|$)/);
    expect(image.user).not.toBe('');
  });
});
