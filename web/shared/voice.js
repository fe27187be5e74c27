// Voice over WebRTC through the engine's signaling relay (docs/agent-api.md "Voice").
// The agent makes the offer, the customer answers. Shared by the widget (role "customer") and the agent app.
import { ReconnectingSocket } from './reconnecting-socket.js';

/**
 * Join a meeting. Returns a handle with `setMuted(bool)`, `leave()` and `peerConnection`.
 * onStatus receives connecting | connected | ended; onError(message) for problems a person must know about.
 * While voice is up, the live RTCPeerConnection is `window.switchboardVoice.peerConnection` (tests read getStats()).
 */
export function joinVoice({ signalingUrl, joinToken, role, onStatus = () => {}, onError = () => {} }) {
  let stream = null;
  let pc = null;
  let iceServers = [];
  let status = null;
  let muted = false;
  let pendingCandidates = [];
  let ended = false;
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.hidden = true;
  document.body.appendChild(audio);

  const setStatus = (s) => {
    if (s === status || (ended && s !== 'ended')) return;
    status = s;
    onStatus(s);
  };

  // A fresh peer connection for each (re)join or peer change: renegotiating across a peer that restarted
  // (reload, signaling reconnect) would mix two DTLS sessions, a new one is simpler and always correct.
  const resetPeer = () => {
    if (pc) pc.close();
    pendingCandidates = [];
    pc = new RTCPeerConnection({ iceServers });
    expose(pc);
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    const mine = pc;
    pc.ontrack = (ev) => {
      audio.srcObject = ev.streams[0] || new MediaStream([ev.track]);
      audio.play?.().catch(() => {});
    };
    pc.onicecandidate = (ev) => {
      if (ev.candidate) signaling.send({ action: 'signal', data: { type: 'candidate', candidate: ev.candidate.toJSON() } });
    };
    pc.onconnectionstatechange = () => {
      if (mine !== pc) return;
      if (pc.connectionState === 'connected') setStatus('connected');
      else if (pc.connectionState === 'failed' || pc.connectionState === 'disconnected') setStatus('connecting');
    };
    setStatus('connecting');
  };

  const makeOffer = async () => {
    resetPeer();
    const offer = await pc.createOffer({ offerToReceiveAudio: true });
    await pc.setLocalDescription(offer);
    signaling.send({ action: 'signal', data: { type: 'offer', sdp: pc.localDescription.sdp } });
  };

  const onSignal = async (data) => {
    if (data.type === 'offer' && role === 'customer') {
      if (!pc || pc.signalingState !== 'stable' || pc.remoteDescription) resetPeer();
      await pc.setRemoteDescription({ type: 'offer', sdp: data.sdp });
      await flushCandidates();
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      signaling.send({ action: 'signal', data: { type: 'answer', sdp: pc.localDescription.sdp } });
    } else if (data.type === 'answer' && role === 'agent' && pc?.signalingState === 'have-local-offer') {
      await pc.setRemoteDescription({ type: 'answer', sdp: data.sdp });
      await flushCandidates();
    } else if (data.type === 'candidate' && data.candidate) {
      // Candidates can outrun the description they belong to; keep them until it is set.
      if (pc?.remoteDescription) await pc.addIceCandidate(data.candidate).catch(() => {});
      else pendingCandidates.push(data.candidate);
    }
  };

  const flushCandidates = async () => {
    const list = pendingCandidates;
    pendingCandidates = [];
    for (const c of list) await pc.addIceCandidate(c).catch(() => {});
  };

  const otherRole = role === 'agent' ? 'customer' : 'agent';
  const onMessage = (msg) => {
    const run = async () => {
      if (msg.type === 'joined') {
        iceServers = Array.isArray(msg.iceServers) ? msg.iceServers : [];
        if (role === 'agent' && (msg.peers || []).some((p) => p.role === otherRole)) await makeOffer();
        else resetPeer();
      } else if (msg.type === 'peer_joined' && msg.role === otherRole) {
        if (role === 'agent') await makeOffer();
        else resetPeer();
      } else if (msg.type === 'peer_left' && msg.role === otherRole) {
        resetPeer(); // wait for the other side to come back
      } else if (msg.type === 'signal') {
        await onSignal(msg.data || {});
      } else if (msg.type === 'meeting_ended') {
        leave();
      } else if (msg.type === 'error') {
        // A refused join is followed by close 1008, which ends the call; other errors concern one frame only.
        console.warn('switchboard voice: signaling error', msg.code, msg.message);
      }
    };
    run().catch((err) => onError(`Voice setup failed: ${err.message || err}`));
  };

  const signaling = new ReconnectingSocket({
    url: signalingUrl,
    onOpen: (sock) => sock.send({ action: 'join', joinToken }),
    onMessage,
    // 1008: our join token was refused (the call is over, or the token is not for this meeting); retrying cannot help.
    // The end of the call is `meeting_ended` (we leave on it, before its close 1000 arrives). Any other close, 1000
    // included, is a lost connection: a restarting node may close with 1000, and the call is still on. Rejoining a
    // call that really ended is refused with 1008, so this cannot keep a dead call alive.
    shouldReconnect: (ev) => ev.code !== 1008,
    onStatus: (s) => {
      if (s === 'failed') leave();
    },
    maxAttempts: 10,
  });

  function leave() {
    if (ended) return;
    setStatus('ended');
    ended = true;
    signaling.close();
    if (pc) pc.close();
    stream?.getTracks().forEach((t) => t.stop());
    audio.srcObject = null;
    audio.remove();
    if (window.switchboardVoice?.peerConnection === pc) window.switchboardVoice.peerConnection = null;
  }

  const handle = {
    get peerConnection() {
      return pc;
    },
    get status() {
      return status;
    },
    get muted() {
      return muted;
    },
    setMuted(value) {
      muted = Boolean(value);
      stream?.getAudioTracks().forEach((t) => (t.enabled = !muted));
    },
    leave,
  };

  setStatus('connecting');
  navigator.mediaDevices
    .getUserMedia({ audio: true, video: false })
    .then((s) => {
      if (ended) {
        s.getTracks().forEach((t) => t.stop());
        return;
      }
      stream = s;
      handle.setMuted(muted);
      signaling.start();
    })
    .catch(() => {
      onError('We could not use your microphone. Please allow microphone access and try again.');
      leave();
    });
  return handle;
}

function expose(pc) {
  window.switchboardVoice = window.switchboardVoice || {};
  window.switchboardVoice.peerConnection = pc;
}
