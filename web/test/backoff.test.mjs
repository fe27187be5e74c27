import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, Backoff } from '../shared/backoff.js';
import { ReconnectingSocket } from '../shared/reconnecting-socket.js';
import { seeded } from './helpers.mjs';

test('delays double from the base and stop at the cap (no jitter)', () => {
  const o = { baseMs: 500, maxMs: 15000, jitter: 0 };
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, o)), [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
});

test('jitter stays within ±20% and under the cap, never negative', () => {
  const rand = seeded(7);
  for (let n = 0; n < 2000; n += 1) {
    const attempt = n % 12;
    const raw = Math.min(15000, 500 * 2 ** attempt);
    const d = backoffDelay(attempt, { random: rand });
    assert.ok(d >= Math.floor(raw * 0.8) && d <= Math.min(15000, Math.ceil(raw * 1.2)), `attempt ${attempt}: ${d}`);
  }
  assert.equal(backoffDelay(0, { random: () => 0 }), 400);
  assert.equal(backoffDelay(0, { random: () => 1 }), 600);
  assert.equal(backoffDelay(-3, { jitter: 0 }), 500);
});

test('Backoff counts attempts and reset starts over', () => {
  const b = new Backoff({ jitter: 0 });
  assert.deepEqual([b.next(), b.next(), b.next()], [500, 1000, 2000]);
  b.reset();
  assert.equal(b.next(), 500);
});

// A fake WebSocket the test controls, to check reconnect behaviour without a server.
class FakeSocket {
  static all = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    FakeSocket.all.push(this);
  }
  send(data) { this.sent.push(JSON.parse(data)); }
  close(code = 1000) { this.readyState = 3; this.closedWith = code; }
  open() { this.readyState = 1; this.onopen?.(); }
  receive(obj) { this.onmessage?.({ data: JSON.stringify(obj) }); }
  drop(code = 1012) { this.readyState = 3; this.onclose?.({ code }); }
}

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test('ReconnectingSocket re-sends its first frames after a drop and resets backoff once the server answers', async () => {
  FakeSocket.all = [];
  const delays = [];
  const backoff = new Backoff({ baseMs: 1, maxMs: 4, jitter: 0 });
  const origNext = backoff.next.bind(backoff);
  backoff.next = () => { const d = origNext(); delays.push(d); return d; };
  const statuses = [];
  const got = [];
  const sock = new ReconnectingSocket({
    url: 'ws://x/ws', WebSocketImpl: FakeSocket, backoff,
    onOpen: (s) => s.send({ action: 'register' }),
    onMessage: (m) => got.push(m),
    onStatus: (s) => statuses.push(s),
  }).start();
  await tick();
  FakeSocket.all[0].open();
  assert.deepEqual(FakeSocket.all[0].sent, [{ action: 'register' }]);
  FakeSocket.all[0].drop(1012); // server restart
  await tick();
  FakeSocket.all[1].drop(1006); // still down
  await tick(10);
  FakeSocket.all[2].open();
  FakeSocket.all[2].receive({ type: 'registered' });
  assert.deepEqual(FakeSocket.all[2].sent, [{ action: 'register' }]);
  assert.deepEqual(got, [{ type: 'registered' }]);
  assert.deepEqual(delays, [1, 2]);
  assert.equal(backoff.attempt, 0, 'reset after the first answer');
  sock.close();
  assert.deepEqual(statuses, ['connecting', 'open', 'reconnecting', 'reconnecting', 'open', 'closed']);
});

test('ReconnectingSocket gives up after maxAttempts and stops on a refusing close code', async () => {
  FakeSocket.all = [];
  const statuses = [];
  new ReconnectingSocket({
    url: 'ws://x', WebSocketImpl: FakeSocket, backoff: new Backoff({ baseMs: 1, maxMs: 1, jitter: 0 }), maxAttempts: 2,
    onOpen() {}, onMessage() {}, onStatus: (s) => statuses.push(s),
  }).start();
  for (let i = 0; i < 3; i += 1) {
    await tick();
    FakeSocket.all[i].drop(1006);
  }
  await tick();
  assert.equal(statuses.at(-1), 'failed');
  assert.equal(FakeSocket.all.length, 3);

  FakeSocket.all = [];
  const s2 = [];
  new ReconnectingSocket({
    url: 'ws://x', WebSocketImpl: FakeSocket, shouldReconnect: (ev) => ev.code !== 1008,
    onOpen() {}, onMessage() {}, onStatus: (s) => s2.push(s),
  }).start();
  await tick();
  FakeSocket.all[0].drop(1008);
  await tick();
  assert.deepEqual(s2, ['connecting', 'failed']);
  assert.equal(FakeSocket.all.length, 1);
});

test('ReconnectingSocket: a URL provider refused for good fails at once; a transient one is retried', async () => {
  FakeSocket.all = [];
  const statuses = [];
  let calls = 0;
  new ReconnectingSocket({
    url: async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('down'), { transient: true });
      throw Object.assign(new Error('gone'), { transient: false });
    },
    WebSocketImpl: FakeSocket, backoff: new Backoff({ baseMs: 1, jitter: 0 }),
    onOpen() {}, onMessage() {}, onStatus: (s) => statuses.push(s),
  }).start();
  await tick(20);
  assert.equal(calls, 2);
  assert.deepEqual(statuses, ['connecting', 'reconnecting', 'failed']);
});
