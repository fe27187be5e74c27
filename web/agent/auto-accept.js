// The design's auto-accept (SPEC §7): a chat contact related to a call the agent is on joins that call's conversation
// without asking. The embedded engine decides this in routing; on Amazon Connect the agent's own application does,
// with this function over Amazon Connect Streams' contacts (docs/aws.md shows the wiring).

/**
 * Whether `incoming` ({ contactId, channel: 'chat' | 'voice', relatedContactId? }) should be accepted at once, given
 * the agent's `active` contacts ({ contactId, channel, state: 'connected' | ... }).
 */
export function shouldAutoAccept(incoming, active) {
  if (incoming?.channel !== 'chat' || !incoming.relatedContactId) return false;
  return active.some((c) => c.contactId === incoming.relatedContactId && c.channel === 'voice' && c.state === 'connected');
}
