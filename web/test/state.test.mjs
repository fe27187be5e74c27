import { test } from 'node:test';
import assert from 'node:assert/strict';
import { step, next, viewOf, initialState, persisted, MESSAGES } from '../widget/state.js';
import { run, msg, chatting } from './helpers.mjs';

const types = (effects) => effects.map((e) => e.type);

test('start chat: starting → connect effect → connected; escalate shown but disabled', () => {
  const a = run([{ type: 'START_CHAT' }]);
  assert.equal(a.state.mode, 'chat-only');
  assert.deepEqual(types(a.effects), ['startChat']);
  const b = run(chatting);
  assert.deepEqual(types(b.effects), ['startChat', 'connectChat']);
  const v = viewOf(b.state);
  assert.equal(v.canType, true);
  assert.equal(v.showEscalate, true);
  assert.equal(v.escalateEnabled, false);
  assert.equal(v.voiceStatus, null);
});

test('enable_escalation enables only for the current chat contact, even when it arrives early', () => {
  const other = run([...chatting, { type: 'PUSH', push: { type: 'enable_escalation', eventId: '1-0', contactId: 'chat-9' } }]);
  assert.equal(viewOf(other.state).escalateEnabled, false);
  assert.equal(other.state.lastEventId, '1-0');
  // Push before the HTTP reply named the contact.
  const early = run([
    { type: 'START_CHAT' },
    { type: 'PUSH', push: { type: 'enable_escalation', eventId: '2-0', contactId: 'chat-1' } },
    ...chatting.slice(1),
  ]);
  assert.equal(viewOf(early.state).escalateEnabled, true);
});

test('escalation: startVoice with relatedContactId, voice leg joined, continue in chat disconnects it', () => {
  const { state, effects } = run([
    ...chatting,
    { type: 'ITEMS', contactId: 'chat-1', items: [msg('m1', 'CUSTOMER', 'hi', '2024-05-01T10:00:01Z')] },
    { type: 'PUSH', push: { type: 'enable_escalation', eventId: '1-0', contactId: 'chat-1' } },
    { type: 'ESCALATE' },
    { type: 'VOICE_STARTED', contactId: 'voice-1', participantToken: 'pv-1', connectionData: { x: 1 } },
    { type: 'VOICE_STATUS', contactId: 'voice-1', status: 'connected' },
  ]);
  assert.equal(state.mode, 'escalated');
  const start = effects.find((e) => e.type === 'startVoice');
  assert.equal(start.relatedContactId, 'chat-1');
  assert.equal(start.initiationMethod, 'Chat', 'design Property 2: an escalated call is initiated by chat');
  const join = effects.find((e) => e.type === 'joinVoice');
  assert.equal(join.chatsHere, false);
  const v = viewOf(state);
  assert.equal(v.showContinue, true);
  assert.equal(v.showEscalate, false);
  assert.equal(v.voiceStatus, 'connected');
  assert.equal(v.canType, true);
  const back = step(state, { type: 'CONTINUE_IN_CHAT', at: '2024-05-01T10:01:00Z' });
  assert.equal(back.state.mode, 'chat-only');
  assert.deepEqual(back.effects, [{ type: 'leaveVoice', contactId: 'voice-1', disconnect: true }]);
  assert.equal(viewOf(back.state).voiceStatus, 'ended');
  assert.ok(back.state.history.some((m) => m.Id === 'm1'));
  assert.equal(viewOf(back.state).escalateEnabled, true, 'the chat is still with the agent: may escalate again');
});

test('escalate is ignored until enabled', () => {
  const { state, effects } = run([...chatting, { type: 'ESCALATE' }]);
  assert.equal(state.mode, 'chat-only');
  assert.ok(!effects.some((e) => e.type === 'startVoice'));
});

test('escalation failures: invalid related contact vs. service unavailable', () => {
  const base = [...chatting, { type: 'PUSH', push: { type: 'enable_escalation', contactId: 'chat-1' } }, { type: 'ESCALATE' }];
  const bad = run([...base, { type: 'START_FAILED', what: 'escalate', transient: false }]).state;
  assert.equal(bad.mode, 'chat-only');
  assert.deepEqual(bad.error, { message: MESSAGES.escalationFailed, retry: 'newChat' });
  const busy = run([...base, { type: 'START_FAILED', what: 'escalate', transient: true }]).state;
  assert.deepEqual(busy.error, { message: MESSAGES.unavailable, retry: 'escalate' });
  const retried = step(busy, { type: 'RETRY' });
  assert.equal(retried.state.mode, 'escalated');
  assert.deepEqual(types(retried.effects), ['startVoice']);
});

