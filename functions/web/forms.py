"""Form bodies, read strictly: the blog's forms send URL-encoded UTF-8, and anything else is refused.

werkzeug's parser is lenient on purpose: an invalid percent-escape such as ``%FF`` stays in the value as the
text "%FF", and a body that is not UTF-8 at all parses as an empty form. A post would be saved subtly
changed, or the form would look empty (and fail its CSRF check, which says the wrong thing). So the raw body
is checked first, and the field that is not text is named.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

FORM_TYPE = "application/x-www-form-urlencoded"


def _decode(part: bytes) -> str | None:
    try:
        return unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return None


def undecodable_field(raw: bytes) -> str | None:
    """The name of the first field of a URL-encoded ``raw`` body that is not UTF-8 text, or None.

    A field whose name is not text either is reported as "(a field name)".
    """
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        decoded_name = _decode(name)
        if decoded_name is None:
            return "(a field name)"
        if _decode(value) is None:
            return decoded_name
    return None
