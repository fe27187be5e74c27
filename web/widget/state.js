// The widget's one state machine. Pure: no DOM, no network, no clock — time comes in on the events (`at`).
// `step(state, event)` returns the next state and the effects the DOM layer must run (HTTP calls, sockets, voice);
// their outcomes come back as events. `viewOf(state)` derives every UI flag, so the UI can never disagree with the mode.
//
// Modes (the interactionMode of SPEC §3):
//   none       no conversation yet, or the last one ended (its history stays visible until a new one starts)
//   chat-only  chatting on a chat contact; escalation may be enabled by an `enable_escalation` push
//   escalated  chatting on the same chat contact plus a voice leg on a related voice contact
//   voice-chat a voice contact started directly; the chat runs on the voice contact's own participant token
import { mergeTranscript, isShown, isTyping, isChatEnded, roleOf, localNote, CONTENT_TYPES } from '../shared/transcript.js';

export const MESSAGES = Object.freeze({
  unavailable: 'Service temporarily unavailable. Please try again.',
  escalationFailed: 'Unable to escalate. Please try starting a new chat.',
  chatGone: 'This conversation has ended. Start a new chat if you need more help.',
  microphone: 'We could not use your microphone. Please allow microphone access and try again.',
  notSent: 'Your message could not be sent. Please try again.',
});

export const initialState = Object.freeze({
  mode: 'none',
  open: false,
  // The contact we chat on: its own chat contact, or the voice contact in voice-chat mode.
  // status: starting (HTTP) | connecting | connected | reconnecting | failed (gave up, Retry) | ended
  chat: null,
  // The voice leg. status: starting (HTTP) | connecting | connected | ended
  voice: null,
  escalationEnabledFor: [], // chat contactIds named by enable_escalation pushes (a push may beat the HTTP reply)
  agentName: null,
  agentTyping: false,
  history: [],
  noteSeq: 0,
  error: null, // { message, retry: 'startChat' | 'startVoice' | 'escalate' | 'reconnect' | 'newChat' | null }
  lastEventId: null,
});

const LIVE_VOICE = new Set(['starting', 'connecting', 'connected']);
const isVoiceLive = (s) => Boolean(s.voice && LIVE_VOICE.has(s.voice.status));
const isChatLive = (s) => Boolean(s.chat && s.chat.status !== 'ended');

/** Every flag the DOM layer needs. Derived only from state, so it is consistent by construction (and tested). */
export function viewOf(s) {
  const chatLive = isChatLive(s);
  const voiceLive = isVoiceLive(s);
  const showEscalate = s.mode === 'chat-only' && chatLive;
  return {
    mode: s.mode,
    open: s.open,
    showStart: !chatLive,
    canType: chatLive && s.chat.status === 'connected',
    showEscalate,
    escalateEnabled: showEscalate && s.chat.status === 'connected' && s.escalationEnabledFor.includes(s.chat.contactId),
    showContinue: s.mode === 'escalated' && voiceLive,
    // voice-status text: connecting | connected | ended; null hides it (no voice leg in this conversation yet).
    voiceStatus: s.voice ? (s.voice.status === 'starting' ? 'connecting' : s.voice.status) : null,
    showVoiceControls: voiceLive,
    showEnd: chatLive,
    agentTyping: chatLive && s.agentTyping,
    statusText: statusText(s),
    error: s.error,
  };
}

function statusText(s) {
  if (!s.chat) return 'How can we help you today?';
  switch (s.chat.status) {
    case 'starting':
    case 'connecting':
      return s.mode === 'voice-chat' ? 'Calling support…' : 'Connecting you to support…';
    case 'reconnecting':
      return 'Connection lost. Reconnecting…';
    case 'failed':
      return 'Disconnected.';
    case 'ended':
      return 'This conversation has ended.';
    default:
      if (s.agentName) return `You are talking with ${s.agentName}.`;
      return 'Waiting for an agent to join…';
  }
}

