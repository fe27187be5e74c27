// Exponential backoff with jitter, shared by every socket in the browser side.
// Jitter spreads reconnects so that a restarting node is not hit by every client at the same instant.

/** Delay in ms before reconnect attempt `attempt` (0-based). Pure, so it can be unit tested with a fixed `random`. */
export function backoffDelay(attempt, { baseMs = 500, maxMs = 15000, factor = 2, jitter = 0.2, random = Math.random } = {}) {
  const n = Math.max(0, Math.floor(attempt));
  const raw = Math.min(maxMs, baseMs * Math.pow(factor, n));
  // Symmetric jitter of ±jitter*raw, never above maxMs and never negative.
  const spread = raw * jitter * (random() * 2 - 1);
  return Math.round(Math.min(maxMs, Math.max(0, raw + spread)));
}

/** Counts attempts; `reset()` after a successful connection so the next outage starts fast again. */
export class Backoff {
  constructor(options = {}) {
    this.options = options;
    this.attempt = 0;
  }
  next() {
    const delay = backoffDelay(this.attempt, this.options);
    this.attempt += 1;
    return delay;
  }
  reset() {
    this.attempt = 0;
  }
}
