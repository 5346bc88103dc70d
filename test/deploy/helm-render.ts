// The deploy suites' tools: charts/corral rendered by the real `helm`, and the real `promtool`
// (both built into .local/vendor/bin by npm run setup).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const run = promisify(execFile);
export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const chart = path.join(repoRoot, 'charts/corral');
const vendored = (name: string) => (existsSync(path.join(repoRoot, '.local/vendor/bin', name)) ? path.join(repoRoot, '.local/vendor/bin', name) : name);
const helmBinary = vendored('helm');
const promtoolBinary = vendored('promtool');

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

export async function helm(...args: string[]): Promise<string> {
  const { stdout } = await run(helmBinary, args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

/** helm's error output of a render that must fail. */
export async function helmFailure(...args: string[]): Promise<string> {
  try {
    await helm(...args);
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`helm ${args.join(' ')} succeeded; expected a failure`);
}

/** `helm template` of the chart as release `corral` in namespace `tickets`, as raw YAML. A set
 * starting with `json:` is passed with --set-json (numbers that are not integers, lists). */
export function renderText(...sets: string[]): Promise<string> {
  const args = sets.flatMap((set) => (set.startsWith('json:') ? ['--set-json', set.slice('json:'.length)] : ['--set', set]));
  return helm('template', 'corral', chart, '--namespace', 'tickets', '--set', 'secrets.existingSecret=corral-secrets', ...args);
}

export async function render(...sets: string[]): Promise<Manifest[]> {
  return parseAllDocuments(await renderText(...sets))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

export const ofKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
export const component = (manifest: Manifest) => manifest.metadata.labels?.['app.kubernetes.io/component'];

/** Runs promtool; a non-zero exit is `ok: false` with its output, not a throw. */
export async function promtool(...args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(promtoolBinary, args, { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}
