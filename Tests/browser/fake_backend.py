"""An in-browser stand-in for the Switchboard server, built on Playwright's request and WebSocket routing.

It speaks the contracts the web code relies on (SPEC §3, §4, §6 and docs/agent-api.md) closely enough to drive the
widget and the agent app end to end — chat, typing, escalation to the same agent, WebRTC signaling relay, reload
recovery — with no server at all. It is a test double for the UI, not a reference implementation: routing is
"first Available agent, related contacts to the related contact's agent", and nothing is persisted.

Use: `fake = FakeBackend(); fake.install(context)` for every browser context, after which the static files come from
the static server and every API path and socket is answered here.
"""

from __future__ import annotations

import datetime
import itertools
import json
import re
import uuid

API = re.compile(r"/(widget-config|start-chat-contact|start-voice-contact|connect/participant/[a-z]+|agent/api/[a-z]+)$")
SOCKETS = re.compile(r"/(ws|agent/ws|fake-participant/[^/]+|signaling/[^/]+)$")
USER_ID = re.compile(r"^user_[0-9a-fA-F-]{36}$")
EVENT = "application/vnd.amazonaws.connect.event."
AGENTS = {"agent1": "Ava", "agent2": "Ben"}


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeBackend:
    def __init__(self) -> None:
        self.contacts: dict[str, dict] = {}
        self.participants: dict[str, dict] = {}  # participantToken -> {contactId, role, name}
        self.connections: dict[str, dict] = {}  # connectionToken -> same
        self.participant_sockets: dict[str, list] = {}  # contactId -> [(ws, role)]
        self.user_sockets: dict[str, list] = {}  # userId -> [ws]
        self.pushes: list[dict] = []
        self.event_seq = itertools.count(1)
        self.agents = {name: {"agentId": name, "displayName": shown, "state": "Offline", "sockets": [], "token": None}
                       for name, shown in AGENTS.items()}
        self.meetings: dict[str, dict] = {}  # meetingId -> {attendees: {attendeeId: {...}}}
        self.offers: dict[str, str] = {}  # contactId -> agent name
        self.origin = None
        self.fail_next: dict[str, int] = {}  # path -> HTTP status to return once (error-path tests)
        self.open_sockets: list = []

    # ------------------------------------------------------------------ wiring
    def install(self, context) -> None:
        context.route(API, self._http)
        context.route_web_socket(SOCKETS, self._socket)

    def _http(self, route) -> None:
        req = route.request
        path = re.sub(r"^https?://[^/]+", "", req.url).split("?")[0]
        self.origin = re.match(r"^(https?://[^/]+)", req.url).group(1)
        if path in self.fail_next:
            status = self.fail_next.pop(path)
            return route.fulfill(status=status, json={"error": {"code": "SERVICE_UNAVAILABLE", "message": "down"}})
        body = req.post_data_json if req.method == "POST" and req.post_data else {}
        bearer = req.headers.get("x-amz-bearer")
        try:
            status, payload = self._dispatch(path, body or {}, bearer, req.headers)
        except KeyError:
            status, payload = 403, {"message": "Access denied"}
        if status == 204:
            return route.fulfill(status=204, body="")
        headers = {}
        if status >= 400 and path.startswith("/connect/"):
            headers["x-amzn-ErrorType"] = "AccessDeniedException" if status == 403 else "ResourceNotFoundException"
        route.fulfill(status=status, json=payload, headers=headers)

    def _dispatch(self, path, body, bearer, headers):
        if path == "/widget-config":
            return 200, {"mode": "local", "participantEndpoint": f"{self.origin}/connect", "region": "us-west-2"}
        if path == "/start-chat-contact":
            if not USER_ID.match(body.get("userId", "")):
                return 400, {"error": {"code": "INVALID_REQUEST", "message": "bad userId"}}
            c = self._new_contact("chat", body, None)
            return 200, {"contactId": c["contactId"], "participantId": c["customerParticipantId"], "participantToken": c["customerToken"]}
        if path == "/start-voice-contact":
            if not USER_ID.match(body.get("userId", "")):
                return 400, {"error": {"code": "INVALID_REQUEST", "message": "bad userId"}}
            related = body.get("relatedContactId")
            if related:
                r = self.contacts.get(related)
                if not r or r["ended"] or r["userId"] != body["userId"] or r["channel"] != "chat":
                    return 400, {"error": {"code": "INVALID_RELATED_CONTACT", "message": "no such chat"}}
            c = self._new_contact("voice", body, related)
            meeting = self.meetings[c["meetingId"]]
            customer = meeting["attendees"][c["customerAttendee"]]
            return 200, {
                "contactId": c["contactId"], "participantId": c["customerParticipantId"], "participantToken": c["customerToken"],
                "connectionData": {
                    "Attendee": {"AttendeeId": customer["attendeeId"], "JoinToken": customer["joinToken"]},
                    "Meeting": {"MeetingId": c["meetingId"], "MediaRegion": "local", "MediaPlacement": {
                        "AudioHostUrl": "", "AudioFallbackUrl": "", "SignalingUrl": self._ws(f"/signaling/{c['meetingId']}"),
                        "TurnControlUrl": "", "EventIngestionUrl": ""}, "MeetingFeatures": {"Audio": {"EchoReduction": "AVAILABLE"}}},
                },
            }
        if path == "/connect/participant/connection":
            p = self.participants[bearer]
            contact = self.contacts[p["contactId"]]
            if contact["ended"]:
                return 403, {"message": "Contact ended"}
            token = f"conn-{uuid.uuid4()}"
            self.connections[token] = p
            if not p.get("joined"):
                p["joined"] = True
                self._item(contact, "EVENT", p, content_type=EVENT + "participant.joined")
            return 200, {"Websocket": {"Url": self._ws(f"/fake-participant/{token}"), "ConnectionExpiry": "2099-01-01T00:00:00Z"},
                         "ConnectionCredentials": {"ConnectionToken": token, "Expiry": "2099-01-01T00:00:00Z"}}
        if path.startswith("/connect/participant/"):
            p = self.connections[bearer]
            contact = self.contacts[p["contactId"]]
            op = path.rsplit("/", 1)[1]
            if op == "transcript":
                return 200, {"InitialContactId": contact["contactId"], "Transcript": contact["transcript"]}
            if contact["ended"]:
                return 403, {"message": "Contact ended"}
            if op == "message":
                item = self._item(contact, "MESSAGE", p, content=body["Content"], content_type="text/plain")
                return 200, {"Id": item["Id"], "AbsoluteTime": item["AbsoluteTime"]}
            if op == "event":
                self._item(contact, "EVENT", p, content_type=body["ContentType"], keep=False)
                return 200, {"Id": str(uuid.uuid4()), "AbsoluteTime": now_iso()}
            if op == "disconnect":
                self._end(contact)
                return 200, {}
        if path == "/agent/api/login":
            name = body.get("username")
            if name not in self.agents or body.get("password") != "local-demo-password":
                return 401, {"error": {"code": "UNAUTHORIZED", "message": "bad credentials"}}
            agent = self.agents[name]
            agent["token"] = f"agent-token-{uuid.uuid4()}"
            return 200, {"token": agent["token"], "agentId": name, "displayName": agent["displayName"]}
        if path == "/agent/api/logout":
            return 204, None
        return 404, {"error": {"code": "NOT_FOUND", "message": path}}

    def _ws(self, path: str) -> str:
        return self.origin.replace("http", "ws", 1) + path

    def restart(self) -> None:
        """What a node's SIGTERM does to clients: every socket closes with 1012; the data (Redis) survives."""
        sockets, self.open_sockets = self.open_sockets, []
        for ws in sockets:
            self._forget(ws)
            try:
                ws.close(code=1012, reason="service restart")
            except Exception:
                pass

    def _forget(self, ws) -> None:
        """Drop a closed socket from every registry, telling a meeting's other attendee that it left."""
        for lst in self.user_sockets.values():
            if ws in lst:
                lst.remove(ws)
        for agent in self.agents.values():
            if ws in agent["sockets"]:
                agent["sockets"].remove(ws)
        for cid, lst in self.participant_sockets.items():
            self.participant_sockets[cid] = [(w, r) for w, r in lst if w is not ws]
        for meeting in self.meetings.values():
            for att in meeting["attendees"].values():
                if att["ws"] is ws:
                    att["ws"] = None
                    for other in meeting["attendees"].values():
                        if other["ws"]:
                            self._send(other["ws"], {"type": "peer_left", "attendeeId": att["attendeeId"], "role": att["role"]})

    def _socket(self, ws) -> None:
        path = re.sub(r"^wss?://[^/]+", "", ws.url)
        self.open_sockets.append(ws)
        ws.on_close(lambda *_: self._forget(ws))
        if path == "/ws":
            ws.on_message(lambda m: self._customer_frame(ws, json.loads(m)))
        elif path == "/agent/ws":
            ws.on_message(lambda m: self._agent_frame(ws, json.loads(m)))
        elif path.startswith("/fake-participant/"):
            token = path.rsplit("/", 1)[1]
            ws.on_message(lambda m: self._participant_frame(ws, token, json.loads(m)))
        elif path.startswith("/signaling/"):
            ws.on_message(lambda m: self._signaling_frame(ws, path.rsplit("/", 1)[1], json.loads(m)))

    @staticmethod
    def _send(ws, obj) -> None:
        try:
            ws.send(json.dumps(obj))
        except Exception:  # the page went away; like a server, ignore the dead socket
            pass

    # ------------------------------------------------------------------ contacts
    def _new_contact(self, channel, body, related):
        cid = str(uuid.uuid4())
        c = {"contactId": cid, "channel": channel, "userId": body["userId"], "customerName": body.get("customerName") or "Customer",
             "relatedContactId": related, "ended": False, "agent": None, "transcript": [],
             "initiationMethod": "Chat" if channel == "chat" else body.get("initiationMethod", "Voice"),
             "customerToken": f"pt-{uuid.uuid4()}", "customerParticipantId": str(uuid.uuid4())}
        self.contacts[cid] = c
        self.participants[c["customerToken"]] = {"contactId": cid, "role": "CUSTOMER", "name": c["customerName"],
                                                 "participantId": c["customerParticipantId"]}
        if channel == "voice":
            c["meetingId"] = str(uuid.uuid4())
            c["customerAttendee"] = str(uuid.uuid4())
            c["agentAttendee"] = str(uuid.uuid4())
            self.meetings[c["meetingId"]] = {"contactId": cid, "attendees": {
                c["customerAttendee"]: {"attendeeId": c["customerAttendee"], "role": "customer", "joinToken": f"jt-{uuid.uuid4()}", "ws": None},
                c["agentAttendee"]: {"attendeeId": c["agentAttendee"], "role": "agent", "joinToken": f"jt-{uuid.uuid4()}", "ws": None},
            }}
        self._route(c)
        return c

    def _route(self, c) -> None:
        """Related contacts go to the related contact's agent; others to the first Available agent with room."""
        if c["ended"] or c["agent"] or c["contactId"] in self.offers:
            return
        related = self.contacts.get(c["relatedContactId"] or "")
        candidates = [related["agent"]] if related and related["agent"] else list(self.agents)
        for name in candidates:
            agent = self.agents[name]
            if agent["state"] != "Available" or not agent["sockets"]:
                continue
            busy = [x for x in self.contacts.values() if x["agent"] == name and not x["ended"] and x["channel"] == c["channel"]]
            if len(busy) >= (3 if c["channel"] == "chat" else 1):
                continue
            self.offers[c["contactId"]] = name
            offer = {"type": "offer", "contactId": c["contactId"], "channel": c["channel"], "customerName": c["customerName"],
                     "userId": c["userId"], "expiresAt": int(datetime.datetime.now().timestamp() * 1000) + 30000}
            if c["relatedContactId"]:
                offer["relatedContactId"] = c["relatedContactId"]
            for ws in agent["sockets"]:
                self._send(ws, offer)
            return

    def _contact_frame(self, c, name) -> dict:
        frame = {"contactId": c["contactId"], "channel": c["channel"], "customerName": c["customerName"], "userId": c["userId"],
                 "participantToken": c["agentToken"]}
        if c["relatedContactId"]:
            frame["relatedContactId"] = c["relatedContactId"]
        if c["channel"] == "voice":
            att = self.meetings[c["meetingId"]]["attendees"][c["agentAttendee"]]
            frame["voice"] = {"signalingUrl": self._ws(f"/signaling/{c['meetingId']}"), "attendeeId": att["attendeeId"],
                              "joinToken": att["joinToken"], "meetingId": c["meetingId"]}
        return frame

    def _accept(self, name, cid) -> None:
        c = self.contacts.get(cid)
        if not c or self.offers.get(cid) != name:
            return
        del self.offers[cid]
        c["agent"] = name
        c["agentToken"] = f"pt-{uuid.uuid4()}"
        self.participants[c["agentToken"]] = {"contactId": cid, "role": "AGENT", "name": self.agents[name]["displayName"],
                                              "participantId": str(uuid.uuid4())}
        for ws in self.agents[name]["sockets"]:
            self._send(ws, {"type": "contact_connected", **self._contact_frame(c, name)})
        self._push(c["userId"], {"type": "agent_connected", "contactId": cid, "channel": c["channel"].upper()})
        if c["initiationMethod"] == "Chat" and c["channel"] == "chat":
            self._push(c["userId"], {"type": "enable_escalation", "contactId": cid, "userId": c["userId"]})

    def _end(self, c) -> None:
        if c["ended"]:
            return
        c["ended"] = True
        self.offers.pop(c["contactId"], None)
        system = {"role": "SYSTEM", "name": "SYSTEM", "participantId": "system"}
        self._item(c, "EVENT", system, content_type=EVENT + "chat.ended", force=True)
        if c["agent"]:
            for ws in self.agents[c["agent"]]["sockets"]:
                self._send(ws, {"type": "contact_ended", "contactId": c["contactId"], "channel": c["channel"]})
        self._push(c["userId"], {"type": "contact_ended", "contactId": c["contactId"], "channel": c["channel"].upper()})
        if c["channel"] == "voice":
            for att in self.meetings[c["meetingId"]]["attendees"].values():
                if att["ws"]:
                    self._send(att["ws"], {"type": "meeting_ended"})
                    try:
                        att["ws"].close(code=1000)
                    except Exception:
                        pass
        for agent in self.agents.values():  # capacity freed: offer what waits
            if agent["state"] == "Available":
                for other in list(self.contacts.values()):
                    self._route(other)

    def _item(self, c, kind, p, content=None, content_type="text/plain", keep=True, force=False):
        item = {"AbsoluteTime": now_iso(), "ContentType": content_type, "Id": str(uuid.uuid4()), "Type": kind,
                "ParticipantId": p["participantId"], "DisplayName": p["name"], "ParticipantRole": p["role"],
                "InitialContactId": c["contactId"], "ContactId": c["contactId"]}
        if content is not None:
            item["Content"] = content
        if keep:
            c["transcript"].append(item)
        for ws, _ in self.participant_sockets.get(c["contactId"], []):
            self._send(ws, {"topic": "aws/chat", "contentType": "application/json", "content": json.dumps(item)})
        return item

    def _push(self, user_id, push) -> None:
        push = {**push, "eventId": f"{next(self.event_seq):08d}-0"}
        self.pushes.append({"userId": user_id, **push})
        for ws in self.user_sockets.get(user_id, []):
            self._send(ws, push)

    # ------------------------------------------------------------------ socket frames
    def _customer_frame(self, ws, msg) -> None:
        if msg.get("action") == "register":
            uid = msg["userId"]
            self.user_sockets.setdefault(uid, []).append(ws)
            self._send(ws, {"type": "registered", "connectionId": str(uuid.uuid4()), "userId": uid, "node": "fake"})
            last = msg.get("lastEventId")
            if last:
                for p in self.pushes:
                    if p["userId"] == uid and p["eventId"] > last:
                        self._send(ws, {k: v for k, v in p.items() if k != "userId"})
        elif msg.get("action") == "ping":
            self._send(ws, {"type": "pong"})

    def _agent_frame(self, ws, msg) -> None:
        action = msg.get("action")
        if action == "auth":
            agent = next((a for a in self.agents.values() if a["token"] and a["token"] == msg.get("token")), None)
            if not agent:
                self._send(ws, {"type": "error", "code": "UNAUTHORIZED", "message": "bad token"})
                ws.close(code=1008)
                return
            agent["sockets"].append(ws)
            ws.agent = agent["agentId"]  # type: ignore[attr-defined]
            mine = [self._contact_frame(c, agent["agentId"]) for c in self.contacts.values()
                    if c["agent"] == agent["agentId"] and not c["ended"]]
            self._send(ws, {"type": "authenticated", "agentId": agent["agentId"], "displayName": agent["displayName"],
                            "state": agent["state"], "contacts": mine})
            return
        name = getattr(ws, "agent", None)
        if not name:
            return
        if action == "set_state":
            self.agents[name]["state"] = msg["state"]
            self._send(ws, {"type": "state", "state": msg["state"]})
            for c in list(self.contacts.values()):
                self._route(c)
        elif action == "accept":
            self._accept(name, msg["contactId"])
        elif action == "reject":
            cid = msg["contactId"]
            if self.offers.get(cid) == name:
                del self.offers[cid]
                self._send(ws, {"type": "offer_withdrawn", "contactId": cid, "reason": "rejected"})
        elif action == "end":
            c = self.contacts.get(msg["contactId"])
            if c and c["agent"] == name:
                self._end(c)
        elif action == "ping":
            self._send(ws, {"type": "pong"})

    def _participant_frame(self, ws, token, msg) -> None:
        p = self.connections.get(token)
        if not p:
            ws.close(code=1008)
            return
        topic = msg.get("topic")
        if topic == "aws/subscribe":
            self.participant_sockets.setdefault(p["contactId"], []).append((ws, p["role"]))
            self._send(ws, {"topic": "aws/subscribe", "content": {"status": "success", "topics": ["aws/chat"]}})
        elif topic == "aws/heartbeat":
            self._send(ws, {"topic": "aws/heartbeat"})

    def _signaling_frame(self, ws, meeting_id, msg) -> None:
        meeting = self.meetings.get(meeting_id)
        if not meeting:
            ws.close(code=1008)
            return
        if msg.get("action") == "join":
            me = next((a for a in meeting["attendees"].values() if a["joinToken"] == msg.get("joinToken")), None)
            if not me or self.contacts[meeting["contactId"]]["ended"]:
                self._send(ws, {"type": "error", "code": "UNAUTHORIZED", "message": "bad join token"})
                ws.close(code=1008)
                return
            me["ws"] = ws
            ws.attendee = me  # type: ignore[attr-defined]
            others = [a for a in meeting["attendees"].values() if a is not me and a["ws"]]
            self._send(ws, {"type": "joined", "attendeeId": me["attendeeId"], "role": me["role"], "iceServers": [],
                            "peers": [{"attendeeId": a["attendeeId"], "role": a["role"]} for a in others]})
            for a in others:
                self._send(a["ws"], {"type": "peer_joined", "attendeeId": me["attendeeId"], "role": me["role"]})
        elif msg.get("action") == "signal":
            me = getattr(ws, "attendee", None)
            for a in meeting["attendees"].values():
                if me and a is not me and a["ws"]:
                    self._send(a["ws"], {"type": "signal", "from": me["attendeeId"], "data": msg.get("data")})
        elif msg.get("action") == "ping":
            self._send(ws, {"type": "pong"})
