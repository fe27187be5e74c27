// Pure helpers for the agent's contacts. A "conversation" groups a chat contact with the voice contact escalated from
// it (linked by relatedContactId, either direction): one panel shows the chat and the call together.

/** Root contactId of the conversation `id` belongs to: follow relatedContactId while we know the related contact. */
export function rootOf(contacts, id) {
  const seen = new Set();
  let cur = contacts.get(id);
  while (cur && cur.relatedContactId && contacts.has(cur.relatedContactId) && !seen.has(cur.contactId)) {
    seen.add(cur.contactId);
    cur = contacts.get(cur.relatedContactId);
  }
  return cur ? cur.contactId : id;
}

/** Every contact of the conversation `id` belongs to, oldest link first. */
export function groupOf(contacts, id) {
  const root = rootOf(contacts, id);
  return [...contacts.values()].filter((c) => rootOf(contacts, c.contactId) === root);
}

/**
 * The contact whose transcript the panel shows and the agent writes to: the chat contact while it lives (escalated
 * calls keep chatting there), else a voice contact (voice + chat mode chats on the voice contact itself).
 */
export function chatTargetOf(group) {
  const chats = group.filter((c) => c.channel === 'chat');
  return chats.find((c) => !c.ended) || (chats.length ? chats[chats.length - 1] : null) ||
    group.find((c) => c.channel === 'voice' && !c.ended) || group[group.length - 1] || null;
}

/** The voice contact to show controls for: the live one, else the latest one. */
export function voiceOf(group) {
  const voices = group.filter((c) => c.channel === 'voice');
  return voices.find((c) => !c.ended) || voices[voices.length - 1] || null;
}

/** Words for an offer, naming the conversation it continues when it is an escalation of one of ours. */
export function describeOffer(offer, contacts) {
  const who = offer.customerName || 'Customer';
  const related = offer.relatedContactId ? contacts.get(offer.relatedContactId) : null;
  if (offer.channel === 'voice') {
    return related
      ? { title: `Voice call from ${who}`, link: `Continues your chat with ${related.customerName || who}` }
      : { title: `Voice call from ${who}`, link: null };
  }
  return related
    ? { title: `Chat from ${who}`, link: `Linked to your call with ${related.customerName || who}` }
    : { title: `Chat from ${who}`, link: null };
}
