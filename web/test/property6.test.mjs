// Design Property 6: chat-only → escalated → chat-only keeps the history and a consistent UI state.
// Random event sequences (seeded, so a failure names its seed and can be replayed) drive the real reducer;
// after every step the history must still hold every item it held before, and the UI flags must fit the mode.
// A failing sequence is shrunk to the fewest events that still fail, and printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, viewOf, initialState, persisted } from '../widget/state.js';
import { seeded, msg } from './helpers.mjs';

const RUNS = 500;
const TYPING = 'application/vnd.amazonaws.connect.event.typing';

function makeGenerator(rand) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  let n = 0;
  let clock = Date.parse('2024-05-01T10:00:00Z');
  const contacts = ['chat-1', 'voice-1', 'chat-other'];
  return (state) => {
    n += 1;
    clock += Math.floor(rand() * 5000) - 1000; // out-of-order times too: the merge must sort them
    const at = new Date(clock).toISOString();
    const chatId = state.chat?.contactId || 'chat-1';
    const voiceId = state.voice?.contactId || 'voice-1';
    // [weight, event]: the happy path is weighted up so that sequences often reach escalated and come back.
    const events = [
      [3, { type: 'CHAT_STARTED', contactId: 'chat-1', participantToken: 'pt' }],
      [4, { type: 'CHAT_CONNECTED', contactId: chatId, connectionToken: `ct-${n}` }],
      [4, { type: 'PUSH', push: { type: 'enable_escalation', eventId: `${n}-0`, contactId: pick([chatId, 'chat-other']) } }],
      [6, { type: 'ESCALATE' }],
      [4, { type: 'VOICE_STARTED', contactId: 'voice-1', participantToken: 'pv', connectionData: { Meeting: {} } }],
      [3, { type: 'VOICE_STATUS', contactId: voiceId, status: pick(['connecting', 'connected', 'connected', 'ended']) }],
      [4, { type: 'CONTINUE_IN_CHAT' }],
      [1, { type: 'PUSH', push: { type: 'contact_ended', eventId: `${n}-1`, contactId: voiceId, channel: 'VOICE' } }],
      [1, { type: 'PUSH', push: { type: 'agent_connected', eventId: `${n}-2`, contactId: chatId, channel: 'CHAT' } }],
      [1, { type: 'ITEMS', contactId: chatId, items: [msg(`m${n}`, pick(['CUSTOMER', 'AGENT']), `text ${n}`, at)] }],
      [1, { type: 'ITEMS', contactId: chatId, items: [msg(`m${Math.max(1, n - 3)}`, 'AGENT', 'dup', at)] }], // duplicate Id
      [1, { type: 'ITEMS', contactId: chatId, items: [{ Id: `t${n}`, Type: 'EVENT', ContentType: TYPING, ParticipantRole: 'AGENT', AbsoluteTime: at }] }],
      [1, { type: 'TYPING_EXPIRED' }],
      [1, { type: 'SEND', text: `hello ${n}`, clientToken: `k${n}`, at }],
      [1, { type: 'SENT', clientToken: `k${n - 1}`, id: `s${n - 1}`, absoluteTime: at }],
      // The server's echo of that message (same Id as its SENT), which may come before or after SENT.
      [1, { type: 'ITEMS', contactId: chatId, items: [msg(`s${n - 1}`, 'CUSTOMER', `hello ${n - 1}`, at)] }],
      [1, { type: 'SEND_FAILED', clientToken: `k${n - 2}` }],
      [1, { type: 'START_FAILED', what: 'escalate', transient: rand() < 0.5 }],
      [1, { type: 'VOICE_FAILED', contactId: voiceId, message: 'mic' }],
      [1, { type: 'CHAT_RECONNECTING', contactId: chatId }],
      [1, { type: 'DISMISS_ERROR' }],
      [1, { type: 'RETRY' }],
      [1, { type: 'OPEN' }],
      [1, { type: 'CLOSE' }],
      [1, { type: 'RESTORE_ROUNDTRIP' }], // reload: persist, then restore from what was saved
      [1, { type: 'END' }],
      [1, { type: 'START_CHAT' }],
    ];
    const total = events.reduce((sum, [w]) => sum + w, 0);
    let r = rand() * total;
    const [, ev] = events.find(([w]) => (r -= w) < 0) || events[events.length - 1];
    return { ...ev, at, contacts };
  };
}

