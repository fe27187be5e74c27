// Keyed rendering of a conversation into an <ol>, shared by the widget and the agent app: rows are reused by item Id,
// so re-rendering after every event does not rebuild the list or lose the reader's scroll position.
import { roleOf, describeEvent } from './transcript.js';

/**
 * @param {HTMLOListElement} list
 * @param {object[]} history  merged transcript items
 * @param {object} o
 * @param {string} o.testId       data-testid of each row (chat-message / agent-chat-message)
 * @param {string} o.selfRole     'customer' | 'agent' — whose messages read as "You"
 * @param {string} o.classPrefix  CSS class prefix (sbw / ag)
 * @param {(item) => string} o.nameOf  display name of the other side
 */
export function createMessageList(list, { testId, selfRole, classPrefix, nameOf }) {
  const rows = new Map();
  let last = null;
  return function render(history) {
    if (history === last) return;
    last = history;
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
    const keep = new Set();
    for (const item of history) {
      keep.add(item.Id);
      let li = rows.get(item.Id);
      if (!li) {
        li = document.createElement('li');
        li.dataset.testid = testId;
        rows.set(item.Id, li);
      }
      // Joins, leaves and the end of the chat are notes about the conversation, not someone's message.
      const role = item.Type === 'EVENT' ? 'system' : roleOf(item);
      li.dataset.role = role;
      li.className = `${classPrefix}-msg ${classPrefix}-msg-${role === selfRole ? 'self' : role === 'system' ? 'system' : 'other'}` +
        `${item.pending ? ' is-pending' : ''}${item.failed ? ' is-failed' : ''}`;
      const who = role === 'system' ? '' : role === selfRole ? 'You' : nameOf(item);
      const text = item.Type === 'EVENT' ? describeEvent(item, { selfRole }) : item.Content || '';
      const time = formatTime(item.AbsoluteTime);
      const sig = `${who}|${text}|${time}|${Boolean(item.failed)}`;
      if (li.dataset.sig !== sig) {
        li.dataset.sig = sig;
        li.replaceChildren();
        if (who) li.append(span(`${classPrefix}-msg-who`, who));
        li.append(span(`${classPrefix}-msg-text`, text)); // textContent only: messages are never HTML
        if (item.failed) li.append(span(`${classPrefix}-msg-note`, 'Not sent'));
        else if (time && role !== 'system') li.append(span(`${classPrefix}-msg-time`, time));
      }
      list.appendChild(li); // moves an existing row into transcript order
    }
    for (const [id, li] of rows) {
      if (!keep.has(id)) {
        li.remove();
        rows.delete(id);
      }
    }
    if (nearBottom) list.scrollTop = list.scrollHeight;
  };
}

function span(cls, text) {
  const el = document.createElement('span');
  el.className = cls;
  el.textContent = text;
  return el;
}

function formatTime(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
