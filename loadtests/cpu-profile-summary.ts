// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
// self time per package (node_modules/<name>, node: internals, the project's own files). Prints JSON.
//   node dist/loadtests/cpu-profile-summary.js <file.cpuprofile> [top=15]
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

interface SelfTime {
  label: string;
  selfMs: number;
}

/** node_modules/<pkg> (scoped too), `node:internal`, `(program)`-style V8 entries, or `project`. */
function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return match[1]!;
  if (url.startsWith('node:')) return 'node: internals';
  return 'project';
}

function shortUrl(url: string): string {
  const inModules = url.lastIndexOf('node_modules/');
  if (inModules >= 0) return url.slice(inModules + 'node_modules/'.length);
  const inDist = url.lastIndexOf('/dist/');
  return inDist >= 0 ? url.slice(inDist + 1) : url;
}

export function summariseProfile(raw: unknown, top: number): { totalMs: number; topFunctions: SelfTime[]; byPackage: SelfTime[] } {
  const profile = profileSchema.parse(raw);
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const perFunction = new Map<string, number>();
  const perPackage = new Map<string, number>();
  let totalUs = 0;
  profile.samples.forEach((nodeId, index) => {
    const node = byNode.get(nodeId);
    const deltaUs = profile.timeDeltas[index] ?? 0;
    if (!node) return;
    totalUs += deltaUs;
    const { functionName, url, lineNumber } = node.callFrame;
    const label = url === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${shortUrl(url)}:${lineNumber + 1}`;
    perFunction.set(label, (perFunction.get(label) ?? 0) + deltaUs);
    const pkg = packageOf(url, functionName);
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + deltaUs);
  });
  const ranked = (map: Map<string, number>, count: number) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([label, us]) => ({ label, selfMs: Math.round(us / 1000) }));
  return { totalMs: Math.round(totalUs / 1000), topFunctions: ranked(perFunction, top), byPackage: ranked(perPackage, top) };
}

if (process.argv[1]?.endsWith('cpu-profile-summary.js')) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node dist/loadtests/cpu-profile-summary.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const summary = summariseProfile(JSON.parse(readFileSync(file, 'utf8')), Number(process.argv[3] ?? 15));
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}
