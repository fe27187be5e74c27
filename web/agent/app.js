// Switchboard agent application (docs/agent-api.md "Agent application").
// The agent socket brings offers and contacts; each contact chats through the Participant Service with its own
// participant token (shared/connect-chat.js) and voice contacts join the signaling relay as the offering side.
import { requestJson, serverOrigin, wsUrl } from '../shared/http.js';
import { ParticipantChat, widgetConfig } from '../shared/connect-chat.js';
import { ReconnectingSocket } from '../shared/reconnecting-socket.js';
import { joinVoice } from '../shared/voice.js';
import { mergeTranscript, isShown, isTyping, isChatEnded, roleOf } from '../shared/transcript.js';
import { createMessageList } from '../shared/message-list.js';
import { el } from '../shared/dom.js';
import { groupOf, chatTargetOf, voiceOf, describeOffer } from './model.js';

const ORIGIN = serverOrigin(import.meta.url);
const SESSION_KEY = 'switchboard.agent';
const TYPING_SHOWN_MS = 4000;
const $ = (id) => document.getElementById(id);

let session = loadSession(); // { token, agentId, displayName }
let socket = null;
let agentState = 'Offline';
const offers = new Map(); // contactId → offer frame
const contacts = new Map(); // contactId → contact record (server Contact + what we know locally)
const chats = new Map(); // contactId → ParticipantChat
const calls = new Map(); // contactId → voice handle
let activeId = null;

// ---------- session ----------

function loadSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  } catch {
    return null;
  }
}

function saveSession(value) {
  session = value;
  if (value) sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
  else sessionStorage.removeItem(SESSION_KEY);
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  const button = ev.submitter || $('login-form').querySelector('button');
  button.disabled = true;
  try {
    const res = await requestJson(`${ORIGIN}/agent/api/login`, {
      body: { username: $('username').value.trim(), password: $('password').value },
    });
    saveSession({ token: res.token, agentId: res.agentId, displayName: res.displayName });
    $('password').value = '';
    start();
  } catch (err) {
    error.textContent = err.status === 401 ? 'Wrong username or password.' : 'Service temporarily unavailable. Please try again.';
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});

$('logout').addEventListener('click', async () => {
  const token = session?.token;
  stop();
  showLogin();
  if (token) {
    await requestJson(`${ORIGIN}/agent/api/logout`, { headers: { Authorization: `Bearer ${token}` } }).catch(() => {});
  }
});