/** Reducer form: just the next state. */
export function next(state, event) {
  return step(state, event).state;
}

/** @returns {{state: object, effects: object[]}} */
export function step(s, ev) {
  const done = (state, effects = []) => ({ state, effects });
  const same = done(s);
  switch (ev.type) {
    case 'OPEN':
      return done({ ...s, open: true });
    case 'CLOSE':
      return done({ ...s, open: false });

    // ---- starting a conversation (user) ----
    case 'START_CHAT': {
      if (isChatLive(s)) return same;
      return done(
        { ...fresh(s), mode: 'chat-only', open: true, chat: { status: 'starting' } },
        [{ type: 'startChat' }],
      );
    }
    case 'START_VOICE': {
      if (isChatLive(s)) return same;
      return done(
        { ...fresh(s), mode: 'voice-chat', open: true, chat: { status: 'starting' }, voice: { status: 'starting' } },
        [{ type: 'startVoice', relatedContactId: null, initiationMethod: 'Voice' }],
      );
    }
    case 'CHAT_STARTED': {
      if (s.mode !== 'chat-only' || s.chat?.status !== 'starting') return same;
      const chat = { contactId: ev.contactId, participantToken: ev.participantToken, status: 'connecting' };
      return done({ ...s, chat }, [{ type: 'connectChat', ...chatRef(chat) }]);
    }
    case 'VOICE_STARTED': {
      if (s.voice?.status !== 'starting') return same;
      const voice = {
        contactId: ev.contactId, participantToken: ev.participantToken, connectionData: ev.connectionData, status: 'connecting',
      };
      const effects = [{ type: 'joinVoice', ...voiceRef(voice), chatsHere: s.mode === 'voice-chat' }];
      if (s.mode === 'voice-chat') {
        const chat = { contactId: ev.contactId, participantToken: ev.participantToken, status: 'connecting' };
        return done({ ...s, voice, chat }, [{ type: 'connectChat', ...chatRef(chat) }, ...effects]);
      }
      return done({ ...s, voice }, effects);
    }
    case 'START_FAILED': {
      // ev.message: a reason no retry can change (no voice on this page); the conversation goes on without the call.
      if (ev.what === 'escalate') {
        if (s.mode !== 'escalated' || s.voice?.status !== 'starting') return same;
        const message = ev.message || (ev.transient ? MESSAGES.unavailable : MESSAGES.escalationFailed);
        const retry = ev.message ? null : ev.transient ? 'escalate' : 'newChat';
        return done({ ...s, mode: 'chat-only', voice: null, error: { message, retry } });
      }
      if (s.chat?.status !== 'starting') return same;
      return done({
        ...s, mode: 'none', chat: null, voice: null,
        error: { message: ev.message || MESSAGES.unavailable, retry: ev.message ? null : ev.what === 'voice' ? 'startVoice' : 'startChat' },
      });
    }

    // ---- chat connection ----
    case 'CHAT_CONNECTED':
      if (!isChatLive(s) || s.chat.contactId !== ev.contactId) return same;
      return done({
        ...s,
        chat: { ...s.chat, status: 'connected', connectionToken: ev.connectionToken ?? s.chat.connectionToken },
        error: s.error?.retry === 'reconnect' ? null : s.error,
      });
    case 'CHAT_RECONNECTING':
      if (!isChatLive(s) || s.chat.contactId !== ev.contactId) return same;
      return done({ ...s, chat: { ...s.chat, status: 'reconnecting' }, agentTyping: false });
    case 'CHAT_FAILED':
      if (!isChatLive(s) || s.chat.contactId !== ev.contactId) return same;
      return done({ ...s, chat: { ...s.chat, status: 'failed' }, agentTyping: false,
        error: { message: MESSAGES.unavailable, retry: 'reconnect' } });
    case 'CHAT_ENDED':
      // The conversation is over (agent ended it, or the server no longer knows our token after a restart).
      if (!isChatLive(s) || s.chat.contactId !== ev.contactId) return same;
      return endConversation(s, ev.at, ev.gone ? MESSAGES.chatGone : null);

    // ---- transcript items (live or GetTranscript) ----
    case 'ITEMS': {
      if (!s.chat || s.chat.contactId !== ev.contactId) return same;
      let agentTyping = s.agentTyping;
      let agentName = s.agentName;
      let ended = false;
      for (const item of ev.items) {
        const role = roleOf(item);
        if (isTyping(item)) {
          if (role === 'agent' && !ev.catchUp) agentTyping = true;
        } else if (role === 'agent') {
          if (item.Type === 'MESSAGE') agentTyping = false;
          if (item.DisplayName) agentName = item.DisplayName;
          if (item.ContentType === CONTENT_TYPES.left) agentTyping = false;
        }
        if (isChatEnded(item)) ended = true;
      }
      const history = mergeTranscript(withoutEchoedPending(s.history, ev.items), ev.items.filter(isShown));
      const updated = { ...s, history, agentTyping, agentName };
      return ended && isChatLive(s) ? endConversation(updated, ev.at, null) : done(updated);
    }
    case 'TYPING_EXPIRED':
      return s.agentTyping ? done({ ...s, agentTyping: false }) : same;

    // ---- sending (user) ----
    case 'SEND': {
      const text = String(ev.text || '').trim();
      if (!text || !viewOf(s).canType) return same;
      const pending = {
        Id: `pending-${ev.clientToken}`, Type: 'MESSAGE', ContentType: 'text/plain', Content: text,
        ParticipantRole: 'CUSTOMER', AbsoluteTime: ev.at, pending: true,
      };
      return done({ ...s, history: mergeTranscript(s.history, [pending]) },
        [{ type: 'sendMessage', text, clientToken: ev.clientToken }]);
    }
    case 'SENT': {
      // Swap the pending copy for the confirmed one; if the live echo already arrived, the merge keeps one.
      const pendingId = `pending-${ev.clientToken}`;
      const i = s.history.findIndex((m) => m.Id === pendingId);
      if (i < 0) return same;
      const confirmed = { ...s.history[i], Id: ev.id, AbsoluteTime: ev.absoluteTime || s.history[i].AbsoluteTime, pending: false };
      const rest = s.history.filter((m) => m.Id !== pendingId);
      const history = mergeTranscript(rest, [confirmed]);
      // A message must never disappear: if the merge returned `rest` unchanged, the echo already carries it.
      return done({ ...s, history });
    }
    case 'SEND_FAILED': {
      const pendingId = `pending-${ev.clientToken}`;
      const history = s.history.map((m) => (m.Id === pendingId ? { ...m, pending: false, failed: true } : m));
      return done({ ...s, history, error: { message: MESSAGES.notSent, retry: null } });
    }

    // ---- pushes from /ws ----
    case 'REGISTERED':
      // The user's replay position: a widget that has seen no push yet resumes from it after a reconnect.
      return s.lastEventId || !ev.lastEventId ? same : done({ ...s, lastEventId: ev.lastEventId });
    case 'PUSH': {
      const p = ev.push || {};
      const base = p.eventId ? { ...s, lastEventId: p.eventId } : s;
      if (p.type === 'enable_escalation') {
        if (!p.contactId || base.escalationEnabledFor.includes(p.contactId)) return done(base);
        return done({ ...base, escalationEnabledFor: [...base.escalationEnabledFor, p.contactId].slice(-20) });
      }
      if (p.type === 'contact_ended') {
        if (base.voice && p.contactId === base.voice.contactId && base.mode === 'escalated' && isVoiceLive(base)) {
          return voiceLegEnded(base, ev.at, false);
        }
        if (base.chat && p.contactId === base.chat.contactId && isChatLive(base)) return endConversation(base, ev.at, null);
      }
      return done(base);
    }

    // ---- escalation (user) ----
    case 'ESCALATE':
      if (!viewOf(s).escalateEnabled) return same;
      return done({ ...s, mode: 'escalated', voice: { status: 'starting' }, error: null },
        // Design Property 2: a call escalated from a chat is initiated by chat, and says so.
        [{ type: 'startVoice', relatedContactId: s.chat.contactId, initiationMethod: 'Chat' }]);
    case 'CONTINUE_IN_CHAT':
      if (s.mode !== 'escalated' || !isVoiceLive(s)) return same;
      return voiceLegEnded(s, ev.at, true);

    // ---- voice leg progress (voice.js) ----
    case 'VOICE_STATUS': {
      if (!isVoiceLive(s) || s.voice.contactId !== ev.contactId) return same;
      if (ev.status === 'ended') {
        if (s.mode === 'escalated') return voiceLegEnded(s, ev.at, true);
        return done(withNote({ ...s, voice: { ...s.voice, status: 'ended' } }, 'Voice call ended.', ev.at));
      }
      if (ev.status === s.voice.status || s.voice.status === 'starting') return same;
      const updated = { ...s, voice: { ...s.voice, status: ev.status } };
      return done(ev.status === 'connected' ? withNote(updated, 'Voice call connected.', ev.at) : updated);
    }
    case 'VOICE_FAILED': {
      if (!isVoiceLive(s) || s.voice.contactId !== ev.contactId) return same;
      const failed = { ...s, error: { message: ev.message || MESSAGES.microphone, retry: null } };
      if (s.mode === 'escalated') return voiceLegEnded(failed, ev.at, true);
      return done({ ...failed, voice: { ...s.voice, status: 'ended' } });
    }

    // ---- ending (user) ----
    case 'END':
      if (!isChatLive(s)) return same;
      return endConversation(s, ev.at, null, [{ type: 'endContact', ...chatRef(s.chat) }]);

    // ---- errors ----
    case 'DISMISS_ERROR':
      return s.error ? done({ ...s, error: null }) : same;
    case 'RETRY': {
      const retry = s.error?.retry;
      const cleared = { ...s, error: null };
      if (retry === 'startChat') return step(cleared, { type: 'START_CHAT' });
      if (retry === 'startVoice') return step(cleared, { type: 'START_VOICE' });
      if (retry === 'escalate') return step(cleared, { type: 'ESCALATE' });
      if (retry === 'reconnect' && isChatLive(s)) {
        return done({ ...cleared, chat: { ...s.chat, status: 'reconnecting' } }, [{ type: 'reconnectChat' }]);
      }
      if (retry === 'newChat') {
        const ended = isChatLive(s) ? endConversation(cleared, ev.at, null, [{ type: 'endContact', ...chatRef(s.chat) }]) : done(cleared);
        const started = step(ended.state, { type: 'START_CHAT' });
        return done(started.state, [...ended.effects, ...started.effects]);
      }
      return done(cleared);
    }

    // ---- reload recovery ----
    case 'RESTORE': {
      const saved = ev.saved;
      if (!saved?.chat?.contactId || !saved.chat.participantToken) {
        return done({ ...s, lastEventId: saved?.lastEventId ?? s.lastEventId, open: Boolean(saved?.open) });
      }
      const chat = { ...saved.chat, status: 'connecting' };
      const effects = [{ type: 'connectChat', ...chatRef(chat), restore: true }];
      let voice = null;
      let mode = saved.mode;
      if (saved.voice?.contactId && LIVE_VOICE.has(saved.voice.status) && saved.voice.connectionData) {
        voice = { ...saved.voice, status: 'connecting' };
        effects.push({ type: 'joinVoice', ...voiceRef(voice), chatsHere: mode === 'voice-chat' });
      } else if (mode === 'escalated') {
        mode = 'chat-only'; // the voice leg did not survive: carry on in chat
        voice = saved.voice ? { ...saved.voice, status: 'ended' } : null;
      } else if (saved.voice) {
        voice = { ...saved.voice, status: 'ended' };
      }
      return done({
        ...initialState, mode, open: Boolean(saved.open), chat, voice,
        escalationEnabledFor: saved.escalationEnabledFor || [], agentName: saved.agentName || null,
        lastEventId: saved.lastEventId ?? null,
      }, effects);
    }
    default:
      return same;
  }
}

