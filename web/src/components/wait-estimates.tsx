// Estimate vs actual on the organizer dashboard: for the last fans admitted, the wait their page showed
// when they joined beside the wait they had (join → admitted), the median error and how many were let
// in on time, with the errors as a sparkline (oldest first). Polled every 5 s from the admission role.
import { useState } from 'react';
import { formatDuration } from '../format';
import { requestJson } from '../http';
import { usePolling } from '../use-now';
import { Sparkline } from './sparkline';

interface WaitSample {
  number: number;
  joinedAtMs: number;
  admittedAtMs: number;
  estimatedWaitSeconds: number;
  actualWaitSeconds: number;
  errorSeconds: number;
}

interface WaitEstimatesReply {
  samples: WaitSample[];
  summary: { count: number; medianErrorSeconds: number | null; medianAbsoluteErrorSeconds: number | null; onTimeShare: number | null };
}

const ROWS = 10;

function signed(seconds: number): string {
  if (seconds === 0) return 'on the dot';
  return `${formatDuration(Math.abs(seconds))} ${seconds > 0 ? 'longer' : 'sooner'}`;
}

export function WaitEstimates({ url, enabled }: { url: string; enabled: boolean }) {
  const [reply, setReply] = useState<WaitEstimatesReply>();
  usePolling(
    async () => {
      try {
        setReply(await requestJson<WaitEstimatesReply>(url, { credentials: true }));
      } catch {
        setReply(undefined); // the stats tile above already says why
      }
    },
    5000,
    enabled,
    url,
  );
  if (reply === undefined) return null;
  const { samples, summary } = reply;
  return (
    <div className="card stack" aria-label="Wait estimates" role="group" data-testid="wait-estimates">
      <h2>Estimate vs actual wait</h2>
      {summary.count === 0 ? (
        <p className="muted">No admitted fan yet: each fan's first pass compares the wait shown at join with the wait they had.</p>
      ) : (
        <>
          <p>
            Last {summary.count} admitted: median error <strong data-testid="wait-median-error">{signed(summary.medianErrorSeconds ?? 0)}</strong> (median miss{' '}
            {formatDuration(summary.medianAbsoluteErrorSeconds ?? 0)}), {Math.round((summary.onTimeShare ?? 0) * 100)} % let in no later than promised.
          </p>
          <Sparkline values={samples.map((sample) => sample.errorSeconds).reverse()} label="Actual minus estimated wait, seconds" />
          <table className="wait-estimates">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Shown at join</th>
                <th scope="col">Actual wait</th>
                <th scope="col">Difference</th>
              </tr>
            </thead>
            <tbody>
              {samples.slice(0, ROWS).map((sample) => (
                <tr key={`${sample.number}-${sample.admittedAtMs}`}>
                  <td>{sample.number}</td>
                  <td>{formatDuration(sample.estimatedWaitSeconds)}</td>
                  <td>{formatDuration(sample.actualWaitSeconds)}</td>
                  <td>{signed(sample.errorSeconds)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
