// JSON over fetch with one error type for both error shapes we meet:
// Switchboard's `{"error":{"code","message"}}` and AWS rest-json (`x-amzn-ErrorType` + `{"message"}`).

export class ApiError extends Error {
  /** status 0 means the request never got an HTTP answer (network down, server restarting). */
  constructor(status, code, message, retryAfter = null) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
  /** Worth trying again later: no answer, overload or a temporary server fault. */
  get transient() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export async function requestJson(url, { method = 'POST', body, headers = {}, fetchImpl = globalThis.fetch } = {}) {
  let response;
  try {
    response = await fetchImpl(url, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached.');
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!response.ok) {
    const awsType = response.headers.get('x-amzn-ErrorType');
    const code = data?.error?.code || (awsType ? awsType.split(':')[0] : `HTTP_${response.status}`);
    const message = data?.error?.message || data?.message || response.statusText;
    throw new ApiError(response.status, code, message, response.headers.get('Retry-After'));
  }
  return data;
}

/** Origin of the server that served a module: the widget may be embedded on another site's page. */
export function serverOrigin(moduleUrl) {
  return new URL(moduleUrl).origin;
}

/** http(s)://host → ws(s)://host/path */
export function wsUrl(origin, path) {
  return origin.replace(/^http/, 'ws') + path;
}

/** Random id for ClientToken (idempotency key) — falls back when randomUUID needs a secure context we lack. */
export function randomId() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