/** What survives a reload (sessionStorage). Tokens are per-tab secrets the server gave this tab. */
export function persisted(s) {
  const pick = (c) => c && c.contactId && {
    contactId: c.contactId, participantToken: c.participantToken, connectionToken: c.connectionToken ?? null,
    status: c.status, ...(c.connectionData ? { connectionData: c.connectionData } : {}),
  };
  return {
    mode: s.mode, open: s.open, lastEventId: s.lastEventId, agentName: s.agentName,
    chat: isChatLive(s) ? pick(s.chat) : null,
    voice: isChatLive(s) ? pick(s.voice) || null : null,
    escalationEnabledFor: s.escalationEnabledFor,
  };
}

// ---- helpers ----

/** A new conversation keeps the open panel and the push cursor, nothing else of the old one. */
function fresh(s) {
  return { ...initialState, open: s.open, lastEventId: s.lastEventId, escalationEnabledFor: s.escalationEnabledFor };
}

/**
 * Our own message can come back on the socket before SendMessage has answered with its Id. Then the server's copy
 * takes the place of the pending one (same text, oldest pending first), so the message never shows twice; the late
 * SENT finds no pending copy and changes nothing.
 */
function withoutEchoedPending(history, items) {
  let result = history;
  for (const item of items) {
    if (item.Type !== 'MESSAGE' || roleOf(item) !== 'customer' || result.some((m) => m.Id === item.Id)) continue;
    const pending = result.find((m) => m.pending && m.Content === item.Content);
    if (pending) result = result.filter((m) => m !== pending);
  }
  return result;
}

