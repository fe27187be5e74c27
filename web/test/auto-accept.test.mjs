import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shouldAutoAccept } from '../agent/auto-accept.js';

const call = { contactId: 'v1', channel: 'voice', state: 'connected' };

test('a chat related to the call the agent is on is accepted at once', () => {
  assert.equal(shouldAutoAccept({ contactId: 'c2', channel: 'chat', relatedContactId: 'v1' }, [call]), true);
});

test('anything else waits for the agent', () => {
  const cases = [
    [{ contactId: 'c2', channel: 'chat' }, [call]], // related to nothing
    [{ contactId: 'c2', channel: 'chat', relatedContactId: 'v9' }, [call]], // another call
    [{ contactId: 'c2', channel: 'chat', relatedContactId: 'v1' }, [{ ...call, state: 'ended' }]], // the call is over
    [{ contactId: 'c2', channel: 'chat', relatedContactId: 'v1' }, [{ ...call, channel: 'chat' }]], // related to a chat
    [{ contactId: 'v2', channel: 'voice', relatedContactId: 'v1' }, [call]], // a call is never auto-accepted
    [{ contactId: 'c2', channel: 'chat', relatedContactId: 'v1' }, []], // no active contacts
    [null, [call]],
  ];
  for (const [incoming, active] of cases) assert.equal(shouldAutoAccept(incoming, active), false, JSON.stringify(incoming));
});
