import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeTranscript, roleOf, isShown, describeEvent, CONTENT_TYPES } from '../shared/transcript.js';
import { msg, seeded } from './helpers.mjs';

const ids = (list) => list.map((m) => m.Id);

test('merge dedupes by Id and orders by AbsoluteTime', () => {
  const a = [msg('1', 'CUSTOMER', 'a', '2024-05-01T10:00:01Z'), msg('3', 'AGENT', 'c', '2024-05-01T10:00:03Z')];
  const b = [msg('2', 'AGENT', 'b', '2024-05-01T10:00:02Z'), msg('3', 'AGENT', 'c', '2024-05-01T10:00:03Z')];
  assert.deepEqual(ids(mergeTranscript(a, b)), ['1', '2', '3']);
});

test('merge with nothing new returns the same array (no re-render)', () => {
  const a = [msg('1', 'CUSTOMER', 'a', '2024-05-01T10:00:01Z')];
  assert.equal(mergeTranscript(a, []), a);
  assert.equal(mergeTranscript(a, [{ ...a[0] }]), a);
});

test('equal times keep first-seen order; the newer copy of an Id wins', () => {
  const t = '2024-05-01T10:00:00Z';
  const merged = mergeTranscript([msg('x', 'AGENT', 'one', t), msg('y', 'AGENT', 'two', t)], [msg('x', 'AGENT', 'edited', t)]);
  assert.deepEqual(ids(merged), ['x', 'y']);
  assert.equal(merged[0].Content, 'edited');
});

test('mixed-precision ISO times compare as instants, not as strings', () => {
  const merged = mergeTranscript([msg('late', 'AGENT', '', '2024-05-01T10:00:01Z')], [msg('early', 'AGENT', '', '2024-05-01T10:00:00.900Z')]);
  assert.deepEqual(ids(merged), ['early', 'late']);
});

test('merging any split of a transcript in any order gives the same result', () => {
  const rand = seeded(11);
  const full = Array.from({ length: 30 }, (_, i) => msg(`id${i}`, i % 2 ? 'AGENT' : 'CUSTOMER', `m${i}`, new Date(1714557600000 + i * 1000).toISOString()));
  for (let run = 0; run < 200; run += 1) {
    let acc = [];
    const shuffled = [...full, ...full.slice(0, 10)].sort(() => rand() - 0.5);
    while (shuffled.length) acc = mergeTranscript(acc, shuffled.splice(0, 1 + Math.floor(rand() * 5)));
    assert.deepEqual(ids(acc), ids(full));
  }
});

test('roles and shown items', () => {
  assert.equal(roleOf({ ParticipantRole: 'CUSTOMER' }), 'customer');
  assert.equal(roleOf({ ParticipantRole: 'AGENT' }), 'agent');
  assert.equal(roleOf({ ParticipantRole: 'SYSTEM' }), 'system');
  assert.equal(roleOf({}), 'system');
  assert.ok(isShown({ Type: 'MESSAGE' }));
  assert.ok(!isShown({ Type: 'EVENT', ContentType: CONTENT_TYPES.typing }));
  assert.ok(isShown({ Type: 'EVENT', ContentType: CONTENT_TYPES.joined }));
  assert.equal(describeEvent({ Type: 'EVENT', ContentType: CONTENT_TYPES.joined, ParticipantRole: 'AGENT', DisplayName: 'Ava' }), 'Ava joined the conversation.');
});
