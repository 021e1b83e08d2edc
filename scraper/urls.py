"""URL normalisation and the rules about which URLs a crawl may visit.

One canonical spelling per page, so that the same page is fetched once whatever way a
portal wrote the link (relative paths, ``./`` and ``../``, fragments, default ports,
upper-case hosts).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when re-quoting a path or query (RFC 3986 reserved + '%').
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_QUERY_SAFE = _PATH_SAFE + "?"
_JS_LINK = re.compile(r"^\s*(javascript|mailto|tel|data|ftp|file|about|vbscript):", re.I)


def remove_dot_segments(path: str) -> str:
    """Resolve ``.`` and ``..`` segments (RFC 3986 5.2.4); never climbs above the root."""
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == ".":
            if last:
                out.append("")
            continue
        if seg == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
            continue
        out.append(seg)
    result = "/".join(out)
    if path.startswith("/") and not result.startswith("/"):
        result = "/" + result
    return result


def normalize(url: str, base: str | None = None) -> str | None:
    """The canonical form of ``url`` (resolved against ``base``), or None if not http(s).

    Lower-cases scheme and host, drops the fragment and a default port, resolves dot
    segments, percent-encodes spaces and non-ASCII characters, and gives an empty path ``/``.
    """
    if url is None:
        return None
    url = url.strip().replace("\\", "/")
    if not url or url.startswith("#") or _JS_LINK.match(url):
        return None
    if re.match(r"^https?:", url, re.I) and not urlsplit(url).netloc:
        return None  # "http://" or "http:foo": no host, and urljoin would borrow the base's
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = remove_dot_segments(parts.path or "/") or "/"
    path = quote(path, safe=_PATH_SAFE)
    query = quote(parts.query, safe=_QUERY_SAFE)
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """Host (with a non-default port) of a normalised URL: the unit of politeness."""
    return urlsplit(url).netloc


def hostname_of(url: str) -> str:
    """Host name without port, lower case."""
    return (urlsplit(url).hostname or "").lower()


def normalize_host(entry: str) -> str | None:
    """An ``allow`` entry as written by people (host, host:port, or URL) to its canonical form."""
    entry = entry.strip()
    if not entry:
        return None
    if "://" not in entry:
        entry = "http://" + entry.lstrip(".")
    url = normalize(entry)
    return host_of(url) if url else None


def is_allowed(url: str, allow: Iterable[str]) -> bool:
    """True when the URL's host is one of ``allow``.

    An entry without a port allows that host on any port; ``*.example.gov.cn`` allows the
    sub-domains too. Proxies and mirrors on other domains are never allowed.
    """
    netloc = host_of(url)
    name = hostname_of(url)
    for entry in allow:
        if entry.startswith("*."):
            suffix = entry[2:]
            if name == suffix or name.endswith("." + suffix):
                return True
        elif entry == netloc or (":" not in entry and entry == name):
            return True
    return False


# Mobile twins of a desktop page: a portal family's ``content/mpost_N.html`` beside
# ``content/post_N.html``, and TRS sites' ``t20230110_123_wap.html`` beside ``t20230110_123.html``.
_MOBILE_TWINS = (
    (re.compile(r"/content/mpost_(\d+)\.(s?html?)$"), r"/content/post_\1.\2"),
    (re.compile(r"/([^/]+)_wap\.(s?html?)$"), r"/\1.\2"),
)


def twin_key(url: str) -> str:
    """The desktop URL of a mobile page (the URL itself otherwise): one key for both twins.

    Only the path's last segment is rewritten, so the query and the host stay as they are.
    """
    if "mpost_" not in url and "_wap." not in url:
        return url  # most URLs: nothing to rewrite, no need to split them
    parts = urlsplit(url)
    for pattern, desktop in _MOBILE_TWINS:
        path, n = pattern.subn(desktop, parts.path)
        if n:
            return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))
    return url
