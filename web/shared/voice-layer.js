// How a page joins a call. Local mode: the engine's signaling relay (voice.js). AWS mode: Amazon Connect's calls are
// Amazon Chime SDK meetings, and that SDK cannot be served from here: the operator hosts it and installs a layer on
// the page as `window.switchboardVoiceLayer = { join(options) }` (docs/aws.md has one written on the Chime SDK).
// Without one, the widget says so plainly instead of starting a call that cannot work.
import { joinVoice } from './voice.js';

export const NO_VOICE_LAYER = 'Calls are not available on this page yet. Please keep chatting.';

/**
 * The voice layer for `mode` ('local' | 'aws'): `{ join }`, where join({ connectionData, role, onStatus, onError })
 * returns a handle with `leave()` (and `setMuted`, `peerConnection` where it has them); or `{ unavailable }`, the
 * message to show instead.
 */
export function voiceLayer(mode, page = globalThis) {
  if (mode !== 'aws') {
    return {
      join: ({ connectionData, ...rest }) => joinVoice({
        signalingUrl: connectionData?.Meeting?.MediaPlacement?.SignalingUrl, joinToken: connectionData?.Attendee?.JoinToken, ...rest,
      }),
    };
  }
  const installed = page.switchboardVoiceLayer;
  return typeof installed?.join === 'function' ? { join: (options) => installed.join(options) } : { unavailable: NO_VOICE_LAYER };
}
