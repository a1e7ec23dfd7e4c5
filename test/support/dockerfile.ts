import { readFileSync } from 'node:fs';

/** One instruction of a Dockerfile: its keyword (upper case), its flags (`--from=build`) and the rest. */
export interface DockerInstruction {
  keyword: string;
  flags: string[];
  /** The arguments without the flags: a shell line, or the words of an exec-form (JSON) array. */
  args: string;
}

export interface DockerStage {
  /** The stage's name (`FROM image AS name`), or its image when unnamed. */
  name: string;
  image: string;
  instructions: DockerInstruction[];
}

/** A Dockerfile's stages, with line continuations joined and comments dropped. */
export function readDockerfile(path: string): DockerStage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    logical.push(`${pending}${line}`.trim());
    pending = '';
  }
  const stages: DockerStage[] = [];
  for (const text of logical) {
    const [keyword = '', ...rest] = text.split(/\s+/);
    const words: string[] = [];
    const flags: string[] = [];
    for (const word of rest) (words.length === 0 && word.startsWith('--') ? flags : words).push(word);
    const instruction = { keyword: keyword.toUpperCase(), flags, args: words.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [image = '', as, name] = words;
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : image, image, instructions: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`${path}: ${keyword} before FROM`);
      stage.instructions.push(instruction);
    }
  }
  return stages;
}

/** An exec-form argument list (`["node", "src/bff/server.ts"]`) as words. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((word) => typeof word === 'string'))
    throw new Error(`Not an exec-form list: ${args}`);
  return parsed;
}

/** What a production install of the worklist is, as the Dockerfile's runtime stage does it. */
export interface ProductionInstall {
  /** Files and folders of the project copied into the image (`COPY src ./src`), as [source, destination]. */
  copies: [string, string][];
  /** What is copied from the build stage (the built SPA), as [source inside the build, destination]. */
  built: [string, string][];
  /** The npm commands run (`npm ci --omit=dev …`), as words. */
  npm: string[][];
  /** The start command (CMD), as words. */
  start: string[];
  env: Record<string, string>;
}

/** The runtime stage (the last) of the Dockerfile, as the steps a production install takes. */
export function productionInstallOf(stages: DockerStage[]): ProductionInstall {
  const runtime = stages.at(-1);
  if (!runtime) throw new Error('The Dockerfile has no stage');
  const install: ProductionInstall = { copies: [], built: [], npm: [], start: [], env: {} };
  for (const { keyword, flags, args } of runtime.instructions) {
    if (keyword === 'COPY') {
      const words = args.split(' ');
      const destination = words.pop() ?? '';
      const pairs = words.map((source): [string, string] => [source, destination]);
      (flags.some((flag) => flag.startsWith('--from=')) ? install.built : install.copies).push(...pairs);
    } else if (keyword === 'RUN' && args.startsWith('npm ')) {
      install.npm.push(args.split(/\s+/));
    } else if (keyword === 'CMD') {
      install.start = execForm(args);
    } else if (keyword === 'ENV') {
      for (const match of args.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)) install.env[match[1] ?? ''] = match[2] ?? '';
    }
  }
  return install;
}
