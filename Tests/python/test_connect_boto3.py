"""Acceptance test of Switchboard's Amazon Connect-compatible engine (SPEC §6), driven by unmodified boto3.

It runs against the node of the `switchboard` fixture (Tests/conftest.py; ops/test.sh provides what it needs), or
against a running server:

    SWITCHBOARD_URL=http://127.0.0.1:8080 python3 -m pytest -v Tests/python/test_connect_boto3.py

The credentials, region, instance and flow are the local-mode defaults of
config.json; SWITCHBOARD_ACCESS_KEY / SWITCHBOARD_SECRET_KEY / SWITCHBOARD_REGION / SWITCHBOARD_INSTANCE_ID /
SWITCHBOARD_CONTACT_FLOW_ID override them for a differently configured server.
"""

import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import time
import uuid
from urllib.parse import urljoin, urlsplit

import pytest

ACCESS_KEY = os.environ.get("SWITCHBOARD_ACCESS_KEY", "LOCALDEMOACCESSKEY")
SECRET_KEY = os.environ.get("SWITCHBOARD_SECRET_KEY", "local-demo-secret")
REGION = os.environ.get("SWITCHBOARD_REGION", "us-west-2")
INSTANCE_ID = os.environ.get("SWITCHBOARD_INSTANCE_ID", "602d4c63-50be-4b56-ac69-6068140d5a61")
CONTACT_FLOW_ID = os.environ.get("SWITCHBOARD_CONTACT_FLOW_ID", "c4f2c8c4-cc37-4d69-b1e0-8a8c5b2e1234")
TYPING = "application/vnd.amazonaws.connect.event.typing"
SOCKET_TIMEOUT = 10.0

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


# --------------------------------------------------------------------------------------------------------------------
# A minimal RFC 6455 client: text frames, client frames masked, server pings answered. No library is installed for it,
# and the participant socket only needs this much.


class WebSocketClosed(Exception):
    def __init__(self, code, reason):
        super().__init__(f"WebSocket closed by server: {code} {reason!r}")
        self.code = code
        self.reason = reason


class WebSocket:
    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, url, timeout=SOCKET_TIMEOUT, tls_context=None, headers=None):
        parts = urlsplit(url)
        assert parts.scheme in ("ws", "wss", "http", "https"), f"not a WebSocket URL: {url}"
        secure = parts.scheme in ("wss", "https")
        port = parts.port or (443 if secure else 80)
        sock = socket.create_connection((parts.hostname, port), timeout=timeout)
        if secure:
            sock = (tls_context or ssl.create_default_context()).wrap_socket(sock, server_hostname=parts.hostname)
        self.sock = sock
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request = (
            f"GET {target} HTTP/1.1\r\n"
            f"Host: {parts.netloc}\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n"
            + "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
            + "\r\n"
        )
        sock.sendall(request.encode())
        while b"\r\n\r\n" not in self.buffer:
            chunk = sock.recv(4096)
            if not chunk:
                raise AssertionError(f"connection closed during the WebSocket handshake: {self.buffer!r}")
            self.buffer += chunk
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("iso-8859-1").split("\r\n")
        assert lines[0].split(" ")[1] == "101", f"WebSocket upgrade refused: {head!r}"
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        expected = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
        assert headers.get("sec-websocket-accept") == expected, f"bad Sec-WebSocket-Accept in {headers}"

    def _read_exact(self, count, deadline):
        while len(self.buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("timed out waiting for a WebSocket frame")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout as error:
                raise TimeoutError("timed out waiting for a WebSocket frame") from error
            if not chunk:
                raise WebSocketClosed(1006, "connection dropped without a close frame")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def _read_frame(self, deadline):
        first, second = self._read_exact(2, deadline)
        fin, opcode = first & 0x80, first & 0x0F
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2, deadline))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8, deadline))
        assert not second & 0x80, "server frames must not be masked (RFC 6455 §5.1)"
        return bool(fin), opcode, self._read_exact(length, deadline)

    def send_json(self, value):
        self._send_frame(0x1, json.dumps(value).encode())

    def recv_text(self, timeout=SOCKET_TIMEOUT):
        deadline = time.monotonic() + timeout
        message = b""
        while True:
            fin, opcode, payload = self._read_frame(deadline)
            if opcode == 0x9:
                self._send_frame(0xA, payload)
            elif opcode == 0xA:
                continue
            elif opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                raise WebSocketClosed(code, payload[2:].decode("utf-8", "replace"))
            else:
                assert opcode in (0x0, 0x1), f"unexpected opcode {opcode} (only text frames are expected)"
                message += payload
                if fin:
                    return message.decode("utf-8")

    def recv_json_until(self, predicate, timeout=SOCKET_TIMEOUT, what="a matching frame"):
        """The first frame satisfying predicate; others (e.g. PARTICIPANT_JOINED items) are skipped but reported on failure."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            try:
                frame = json.loads(self.recv_text(timeout=max(remaining, 0.001)))
            except TimeoutError as error:
                raise AssertionError(f"no {what} within {timeout}s; frames seen: {seen}") from error
            if predicate(frame):
                return frame
            seen.append(frame)

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        self.sock.close()


def chat_item(frame):
    """The transcript Item an aws/chat frame carries (its content is the Item as a JSON string)."""
    assert frame.get("contentType") == "application/json", frame
    assert isinstance(frame.get("content"), str), f"aws/chat content must be a JSON string: {frame}"
    return json.loads(frame["content"])


# --------------------------------------------------------------------------------------------------------------------
# Clients and a chat to work with.


@pytest.fixture(scope="module")
def base_url(switchboard):
    return switchboard.base_url


def make_client(base_url, service, secret=SECRET_KEY, validate=True):
    return boto3.client(
        service,
        endpoint_url=f"{base_url}/connect",
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        # Errors must surface as they are, not after minutes of retries. Without `validate`, botocore sends what it is
        # given, so the server's own checks are what answers.
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=15,
                      parameter_validation=validate),
    )


@pytest.fixture(scope="module")
def connect(base_url):
    return make_client(base_url, "connect")


@pytest.fixture(scope="module")
def participant(base_url):
    return make_client(base_url, "connectparticipant")


def new_user_id():
    return f"user_{uuid.uuid4()}"


@pytest.fixture
def chat(connect):
    """A fresh chat contact, as the widget's backend starts one."""
    user_id = new_user_id()
    response = connect.start_chat_contact(
        InstanceId=INSTANCE_ID,
        ContactFlowId=CONTACT_FLOW_ID,
        Attributes={"userId": user_id, "InitiationMethod": "Chat", "interactionMode": "chat-only"},
        ParticipantDetails={"DisplayName": "Acceptance Test"},
    )
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    for key in ("ContactId", "ParticipantId", "ParticipantToken"):
        assert response.get(key), f"StartChatContact returned no {key}: {response}"
    return {"userId": user_id, **response}