function showLogin(message) {
  $('app').hidden = true;
  $('login').hidden = false;
  const error = $('login-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('username').focus();
}

function stop() {
  socket?.close();
  socket = null;
  for (const chat of chats.values()) chat.close();
  for (const call of calls.values()) call.leave();
  chats.clear();
  calls.clear();
  contacts.clear();
  offers.clear();
  activeId = null;
  saveSession(null);
}

// ---------- agent socket ----------

function start() {
  $('login').hidden = true;
  $('app').hidden = false;
  $('agent-name').textContent = session.displayName || session.agentId || '';
  render();
  socket = new ReconnectingSocket({
    url: wsUrl(ORIGIN, '/agent/ws'),
    onOpen: (sock) => sock.send({ action: 'auth', token: session.token }),
    onMessage: onAgentFrame,
    // 1008: the token was refused (expired or signed out elsewhere); retrying cannot help.
    shouldReconnect: (ev) => ev.code !== 1008,
    onStatus: (status) => {
      const text = { connecting: 'Connecting…', reconnecting: 'Connection lost. Reconnecting…', open: '', closed: '' }[status];
      if (status === 'failed') {
        stop();
        showLogin('Your session has ended. Please sign in again.');
        return;
      }
      $('connection').textContent = text ?? '';
      $('connection').classList.toggle('is-warning', status === 'reconnecting');
    },
    keepAlive: { intervalMs: 25000, frame: { action: 'ping' } },
  }).start();
}

function send(frame) {
  if (!socket?.send(frame)) flash('Not connected. Your action was not sent; please try again in a moment.');
}

function onAgentFrame(msg) {
  switch (msg.type) {
    case 'authenticated': {
      agentState = msg.state;
      // After a reload or a reconnect the server's list is the truth: resume those, drop the rest.
      const live = new Set((msg.contacts || []).map((c) => c.contactId));
      for (const c of contacts.values()) if (!live.has(c.contactId) && !c.ended) endContact(c.contactId);
      for (const c of msg.contacts || []) addContact(c, { select: !activeId });
      // The offers still waiting for this agent (docs/agent-api.md, engine notes): a reloaded or reconnected app
      // shows them again; one we still show that is not listed was withdrawn while we were away.
      offers.clear();
      for (const o of msg.offers || []) if (o?.contactId) offers.set(o.contactId, o);
      break;
    }
    case 'state':
      agentState = msg.state;
      break;
    case 'offer':
      offers.set(msg.contactId, msg);
      if (msg.relatedContactId && contacts.has(msg.relatedContactId)) activeId = msg.relatedContactId;
      break;
    case 'offer_withdrawn':
      offers.delete(msg.contactId);
      break;
    case 'contact_connected': {
      offers.delete(msg.contactId);
      addContact(msg, { select: !msg.autoAccepted || !activeId });
      break;
    }
    case 'contact_ended':
      offers.delete(msg.contactId);
      endContact(msg.contactId);
      break;
    case 'logged_out': // this session was signed out, perhaps from another tab
      stop();
      showLogin('You have been signed out.');
      return;
    case 'error':
      if (msg.code === 'UNAUTHORIZED') {
        stop();
        showLogin('Your session has ended. Please sign in again.');
        return;
      }
      flash(msg.message || 'Something went wrong.');
      break;
    default:
      return;
  }
  render();
}

// ---------- contacts ----------

function addContact(c, { select }) {
  const existing = contacts.get(c.contactId);
  const record = existing ? { ...existing, ...c } : { ...c, history: [], ended: false, customerTyping: false, chatStatus: 'connecting', voiceStatus: null, muted: false };
  contacts.set(c.contactId, record);
  if (select) activeId = c.contactId;
  if (!chats.has(c.contactId) && c.participantToken) connectChat(record);
  if (c.channel === 'voice' && c.voice && !calls.has(c.contactId)) startCall(record);
}

function endContact(contactId) {
  const c = contacts.get(contactId);
  if (!c) return;
  c.ended = true;
  c.customerTyping = false;
  chats.get(contactId)?.close();
  chats.delete(contactId);
  const call = calls.get(contactId);
  if (call) {
    calls.delete(contactId);
    call.leave();
    c.voiceStatus = 'ended';
  }
}

async function connectChat(c) {
  let endpoint;
  try {
    endpoint = (await widgetConfig(ORIGIN)).participantEndpoint;
  } catch {
    c.chatStatus = 'failed';
    render();
    return;
  }
  if (c.ended) return;
  let typingTimer = null;
  const chat = new ParticipantChat({
    endpoint,
    participantToken: c.participantToken,
    onItems: (items) => {
      const record = contacts.get(c.contactId);
      if (!record) return;
      if (items.some((i) => isTyping(i) && roleOf(i) === 'customer') && items.length === 1) {
        record.customerTyping = true;
        clearTimeout(typingTimer);
        typingTimer = setTimeout(() => {
          record.customerTyping = false;
          render();
        }, TYPING_SHOWN_MS);
      }
      if (items.some((i) => i.Type === 'MESSAGE' && roleOf(i) === 'customer')) record.customerTyping = false;
      record.history = mergeTranscript(record.history, items.filter(isShown));
      if (items.some(isChatEnded)) record.chatEnded = true;
      render();
    },
    onStatus: (status) => {
      const record = contacts.get(c.contactId);
      if (record) record.chatStatus = status;
      render();
    },
  });
  chats.set(c.contactId, chat);
  chat.connect();
}

function startCall(c) {
  c.voiceStatus = 'connecting';
  const handle = joinVoice({
    signalingUrl: c.voice.signalingUrl,
    joinToken: c.voice.joinToken,
    role: 'agent',
    onStatus: (status) => {
      const record = contacts.get(c.contactId);
      if (record) record.voiceStatus = status;
      render();
    },
    onError: (message) => flash(message),
  });
  calls.set(c.contactId, handle);
}

// ---------- rendering ----------


function render() {
  $('agent-status').value = agentState;
  $('agent-status').dataset.state = agentState;
  renderOffers();
  renderTabs();
  renderPanel();
}

/** Keep `container`'s children in line with `items`, reusing the node of each key (focus and clicks survive). */
function syncChildren(container, items, keyOf, build, update) {
  const old = new Map([...container.children].map((n) => [n.dataset.key, n]));
  const nodes = items.map((item) => {
    const key = keyOf(item);
    const node = old.get(key) || build(item);
    node.dataset.key = key;
    update(node, item);
    return node;
  });
  nodes.forEach((node, i) => {
    if (container.children[i] !== node) container.insertBefore(node, container.children[i] || null);
  });
  for (const node of [...container.children]) if (!nodes.includes(node)) node.remove();
}

function renderOffers() {
  syncChildren($('offers'), [...offers.values()], (o) => o.contactId, (offer) => el('li', {
    class: `offer offer-${offer.channel}`, 'data-testid': 'contact-offer',
    'data-contact-id': offer.contactId, 'data-channel': offer.channel, 'data-related-contact-id': offer.relatedContactId || '',
  },
  el('div', { class: 'offer-head' },
    el('span', { class: `chan chan-${offer.channel}`, text: offer.channel === 'voice' ? 'Voice' : 'Chat' }),
    el('strong', { class: 'offer-title' }),
    offer.expiresAt ? el('span', { class: 'offer-timer', 'data-expires': offer.expiresAt }) : ''),
  el('p', { class: 'offer-link' }),
  el('div', { class: 'offer-actions' },
    el('button', { type: 'button', class: 'btn', 'data-testid': 'accept-contact', text: 'Accept',
      onclick: () => send({ action: 'accept', contactId: offer.contactId }) }),
    el('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': 'reject-contact', text: 'Reject',
      onclick: () => {
        offers.delete(offer.contactId);
        send({ action: 'reject', contactId: offer.contactId });
        render();
      } }))), (node, offer) => {
    const { title, link } = describeOffer(offer, contacts);
    node.classList.toggle('is-linked', Boolean(link));
    node.querySelector('.offer-title').textContent = title;
    const linkNode = node.querySelector('.offer-link');
    linkNode.hidden = !link;
    linkNode.textContent = link ? `↳ ${link}` : '';
    tickTimer(node.querySelector('.offer-timer'));
  });
  $('offers-empty').hidden = offers.size > 0;
  $('offer-count').textContent = offers.size ? String(offers.size) : '';
}

