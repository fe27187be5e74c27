// Shared by the state tests: drive the reducer through a story and collect effects.
import { step, initialState } from '../widget/state.js';

export const AT = '2024-05-01T10:00:00.000Z';

export function run(events, state = initialState) {
  const effects = [];
  for (const ev of events) {
    const r = step(state, { at: AT, ...ev });
    state = r.state;
    effects.push(...r.effects);
  }
  return { state, effects };
}

export const msg = (id, role, text, time) => ({
  Id: id, Type: 'MESSAGE', ContentType: 'text/plain', Content: text, ParticipantRole: role, AbsoluteTime: time,
  DisplayName: role === 'AGENT' ? 'Ava' : 'Customer',
});

/** A connected chat-only conversation on contact `chat-1`. */
export const chatting = [
  { type: 'START_CHAT' },
  { type: 'CHAT_STARTED', contactId: 'chat-1', participantToken: 'pt-1' },
  { type: 'CHAT_CONNECTED', contactId: 'chat-1', connectionToken: 'ct-1' },
];

/** Mulberry32: a tiny seeded generator so that a failing property run can be replayed from its seed. */
export function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