@pytest.fixture
def connection(base_url, participant, chat):
    """The customer's participant connection for `chat`, with its WebSocket open and subscribed to aws/chat."""
    response = participant.create_participant_connection(
        Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"], ParticipantToken=chat["ParticipantToken"], ConnectParticipant=True
    )
    url = response["Websocket"]["Url"]
    assert response["Websocket"].get("ConnectionExpiry"), response
    token = response["ConnectionCredentials"]["ConnectionToken"]
    assert token and response["ConnectionCredentials"].get("Expiry"), response
    socket_ = WebSocket(urljoin(base_url + "/", url))
    try:
        socket_.send_json({"topic": "aws/subscribe", "content": {"topics": ["aws/chat"]}})
        reply = socket_.recv_json_until(lambda f: f.get("topic") == "aws/subscribe", what="aws/subscribe reply")
        assert reply["content"]["status"] == "success", reply
        assert reply["content"]["topics"] == ["aws/chat"], reply
        yield {"token": token, "socket": socket_, "chat": chat}
    finally:
        socket_.close()


# --------------------------------------------------------------------------------------------------------------------
# Connect API


def test_start_chat_contact_is_described_as_an_api_chat(connect, chat):
    contact = connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat["ContactId"])["Contact"]
    assert contact["Id"] == chat["ContactId"]
    assert contact["Channel"] == "CHAT"
    assert contact["InitiationMethod"] == "API"
    assert contact.get("InitiationTimestamp") is not None
    assert "DisconnectTimestamp" not in contact
    if "Attributes" in contact:
        assert contact["Attributes"]["userId"] == chat["userId"]


def test_update_then_get_contact_attributes(connect, chat):
    connect.update_contact_attributes(
        InitialContactId=chat["ContactId"], InstanceId=INSTANCE_ID, Attributes={"tier": "gold", "note": "a b/c é"}
    )
    attributes = connect.get_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=chat["ContactId"])["Attributes"]
    assert attributes["userId"] == chat["userId"]
    assert attributes["InitiationMethod"] == "Chat"
    assert attributes["tier"] == "gold"
    assert attributes["note"] == "a b/c é"


