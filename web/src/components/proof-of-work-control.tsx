// The organizer's control for the join's proof of work: leading zero bits each fan's browser must
// find before it may join (0 = off, at most 24). Each extra bit doubles a join's work; loadtests/README.md
// lists what each difficulty costs a browser.
import { useState, type FormEvent } from 'react';
import { problemMessage, requestJson } from '../http';

const MAX_BITS = 24;

export function ProofOfWorkControl({ base, currentBits }: { base: string; currentBits: number }) {
  const [bits, setBits] = useState('');
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = Number(bits);
    if (!Number.isInteger(value) || value < 0 || value > MAX_BITS) return setMessage(`The difficulty must be a whole number of bits from 0 (off) to ${MAX_BITS}.`);
    setPending(true);
    setMessage(undefined);
    try {
      await requestJson(`${base}/proof-of-work`, { method: 'POST', credentials: true, body: { proofOfWorkBits: value } });
      setMessage(value === 0 ? 'Browser check turned off: new joins need no work.' : `Browser check set to ${value} bits: new joins need about ${formatTries(2 ** value)} hashes.`);
      setBits('');
    } catch (problem) {
      setMessage(`Setting the browser check failed: ${problemMessage(problem)}`);
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={submit} className="row">
      <label htmlFor="proof-of-work-bits">Browser check before joining (proof-of-work bits, 0 = off; now {currentBits})</label>
      <input id="proof-of-work-bits" type="number" min={0} max={MAX_BITS} step={1} inputMode="numeric" value={bits} placeholder={String(currentBits)} onChange={(e) => setBits(e.target.value)} required />
      <button type="submit" disabled={pending}>Set check</button>
      <span role="status" aria-live="polite" data-testid="proof-of-work-message">{message}</span>
    </form>
  );
}

function formatTries(tries: number): string {
  return tries >= 1_000_000 ? `${Math.round(tries / 100_000) / 10} million` : tries.toLocaleString('en');
}
