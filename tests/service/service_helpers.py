"""What the service tests share besides fixtures: keys, test comments, and requests as Coral makes them."""

from __future__ import annotations

import hashlib
import hmac
import json

API_KEY = "test-key-123"
CORAL_SECRET = "whsec_0123456789abcdef"
OLD_CORAL_SECRET = "whsec_retired_fedcba9876543210"

#: A comment the small model (tests/conftest.py) flags antisemitic and one it clears, by construction: its
#: training rows hold the first's claim and the second's words.
ANTISEMITIC = "The Jews control the banks and the media and they are behind every war."
CLEAN = "My neighbours invited us for dinner last night and we had a lovely time."


def coral_body(text: str, action: str = "NEW") -> bytes:
    """A request body exactly as Coral serialises it: JSON.stringify(request, null, 2)."""
    request = {
        "action": action,
        "comment": {"body": text, "parentID": None},
        "author": {"id": "user-1", "role": "COMMENTER"},
        "story": {"id": "story-1", "url": "https://news.example/story-1"},
        "site": {"id": "site-1"},
        "tenantID": "tenant-1",
        "tenantDomain": "news.example",
    }
    return json.dumps(request, indent=2).encode()


def coral_signature(body: bytes, *secrets: str) -> str:
    """The X-Coral-Signature header Coral sends: one sha256=<hex> per active secret, comma-joined."""
    return ",".join("sha256=" + hmac.new(s.encode(), body, hashlib.sha256).hexdigest() for s in secrets)


def perspective_body(text: str, attributes=("TOXICITY",), **extra) -> dict:
    """The analyze request Coral Talk's Perspective client sends."""
    body = {
        "comment": {"text": text},
        "doNotStore": True,
        "requestedAttributes": {name: {} for name in attributes},
        "languages": ["en"],
    }
    body.update(extra)
    return body
