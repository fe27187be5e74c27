// The widget's DOM: built once, then `render(view, history)` brings it in line with the state machine's view.
// No decisions here — every flag comes from viewOf(state). Text is set with textContent only (never HTML).
import { createMessageList } from '../shared/message-list.js';
import { el as h } from '../shared/dom.js';

const ICON_CHAT = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 5h16v10H8l-4 4z" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"/></svg>';
const ICON_PHONE = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11 11 0 0 0 3.6.6 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.6 3.6a1 1 0 0 1-.25 1z" fill="currentColor"/></svg>';

export function createView(root, handlers) {
  const icon = (svg) => {
    const span = h('span', { class: 'sbw-icon' });
    span.innerHTML = svg; // constant markup above, no user data
    return span;
  };
  const launcher = h('button', {
    type: 'button', class: 'sbw-launcher', 'data-testid': 'support-launcher', 'aria-expanded': 'false',
    'aria-controls': 'sbw-panel',
  }, icon(ICON_CHAT), h('span', { class: 'sbw-launcher-label', text: 'Help' }));

  const title = h('h2', { class: 'sbw-title', id: 'sbw-title', text: 'Auron Support' });
  const status = h('p', { class: 'sbw-status', role: 'status', text: '' });
  const close = h('button', { type: 'button', class: 'sbw-close', 'aria-label': 'Minimise support window', text: '×' });

  const voiceStatus = h('span', { class: 'sbw-voice-status', 'data-testid': 'voice-status', role: 'status' });
  const mute = h('button', { type: 'button', class: 'sbw-btn sbw-btn-ghost', 'aria-pressed': 'false', text: 'Mute' });
  const cont = h('button', { type: 'button', class: 'sbw-btn sbw-btn-ghost', 'data-testid': 'continue-in-chat', text: 'Continue in chat' });
  const voiceBar = h('div', { class: 'sbw-voicebar', hidden: true },
    icon(ICON_PHONE), h('span', { class: 'sbw-voice-label', text: 'Voice' }), voiceStatus,
    h('span', { class: 'sbw-spacer' }), mute, cont);

  const errorText = h('span', { class: 'sbw-error-text' });
  const retry = h('button', { type: 'button', class: 'sbw-btn sbw-btn-small', 'data-testid': 'retry', text: 'Try again' });
  const dismiss = h('button', { type: 'button', class: 'sbw-dismiss', 'aria-label': 'Dismiss message', text: '×' });
  const error = h('div', { class: 'sbw-error', 'data-testid': 'widget-error', role: 'alert', hidden: true }, errorText, retry, dismiss);

  const list = h('ol', { class: 'sbw-messages', 'aria-label': 'Conversation', 'aria-live': 'polite' });
  const typing = h('p', { class: 'sbw-typing', hidden: true, 'aria-live': 'polite' });

  const nameInput = h('input', { id: 'sbw-name', class: 'sbw-input', type: 'text', autocomplete: 'given-name', maxlength: '60', placeholder: 'Optional' });
  const startChat = h('button', { type: 'button', class: 'sbw-btn', 'data-testid': 'start-chat' }, icon(ICON_CHAT), 'Start chat');
  const startVoice = h('button', { type: 'button', class: 'sbw-btn sbw-btn-secondary', 'data-testid': 'start-voice' }, icon(ICON_PHONE), 'Call us (voice + chat)');
  const welcome = h('div', { class: 'sbw-welcome' },
    icon('<svg viewBox="0 0 48 48" aria-hidden="true"><circle cx="24" cy="24" r="23" fill="#eaf3fc"/><path d="M14 26v-4a10 10 0 0 1 20 0v4" fill="none" stroke="#0a2d57" stroke-width="3"/><rect x="11" y="24" width="6" height="10" rx="3" fill="#0a2d57"/><rect x="31" y="24" width="6" height="10" rx="3" fill="#0a2d57"/><path d="M34 34c0 3-3 5-8 5" fill="none" stroke="#0a2d57" stroke-width="2.5"/></svg>'),
    h('p', { class: 'sbw-welcome-title', text: 'Hi, how can we help?' }),
    h('p', { class: 'sbw-welcome-text', text: 'Chat with an Auron advisor, and switch to a voice call at any time without repeating yourself.' }));
  const start = h('div', { class: 'sbw-start' },
    h('label', { for: 'sbw-name', class: 'sbw-label', text: 'Your name' }), nameInput,
    h('div', { class: 'sbw-start-actions' }, startChat, startVoice));

  const input = h('input', {
    id: 'sbw-input', class: 'sbw-input', type: 'text', 'data-testid': 'chat-input', autocomplete: 'off',
    maxlength: '1024', placeholder: 'Type a message…', 'aria-label': 'Message',
  });
  const send = h('button', { type: 'submit', class: 'sbw-btn', 'data-testid': 'chat-send', text: 'Send' });
  const compose = h('form', { class: 'sbw-compose', hidden: true }, input, send);

  const escalate = h('button', { type: 'button', class: 'sbw-btn sbw-btn-secondary', 'data-testid': 'escalate-voice', disabled: true }, icon(ICON_PHONE), 'Switch to voice');
  const end = h('button', { type: 'button', class: 'sbw-btn sbw-btn-danger', 'data-testid': 'end-contact', text: 'End conversation' });
  const actions = h('div', { class: 'sbw-actions', hidden: true }, escalate, end);

  const panel = h('section', { id: 'sbw-panel', class: 'sbw-panel', role: 'dialog', 'aria-labelledby': 'sbw-title', hidden: true },
    h('header', { class: 'sbw-header' }, h('div', {}, title, status), close),
    voiceBar, error, welcome, list, typing, start, compose, actions);

  root.append(panel, launcher);

  launcher.addEventListener('click', () => handlers.toggle());
  close.addEventListener('click', () => handlers.close());
  startChat.addEventListener('click', () => handlers.startChat(nameInput.value.trim()));
  startVoice.addEventListener('click', () => handlers.startVoice(nameInput.value.trim()));
  compose.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!input.value.trim()) return;
    handlers.send(input.value);
    input.value = '';
  });
  input.addEventListener('input', () => handlers.typing());
  escalate.addEventListener('click', () => handlers.escalate());
  cont.addEventListener('click', () => handlers.continueInChat());
  end.addEventListener('click', () => handlers.end());
  retry.addEventListener('click', () => handlers.retry());
  dismiss.addEventListener('click', () => handlers.dismiss());
  mute.addEventListener('click', () => {
    const muted = mute.getAttribute('aria-pressed') !== 'true';
    mute.setAttribute('aria-pressed', String(muted));
    mute.textContent = muted ? 'Unmute' : 'Mute';
    handlers.mute(muted);
  });
  panel.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') handlers.close();
  });

  const renderHistory = createMessageList(list, {
    testId: 'chat-message', selfRole: 'customer', classPrefix: 'sbw', nameOf: (item) => item.DisplayName || agentName || 'Agent',
  });
  let agentName = null;
  let lastOpen = false;

  return {
    render(view, history, name) {
      agentName = name;
      panel.hidden = !view.open;
      root.classList.toggle('is-open', view.open);
      launcher.setAttribute('aria-expanded', String(view.open));
      launcher.setAttribute('aria-label', view.open ? 'Hide support' : 'Open support chat');
      if (view.open && !lastOpen) queueMicrotask(() => (view.showStart ? startChat : input).focus());
      lastOpen = view.open;
      status.textContent = view.statusText;

      voiceBar.hidden = view.voiceStatus === null;
      voiceStatus.textContent = view.voiceStatus || '';
      voiceBar.dataset.status = view.voiceStatus || '';
      mute.hidden = !view.showVoiceControls;
      cont.hidden = !view.showContinue;

      error.hidden = !view.error;
      errorText.textContent = view.error ? view.error.message : '';
      retry.hidden = !view.error?.retry;
      retry.textContent = view.error?.retry === 'newChat' ? 'Start a new chat' : 'Try again';

      start.hidden = !view.showStart;
      // Before the first message the empty conversation area is a welcome instead.
      welcome.hidden = history.length > 0 || !view.showStart;
      list.hidden = !welcome.hidden;
      compose.hidden = view.showStart;
      input.disabled = !view.canType;
      send.disabled = !view.canType;
      actions.hidden = !view.showEnd;
      escalate.hidden = !view.showEscalate;
      escalate.disabled = !view.escalateEnabled;
      escalate.title = view.escalateEnabled ? '' : 'Available once an agent has joined the chat';
      end.textContent = view.mode === 'voice-chat' ? 'End call' : 'End conversation';

      typing.hidden = !view.agentTyping;
      typing.textContent = view.agentTyping ? `${agentName || 'The agent'} is typing…` : '';
      renderHistory(history);
    },
    setMuted(muted) {
      mute.setAttribute('aria-pressed', String(muted));
      mute.textContent = muted ? 'Unmute' : 'Mute';
    },
  };
}
