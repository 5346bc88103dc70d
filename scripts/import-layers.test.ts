import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLayers, readImportGraph, type ImportGraph } from './import-layers.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The import graph of a throwaway tree holding these files. */
function graphOf(files: Record<string, string>): ImportGraph {
  const root = mkdtempSync(path.join(tmpdir(), 'corral-layers-'));
  try {
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), source);
    }
    return readImportGraph(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('import layers', () => {
  it('the repository imports only downward and has no import circle', () => {
    const graph = readImportGraph(repoRoot);
    // The reader really sees the code's arrows (a broken reader would find nothing to break).
    expect(graph.edges).toContainEqual({ from: 'api/hold-routes.ts', to: 'booking/booking-keys.ts' });
    expect(graph.edges).toContainEqual({ from: 'waiting-room/queue-tokens.ts', to: 'lib/tokens/signed-tokens.ts' });
    expect(graph.edges.length).toBeGreaterThan(300);
    expect(checkLayers(graph).map((violation) => violation.message)).toEqual([]);
  });

  it('names an upward import, a domain importing a later domain, a role importing a role, web, and circles', () => {
    const graph = graphOf({
      'lib/config.ts': "import { reserve } from '../booking/reserve.js';\n",
      'booking/reserve.ts': "import type { Hit } from '../search/hits.js';\nexport const reserve = 1;\n",
      'search/hits.ts': "export type Hit = string;\n",
      'api/routes.ts': "import { tick } from '../admission/ticker.js';\n",
      'admission/ticker.ts': "export const tick = 1;\n",
      'web/src/app.tsx': "import { reserve } from '../../booking/reserve.js';\n",
      'catalog/a.ts': "export { b } from './b.js';\n// import { c } from './c.js';\n",
      'catalog/b.ts': "import { a } from './a.js';\nconst later = await import('./c.js');\n",
      'catalog/c.ts': "/* import { a } from './a.js'; */ export const c = 1;\n",
    });
    const violations = checkLayers(graph);
    expect(violations.map((violation) => violation.rule).sort()).toEqual(['circle', 'island', 'role-to-role', 'sideways-domain', 'upward']);
    expect(violations.find((violation) => violation.rule === 'circle')!.message).toBe('import circle: catalog/a.ts ↔ catalog/b.ts');
    expect(violations.find((violation) => violation.rule === 'upward')!.message).toContain('lib/config.ts → booking/reserve.ts');
  });

  it('takes a lower domain, lib/ from a role and an entry point importing anything', () => {
    const graph = graphOf({
      'lib/ids.ts': "export const id = 1;\n",
      'waiting-room/keys.ts': "import { id } from '../lib/ids.js';\n",
      'booking/keys.ts': "import { id } from '../lib/ids.js';\nimport '../waiting-room/keys.js';\n",
      'workers/role.ts': "import '../booking/keys.js';\n",
      'scripts/cli.ts': "import '../workers/role.js';\n",
    });
    expect(graph.edges).toHaveLength(5);
    expect(checkLayers(graph)).toEqual([]);
  });
});
