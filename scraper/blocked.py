"""Recognise anti-bot interstitials, so that they are recorded as ``blocked``, never archived.

Signatures seen on government portals: Ruishu answers 412 with an inline ``$_ts`` script;
Jiasule answers 521 with an ``X-Via-JSL`` header; Knownsec answers 418; others answer 200 or
202 with a tiny body that is only a script, or a 302 to the same page that sets a cookie.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_SCRIPT = re.compile(rb"<script\b.*?</script\s*>", re.I | re.S)
_TAG = re.compile(rb"<[^>]*>|<!--.*?-->", re.S)
_TINY = 4096


def _visible_bytes(body: bytes) -> bytes:
    """What is left of an HTML body once scripts, tags and whitespace are removed."""
    no_script = _SCRIPT.sub(b"", body)
    return re.sub(rb"(&nbsp;|\s)+", b"", _TAG.sub(b"", no_script))


def detect(status: int, headers: Mapping[str, str], body: bytes, *, url: str = "",
           location: str | None = None) -> str | None:
    """The reason this response is an anti-bot wall, or None when it looks genuine.

    ``headers`` must be case-insensitive (httpx.Headers); ``body`` may be only the first few
    KB; ``location`` is the normalised redirect target, if any.
    """
    lower_body = body[:_TINY * 4]
    if status == 412 and (b"$_ts" in lower_body or b"<script" in lower_body.lower()):
        return "Ruishu wall (HTTP 412 with $_ts script)"
    if status == 521 or "x-via-jsl" in headers:
        if "x-via-jsl" in headers or b"document.cookie" in lower_body:
            return "Jiasule wall (HTTP 521, X-Via-JSL)"
    if status == 418:
        return "Knownsec wall (HTTP 418)"
    if status in (301, 302, 303, 307, 308) and location and url and location == url \
            and "set-cookie" in headers:
        return "redirect to itself setting a cookie"
    if status in (200, 202):
        ctype = headers.get("content-type", "").lower()
        if ("html" in ctype or not ctype) and len(body) < _TINY:
            if b"<script" in body.lower() and not _visible_bytes(body) and b"<a " not in body.lower():
                return f"script-only body of {len(body)} bytes (HTTP {status})"
    return None
