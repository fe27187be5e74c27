// Switchboard support widget: `<script type="module" src="/widget/widget.js"></script>` on any page.
// This file is the thin layer between the pure state machine (state.js) and the world: it runs the effects the
// machine asks for (customer API, Participant Service, voice) and feeds their outcomes back as events.
import { step, viewOf, initialState, persisted } from './state.js';
import { createView } from './view.js';
import { userId as sessionUserId, userToken as savedUserToken, saveUserToken, loadSaved, save } from './session.js';
import { requestJson, serverOrigin, wsUrl, randomId } from '../shared/http.js';
import { ParticipantChat, widgetConfig } from '../shared/connect-chat.js';
import { ReconnectingSocket } from '../shared/reconnecting-socket.js';
import { voiceLayer } from '../shared/voice-layer.js';
import { isTyping, roleOf } from '../shared/transcript.js';

const ORIGIN = serverOrigin(import.meta.url); // the widget may sit on another site; the API is where it came from
const TYPING_SHOWN_MS = 4000;
const PUSH_TYPES = new Set(['enable_escalation', 'agent_connected', 'contact_ended']);

function mount() {
  if (document.getElementById('switchboard-widget')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = new URL('./widget.css', import.meta.url).href;
  document.head.appendChild(link);
  const root = document.createElement('div');
  root.id = 'switchboard-widget';
  root.className = 'sbw';
  document.body.appendChild(root);

  const userId = sessionUserId();
  // The socket registers only with the token a start call gave this user: a userId alone receives nobody's pushes.
  let userToken = savedUserToken();
  let socket = null;
  let state = initialState;
  let customerName = '';
  const chats = new Map(); // contactId → ParticipantChat
  const voiceLegs = new Map(); // contactId → { handle, token: Promise<string|null> }
  let typingTimer = null;

  const view = createView(root, {
    toggle: () => dispatch({ type: state.open ? 'CLOSE' : 'OPEN' }),
    close: () => dispatch({ type: 'CLOSE' }),
    startChat: (name) => {
      customerName = name;
      dispatch({ type: 'START_CHAT' });
    },
    startVoice: (name) => {
      customerName = name;
      dispatch({ type: 'START_VOICE' });
    },
    send: (text) => dispatch({ type: 'SEND', text, clientToken: randomId() }),
    typing: () => currentChat()?.sendTyping(),
    escalate: () => dispatch({ type: 'ESCALATE' }),
    continueInChat: () => dispatch({ type: 'CONTINUE_IN_CHAT' }),
    end: () => dispatch({ type: 'END' }),
    retry: () => dispatch({ type: 'RETRY' }),
    dismiss: () => dispatch({ type: 'DISMISS_ERROR' }),
    mute: (muted) => {
      for (const leg of voiceLegs.values()) leg.handle.setMuted(muted);
    },
  });

  function dispatch(event) {
    const result = step(state, { at: new Date().toISOString(), ...event });
    state = result.state;
    save(persisted(state));
    view.render(viewOf(state), state.history, state.agentName);
    for (const effect of result.effects) run(effect);
    return state;
  }

  const currentChat = () => (state.chat?.contactId ? chats.get(state.chat.contactId) : null);
  const api = (path, body) => requestJson(`${ORIGIN}${path}`, { body });
  const participantEndpoint = async () => (await widgetConfig(ORIGIN)).participantEndpoint;

  function run(effect) {
    const handlers = {
      startChat: async () => {
        try {
          const res = await api('/start-chat-contact', withName({ userId }));
          adoptToken(res.userToken);
          const after = dispatch({ type: 'CHAT_STARTED', contactId: res.contactId, participantToken: res.participantToken });
          if (after.chat?.contactId !== res.contactId) abandon(res.participantToken);
        } catch (err) {
          dispatch({ type: 'START_FAILED', what: 'chat', transient: err.transient !== false });
        }
      },
      startVoice: async () => {
        const what = effect.relatedContactId ? 'escalate' : 'voice';
        // No call is asked for that this page could not join (AWS mode without a voice layer).
        const layer = await currentVoiceLayer();
        if (layer.unavailable) {
          dispatch({ type: 'START_FAILED', what, transient: false, message: layer.unavailable });
          return;
        }
        try {
          const body = withName({ userId, initiationMethod: effect.initiationMethod });
          if (effect.relatedContactId) body.relatedContactId = effect.relatedContactId;
          const res = await api('/start-voice-contact', body);
          adoptToken(res.userToken);
          const after = dispatch({
            type: 'VOICE_STARTED', contactId: res.contactId, participantToken: res.participantToken, connectionData: res.connectionData,
          });
          // The user ended or left before the contact existed: end it rather than leave it ringing for the agent.
          if (after.voice?.contactId !== res.contactId) abandon(res.participantToken);
        } catch (err) {
          dispatch({ type: 'START_FAILED', what, transient: err.transient !== false });
        }
      },
      connectChat: async () => {
        const { contactId } = effect;
        chats.get(contactId)?.close();
        let endpoint;
        try {
          endpoint = await participantEndpoint();
        } catch {
          dispatch({ type: 'CHAT_FAILED', contactId });
          return;
        }
        // The conversation ended while we fetched the configuration (endContact then ended the contact itself).
        if (state.chat?.contactId !== contactId || state.chat.status === 'ended') return;
        const chat = new ParticipantChat({
          endpoint,
          participantToken: effect.participantToken,
          onItems: (items) => onItems(contactId, items),
          onStatus: (status, detail) => {
            if (chats.get(contactId) !== chat) return;
            if (status === 'connected') dispatch({ type: 'CHAT_CONNECTED', contactId, connectionToken: detail?.connectionToken });
            else if (status === 'reconnecting') dispatch({ type: 'CHAT_RECONNECTING', contactId });
            else if (status === 'failed') dispatch({ type: 'CHAT_FAILED', contactId });
            else if (status === 'ended') dispatch({ type: 'CHAT_ENDED', contactId, gone: true });
          },
        });
        chats.set(contactId, chat);
        chat.connect();
      },
      reconnectChat: () => {
        const chat = currentChat();
        if (chat) chat.retry();
        else if (state.chat) run({ type: 'connectChat', ...state.chat });
      },
      sendMessage: async () => {
        try {
          const res = await currentChat().send(effect.text);
          dispatch({ type: 'SENT', clientToken: effect.clientToken, id: res.Id, absoluteTime: res.AbsoluteTime });
        } catch {
          dispatch({ type: 'SEND_FAILED', clientToken: effect.clientToken });
        }
      },
      closeChat: () => {
        const chat = chats.get(effect.contactId);
        chats.delete(effect.contactId);
        // endContact may still be sending DisconnectParticipant on this chat; it closes the socket itself after.
        if (chat && !chat.ended) chat.close();
      },
      endContact: () => {
        const chat = chats.get(effect.contactId);
        if (chat) chat.disconnect().catch(() => {});
        // Not connecting yet (ended right after it started): end it through its participant token all the same,
        // or the contact would wait for an agent although the customer has left.
        else if (effect.participantToken) abandon(effect.participantToken);
      },
      joinVoice: () => startVoiceLeg(effect),
      leaveVoice: async () => {
        const leg = voiceLegs.get(effect.contactId);
        if (!leg) return;
        voiceLegs.delete(effect.contactId);
        leg.handle.leave();
        if (effect.disconnect) {
          const token = await leg.token;
          if (token) await participantCall('/participant/disconnect', token, { ClientToken: randomId() }).catch(() => {});
        }
      },
    };
    const handler = handlers[effect.type];
    if (handler) Promise.resolve(handler()).catch((err) => console.error('switchboard widget:', effect.type, err));
  }

  function withName(body) {
    if (customerName) body.customerName = customerName;
    return body;
  }

  function onItems(contactId, items) {
    dispatch({ type: 'ITEMS', contactId, items, catchUp: items.length > 1 });
    if (items.some((i) => isTyping(i) && roleOf(i) === 'agent')) {
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => dispatch({ type: 'TYPING_EXPIRED' }), TYPING_SHOWN_MS);
    }
  }

  async function participantCall(path, connectionToken, body) {
    return requestJson(`${await participantEndpoint()}${path}`, { headers: { 'X-Amz-Bearer': connectionToken }, body });
  }

  async function connectionTokenFor(participantToken) {
    const res = await requestJson(`${await participantEndpoint()}/participant/connection`, {
      headers: { 'X-Amz-Bearer': participantToken },
      body: { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'], ConnectParticipant: true },
    });
    return res.ConnectionCredentials.ConnectionToken;
  }

  /** End a contact nobody will use (created after the user had already moved on). */
  function abandon(participantToken) {
    connectionTokenFor(participantToken)
      .then((token) => participantCall('/participant/disconnect', token, { ClientToken: randomId() }))
      .catch(() => {});
  }

  /** The voice layer of the server's mode ('unavailable' when even the mode cannot be learnt). */
  async function currentVoiceLayer() {
    try {
      return voiceLayer((await widgetConfig(ORIGIN)).mode);
    } catch {
      return { unavailable: 'Voice is not available right now. Please keep chatting.' };
    }
  }

  async function startVoiceLeg({ contactId, participantToken, connectionData, chatsHere }) {
    const layer = await currentVoiceLayer();
    if (state.voice?.contactId !== contactId) return; // left while the configuration was fetched
    // Escalated: the voice contact is separate from the chat, so we need its own connection token to end it later.
    // voice+chat: the chat connection on the same contact already ends it.
    const token = chatsHere ? Promise.resolve(null) : connectionTokenFor(participantToken).catch(() => null);
    if (layer.unavailable || !connectionData?.Attendee?.JoinToken) {
      // Registered first, so that leaving (which VOICE_FAILED asks for) ends the contact instead of leaving it ringing.
      voiceLegs.set(contactId, { handle: { leave() {} }, token });
      dispatch({ type: 'VOICE_FAILED', contactId, message: layer.unavailable || 'Voice is not available right now. Please keep chatting.' });
      return;
    }
    let handle = null; // assigned below; callbacks may fire while joinVoice is still running
    handle = layer.join({
      connectionData,
      role: 'customer',
      onStatus: (status) => {
        if (voiceLegs.get(contactId)?.handle === handle || status === 'ended') {
          dispatch({ type: 'VOICE_STATUS', contactId, status });
        }
      },
      onError: (message) => dispatch({ type: 'VOICE_FAILED', contactId, message }),
    });
    voiceLegs.set(contactId, { handle, token });
  }

  function register(sock) {
    if (!sock?.isOpen || !userToken) return;
    const frame = { action: 'register', userId, userToken };
    if (state.lastEventId) frame.lastEventId = state.lastEventId;
    sock.send(frame);
  }

  function adoptToken(token) {
    if (!token || token === userToken) return;
    userToken = token;
    saveUserToken(token);
    register(socket);
  }

  // Pushes (enable_escalation, agent_connected, contact_ended) over /ws; lastEventId asks for what we missed.
  socket = new ReconnectingSocket({
    url: wsUrl(ORIGIN, '/ws'),
    onOpen: (sock) => register(sock),
    onMessage: (msg) => {
      if (PUSH_TYPES.has(msg.type)) dispatch({ type: 'PUSH', push: msg });
      else if (msg.type === 'registered') dispatch({ type: 'REGISTERED', lastEventId: msg.lastEventId });
    },
    keepAlive: { intervalMs: 30000, frame: { action: 'ping' } },
  });
  socket.start();

  window.switchboardWidget = {
    open: () => dispatch({ type: 'OPEN' }),
    close: () => dispatch({ type: 'CLOSE' }),
    get state() {
      return state;
    },
  };
  document.addEventListener('click', (ev) => {
    const trigger = ev.target.closest?.('[data-open-support]');
    if (!trigger) return;
    ev.preventDefault();
    dispatch({ type: 'OPEN' });
  });

  // A reload mid-conversation: reconnect to the saved contact and rebuild the history with GetTranscript.
  dispatch({ type: 'RESTORE', saved: loadSaved() });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
else mount();
