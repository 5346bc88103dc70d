// Writes the Grafana dashboards (scripts/dashboards/) as JSON into charts/corral/dashboards/, where
// the chart ships them as ConfigMaps for Grafana's sidecar. `--check` writes nothing and exits 1 if
// a committed file differs from what the code generates.
//   npm run dashboards [-- --check]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DASHBOARDS_DIR, dashboardFiles } from './dashboards/corral-dashboards.js';

function main(): void {
  const check = process.argv.includes('--check');
  const directory = path.resolve(DASHBOARDS_DIR);
  const stale: string[] = [];
  if (!check) mkdirSync(directory, { recursive: true });
  for (const [file, text] of Object.entries(dashboardFiles())) {
    const target = path.join(directory, file);
    if (check) {
      if (!existsSync(target) || readFileSync(target, 'utf8') !== text) stale.push(file);
    } else writeFileSync(target, text);
  }
  if (stale.length > 0) {
    console.error(`dashboards out of date (run npm run dashboards): ${stale.join(', ')}`);
    process.exit(1);
  }
}

main();