def test_webrtc_contact_related_to_the_chat_and_stopped(connect, chat):
    response = connect.start_web_rtc_contact(
        InstanceId=INSTANCE_ID,
        ContactFlowId=CONTACT_FLOW_ID,
        Attributes={"userId": chat["userId"], "InitiationMethod": "Chat", "relatedContactId": chat["ContactId"]},
        ParticipantDetails={"DisplayName": "Acceptance Test"},
        RelatedContactId=chat["ContactId"],
    )
    voice_id = response["ContactId"]
    assert voice_id and voice_id != chat["ContactId"]
    assert response.get("ParticipantId") and response.get("ParticipantToken"), response
    data = response["ConnectionData"]
    assert data["Attendee"].get("AttendeeId") and data["Attendee"].get("JoinToken"), data
    assert data["Meeting"]["MediaPlacement"].get("SignalingUrl"), data

    contact = connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=voice_id)["Contact"]
    assert contact["Channel"] == "VOICE"
    assert contact["InitiationMethod"] == "WEBRTC_API"
    assert contact["RelatedContactId"] == chat["ContactId"]
    assert "DisconnectTimestamp" not in contact

    connect.stop_contact(ContactId=voice_id, InstanceId=INSTANCE_ID)
    ended = connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=voice_id)["Contact"]
    assert ended.get("DisconnectTimestamp") is not None, ended
    assert ended["DisconnectTimestamp"] >= ended["InitiationTimestamp"]

    # The chat it was related to goes on.
    chat_contact = connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=chat["ContactId"])["Contact"]
    assert "DisconnectTimestamp" not in chat_contact


def test_wrong_secret_is_access_denied(base_url):
    client = make_client(base_url, "connect", secret="not-the-secret")
    with pytest.raises(ClientError) as raised:
        client.describe_contact(InstanceId=INSTANCE_ID, ContactId=str(uuid.uuid4()))
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert isinstance(raised.value, client.exceptions.AccessDeniedException)


def test_unknown_contact_is_resource_not_found(connect):
    with pytest.raises(connect.exceptions.ResourceNotFoundException) as raised:
        connect.describe_contact(InstanceId=INSTANCE_ID, ContactId=str(uuid.uuid4()))
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(connect.exceptions.ResourceNotFoundException):
        connect.get_contact_attributes(InstanceId=INSTANCE_ID, InitialContactId=str(uuid.uuid4()))


# --------------------------------------------------------------------------------------------------------------------
# Participant API and its WebSocket


def test_heartbeat_and_ping_are_echoed(connection):
    socket_ = connection["socket"]
    socket_.send_json({"topic": "aws/heartbeat"})
    socket_.recv_json_until(lambda f: f.get("topic") == "aws/heartbeat", what="aws/heartbeat echo")
    socket_.send_json({"topic": "aws/ping"})
    pong = socket_.recv_json_until(lambda f: f.get("topic") == "aws/ping", what="aws/ping reply")
    assert pong.get("statusCode") == 200, pong


def test_send_message_arrives_on_the_socket_as_a_transcript_item(participant, connection):
    chat = connection["chat"]
    sent = participant.send_message(ContentType="text/plain", Content="Hello from boto3", ConnectionToken=connection["token"])
    assert sent.get("Id") and sent.get("AbsoluteTime"), sent

    frame = connection["socket"].recv_json_until(
        lambda f: f.get("topic") == "aws/chat" and chat_item(f).get("Id") == sent["Id"], what="aws/chat frame of the message"
    )
    item = chat_item(frame)
    assert item["Type"] == "MESSAGE"
    assert item["Content"] == "Hello from boto3"
    assert item["ContentType"] == "text/plain"
    assert item["ParticipantRole"] == "CUSTOMER"
    assert item["ParticipantId"] == chat["ParticipantId"]
    assert item["AbsoluteTime"] == sent["AbsoluteTime"]

    # The socket's item is the transcript's item.
    transcript = participant.get_transcript(ConnectionToken=connection["token"], MaxResults=100)["Transcript"]
    [stored] = [t for t in transcript if t["Id"] == sent["Id"]]
    for key, value in stored.items():
        assert item.get(key) == value, f"{key}: socket {item.get(key)!r} vs transcript {value!r}"


def test_send_event_typing_arrives_on_the_socket(participant, connection):
    sent = participant.send_event(ContentType=TYPING, ConnectionToken=connection["token"])
    assert sent.get("Id") and sent.get("AbsoluteTime"), sent
    frame = connection["socket"].recv_json_until(
        lambda f: f.get("topic") == "aws/chat" and chat_item(f).get("ContentType") == TYPING, what="aws/chat typing event"
    )
    item = chat_item(frame)
    assert item["Type"] == "EVENT"
    assert item["ParticipantRole"] == "CUSTOMER"
    assert item["ParticipantId"] == connection["chat"]["ParticipantId"]


