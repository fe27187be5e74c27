#!/usr/bin/env python3
"""Generates Tests/ConnectWireTests/Fixtures/botocore.json from the installed botocore.

The Swift tests must agree with what the AWS SDKs really do, so every expectation here comes from botocore itself:

* SigV4 vectors: real `boto3.client("connect"/"connectparticipant")` calls (and a few hand-built `AWSRequest`s for the
  corners the Connect operations never reach: query strings, unicode, dot segments, runs of spaces in header values),
  signed by botocore's `SigV4Auth` at a fixed clock. We record the headers as they were when botocore signed (what the
  Swift signer gets) and as they went on the wire (what the Swift verifier gets), plus botocore's canonical request,
  string to sign and Authorization header.
* Operations: the request botocore serializes for each operation (path, bound headers, JSON body) and a sample response
  body that botocore's RestJSONParser consumes key for key (no member name it does not know).
* Errors: the rest-json error rendering ConnectWireError uses, fed through the real clients, asserting botocore raises
  the modeled exception class (or ClientError with that code when the service does not model it).

Run: python3 Tests/ConnectWireTests/Fixtures/generate_botocore_fixtures.py   (writes botocore.json beside this script)
"""

import base64
import datetime
import json
import os
import sys
import uuid
from unittest import mock

import boto3
import botocore
import botocore.auth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

ENDPOINT = "http://127.0.0.1:8080/connect"
REGION = "us-west-2"
ACCESS_KEY = "LOCALDEMOACCESSKEY"
SECRET = "local-demo-secret"
INSTANCE_ID = "602d4c63-50be-4b56-ac69-6068140d5a61"
FLOW_ID = "c4f2c8c4-cc37-4d69-b1e0-8a8c5b2e1234"
CONTACT_ID = "9f1d6c0e-3b5a-4f7e-8e43-1c2b3a4d5e6f"
RELATED_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
FIXED_NOW = datetime.datetime(2024, 5, 1, 12, 34, 56)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "botocore.json")


class _Raw:
    """Just enough of urllib3's response for AWSResponse.content."""

    def __init__(self, body):
        self._body = body

    def stream(self, **_):
        yield self._body


class Recorder:
    """Wraps SigV4Auth so each signing leaves its inputs and intermediate strings behind."""

    def __init__(self):
        self.records = []
        self._orig_add_auth = botocore.auth.SigV4Auth.add_auth
        self._orig_cr = botocore.auth.SigV4Auth.canonical_request
        self._orig_sts = botocore.auth.SigV4Auth.string_to_sign

    def install(self):
        rec = self

        def add_auth(signer, request):
            entry = {
                "service": signer._service_name,
                "region": signer._region_name,
                "signingHeaders": [[k, text(v)] for k, v in request.headers.items()],
            }
            rec.records.append(entry)
            rec._orig_add_auth(signer, request)
            entry["authorization"] = request.headers["Authorization"]

        def canonical_request(signer, request):
            value = rec._orig_cr(signer, request)
            rec.records[-1]["canonicalRequest"] = value
            return value

        def string_to_sign(signer, request, cr):
            value = rec._orig_sts(signer, request, cr)
            rec.records[-1]["stringToSign"] = value
            return value

        botocore.auth.SigV4Auth.add_auth = add_auth
        botocore.auth.SigV4Auth.canonical_request = canonical_request
        botocore.auth.SigV4Auth.string_to_sign = string_to_sign


def split_url(url):
    parts = botocore.compat.urlsplit(url)
    return parts.path, parts.query, botocore.auth._host_from_url(url)


def text(value):
    # botocore keeps some header values (the retry headers) as bytes.
    return value.decode("utf-8") if isinstance(value, bytes) else value


def to_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    return bytes(body)


def make_client(service, session_token=None, secret=SECRET):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        aws_session_token=session_token,
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
    )


