import { test } from 'node:test';
import assert from 'node:assert/strict';
import { voiceLayer, NO_VOICE_LAYER } from '../shared/voice-layer.js';

test('local mode joins through the engine\'s relay', () => {
  assert.equal(typeof voiceLayer('local', {}).join, 'function');
  assert.equal(voiceLayer('local', {}).unavailable, undefined);
});

test('aws mode without an installed layer says so instead of starting a broken call', () => {
  assert.deepEqual(voiceLayer('aws', {}), { unavailable: NO_VOICE_LAYER });
  assert.deepEqual(voiceLayer('aws', { switchboardVoiceLayer: {} }), { unavailable: NO_VOICE_LAYER });
});

test('aws mode uses the layer the operator installed, with the call\'s connection data', () => {
  const calls = [];
  const page = { switchboardVoiceLayer: { join: (options) => { calls.push(options); return { leave() {} }; } } };
  const layer = voiceLayer('aws', page);
  const connectionData = { Meeting: { MeetingId: 'm' }, Attendee: { JoinToken: 't' } };
  const handle = layer.join({ connectionData, role: 'customer' });
  assert.equal(typeof handle.leave, 'function');
  assert.deepEqual(calls, [{ connectionData, role: 'customer' }]);
});