/** Every UI flag must follow from the mode and the legs' statuses. */
function assertConsistent(s, v, ctx) {
  const voiceLive = ['starting', 'connecting', 'connected'].includes(s.voice?.status);
  const chatLive = s.chat && s.chat.status !== 'ended';
  assert.ok(['none', 'chat-only', 'escalated', 'voice-chat'].includes(s.mode), ctx);
  assert.ok([null, 'connecting', 'connected', 'ended'].includes(v.voiceStatus), ctx);
  if (v.escalateEnabled) {
    assert.equal(s.mode, 'chat-only', ctx);
    assert.ok(v.showEscalate && v.canType, ctx);
    assert.ok(s.escalationEnabledFor.includes(s.chat.contactId), `${ctx}: enabled only for the current chat contact`);
  }
  if (v.showEscalate) assert.equal(s.mode, 'chat-only', ctx);
  if (v.showContinue) assert.ok(s.mode === 'escalated' && voiceLive, ctx);
  if (s.mode === 'chat-only') {
    assert.ok(!voiceLive, `${ctx}: chat-only never has a live voice leg`);
    assert.ok(v.voiceStatus === null || v.voiceStatus === 'ended', ctx);
    assert.equal(v.showContinue, false, ctx);
    assert.equal(v.showEscalate, Boolean(chatLive), ctx);
  }
  if (s.mode === 'escalated') {
    assert.ok(chatLive, `${ctx}: escalated always has its chat`);
    assert.ok(voiceLive, `${ctx}: escalated always has its voice leg`);
    assert.ok(['connecting', 'connected'].includes(v.voiceStatus), ctx);
    assert.equal(v.showEscalate, false, ctx);
    assert.equal(v.showContinue, true, ctx);
  }
  if (s.mode === 'none') assert.ok(!chatLive, `${ctx}: a live conversation always has a mode`);
  if (s.mode === 'voice-chat') {
    assert.equal(v.showEscalate, false, ctx);
    assert.equal(v.showContinue, false, ctx);
    assert.notEqual(v.voiceStatus, null, ctx);
  }
  if (!chatLive) {
    assert.ok(!voiceLive, `${ctx}: no voice without a live conversation`);
    assert.equal(v.canType, false, ctx);
    assert.equal(v.showStart, true, ctx);
  }
  assert.equal(v.showStart, !chatLive, ctx);
  if (v.canType) assert.equal(s.chat.status, 'connected', ctx);
  // History order: by time, no duplicate Ids.
  const ids = s.history.map((m) => m.Id);
  assert.equal(new Set(ids).size, ids.length, `${ctx}: duplicate item in history`);
  for (let i = 1; i < s.history.length; i += 1) {
    assert.ok(Date.parse(s.history[i - 1].AbsoluteTime) <= Date.parse(s.history[i].AbsoluteTime), `${ctx}: history out of order`);
  }
}

/** Ids present before must be present after, allowing a pending copy to become its confirmed server Id. */
function assertKept(before, after, ev, ctx) {
  const ids = new Set(after.history.map((m) => m.Id));
  // Only a new conversation the user asked for (Start chat, or Retry on "Please try starting a new chat")
  // begins with an empty history.
  const newConversation = ['START_CHAT', 'RETRY'].includes(ev.type) && after.chat?.status === 'starting' &&
    before.chat !== after.chat && (before.error?.retry === 'newChat' || !(before.chat && before.chat.status !== 'ended'));
  if (newConversation) return;
  for (const m of before.history) {
    if (ids.has(m.Id)) continue;
    const confirmedAs = ev.type === 'SENT' && m.Id === `pending-${ev.clientToken}` && ids.has(ev.id);
    // Or its echo (the server's copy of the same text) arrived before SendMessage answered and took its place.
    const echoedAs = ev.type === 'ITEMS' && m.pending && after.history.some((h) =>
      h.Type === 'MESSAGE' && h.ParticipantRole === 'CUSTOMER' && !h.pending && h.Content === m.Content &&
      !before.history.some((b) => b.Id === h.Id));
    assert.ok(confirmedAs || echoedAs, `${ctx}: lost history item ${m.Id} on ${ev.type}`);
  }
}

/**
 * Runs one sequence from chat-only, checking the property after every step. `next(state, i)` gives the i-th event
 * (generated from the state, or replayed from a list). Returns the failure, or null, and what the run went through.
 */