class Capture:
    """A before-send hook: records the prepared request and answers with a canned response instead of the network."""

    def __init__(self, client):
        self.sent = []
        self.reply = (200, {"Content-Type": "application/json"}, b"{}")
        client.meta.events.register("before-send", self)

    def __call__(self, request, **_):
        self.sent.append(request)
        status, headers, body = self.reply
        return AWSResponse(request.url, status, headers, _Raw(body))


def epoch(dt):
    return dt.replace(tzinfo=datetime.timezone.utc).timestamp() if dt.tzinfo is None else dt.timestamp()


def assert_consumed(body, parsed, where="$"):
    """Every key we send must come back out of botocore's parser: a misspelt member would be silently dropped."""
    if isinstance(body, dict):
        assert isinstance(parsed, dict), where
        parsed_keys = set(parsed) - {"ResponseMetadata"}
        assert set(body) == parsed_keys, f"{where}: sent {sorted(body)} parsed {sorted(parsed_keys)}"
        for key in body:
            assert_consumed(body[key], parsed[key], f"{where}.{key}")
    elif isinstance(body, list):
        assert isinstance(parsed, list) and len(body) == len(parsed), where
        for i, (b, p) in enumerate(zip(body, parsed)):
            assert_consumed(b, p, f"{where}[{i}]")
    elif isinstance(parsed, datetime.datetime):
        assert abs(epoch(parsed) - body) < 1e-6, f"{where}: {body} vs {parsed}"
    else:
        assert body == parsed, f"{where}: {body!r} vs {parsed!r}"