function withNote(s, text, at) {
  const seq = s.noteSeq + 1;
  return { ...s, noteSeq: seq, history: mergeTranscript(s.history, [localNote(seq, text, at || new Date(0).toISOString())]) };
}

/** Back from escalated to chat-only; `disconnect` when we end the leg (not when the server told us it ended). */
function voiceLegEnded(s, at, disconnect) {
  const effects = [{ type: 'leaveVoice', contactId: s.voice.contactId, disconnect }];
  const state = withNote({ ...s, mode: 'chat-only', voice: { ...s.voice, status: 'ended' } }, 'Voice call ended. You can keep chatting here.', at);
  return { state, effects };
}

function endConversation(s, at, message, extra = []) {
  const effects = [...extra];
  if (isVoiceLive(s) && s.voice.contactId) {
    // In escalated mode the voice contact is separate and must be ended too; in voice-chat it is the same contact.
    effects.push({ type: 'leaveVoice', contactId: s.voice.contactId, disconnect: s.mode === 'escalated' });
  }
  effects.push({ type: 'closeChat', contactId: s.chat.contactId });
  const state = {
    ...s,
    mode: 'none',
    chat: { ...s.chat, status: 'ended' },
    voice: s.voice ? { ...s.voice, status: 'ended' } : null,
    agentTyping: false,
    error: message ? { message, retry: 'newChat' } : s.error,
  };
  return { state, effects };
}

const chatRef = (c) => ({ contactId: c.contactId, participantToken: c.participantToken, connectionToken: c.connectionToken ?? null });
const voiceRef = (v) => ({
  contactId: v.contactId, participantToken: v.participantToken, connectionToken: v.connectionToken ?? null,
  connectionData: v.connectionData,
});
