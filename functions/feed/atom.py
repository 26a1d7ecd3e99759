"""The blog's Atom feed (RFC 4287) and sitemap (sitemaps.org 0.9), as bytes ready to store.

Built with ElementTree, so every title, summary and body is escaped by the XML writer, never by hand. Links
are absolute: ``site_url`` is the site's root (``https://example.com/`` or the stage URL of the REST API).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from blog_posts import Post, body_html, post_excerpt

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 20


def _rfc3339(timestamp: str) -> str:
    """A stored timestamp (``2024-01-02T03:04:05.678901Z``) as RFC 3339 with seconds (``...05Z``)."""
    moment = datetime.fromisoformat(timestamp).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def post_url(site_url: str, post: Post) -> str:
    return f"{site_url}posts/{post.slug}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    if text is not None:
        element.text = text
    return element


def atom_feed(posts: Sequence[Post], *, site_url: str, title: str, author: str, now: datetime) -> bytes:
    """The feed of ``posts`` (newest first; the first :data:`FEED_SIZE` are used)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    newest = posts[:FEED_SIZE]
    updated = max((_rfc3339(post.updated_at) for post in newest), default=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
    _sub(feed, f"{{{ATOM}}}id", f"{site_url}feed.xml")
    _sub(feed, f"{{{ATOM}}}title", title)
    _sub(feed, f"{{{ATOM}}}updated", updated)
    author_element = _sub(feed, f"{{{ATOM}}}author")
    _sub(author_element, f"{{{ATOM}}}name", author)
    _sub(feed, f"{{{ATOM}}}link", rel="self", type="application/atom+xml", href=f"{site_url}feed.xml")
    _sub(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=site_url)
    for post in newest:
        entry = _sub(feed, f"{{{ATOM}}}entry")
        url = post_url(site_url, post)
        _sub(entry, f"{{{ATOM}}}id", url)
        _sub(entry, f"{{{ATOM}}}title", post.title)
        _sub(entry, f"{{{ATOM}}}published", _rfc3339(post.created_at))
        _sub(entry, f"{{{ATOM}}}updated", _rfc3339(post.updated_at))
        _sub(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=url)
        _sub(entry, f"{{{ATOM}}}summary", post_excerpt(post), type="text")
        _sub(entry, f"{{{ATOM}}}content", body_html(post), type="html")
    document: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return document


def sitemap(posts: Sequence[Post], *, site_url: str) -> bytes:
    """Every post's page, and the home page, with when each last changed."""
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    home = _sub(urlset, f"{{{SITEMAP}}}url")
    _sub(home, f"{{{SITEMAP}}}loc", site_url)
    if posts:
        _sub(home, f"{{{SITEMAP}}}lastmod", max(_rfc3339(post.updated_at) for post in posts))
    for post in posts:
        url = _sub(urlset, f"{{{SITEMAP}}}url")
        _sub(url, f"{{{SITEMAP}}}loc", post_url(site_url, post))
        _sub(url, f"{{{SITEMAP}}}lastmod", _rfc3339(post.updated_at))
    document: bytes = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return document
