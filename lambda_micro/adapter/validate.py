"""PEP 3333 checks on what an event copies into the environ: method, protocol, client address.

Each check has a memo, the values it has accepted (they repeat from request to request) mapped to what the
environ gets, so a well-formed event pays one dict subscript (``METHODS[method]`` in a ``try``: free in
CPython when it hits); the exact parsing runs on a miss only. Every value that passes is ASCII, hence a
valid WSGI native string. A value that fails raises ``BadEvent`` naming the event field (answered with a
400 for the source, contract items 47-49).

The contract items cited by number (``item 29``) are those of docs/ADAPTER-CONTRACT.md.
"""

from __future__ import annotations

import ipaddress  # (a module the runtime may defer: used for IPv6 addresses only)
import string
from typing import Any, Final

from .errors import BadEvent

__all__ = ["address", "header_name_is_token", "method", "protocol"]

# RFC 9110 section 5.6.2: token = 1*tchar. The translation table deletes every tchar, so a token
# translates to "".
_TCHARS: Final = str.maketrans("", "", "!#$%&'*+-.^_`|~" + string.digits + string.ascii_letters)
_MEMO_LIMIT: Final = 1024  # bounds each memo: these values come from clients

#: Methods already known to be tokens (the common ones from the start, others once seen), each to itself.
METHODS: Final[dict[Any, str]] = {
    method: method
    for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT")
}
#: Protocols already known to be ``HTTP/x[.y]`` -> SERVER_PROTOCOL; none (null, absent, "") is HTTP/1.1.
PROTOCOLS: Final[dict[Any, str]] = {
    None: "HTTP/1.1",
    "": "HTTP/1.1",
    **{version: version for version in ("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/2", "HTTP/3", "HTTP/3.0")},
}
#: Client address as sent -> REMOTE_ADDR: an IPv4/IPv6 literal, a ``/32``-style suffix off (never "": no
#: known address is not memoised, the rare case of the console's placeholder and a missing address).
ADDRESSES: Final[dict[Any, str]] = {}
# The API Gateway console's test button sends this in place of an address: no address, not an error.
_CONSOLE_SOURCE_IP: Final = "test-invoke-source-ip"


def header_name_is_token(name: str) -> bool:
    """Whether ``name`` is an HTTP token (a valid header field name)."""
    return bool(name) and name.isascii() and not name.translate(_TCHARS)


# Callers look a value up in the memo themselves (one subscript inline) and call these on a miss.


def method(value: Any, field: str) -> str:
    """``value`` as REQUEST_METHOD; ``BadEvent`` unless it is an HTTP token (item 47)."""
    if not isinstance(value, str) or not value:
        raise BadEvent(field, "expected a non-empty string")
    if not header_name_is_token(value):
        raise BadEvent(field, "an HTTP method is a token: letters, digits and !#$%&'*+-.^_`|~ only")
    if type(value) is str and len(METHODS) < _MEMO_LIMIT:
        METHODS[value] = value
    return str(value)


def protocol(value: Any, field: str) -> str:
    """SERVER_PROTOCOL for ``value``, ``HTTP/1.1`` if absent; ``BadEvent`` unless ``HTTP/x[.y]`` (item 48)."""
    if value is None or value == "":
        return "HTTP/1.1"
    if not isinstance(value, str):
        raise BadEvent(field, "expected a string")
    version = value[5:] if value.startswith("HTTP/") else ""
    if not version.isascii() or not (
        (len(version) == 1 and version.isdigit())
        or (len(version) == 3 and version[0].isdigit() and version[1] == "." and version[2].isdigit())
    ):
        raise BadEvent(field, "expected an HTTP version such as 'HTTP/1.1'")
    if type(value) is str and len(PROTOCOLS) < _MEMO_LIMIT:
        PROTOCOLS[value] = value
    return str(value)


def address(value: Any, field: str) -> str:
    """REMOTE_ADDR for the client address ``value`` (``""``: unknown); ``BadEvent`` unless an IP (item 49).

    ``None`` and ``""`` mean unknown, as does the console's ``test-invoke-source-ip``. A ``/32``-style
    suffix (HTTP API sends ``192.0.2.1/32``) is removed.
    """
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise BadEvent(field, "expected a string")
    remote_addr = _parse_address(value, field)
    if remote_addr and type(value) is str:
        if len(ADDRESSES) >= _MEMO_LIMIT:
            # Clients come and go: start over rather than stop remembering the ones seen now.
            ADDRESSES.clear()
        ADDRESSES[value] = remote_addr
    return remote_addr


def _parse_address(value: str, field: str) -> str:
    if value == _CONSOLE_SOURCE_IP:
        return ""
    candidate, slash, prefix = value.partition("/")
    if _is_ipv4(candidate):
        valid = True
    elif not candidate.isascii():
        valid = False  # ipaddress accepts any scope id after "%"; REMOTE_ADDR must stay ASCII
    else:
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            valid = False
        else:
            valid = True
    if not valid or (slash and not (prefix.isascii() and prefix.isdigit())):
        raise BadEvent(field, "expected an IPv4 or IPv6 address")
    return str(candidate)


def _is_ipv4(text: str) -> bool:
    """A dotted-quad IPv4 address, as ``ipaddress`` reads one (no leading zeros), at half its cost."""
    parts = text.split(".")
    if len(parts) != 4:
        return False
    for part in parts:
        if not (part.isdigit() and part.isascii()) or len(part) > 3 or (part[0] == "0" and len(part) > 1):
            return False
        if int(part) > 255:
            return False
    return True