# Each operation: (service, name, python kwargs, sample response body).
OPERATIONS = [
    (
        "connect",
        "StartChatContact",
        dict(
            InstanceId=INSTANCE_ID,
            ContactFlowId=FLOW_ID,
            Attributes={"userId": "user_3f1c2a9e-7b6d-4c5e-9f8a-0b1c2d3e4f5a", "InitiationMethod": "Chat"},
            ParticipantDetails={"DisplayName": "Customer"},
            ParticipantConfiguration={"ResponseMode": "COMPLETE"},
            InitialMessage={"ContentType": "text/plain", "Content": "Hello"},
            ClientToken="client-token-1",
            ChatDurationInMinutes=60,
            SupportedMessagingContentTypes=["text/plain", "text/markdown"],
            PersistentChat={"RehydrationType": "ENTIRE_PAST_SESSION", "SourceContactId": RELATED_ID},
            RelatedContactId=RELATED_ID,
            CustomerId="customer-1",
            DisconnectOnCustomerExit=["AGENT"],
        ),
        {
            "ContactId": CONTACT_ID,
            "ParticipantId": "b4a5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d",
            "ParticipantToken": "participant-token",
            "ContinuedFromContactId": RELATED_ID,
        },
    ),
    (
        "connect",
        "StartWebRTCContact",
        dict(
            Attributes={"userId": "user_3f1c2a9e-7b6d-4c5e-9f8a-0b1c2d3e4f5a"},
            ClientToken="client-token-2",
            ContactFlowId=FLOW_ID,
            InstanceId=INSTANCE_ID,
            AllowedCapabilities={"Customer": {"Video": "SEND", "ScreenShare": "SEND"}, "Agent": {"Video": "SEND"}},
            ParticipantDetails={"DisplayName": "Customer"},
            RelatedContactId=RELATED_ID,
            References={"ticket": {"Value": "T-1", "Type": "STRING"}},
            Description="escalated from chat",
        ),
        {
            "ConnectionData": {
                "Attendee": {"AttendeeId": "attendee-1", "JoinToken": "join-token"},
                "Meeting": {
                    "MediaRegion": "us-west-2",
                    "MediaPlacement": {
                        "AudioHostUrl": "wss://127.0.0.1:8080/audio",
                        "AudioFallbackUrl": "wss://127.0.0.1:8080/fallback",
                        "SignalingUrl": "ws://127.0.0.1:8080/connect/webrtc/signaling",
                        "TurnControlUrl": "https://127.0.0.1:8080/turn",
                        "EventIngestionUrl": "https://127.0.0.1:8080/events",
                    },
                    "MeetingFeatures": {"Audio": {"EchoReduction": "AVAILABLE"}},
                    "MeetingId": "meeting-1",
                },
            },
            "ContactId": CONTACT_ID,
            "ParticipantId": "b4a5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d",
            "ParticipantToken": "participant-token",
        },
    ),
    (
        "connect",
        "DescribeContact",
        dict(InstanceId=INSTANCE_ID, ContactId=CONTACT_ID),
        {
            "Contact": {
                "Arn": f"arn:aws:connect:us-west-2:000000000000:instance/{INSTANCE_ID}/contact/{CONTACT_ID}",
                "Id": CONTACT_ID,
                "InitialContactId": CONTACT_ID,
                "PreviousContactId": RELATED_ID,
                "InitiationMethod": "API",
                "Name": "chat",
                "Description": "a chat",
                "Channel": "CHAT",
                "QueueInfo": {"Id": "queue-basic", "EnqueueTimestamp": 1714566897.25},
                "AgentInfo": {
                    "Id": "agent1",
                    "AcceptedByAgentTimestamp": 1714566900.5,
                    "ConnectedToAgentTimestamp": 1714566901,
                },
                "InitiationTimestamp": 1714566896.125,
                "DisconnectTimestamp": 1714567000,
                "LastUpdateTimestamp": 1714567000.75,
                "ConnectedToSystemTimestamp": 1714566896.5,
                "RelatedContactId": RELATED_ID,
                "CustomerId": "customer-1",
                "DisconnectReason": "CUSTOMER_DISCONNECT",
                "Attributes": {"userId": "user_3f1c2a9e-7b6d-4c5e-9f8a-0b1c2d3e4f5a", "InitiationMethod": "Chat"},
            }
        },
    ),
    (
        "connect",
        "GetContactAttributes",
        dict(InstanceId=INSTANCE_ID, InitialContactId=CONTACT_ID),
        {"Attributes": {"userId": "user_3f1c2a9e-7b6d-4c5e-9f8a-0b1c2d3e4f5a", "empty": ""}},
    ),
    (
        "connect",
        "UpdateContactAttributes",
        dict(InitialContactId=CONTACT_ID, InstanceId=INSTANCE_ID, Attributes={"tier": "gold", "note": "a b/c"}),
        {},
    ),
    (
        "connect",
        "StopContact",
        dict(ContactId=CONTACT_ID, InstanceId=INSTANCE_ID, DisconnectReason={"Code": "CUSTOMER_DISCONNECT"}),
        {},
    ),
    (
        "connectparticipant",
        "CreateParticipantConnection",
        dict(Type=["WEBSOCKET", "CONNECTION_CREDENTIALS"], ParticipantToken="participant-token", ConnectParticipant=True),
        {
            "Websocket": {"Url": "ws://127.0.0.1:8080/connect/participant/ws?token=abc", "ConnectionExpiry": "2024-05-02T12:34:56.000Z"},
            "ConnectionCredentials": {"ConnectionToken": "connection-token", "Expiry": "2024-05-02T12:34:56.000Z"},
            "WebRTCConnection": {
                "Attendee": {"AttendeeId": "attendee-1", "JoinToken": "join-token"},
                "Meeting": {
                    "MediaPlacement": {
                        "AudioHostUrl": "wss://127.0.0.1:8080/audio",
                        "AudioFallbackUrl": "wss://127.0.0.1:8080/fallback",
                        "SignalingUrl": "ws://127.0.0.1:8080/connect/webrtc/signaling",
                        "EventIngestionUrl": "https://127.0.0.1:8080/events",
                    },
                    "MeetingFeatures": {"Audio": {"EchoReduction": "UNAVAILABLE"}},
                    "MeetingId": "0f1e2d3c-4b5a-4968-8776-655443322110",
                },
            },
        },
    ),
    (
        "connectparticipant",
        "SendMessage",
        dict(ContentType="text/plain", Content="Hello \u00e9 \U0001f600", ClientToken="client-token-3", ConnectionToken="connection-token"),
        {"Id": "item-1", "AbsoluteTime": "2024-05-01T12:34:57.123Z", "MessageMetadata": {"MessageProcessingStatus": "PROCESSING"}},
    ),
    (
        "connectparticipant",
        "SendEvent",
        dict(
            ContentType="application/vnd.amazonaws.connect.event.typing",
            Content="{}",
            ClientToken="client-token-4",
            ConnectionToken="connection-token",
        ),
        {"Id": "item-2", "AbsoluteTime": "2024-05-01T12:34:58.000Z"},
    ),
    (
        "connectparticipant",
        "GetTranscript",
        dict(
            ContactId=CONTACT_ID,
            MaxResults=1,
            NextToken="next-1",
            ScanDirection="BACKWARD",
            SortOrder="ASCENDING",
            StartPosition={"Id": "item-1", "AbsoluteTime": "2024-05-01T12:34:57.123Z", "MostRecent": 5},
            ConnectionToken="connection-token",
        ),
        {
            "InitialContactId": CONTACT_ID,
            "Transcript": [
                {
                    "AbsoluteTime": "2024-05-01T12:34:57.123Z",
                    "Content": "Hello",
                    "ContentType": "text/plain",
                    "Id": "item-1",
                    "Type": "MESSAGE",
                    "ParticipantId": "b4a5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d",
                    "DisplayName": "Customer",
                    "ParticipantRole": "CUSTOMER",
                    "Attachments": [
                        {"ContentType": "image/png", "AttachmentId": "att-1", "AttachmentName": "a.png", "Status": "APPROVED"}
                    ],
                    "MessageMetadata": {
                        "MessageId": "item-1",
                        "Receipts": [
                            {
                                "DeliveredTimestamp": "2024-05-01T12:34:58.000Z",
                                "ReadTimestamp": "2024-05-01T12:34:59.000Z",
                                "RecipientParticipantId": "agent-participant",
                            }
                        ],
                        "MessageProcessingStatus": "PROCESSING",
                    },
                    "RelatedContactId": RELATED_ID,
                    "ContactId": CONTACT_ID,
                }
            ],
            "NextToken": "next-2",
        },
    ),
    (
        "connectparticipant",
        "DisconnectParticipant",
        dict(ClientToken="client-token-5", ConnectionToken="connection-token"),
        {},
    ),
]

