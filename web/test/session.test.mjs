import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userId, userToken, saveUserToken, USER_ID_PATTERN } from '../widget/session.js';

/** sessionStorage's interface over a Map. */
const storage = () => {
  const items = new Map();
  return { getItem: (k) => (items.has(k) ? items.get(k) : null), setItem: (k, v) => items.set(k, String(v)) };
};

test('the userId is made once per tab, in the format the server checks', () => {
  const s = storage();
  const id = userId(s);
  assert.match(id, USER_ID_PATTERN);
  assert.equal(userId(s), id);
});

test('the userToken a start call gave is kept for the tab, and nothing is kept before one', () => {
  const s = storage();
  assert.equal(userToken(s), null);
  saveUserToken(undefined, s);
  assert.equal(userToken(s), null);
  saveUserToken('tok-1', s);
  assert.equal(userToken(s), 'tok-1');
});
