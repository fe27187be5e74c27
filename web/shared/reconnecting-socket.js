// One WebSocket that comes back by itself. Every socket of the browser side (customer /ws, participant chat,
// agent socket, voice signaling) uses it, so reconnect, backoff and keep-alive behave the same everywhere.
import { Backoff } from './backoff.js';

export class ReconnectingSocket {
  /**
   * @param {object} o
   * @param {string|(() => Promise<string>)} o.url  a URL, or an async provider (e.g. one that first asks for a fresh
   *   participant connection). A provider that throws a non-transient ApiError stops the socket with status 'failed'.
   * @param {(sock: ReconnectingSocket) => void} o.onOpen  send the first frames (register, subscribe, auth, join)
   * @param {(msg: object) => void} o.onMessage  one parsed JSON frame
   * @param {(status: string, detail?: any) => void} [o.onStatus]  connecting | open | reconnecting | closed | failed
   * @param {(ev: CloseEvent) => boolean} [o.shouldReconnect]  false for closes that mean "go away" (e.g. 1008)
   * @param {{intervalMs: number, frame: object}} [o.keepAlive]  frame sent periodically while open
   * @param {number} [o.maxAttempts]  consecutive failed attempts before giving up with 'failed'
   */
  constructor(o) {
    this.o = { shouldReconnect: () => true, onStatus: () => {}, maxAttempts: Infinity, ...o };
    this.backoff = o.backoff || new Backoff();
    this.WebSocketImpl = o.WebSocketImpl || globalThis.WebSocket;
    this.ws = null;
    this.stopped = false;
    this.timer = null;
    this.keepAliveTimer = null;
    this.failures = 0;
  }

  start() {
    this.stopped = false;
    this.o.onStatus('connecting');
    this.#open();
    return this;
  }

  get isOpen() {
    return this.ws?.readyState === 1;
  }

  send(obj) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  /** Stop for good (no reconnect). */
  close(code = 1000) {
    this.stopped = true;
    clearTimeout(this.timer);
    this.#stopKeepAlive();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(code);
    this.o.onStatus('closed');
  }

  /** Drop the current socket and reconnect now (e.g. the user pressed Retry). */
  reconnectNow() {
    this.stopped = false;
    clearTimeout(this.timer);
    this.backoff.reset();
    this.failures = 0;
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000);
    this.o.onStatus('reconnecting');
    this.#open();
  }

  async #open() {
    let url;
    try {
      url = typeof this.o.url === 'function' ? await this.o.url() : this.o.url;
    } catch (err) {
      if (err && err.transient === false) {
        this.stopped = true;
        this.o.onStatus('failed', err);
        return;
      }
      this.#retry(err);
      return;
    }
    if (this.stopped) return;
    let ws;
    try {
      ws = new this.WebSocketImpl(url);
    } catch (err) {
      this.#retry(err);
      return;
    }
    this.ws = ws;
    let gotMessage = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.o.onStatus('open');
      this.#startKeepAlive();
      this.o.onOpen(this);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      if (!gotMessage) {
        // The server answered: the outage is over, so the next one starts with a short delay again.
        gotMessage = true;
        this.backoff.reset();
        this.failures = 0;
      }
      let msg;
      try {
        msg = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.o.onMessage(msg);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.#stopKeepAlive();
      if (this.stopped) return;
      if (!this.o.shouldReconnect(ev)) {
        this.stopped = true;
        this.o.onStatus('failed', ev);
        return;
      }
      this.#retry(ev);
    };
  }

  #retry(detail) {
    this.failures += 1;
    if (this.failures > this.o.maxAttempts) {
      this.stopped = true;
      this.o.onStatus('failed', detail);
      return;
    }
    this.o.onStatus('reconnecting', detail);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.#open(), this.backoff.next());
  }

  #startKeepAlive() {
    this.#stopKeepAlive();
    const ka = this.o.keepAlive;
    if (ka) this.keepAliveTimer = setInterval(() => this.send(ka.frame), ka.intervalMs);
  }

  #stopKeepAlive() {
    clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }
}
