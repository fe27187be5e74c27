// Chat through the Amazon Connect Participant Service, for the customer widget and the agent app alike.
// The base URL is `participantEndpoint` from GET /widget-config, so the same code talks to the local engine or AWS.
import { requestJson, randomId } from './http.js';
import { ReconnectingSocket } from './reconnecting-socket.js';

const TYPING_EVERY_MS = 3000; // at most one typing event per this period, like the Connect chat widget
const HEARTBEAT_MS = 10000;

/**
 * One participant's chat connection.
 * Callbacks: onItems(items) for live items and for transcript catch-up after every (re)connect;
 * onStatus(status, detail) with connecting | connected | reconnecting | ended | failed.
 *   ended: the participant token is no longer valid (contact over, or the server forgot it) — do not retry.
 *   failed: the server stayed unreachable for `maxAttempts` tries — a Retry button may call `retry()`.
 */
export class ParticipantChat {
  constructor({ endpoint, participantToken, onItems, onStatus, maxAttempts = 8,
    fetchImpl, WebSocketImpl } = {}) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.participantToken = participantToken;
    this.connectionToken = null; // from CreateParticipantConnection, renewed on every reconnect
    this.onItems = onItems || (() => {});
    this.onStatus = onStatus || (() => {});
    this.fetchImpl = fetchImpl;
    this.lastTypingAt = 0;
    this.ended = false;
    this.socket = new ReconnectingSocket({
      url: () => this.#createConnection(),
      onOpen: (sock) => sock.send({ topic: 'aws/subscribe', content: { topics: ['aws/chat'] } }),
      onMessage: (msg) => this.#onFrame(msg),
      onStatus: (status, detail) => this.#onSocketStatus(status, detail),
      keepAlive: { intervalMs: HEARTBEAT_MS, frame: { topic: 'aws/heartbeat' } },
      maxAttempts,
      WebSocketImpl,
    });
  }

  /** Connect (or reconnect after a reload); resolves once the first subscribe succeeded or the chat is known ended. */
  connect() {
    return new Promise((resolve) => {
      this.firstReady = resolve;
      this.socket.start();
    });
  }

  retry() {
    this.socket.reconnectNow();
  }

  async send(text) {
    this.lastTypingAt = 0; // a sent message ends the typing burst: the next keystroke signals typing again
    return this.#call('/participant/message', { ContentType: 'text/plain', Content: text, ClientToken: randomId() });
  }

  /** Throttled: call it on every keystroke. */
  sendTyping() {
    const now = Date.now();
    if (now - this.lastTypingAt < TYPING_EVERY_MS || !this.connectionToken) return;
    this.lastTypingAt = now;
    this.#call('/participant/event', {
      ContentType: 'application/vnd.amazonaws.connect.event.typing', ClientToken: randomId(),
    }).catch(() => {}); // a lost typing hint is harmless
  }

  /** Whole transcript, oldest first (pages of 100 until NextToken runs out, at most 20 pages). */
  async transcript() {
    const items = [];
    let next;
    for (let page = 0; page < 20; page += 1) {
      const body = { MaxResults: 100, ScanDirection: 'FORWARD', SortOrder: 'ASCENDING' };
      if (next) body.NextToken = next;
      const res = await this.#call('/participant/transcript', body);
      items.push(...(res?.Transcript || []));
      next = res?.NextToken;
      if (!next) break;
    }
    return items;
  }

  /** Leave the conversation (for the customer this ends the contact), then stop the socket. */
  async disconnect() {
    this.ended = true;
    try {
      // Ended before the first connection came back: get a ConnectionToken first, or the contact would stay alive
      // on the server (queued, offered to an agent) although the customer has left.
      if (!this.connectionToken) await this.#createConnection();
      await this.#call('/participant/disconnect', { ClientToken: randomId() });
    } finally {
      this.socket.close();
    }
  }

  /** Stop locally without telling the server (page unload, contact ended elsewhere). */
  close() {
    this.ended = true;
    this.socket.close();
  }

  async #createConnection() {
    const res = await requestJson(`${this.endpoint}/participant/connection`, {
      headers: { 'X-Amz-Bearer': this.participantToken },
      body: { Type: ['WEBSOCKET', 'CONNECTION_CREDENTIALS'], ConnectParticipant: true },
      fetchImpl: this.fetchImpl,
    });
    this.connectionToken = res.ConnectionCredentials.ConnectionToken;
    return res.Websocket.Url;
  }

  #call(path, body) {
    return requestJson(`${this.endpoint}${path}`, {
      headers: { 'X-Amz-Bearer': this.connectionToken },
      body,
      fetchImpl: this.fetchImpl,
    });
  }

  async #onFrame(msg) {
    if (msg.topic === 'aws/subscribe' && msg.content?.status === 'success') {
      this.onStatus('connected', { connectionToken: this.connectionToken });
      // Catch up on whatever was said while we were away; the merge drops what we already have.
      try {
        this.onItems(await this.transcript());
      } catch {
        /* the live socket still works; the next reconnect catches up */
      }
      this.#resolveFirst();
      return;
    }
    if (msg.topic !== 'aws/chat' || typeof msg.content !== 'string') return;
    let item;
    try {
      item = JSON.parse(msg.content);
    } catch {
      return;
    }
    this.onItems([item]);
  }

  #onSocketStatus(status, detail) {
    if (status === 'open' || status === 'connecting' || status === 'closed') return;
    if (status === 'failed' && detail?.transient === false) {
      // The participant token was refused: this conversation is over for good.
      this.ended = true;
      this.onStatus('ended', detail);
    } else if (!this.ended) {
      this.onStatus(status, detail);
    }
    if (status === 'failed') this.#resolveFirst();
  }

  #resolveFirst() {
    if (this.firstReady) {
      this.firstReady();
      this.firstReady = null;
    }
  }
}

/** Participant endpoint from the server's widget configuration (cached per page). */
let configPromise = null;
export function widgetConfig(origin) {
  if (!configPromise) {
    configPromise = requestJson(`${origin}/widget-config`, { method: 'GET' }).catch((err) => {
      configPromise = null; // try again next time instead of caching the failure
      throw err;
    });
  }
  return configPromise;
}