function tickTimer(t) {
  if (t) t.textContent = `${Math.max(0, Math.round((Number(t.dataset.expires) - Date.now()) / 1000))}s`;
}

// Offer countdowns tick without re-rendering the offers (which would move focus off their buttons).
setInterval(() => document.querySelectorAll('.offer-timer').forEach(tickTimer), 1000);

function renderTabs() {
  syncChildren($('tabs'), [...contacts.values()], (c) => c.contactId, (c) => el('button', {
    type: 'button', role: 'tab', id: `tab-${c.contactId}`, 'data-testid': 'contact-tab', 'data-contact-id': c.contactId,
    'data-channel': c.channel, onclick: () => select(c.contactId), onkeydown: (ev) => onTabKey(ev, c.contactId),
  }, el('span', { class: `chan chan-${c.channel}`, text: c.channel === 'voice' ? 'Voice' : 'Chat' }),
  el('span', { class: 'tab-name' }), el('span', { class: 'tab-note' })), (node, c) => {
    const linked = Boolean(c.relatedContactId && contacts.has(c.relatedContactId));
    const selected = c.contactId === activeId;
    node.setAttribute('aria-selected', String(selected));
    node.tabIndex = selected ? 0 : -1;
    node.classList.toggle('tab', true);
    node.classList.toggle('is-linked', linked);
    node.classList.toggle('is-ended', Boolean(c.ended));
    node.classList.toggle('has-offer', [...offers.values()].some((o) => o.relatedContactId === c.contactId));
    node.querySelector('.tab-name').textContent = c.customerName || 'Customer';
    node.querySelector('.tab-note').textContent = c.ended ? 'ended' : linked ? 'linked' : c.autoAccepted ? 'auto-accepted' : '';
  });
  $('tabs-empty').hidden = contacts.size > 0;
}