function runSequence(length, next) {
  let s = step(initialState, { type: 'START_CHAT' }).state; // every sequence starts in chat-only, as the property does
  const events = [];
  let sawEscalated = false;
  let roundTrips = 0;
  for (let i = 0; i < length; i += 1) {
    const ev = next(s, i);
    events.push(ev);
    const ctx = `step ${i} (${ev.type})`;
    let after;
    try {
      if (ev.type === 'RESTORE_ROUNDTRIP') {
        // A reload forgets the rendered history and rebuilds it from GetTranscript; model that by
        // replaying the server-side items into the restored state.
        const restored = step(initialState, { type: 'RESTORE', saved: JSON.parse(JSON.stringify(persisted(s))) }).state;
        const serverItems = s.history.filter((m) => !m.local && !m.pending && !m.failed);
        after = restored.chat
          ? step(restored, { type: 'ITEMS', contactId: restored.chat.contactId, items: serverItems, catchUp: true }).state
          : restored;
        if (s.chat && s.chat.status !== 'ended') {
          for (const m of serverItems) assert.ok(after.history.some((h) => h.Id === m.Id), `${ctx}: reload lost ${m.Id}`);
        }
      } else {
        after = step(s, ev).state;
        assertKept(s, after, ev, ctx);
      }
      assertConsistent(after, viewOf(after), ctx);
    } catch (error) {
      return { failure: error.message, events, roundTrips };
    }
    if (after.mode === 'escalated') sawEscalated = true;
    if (sawEscalated && s.mode === 'escalated' && after.mode === 'chat-only') roundTrips += 1;
    s = after;
  }
  return { failure: null, events, roundTrips };
}

/** The shortest sub-sequence of `events` that still fails, found by dropping ever smaller chunks (delta debugging). */
function shrink(events) {
  const fails = (list) => runSequence(list.length, (_, i) => list[i]).failure !== null;
  let current = events;
  for (let chunk = Math.ceil(current.length / 2); chunk >= 1; chunk = chunk === 1 ? 0 : Math.ceil(chunk / 2)) {
    for (let start = 0; start < current.length;) {
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      if (candidate.length > 0 && fails(candidate)) current = candidate;
      else start += chunk;
    }
  }
  return current;
}

test(`Property 6: ${RUNS} random sequences keep history and a consistent UI`, () => {
  let escalatedRoundTrips = 0;
  for (let seed = 1; seed <= RUNS; seed += 1) {
    const rand = seeded(seed);
    const gen = makeGenerator(rand);
    const result = runSequence(20 + Math.floor(rand() * 60), (s) => gen(s));
    if (result.failure) {
      const minimal = shrink(result.events);
      const replay = runSequence(minimal.length, (_, i) => minimal[i]);
      assert.fail(`seed ${seed}: ${result.failure}\nshrunk from ${result.events.length} to ${minimal.length} events, ` +
        `failing with ${replay.failure}:\n${minimal.map((ev) => JSON.stringify(ev)).join('\n')}`);
    }
    escalatedRoundTrips += result.roundTrips;
  }
  // The generator must really exercise the property's path, or the test proves nothing.
  assert.ok(escalatedRoundTrips >= 100, `only ${escalatedRoundTrips} escalated → chat-only transitions`);
});

test('Property 6, the direct story: chat → escalated → chat keeps every message and re-enables chat flags', () => {
  for (let seed = 1; seed <= 100; seed += 1) {
    const rand = seeded(1000 + seed);
    let s = initialState;
    const apply = (ev) => (s = step(s, { at: new Date(Date.parse('2024-05-01T10:00:00Z') + Math.floor(rand() * 1e6)).toISOString(), ...ev }).state);
    apply({ type: 'START_CHAT' });
    apply({ type: 'CHAT_STARTED', contactId: 'c', participantToken: 'p' });
    apply({ type: 'CHAT_CONNECTED', contactId: 'c', connectionToken: 't' });
    const count = 1 + Math.floor(rand() * 10);
    for (let i = 0; i < count; i += 1) apply({ type: 'ITEMS', contactId: 'c', items: [msg(`a${i}`, rand() < 0.5 ? 'AGENT' : 'CUSTOMER', 'x', new Date(1714557600000 + i * 1000).toISOString())] });
    apply({ type: 'PUSH', push: { type: 'enable_escalation', contactId: 'c' } });
    const before = s.history.map((m) => m.Id);
    apply({ type: 'ESCALATE' });
    apply({ type: 'VOICE_STARTED', contactId: 'v', participantToken: 'pv', connectionData: {} });
    apply({ type: 'VOICE_STATUS', contactId: 'v', status: 'connected' });
    for (let i = 0; i < 3; i += 1) apply({ type: 'ITEMS', contactId: 'c', items: [msg(`b${i}`, 'AGENT', 'y', new Date(1714557700000 + i).toISOString())] });
    apply(rand() < 0.5 ? { type: 'CONTINUE_IN_CHAT' } : { type: 'PUSH', push: { type: 'contact_ended', contactId: 'v', channel: 'VOICE' } });
    const v = viewOf(s);
    assert.equal(s.mode, 'chat-only');
    for (const id of before) assert.ok(s.history.some((m) => m.Id === id), `seed ${seed}: lost ${id}`);
    assert.equal(v.canType, true);
    assert.equal(v.escalateEnabled, true);
    assert.equal(v.showContinue, false);
    assert.equal(v.voiceStatus, 'ended');
  }
});
