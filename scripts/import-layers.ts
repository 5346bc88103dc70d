// The house's floors, checked from the code's own imports: lib/ (platform) ← domains ← roles ←
// entry points, each domain importing only the domains listed before it, no role importing another,
// and no import circle anywhere. `npm run check:layers` prints what breaks the rules; a test runs it.
//
// Hand-written rather than dependency-cruiser: that tool needs the TypeScript compiler API, which
// TypeScript 7 (the project's compiler) no longer ships, and these rules fit in one screen.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Lowest first. Within `domains` the order matters too: a domain imports only those before it. */
export const LAYERS = [
  { name: 'platform', places: ['lib'] },
  { name: 'domains', places: ['accounts', 'waiting-room', 'catalog', 'booking', 'search'] },
  { name: 'roles', places: ['api', 'admission', 'workers'] },
  { name: 'entry points', places: ['main.ts', 'roles.ts', 'prisma.config.ts', 'scripts', 'loadtests', 'test'] },
] as const;

/** The browser app is a world of its own: it imports only itself, and nothing imports it. */
const ISLANDS = ['web'];

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.local', '.git', 'generated', 'coverage', 'test-results', 'playwright-report']);
const SOURCE = /\.(ts|tsx|mts|js|mjs|cjs)$/;

export interface ImportEdge {
  from: string;
  to: string;
}

export interface ImportGraph {
  files: string[];
  edges: ImportEdge[];
}

export interface LayerViolation {
  rule: 'upward' | 'sideways-domain' | 'role-to-role' | 'island' | 'circle';
  message: string;
}

function sourceFiles(root: string, dir = ''): string[] {
  const found: string[] = [];
  for (const name of readdirSync(path.join(root, dir))) {
    const relative = dir ? `${dir}/${name}` : name;
    const stats = statSync(path.join(root, relative));
    if (stats.isDirectory()) {
      if (!SKIPPED_DIRS.has(name) && !name.startsWith('.')) found.push(...sourceFiles(root, relative));
    } else if (SOURCE.test(name) && !name.endsWith('.d.ts')) {
      found.push(relative);
    }
  }
  return found;
}

/** Comments out of the way, so an import quoted in a comment is not an arrow. */
function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

// `import x from './a.js'`, `import type {…} from`, `export … from`, `import './a.js'`, `import('./a.js')`.
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function resolve(from: string, specifier: string, known: Set<string>): string | undefined {
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const candidates = [target, target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target.replace(/\.mjs$/, '.mts'), `${target}.ts`, `${target}/index.ts`];
  return candidates.find((candidate) => known.has(candidate));
}

/** Every relative import between the repository's own source files (packages are not arrows). */
export function readImportGraph(root: string): ImportGraph {
  const files = sourceFiles(root);
  const known = new Set(files);
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const source = withoutComments(readFileSync(path.join(root, file), 'utf8'));
    for (const match of source.matchAll(SPECIFIER)) {
      const to = resolve(file, (match[1] ?? match[2])!, known);
      if (to && to !== file) edges.push({ from: file, to });
    }
  }
  return { files, edges };
}

interface Place {
  layer: number;
  /** Position among the domains (their order), or the role's name. */
  place: string;
  index: number;
}

function placeOf(file: string): Place | 'island' | undefined {
  const top = file.split('/')[0]!;
  if (ISLANDS.includes(top)) return 'island';
  for (const [layer, { places }] of LAYERS.entries()) {
    const index = (places as readonly string[]).indexOf(top);
    if (index >= 0) return { layer, place: top, index };
  }
  return undefined;
}

/** Strongly connected components of more than one file (Tarjan), each an import circle. */
function circles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of graph.edges) next.set(from, [...(next.get(from) ?? []), to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (file: string) => {
    index.set(file, counter);
    low.set(file, counter);
    counter += 1;
    stack.push(file);
    onStack.add(file);
    for (const to of next.get(file) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(file, Math.min(low.get(file)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(file, Math.min(low.get(file)!, index.get(to)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const file of graph.files) if (!index.has(file)) visit(file);
  return found;
}

export function checkLayers(graph: ImportGraph): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const { from, to } of graph.edges) {
    const source = placeOf(from);
    const target = placeOf(to);
    if (source === undefined || target === undefined) continue;
    if (source === 'island' || target === 'island') {
      if (source !== target) violations.push({ rule: 'island', message: `${from} → ${to}: web/ imports only itself, and nothing imports it` });
      continue;
    }
    if (target.layer > source.layer) {
      violations.push({ rule: 'upward', message: `${from} → ${to}: ${LAYERS[source.layer]!.name} (${source.place}) may not import ${LAYERS[target.layer]!.name} (${target.place})` });
    } else if (source.layer === target.layer && source.place !== target.place) {
      if (LAYERS[source.layer]!.name === 'domains' && target.index > source.index) {
        violations.push({ rule: 'sideways-domain', message: `${from} → ${to}: domain ${source.place} may import only the domains before it (${LAYERS[1].places.slice(0, source.index).join(', ') || 'none'})` });
      } else if (LAYERS[source.layer]!.name === 'roles') {
        violations.push({ rule: 'role-to-role', message: `${from} → ${to}: role ${source.place} may not import role ${target.place}; share it through a domain module or lib/` });
      }
    }
  }
  for (const circle of circles(graph)) violations.push({ rule: 'circle', message: `import circle: ${circle.join(' ↔ ')}` });
  return violations;
}

function main(): void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..').replace(/\/dist$/, '');
  const graph = readImportGraph(root);
  const violations = checkLayers(graph);
  for (const violation of violations) process.stderr.write(`${violation.rule}: ${violation.message}\n`);
  process.stdout.write(`${graph.files.length} files, ${graph.edges.length} imports, ${violations.length} layer violations\n`);
  process.exitCode = violations.length > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) main();