function select(contactId) {
  activeId = contactId;
  render();
}

function onTabKey(ev, contactId) {
  const ids = [...contacts.keys()];
  const i = ids.indexOf(contactId);
  const move = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[ev.key];
  if (!move) return;
  ev.preventDefault();
  const nextId = ids[(i + move + ids.length) % ids.length];
  select(nextId);
  $(`tab-${nextId}`)?.focus();
}

// The panel is built once and updated in place, so a half-typed reply and the focus survive every render.
const panel = buildPanel();

function buildPanel() {
  const root = $('panel');
  const name = el('h2', { class: 'panel-title' });
  const meta = el('p', { class: 'panel-meta' });
  const voiceStatus = el('span', { class: 'voice-status', 'data-testid': 'agent-voice-status', role: 'status' });
  const mute = el('button', { type: 'button', class: 'btn btn-quiet', 'aria-pressed': 'false', text: 'Mute', onclick: toggleMute });
  const hangup = el('button', { type: 'button', class: 'btn btn-danger', 'data-testid': 'hangup', text: 'Hang up', onclick: hangUp });
  const voiceBar = el('div', { class: 'voicebar' }, el('span', { class: 'voice-label', text: 'Voice' }), voiceStatus, el('span', { class: 'spacer' }), mute, hangup);
  const list = el('ol', { class: 'messages', 'aria-label': 'Conversation', 'aria-live': 'polite' });
  const typing = el('p', { class: 'typing', 'aria-live': 'polite' });
  const input = el('input', {
    type: 'text', class: 'input', 'data-testid': 'agent-chat-input', 'aria-label': 'Reply to the customer',
    placeholder: 'Type a reply and press Enter', autocomplete: 'off', maxlength: '1024',
    oninput: () => chats.get(panel.chatId)?.sendTyping(),
  });
  const sendBtn = el('button', { type: 'submit', class: 'btn', 'data-testid': 'agent-chat-send', text: 'Send' });
  const compose = el('form', { class: 'compose', onsubmit: (ev) => {
    ev.preventDefault();
    sendMessage(input);
  } }, input, sendBtn);
  const endChat = el('button', { type: 'button', class: 'btn btn-quiet', 'data-testid': 'end-chat', text: 'End chat', onclick: endChatNow });
  const close = el('button', { type: 'button', class: 'btn btn-quiet', text: 'Close tab', onclick: closeTab });
  const empty = el('div', { class: 'panel-empty' },
    el('p', { class: 'panel-empty-title', text: 'No conversation selected' }),
    el('p', { text: 'Accepted chats and calls open here. Escalated calls open next to the chat they continue.' }));
  const body = el('div', { class: 'panel-body' },
    el('header', { class: 'panel-head' }, el('div', {}, name, meta), el('div', { class: 'panel-actions' }, endChat, close)),
    voiceBar, list, typing, compose);
  root.append(empty, body);
  return {
    chatId: null, voiceId: null, groupKey: null, renderList: null,
    empty, body, name, meta, voiceBar, voiceStatus, mute, hangup, list, typing, input, sendBtn, endChat, close,
  };
}

