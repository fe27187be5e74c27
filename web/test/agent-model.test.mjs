import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootOf, groupOf, chatTargetOf, voiceOf, describeOffer } from '../agent/model.js';

const map = (...list) => new Map(list.map((c) => [c.contactId, c]));
const chat = { contactId: 'c1', channel: 'chat', customerName: 'Alex' };
const voice = { contactId: 'v1', channel: 'voice', relatedContactId: 'c1', customerName: 'Alex' };
const other = { contactId: 'c2', channel: 'chat', customerName: 'Sam' };

test('an escalated call joins its chat in one conversation', () => {
  const contacts = map(chat, voice, other);
  assert.equal(rootOf(contacts, 'v1'), 'c1');
  assert.deepEqual(groupOf(contacts, 'v1').map((c) => c.contactId), ['c1', 'v1']);
  assert.deepEqual(groupOf(contacts, 'c2').map((c) => c.contactId), ['c2']);
});

test('the panel chats on the live chat contact, else on the voice contact (voice + chat)', () => {
  assert.equal(chatTargetOf([chat, voice]).contactId, 'c1');
  assert.equal(chatTargetOf([{ ...voice, relatedContactId: undefined }]).contactId, 'v1');
  assert.equal(voiceOf([chat, voice]).contactId, 'v1');
  assert.equal(voiceOf([chat]), null);
});

test('a relatedContactId cycle or an unknown related contact does not loop', () => {
  const a = { contactId: 'a', channel: 'chat', relatedContactId: 'b' };
  const b = { contactId: 'b', channel: 'voice', relatedContactId: 'a' };
  assert.ok(['a', 'b'].includes(rootOf(map(a, b), 'a')));
  assert.equal(rootOf(map({ contactId: 'x', relatedContactId: 'gone' }), 'x'), 'x');
});

test('an escalation offer names the chat it continues', () => {
  const contacts = map(chat);
  assert.deepEqual(describeOffer({ channel: 'voice', relatedContactId: 'c1', customerName: 'Alex' }, contacts),
    { title: 'Voice call from Alex', link: 'Continues your chat with Alex' });
  assert.equal(describeOffer({ channel: 'chat', customerName: 'Sam' }, contacts).link, null);
});