# The error names ConnectWireError renders, with the status AWS models give them.
ERRORS = [
    ("ResourceNotFoundException", 404),
    ("InvalidRequestException", 400),
    ("InvalidParameterException", 400),
    ("AccessDeniedException", 403),
    ("ThrottlingException", 429),
    ("LimitExceededException", 429),
    ("InternalServiceException", 500),
    ("InternalServerException", 500),
    ("ValidationException", 400),
    ("ConflictException", 409),
    ("ContactNotFoundException", 410),
]


def render_error(name, status, message):
    # Mirrors ConnectWireError.httpResponse(requestId: nil); the Swift test checks status and headers exactly and the body as JSON.
    headers = [["Content-Type", "application/json"], ["x-amzn-ErrorType", name]]
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return status, headers, body


def main():
    counter = iter(range(1, 10_000))
    # Deterministic idempotency tokens and invocation ids, so regenerating the fixture only changes what changed.
    fake_uuid4 = lambda: uuid.UUID(int=next(counter))  # noqa: E731
    recorder = Recorder()
    recorder.install()

    fixture = {"botocoreVersion": botocore.__version__, "sigv4": [], "operations": [], "errors": []}

    with mock.patch("botocore.auth.get_current_datetime", return_value=FIXED_NOW), mock.patch("uuid.uuid4", fake_uuid4):
        clients = {s: make_client(s) for s in ("connect", "connectparticipant")}
        captures = {s: Capture(c) for s, c in clients.items()}

        # 1. Every operation through the real client: its request becomes both a SigV4 vector and an operation sample.
        for service, name, kwargs, response in OPERATIONS:
            capture = captures[service]
            capture.reply = (200, {"Content-Type": "application/json"}, json.dumps(response).encode())
            parsed = getattr(clients[service], botocore.xform_name(name))(**kwargs)
            assert_consumed(response, parsed)
            sent = capture.sent[-1]
            record = recorder.records[-1]
            path, query, host = split_url(sent.url)
            assert path.startswith("/connect/")
            bound = [[k, text(v)] for k, v in sent.headers.items() if k.lower() == "x-amz-bearer"]
            body = to_bytes(sent.body)
            fixture["operations"].append(
                {
                    "name": name,
                    "service": service,
                    "method": sent.method,
                    "path": path[len("/connect"):],
                    "boundHeaders": bound,
                    "body": body.decode("utf-8"),
                    "response": json.dumps(response, ensure_ascii=False),
                }
            )
            add_vector(fixture, f"client {service} {name}", record, sent.method, sent.url, sent.headers, body, None)

        # 2. Client calls that stress path encoding and session tokens.
        capture = captures["connect"]
        capture.reply = (200, {"Content-Type": "application/json"}, b"{}")
        clients["connect"].describe_contact(InstanceId=INSTANCE_ID, ContactId="contact \u00e9:1/2 3~x")
        sent = capture.sent[-1]
        assert "contact%20%C3%A9%3A1%2F2%203~x" in sent.url, sent.url
        add_vector(fixture, "client connect DescribeContact encoded label", recorder.records[-1], sent.method, sent.url, sent.headers, b"", None)

        token_client = make_client("connect", session_token="session-token/with+odd=chars")
        token_capture = Capture(token_client)
        token_client.stop_contact(ContactId=CONTACT_ID, InstanceId=INSTANCE_ID)
        sent = token_capture.sent[-1]
        add_vector(
            fixture, "client connect StopContact session token", recorder.records[-1], sent.method, sent.url, sent.headers,
            to_bytes(sent.body), "session-token/with+odd=chars",
        )

        # 3. Hand-built requests for what the six Connect operations never send.
        creds = Credentials(ACCESS_KEY, SECRET)
        synthetic = [
            ("GET with query", "GET", "http://127.0.0.1:8080/connect/contacts?" + botocore.utils.percent_encode_sequence(
                [("maxResults", "10"), ("b", "2"), ("a", "z"), ("a", "y"), ("empty", ""), ("name", "Zo\u00eb & Ren\u00e9e"), ("star", "a*b+c")]
            ), {}, None, "connect"),
            ("unicode query and tilde", "GET", "http://127.0.0.1:8080/connect/q?" + botocore.utils.percent_encode_sequence(
                [("\u540d\u524d", "\u65e5\u672c"), ("tilde", "~x-y_z.w"), ("slash", "a/b")]
            ), {}, None, "connect"),
            ("header with runs of spaces", "POST", "http://127.0.0.1:8080/connect/contact/attributes",
             {"Content-Type": "application/json", "X-Custom-Header": "  a   b \t c  ", "X-Amz-Target": "x"},
             b'{"InstanceId":"i","InitialContactId":"c","Attributes":{"k":"v"}}', "connect"),
            ("dot segments and double slashes", "GET", "http://127.0.0.1:8080/connect/./contacts/../contacts//a/b/", {}, None, "connect"),
            ("https default port and content sha header", "PUT", "https://connect.us-west-2.amazonaws.com/contact/chat",
             {"Content-Type": "application/json", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"}, b'{"a":1}', "connect"),
            ("participant execute-api", "POST", "https://participant.connect.us-west-2.amazonaws.com/participant/message",
             {"Content-Type": "application/json", "X-Amz-Bearer": "connection-token"}, b'{"ContentType":"text/plain","Content":"hi"}',
             "execute-api"),
        ]
        for name, method, url, headers, body, service in synthetic:
            request = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
            botocore.auth.SigV4Auth(creds, service, REGION).add_auth(request)
            add_vector(fixture, name, recorder.records[-1], method, url, request.headers, to_bytes(body), None)

    # 4. Errors through the real clients (no clock patch needed).
    clients = {s: make_client(s) for s in ("connect", "connectparticipant")}
    captures = {s: Capture(c) for s, c in clients.items()}
    calls = {
        "connect": lambda c: c.describe_contact(InstanceId=INSTANCE_ID, ContactId=CONTACT_ID),
        "connectparticipant": lambda c: c.send_message(ContentType="text/plain", Content="x", ConnectionToken="t"),
    }
    content_types = ["application/json", "application/x-amz-json-1.1", None]
    for name, status, in ERRORS:
        message = f"{name} raised by switchboard: \"quoted\" / \u00e9"
        rstatus, rheaders, rbody = render_error(name, status, message)
        fixture["errors"].append({"code": name, "status": rstatus, "headers": rheaders, "body": rbody.decode("utf-8"), "message": message})
        for service, client in clients.items():
            modeled = name in client.exceptions._code_to_exception
            for content_type in content_types:
                headers = {k: v for k, v in rheaders if not (k == "Content-Type" and content_type != "application/json")}
                if content_type and content_type != "application/json":
                    headers["Content-Type"] = content_type
                captures[service].reply = (rstatus, headers, rbody)
                try:
                    calls[service](client)
                except ClientError as error:
                    assert error.response["Error"]["Code"] == name, (service, name, error.response)
                    assert error.response["Error"]["Message"] == message, (service, name, error.response)
                    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == status
                    if modeled:
                        assert isinstance(error, getattr(client.exceptions, name)), (service, name, type(error))
                else:
                    raise AssertionError(f"{service} accepted error {name}")
    fixture["errorContentTypesAccepted"] = ["application/json", "application/x-amz-json-1.1", "(none)"]

    write_json(fixture)
    print(f"wrote {OUT}: {len(fixture['sigv4'])} sigv4 vectors, {len(fixture['operations'])} operations, {len(fixture['errors'])} errors")


def add_vector(fixture, name, record, method, url, wire_headers, body, token):
    path, query, host = split_url(url)
    signing = [["Host", host]] + record["signingHeaders"]
    wire = [["Host", host]] + [[k, text(v)] for k, v in wire_headers.items()]
    # botocore lists used features in User-Agent in set order, which changes between runs; it is never signed, so a
    # fixed value keeps the fixture reproducible without changing what it tests.
    normalize = lambda pairs: [[k, "Boto3 (normalized by the fixture generator)"] if k.lower() == "user-agent" else [k, v] for k, v in pairs]  # noqa: E731
    signing, wire = normalize(signing), normalize(wire)
    authorization = record["authorization"]
    fixture["sigv4"].append(
        {
            "name": name,
            "service": record["service"],
            "region": record["region"],
            "accessKeyId": ACCESS_KEY,
            "secretAccessKey": SECRET,
            "sessionToken": token,
            "amzDate": FIXED_NOW.strftime("%Y%m%dT%H%M%SZ"),
            "method": method,
            "path": path,
            "query": query,
            "signingHeaders": signing,
            "wireHeaders": wire,
            "bodyBase64": base64.b64encode(body).decode(),
            "canonicalRequest": record["canonicalRequest"],
            "stringToSign": record["stringToSign"],
            "authorization": authorization,
            "signature": authorization.rsplit("Signature=", 1)[1],
        }
    )


def write_json(fixture):
    with open(OUT, "w") as out:
        out.write(json.dumps(fixture, indent=1, ensure_ascii=True, sort_keys=True) + "\n")


if __name__ == "__main__":
    sys.exit(main())
