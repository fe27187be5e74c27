// What this browser tab remembers: the userId (once per session, SPEC §3 format) and the live conversation,
// so a reload can reconnect to the same contact. sessionStorage: gone when the tab closes, never shared across tabs.
import { randomId } from '../shared/http.js';

const USER_KEY = 'switchboard.userId';
const TOKEN_KEY = 'switchboard.userToken';
const STATE_KEY = 'switchboard.widget';
export const USER_ID_PATTERN = /^user_[0-9a-fA-F-]{36}$/;

export function userId(storage = sessionStorage) {
  let id = storage.getItem(USER_KEY);
  if (!id || !USER_ID_PATTERN.test(id)) {
    id = `user_${randomId()}`;
    storage.setItem(USER_KEY, id);
  }
  return id;
}

/** The userToken a start call gave this tab's user (SPEC v2 §3), or null before the first one. */
export function userToken(storage = sessionStorage) {
  return storage.getItem(TOKEN_KEY);
}

export function saveUserToken(token, storage = sessionStorage) {
  if (token) storage.setItem(TOKEN_KEY, token);
}

export function loadSaved(storage = sessionStorage) {
  try {
    return JSON.parse(storage.getItem(STATE_KEY) || 'null');
  } catch {
    return null;
  }
}

export function save(saved, storage = sessionStorage) {
  try {
    storage.setItem(STATE_KEY, JSON.stringify(saved));
  } catch {
    /* storage full or blocked: the conversation still works, it just won't survive a reload */
  }
}