function renderPanel() {
  const active = activeId && contacts.get(activeId);
  panel.empty.hidden = Boolean(active);
  panel.body.hidden = !active;
  if (!active) return;
  const group = groupOf(contacts, activeId);
  const target = chatTargetOf(group);
  const voice = voiceOf(group);
  panel.chatId = target?.contactId || null;
  panel.voiceId = voice?.contactId || null;
  const key = panel.chatId;
  if (panel.groupKey !== key) {
    panel.groupKey = key;
    panel.list.replaceChildren();
    panel.renderList = createMessageList(panel.list, {
      testId: 'agent-chat-message', selfRole: 'agent', classPrefix: 'ag', nameOf: (item) => item.DisplayName || target?.customerName || 'Customer',
    });
  }
  const customer = active.customerName || 'Customer';
  panel.name.textContent = customer;
  const channels = group.map((c) => (c.channel === 'voice' ? 'voice' : 'chat')).join(' + ');
  panel.meta.textContent = `${channels} · ${active.userId || ''}`;
  panel.renderList(target?.history || []);

  const chatLive = target && !target.ended && !target.chatEnded;
  panel.input.disabled = !chatLive || target.chatStatus !== 'connected';
  panel.sendBtn.disabled = panel.input.disabled;
  panel.input.placeholder = !chatLive ? 'This conversation has ended' : target.chatStatus === 'connected' ? 'Type a reply and press Enter' : 'Connecting…';
  panel.typing.textContent = chatLive && target.customerTyping ? `${customer} is typing…` : '';
  panel.endChat.hidden = !chatLive;
  panel.close.hidden = !group.every((c) => c.ended);

  panel.voiceBar.hidden = !voice;
  if (voice) {
    const status = voice.voiceStatus || (voice.ended ? 'ended' : 'connecting');
    panel.voiceStatus.textContent = status;
    panel.voiceBar.dataset.status = status;
    const live = !voice.ended && status !== 'ended';
    panel.hangup.hidden = !live;
    panel.mute.hidden = !live;
    panel.mute.setAttribute('aria-pressed', String(Boolean(voice.muted)));
    panel.mute.textContent = voice.muted ? 'Unmute' : 'Mute';
  }
}

async function sendMessage(input) {
  const text = input.value.trim();
  const chat = chats.get(panel.chatId);
  const record = contacts.get(panel.chatId);
  if (!text || !chat || !record) return;
  input.value = '';
  try {
    const res = await chat.send(text);
    record.history = mergeTranscript(record.history, [{
      Id: res.Id, AbsoluteTime: res.AbsoluteTime, Type: 'MESSAGE', ContentType: 'text/plain', Content: text,
      ParticipantRole: 'AGENT', DisplayName: session?.displayName,
    }]);
    render();
  } catch {
    input.value = text; // give the reply back rather than lose it
    flash('Your message could not be sent. Please try again.');
  }
}

function endChatNow() {
  if (panel.chatId) send({ action: 'end', contactId: panel.chatId });
}

function hangUp() {
  if (!panel.voiceId) return;
  send({ action: 'end', contactId: panel.voiceId });
  // Leave at once; contact_ended from the server confirms.
  endContact(panel.voiceId);
  render();
}

function toggleMute() {
  const voice = contacts.get(panel.voiceId);
  const call = calls.get(panel.voiceId);
  if (!voice || !call) return;
  voice.muted = !voice.muted;
  call.setMuted(voice.muted);
  render();
}

function closeTab() {
  for (const c of groupOf(contacts, activeId)) contacts.delete(c.contactId);
  activeId = contacts.size ? [...contacts.keys()][0] : null;
  render();
}

$('agent-status').addEventListener('change', (ev) => send({ action: 'set_state', state: ev.target.value }));

function flash(message) {
  const node = $('connection');
  node.textContent = message;
  node.classList.add('is-warning');
  setTimeout(() => {
    if (node.textContent === message) {
      node.textContent = '';
      node.classList.remove('is-warning');
    }
  }, 6000);
}

// ---------- boot ----------
if (session?.token) start();
else showLogin();