test('voice+chat: one voice contact, chat runs on its participant token', () => {
  const { state, effects } = run([
    { type: 'START_VOICE' },
    { type: 'VOICE_STARTED', contactId: 'voice-2', participantToken: 'pv-2', connectionData: {} },
  ]);
  assert.equal(state.mode, 'voice-chat');
  assert.equal(state.chat.contactId, 'voice-2');
  assert.equal(state.chat.participantToken, 'pv-2');
  assert.deepEqual(types(effects), ['startVoice', 'connectChat', 'joinVoice']);
  assert.equal(effects[0].relatedContactId, null);
  assert.equal(effects[0].initiationMethod, 'Voice');
  const v = viewOf(next(state, { type: 'CHAT_CONNECTED', contactId: 'voice-2', connectionToken: 'c' }));
  assert.equal(v.showEscalate, false);
  assert.equal(v.showContinue, false);
  assert.equal(v.voiceStatus, 'connecting');
  assert.equal(v.canType, true);
});

test('start chat failure shows the unavailable message with retry', () => {
  const s = run([{ type: 'START_CHAT' }, { type: 'START_FAILED', what: 'chat', transient: true }]).state;
  assert.equal(s.mode, 'none');
  assert.deepEqual(s.error, { message: MESSAGES.unavailable, retry: 'startChat' });
  const r = step(s, { type: 'RETRY' });
  assert.deepEqual(types(r.effects), ['startChat']);
  assert.equal(r.state.error, null);
});

test('optimistic send: pending copy replaced by the confirmed one, echo deduped either order', () => {
  const echo = msg('srv-1', 'CUSTOMER', 'hello', '2024-05-01T10:00:02Z');
  const sendEv = { type: 'SEND', text: ' hello ', clientToken: 'k1', at: '2024-05-01T10:00:02Z' };
  const sent = { type: 'SENT', clientToken: 'k1', id: 'srv-1', absoluteTime: '2024-05-01T10:00:02Z' };
  const echoEv = { type: 'ITEMS', contactId: 'chat-1', items: [echo] };
  for (const order of [[sendEv, sent, echoEv], [sendEv, echoEv, sent]]) {
    const { state, effects } = run([...chatting, ...order]);
    assert.deepEqual(state.history.map((m) => m.Id), ['srv-1']);
    assert.equal(effects.filter((e) => e.type === 'sendMessage').length, 1);
    // Never two copies on screen, not even between the echo and SendMessage's answer.
    for (let n = 1; n <= order.length; n += 1) {
      const shown = run([...chatting, ...order.slice(0, n)]).state.history;
      assert.equal(shown.length, 1, `after ${order.slice(0, n).map((e) => e.type).join(', ')}`);
    }
  }
});

test('an echo replaces only a pending copy with the same text, and never an older message', () => {
  const old = msg('srv-0', 'CUSTOMER', 'yes', '2024-05-01T10:00:01Z');
  const { state } = run([
    ...chatting,
    { type: 'ITEMS', contactId: 'chat-1', items: [old] },
    { type: 'SEND', text: 'yes', clientToken: 'k1', at: '2024-05-01T10:00:02Z' },
    { type: 'SEND', text: 'no', clientToken: 'k2', at: '2024-05-01T10:00:03Z' },
    { type: 'ITEMS', contactId: 'chat-1', items: [old] }, // catch-up repeats the older "yes": not an echo
    { type: 'ITEMS', contactId: 'chat-1', items: [msg('srv-2', 'CUSTOMER', 'no', '2024-05-01T10:00:03Z')] },
  ]);
  assert.deepEqual(state.history.map((m) => m.Id), ['srv-0', 'pending-k1', 'srv-2']);
});

test('typing indicator: set by agent typing, cleared by agent message and by timeout', () => {
  const typing = { Id: 't1', Type: 'EVENT', ContentType: 'application/vnd.amazonaws.connect.event.typing', ParticipantRole: 'AGENT', AbsoluteTime: '2024-05-01T10:00:03Z' };
  let s = run([...chatting, { type: 'ITEMS', contactId: 'chat-1', items: [typing] }]).state;
  assert.equal(viewOf(s).agentTyping, true);
  assert.equal(s.history.length, 0, 'typing is not history');
  assert.equal(next(s, { type: 'TYPING_EXPIRED' }).agentTyping, false);
  s = next(s, { type: 'ITEMS', contactId: 'chat-1', items: [msg('a1', 'AGENT', 'hi', '2024-05-01T10:00:04Z')] });
  assert.equal(s.agentTyping, false);
  assert.equal(s.agentName, 'Ava');
});

test('chat ended event ends the conversation and an escalated voice leg', () => {
  const ended = { Id: 'e1', Type: 'EVENT', ContentType: 'application/vnd.amazonaws.connect.event.chat.ended', ParticipantRole: 'SYSTEM', AbsoluteTime: '2024-05-01T10:05:00Z' };
  const { state, effects } = run([
    ...chatting,
    { type: 'PUSH', push: { type: 'enable_escalation', contactId: 'chat-1' } },
    { type: 'ESCALATE' },
    { type: 'VOICE_STARTED', contactId: 'voice-1', participantToken: 'pv', connectionData: {} },
    { type: 'ITEMS', contactId: 'chat-1', items: [ended] },
  ]);
  assert.equal(state.chat.status, 'ended');
  assert.equal(state.voice.status, 'ended');
  const v = viewOf(state);
  assert.equal(v.showStart, true);
  assert.equal(v.canType, false);
  assert.equal(v.showContinue, false);
  assert.ok(effects.some((e) => e.type === 'leaveVoice' && e.contactId === 'voice-1' && e.disconnect));
});

