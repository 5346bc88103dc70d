// What the notifier suites share: a consumer group of their own that starts at the topics' current
// end (so it never mails what earlier runs left on the shared topics), readiness polling, a metric
// read from a role's /metrics, and a wait helper.
import type { Kafka } from 'kafkajs';
import type { RunningRole } from '../../../lib/role.js';
import { NOTIFIED_TOPICS } from '../../../workers/notifier/notification-messages.js';

/** Commits the group's offsets at the current end of every notified topic before it first runs. */
export async function groupAtTopicEnds(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of NOTIFIED_TOPICS) {
      const offsets = await admin.fetchTopicOffsets(topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })) });
    }
  } finally {
    await admin.disconnect();
  }
}

export async function readiness(role: RunningRole): Promise<{ status: number; dependencies: Record<string, { ok: boolean; error?: string }> }> {
  const response = await fetch(`${role.url}/readyz`, { signal: AbortSignal.timeout(15_000) });
  const body = (await response.json()) as { dependencies: Record<string, { ok: boolean; error?: string }> };
  return { status: response.status, dependencies: body.dependencies };
}

/** The value of one counter series on a role's /metrics (0 when absent). */
export async function counterValue(role: RunningRole, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${role.url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (wanted.every((pair) => labelText.split(',').includes(pair))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export async function waitFor(what: string, timeoutMs: number, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}