def test_get_transcript_pages_with_max_results_and_next_token(participant, connection):
    token = connection["token"]
    ids = [participant.send_message(ContentType="text/plain", Content=text, ConnectionToken=token)["Id"] for text in ("one", "two")]

    pages, seen, next_token = 0, [], None
    while True:
        kwargs = {"ConnectionToken": token, "MaxResults": 1}
        if next_token:
            kwargs["NextToken"] = next_token
        page = participant.get_transcript(**kwargs)
        pages += 1
        assert page["InitialContactId"] == connection["chat"]["ContactId"]
        assert len(page["Transcript"]) <= 1, page
        seen += [item["Id"] for item in page["Transcript"]]
        next_token = page.get("NextToken")
        if not next_token:
            break
        assert pages < 100, "NextToken never ran out"
    assert pages >= 2
    assert len(seen) == len(set(seen)), f"an item came twice: {seen}"
    assert set(ids) <= set(seen), f"messages {ids} missing from {seen}"


def test_disconnect_participant(participant, connection):
    participant.disconnect_participant(ConnectionToken=connection["token"])
    # A disconnected participant can no longer send.
    with pytest.raises(ClientError) as raised:
        participant.send_message(ContentType="text/plain", Content="too late", ConnectionToken=connection["token"])
    assert raised.value.response["Error"]["Code"] in ("AccessDeniedException", "ConflictException", "ValidationException")


def test_participant_token_must_be_valid(participant):
    with pytest.raises(participant.exceptions.AccessDeniedException):
        participant.create_participant_connection(Type=["CONNECTION_CREDENTIALS"], ParticipantToken="not-a-token")


def test_a_retried_send_with_the_same_client_token_posts_once(participant, connection):
    token = connection["token"]
    text = f"only once {uuid.uuid4()}"
    client_token = str(uuid.uuid4())
    first = participant.send_message(ContentType="text/plain", Content=text, ClientToken=client_token, ConnectionToken=token)
    retry = participant.send_message(ContentType="text/plain", Content=text, ClientToken=client_token, ConnectionToken=token)
    assert (retry["Id"], retry["AbsoluteTime"]) == (first["Id"], first["AbsoluteTime"])
    # Without an explicit token boto3 fills in a fresh one: a new message.
    fresh = participant.send_message(ContentType="text/plain", Content=text, ConnectionToken=token)
    assert fresh["Id"] != first["Id"]

    typing_token = str(uuid.uuid4())
    typing = [participant.send_event(ContentType=TYPING, ClientToken=typing_token, ConnectionToken=token)["Id"] for _ in range(2)]
    assert typing[0] == typing[1]

    transcript = participant.get_transcript(ConnectionToken=token, MaxResults=100, SortOrder="ASCENDING")["Transcript"]
    assert [t["Id"] for t in transcript if t.get("Content") == text] == [first["Id"], fresh["Id"]]
    assert [t["Id"] for t in transcript if t["Id"] in typing] == [typing[0]]

    # The socket saw the message once too: the retry published nothing.
    seen = []
    socket_ = connection["socket"]
    while True:
        frame = socket_.recv_json_until(lambda f: f.get("topic") == "aws/chat", what="aws/chat frames of the sends")
        item = chat_item(frame)
        if item.get("Content") == text:
            seen.append(item["Id"])
        if item.get("Id") == typing[0]:
            break
    assert seen == [first["Id"], fresh["Id"]]


def test_client_token_longer_than_connect_allows_is_refused(participant, connection):
    with pytest.raises(ClientError) as raised:
        participant.send_message(ContentType="text/plain", Content="x", ClientToken="t" * 501, ConnectionToken=connection["token"])
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_chat_duration_in_minutes_is_checked_by_the_server(base_url, connect):
    unchecked = make_client(base_url, "connect", validate=False)
    base = dict(InstanceId=INSTANCE_ID, ContactFlowId=CONTACT_FLOW_ID, ParticipantDetails={"DisplayName": "Duration Test"},
                Attributes={"userId": new_user_id()})
    for minutes in (59, 10081):
        with pytest.raises(ClientError) as raised:
            unchecked.start_chat_contact(ChatDurationInMinutes=minutes, **base)
        assert raised.value.response["Error"]["Code"] == "ValidationException", minutes
    # A bad first message is refused before any contact exists.
    with pytest.raises(ClientError) as raised:
        unchecked.start_chat_contact(InitialMessage={"ContentType": "image/png", "Content": "x"}, **base)
    assert raised.value.response["Error"]["Code"] == "ValidationException"

    started = connect.start_chat_contact(ChatDurationInMinutes=60, **base)
    assert started["ContactId"]
    connect.stop_contact(ContactId=started["ContactId"], InstanceId=INSTANCE_ID)
