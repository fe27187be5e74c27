"""Agent continuity for Amazon Connect (SPEC §5a): a contact flow invokes this Lambda for a contact that continues
another (an escalated call's RelatedContactId), and routes the contact to the agent it names, else to the queue.

It asks Switchboard's `GET /aws/preferred-agent` at $SWITCHBOARD_URL with the bridge key in $SWITCHBOARD_BRIDGE_KEY.
Standard library only; it answers within a few seconds whatever happens, and on any error says
`hasPreferredAgent: "false"`, so the flow falls back to the queue instead of failing the contact.
Connect reads a Lambda's answer as a flat map of strings.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT_SECONDS = float(os.environ.get("SWITCHBOARD_TIMEOUT_SECONDS", "2"))
NO_AGENT = {"hasPreferredAgent": "false", "preferredAgentArn": "", "preferredAgentId": ""}


def handler(event, context=None):
    try:
        contact = (event.get("Details") or {}).get("ContactData") or {}
        contact_id = contact.get("ContactId")
        # Without a related contact there is nobody to prefer; Switchboard would say 404 anyway.
        if not contact_id or not (contact.get("RelatedContactId") or (contact.get("Attributes") or {}).get("relatedContactId")):
            return dict(NO_AGENT)
        url = os.environ["SWITCHBOARD_URL"].rstrip("/") + "/aws/preferred-agent?" + urllib.parse.urlencode({"contactId": contact_id})
        request = urllib.request.Request(url, headers={"X-Switchboard-Bridge-Key": os.environ["SWITCHBOARD_BRIDGE_KEY"]})
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            found = json.load(response)
        arn, agent_id = found.get("agentArn"), found.get("agentId")
        if not arn:
            return dict(NO_AGENT)
        return {"hasPreferredAgent": "true", "preferredAgentArn": arn, "preferredAgentId": agent_id or arn.rsplit("/", 1)[-1]}
    except (urllib.error.URLError, OSError, ValueError, KeyError, AttributeError, TypeError):
        return dict(NO_AGENT)
