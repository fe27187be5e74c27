// Transcript items of the Connect Participant Service: one merge used for live items, GetTranscript pages and
// optimistic local messages, so that a reconnect or a reload can never duplicate or reorder the conversation.

export const CONTENT_TYPES = Object.freeze({
  typing: 'application/vnd.amazonaws.connect.event.typing',
  chatEnded: 'application/vnd.amazonaws.connect.event.chat.ended',
  joined: 'application/vnd.amazonaws.connect.event.participant.joined',
  left: 'application/vnd.amazonaws.connect.event.participant.left',
});

const timeOf = (item) => {
  const t = Date.parse(item.AbsoluteTime);
  return Number.isNaN(t) ? Number.MAX_SAFE_INTEGER : t;
};

/**
 * Union of two item lists: one entry per `Id` (the newer copy wins, so a confirmed message replaces its pending
 * copy's fields), ordered by `AbsoluteTime`; items with equal times keep their first-seen order.
 * Returns `existing` itself when nothing changed, so callers can cheaply skip a re-render.
 */
export function mergeTranscript(existing, incoming) {
  if (!incoming || incoming.length === 0) return existing;
  const byId = new Map();
  const order = [];
  let changed = false;
  for (const item of existing) {
    if (!byId.has(item.Id)) order.push(item.Id);
    byId.set(item.Id, item);
  }
  for (const item of incoming) {
    if (!item || !item.Id) continue;
    const old = byId.get(item.Id);
    if (!old) order.push(item.Id);
    if (old !== item && !sameItem(old, item)) changed = true;
    byId.set(item.Id, old ? { ...old, ...item } : item);
  }
  if (!changed) return existing;
  const rank = new Map(order.map((id, i) => [id, i]));
  return order
    .map((id) => byId.get(id))
    .sort((a, b) => timeOf(a) - timeOf(b) || rank.get(a.Id) - rank.get(b.Id));
}

function sameItem(a, b) {
  if (!a) return false;
  for (const k of Object.keys(b)) if (a[k] !== b[k]) return false;
  return true;
}

/** customer | agent | system — the `data-role` of a rendered message. */
export function roleOf(item) {
  const r = String(item.ParticipantRole || 'SYSTEM').toLowerCase();
  return r === 'customer' || r === 'agent' ? r : 'system';
}

export const isTyping = (item) => item.Type === 'EVENT' && item.ContentType === CONTENT_TYPES.typing;
export const isChatEnded = (item) => item.Type === 'EVENT' && item.ContentType === CONTENT_TYPES.chatEnded;
export const isJoinOrLeave = (item) =>
  item.Type === 'EVENT' && (item.ContentType === CONTENT_TYPES.joined || item.ContentType === CONTENT_TYPES.left);

/** Items a person reads: messages, joins/leaves and the end of the chat. Typing and other events are not kept. */
export function isShown(item) {
  return item.Type === 'MESSAGE' || isJoinOrLeave(item) || isChatEnded(item);
}

/** Plain words for an event item shown in the conversation. */
export function describeEvent(item, { selfRole } = {}) {
  const who = item.DisplayName || (roleOf(item) === 'agent' ? 'An agent' : 'The customer');
  if (item.ContentType === CONTENT_TYPES.joined) {
    return roleOf(item) === selfRole ? 'You joined the conversation.' : `${who} joined the conversation.`;
  }
  if (item.ContentType === CONTENT_TYPES.left) {
    return roleOf(item) === selfRole ? 'You left the conversation.' : `${who} left the conversation.`;
  }
  if (item.ContentType === CONTENT_TYPES.chatEnded) return 'The chat has ended.';
  return '';
}

/** A local note in the conversation (e.g. "Voice call ended"); the `local-` prefix never collides with server Ids. */
export function localNote(seq, text, at) {
  return {
    Id: `local-${seq}`,
    Type: 'MESSAGE',
    ContentType: 'text/plain',
    Content: text,
    ParticipantRole: 'SYSTEM',
    AbsoluteTime: at,
    local: true,
  };
}