test('server forgot us after a restart: clear message and a new chat on retry', () => {
  const s = run([...chatting, { type: 'CHAT_ENDED', contactId: 'chat-1', gone: true }]).state;
  assert.deepEqual(s.error, { message: MESSAGES.chatGone, retry: 'newChat' });
  const r = step(s, { type: 'RETRY' });
  assert.deepEqual(types(r.effects), ['startChat']);
});

test('reconnect: failed → retry → reconnecting → connected clears the error', () => {
  let s = run([...chatting, { type: 'CHAT_RECONNECTING', contactId: 'chat-1' }]).state;
  assert.equal(viewOf(s).canType, false);
  s = next(s, { type: 'CHAT_FAILED', contactId: 'chat-1' });
  assert.equal(s.error.retry, 'reconnect');
  const r = step(s, { type: 'RETRY' });
  assert.deepEqual(types(r.effects), ['reconnectChat']);
  s = next(r.state, { type: 'CHAT_CONNECTED', contactId: 'chat-1', connectionToken: 'ct-2' });
  assert.equal(s.error, null);
  assert.equal(s.chat.connectionToken, 'ct-2');
});

test('persist and restore: escalated conversation comes back with chat and voice effects', () => {
  const live = run([
    ...chatting,
    { type: 'PUSH', push: { type: 'enable_escalation', eventId: '5-0', contactId: 'chat-1' } },
    { type: 'ESCALATE' },
    { type: 'VOICE_STARTED', contactId: 'voice-1', participantToken: 'pv', connectionData: { Meeting: {} } },
  ]).state;
  const saved = JSON.parse(JSON.stringify(persisted(live)));
  const { state, effects } = step(initialState, { type: 'RESTORE', saved });
  assert.equal(state.mode, 'escalated');
  assert.equal(state.lastEventId, '5-0');
  assert.deepEqual(types(effects), ['connectChat', 'joinVoice']);
  assert.equal(effects[0].restore, true);
  // Without connection data the voice leg is not recoverable: back to chat-only.
  const noVoice = step(initialState, { type: 'RESTORE', saved: { ...saved, voice: { ...saved.voice, connectionData: undefined } } });
  assert.equal(noVoice.state.mode, 'chat-only');
  assert.deepEqual(types(noVoice.effects), ['connectChat']);
});

test('nothing to restore after the conversation ended', () => {
  const s = run([...chatting, { type: 'END' }]).state;
  assert.equal(persisted(s).chat, null);
});

test('END disconnects the chat and leaves the widget ready for a new one', () => {
  const { state, effects } = run([...chatting, { type: 'END' }]);
  assert.deepEqual(types(effects).slice(-2), ['endContact', 'closeChat']);
  assert.equal(viewOf(state).showStart, true);
  const again = step(state, { type: 'START_CHAT' });
  assert.deepEqual(types(again.effects), ['startChat']);
});

test('an escalation this page cannot join says why, offers no retry, and the chat goes on', () => {
  const { state } = run([
    ...chatting,
    { type: 'PUSH', push: { type: 'enable_escalation', eventId: '1-0', contactId: 'chat-1' } },
    { type: 'ESCALATE' },
    { type: 'START_FAILED', what: 'escalate', transient: false, message: 'Calls are not available on this page yet.' },
  ]);
  assert.equal(state.mode, 'chat-only');
  assert.equal(state.voice, null);
  assert.deepEqual(state.error, { message: 'Calls are not available on this page yet.', retry: null });
  assert.equal(state.chat.status, 'connected');
  assert.equal(viewOf(state).canType, true);
});

test('a voice+chat start this page cannot join says why and offers no retry', () => {
  const { state } = run([
    { type: 'START_VOICE' },
    { type: 'START_FAILED', what: 'voice', transient: false, message: 'Calls are not available on this page yet.' },
  ]);
  assert.equal(state.mode, 'none');
  assert.deepEqual(state.error, { message: 'Calls are not available on this page yet.', retry: null });
});

test('registered gives a widget that has seen no push its replay position; one that has keeps its own', () => {
  const fresh = run([...chatting, { type: 'REGISTERED', lastEventId: '0-0' }]).state;
  assert.equal(fresh.lastEventId, '0-0');
  assert.equal(persisted(fresh).lastEventId, '0-0', 'kept across a reload too');
  const seen = run([...chatting, { type: 'PUSH', push: { type: 'agent_connected', eventId: '5-0', contactId: 'chat-1' } },
    { type: 'REGISTERED', lastEventId: '9-0' }]).state;
  assert.equal(seen.lastEventId, '5-0');
});
