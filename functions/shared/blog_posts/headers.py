"""Response headers both functions send: transport security, and how post images are served.

Plain values, so each app sets them in its own hooks and views, whatever its response class.
"""

from __future__ import annotations

# A year; no includeSubDomains or preload: the app cannot vouch for every host under its domain.
HSTS = "max-age=31536000"
NOSNIFF = "nosniff"
# An image opened on its own is a document: nothing may load or run in it, and it gets no origin.
IMAGE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


def transport_headers(*, secure: bool) -> dict[str, str]:
    """``Strict-Transport-Security`` for a response sent over https (meaningless over http, RFC 6797)."""
    return {"Strict-Transport-Security": HSTS} if secure else {}


def image_headers(slug: str, content_type: str) -> dict[str, str]:
    """The headers a post's image is served with, besides its Content-Type.

    Uploads are decoded and re-encoded, so the bytes are an image; these make sure a browser treats them as
    nothing else even so: no sniffing, a sandboxed document without scripts when opened directly, and a
    file name (the slug is ASCII letters, digits and hyphens, safe in a quoted string).
    """
    extension = _EXTENSIONS.get(content_type, "bin")
    return {
        "Content-Disposition": f'inline; filename="{slug}.{extension}"',
        "Content-Security-Policy": IMAGE_CSP,
        "X-Content-Type-Options": NOSNIFF,
    }
