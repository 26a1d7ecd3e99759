"""Checks of an Atom feed against RFC 4287 and of a sitemap against the sitemaps.org 0.9 protocol.

What the RFC requires of a feed and its entries (section 4.1): an absolute IRI ``atom:id``, an
``atom:title``, an RFC 3339 ``atom:updated``; an ``atom:author`` on the feed or on every entry; a
``rel="alternate"`` link, or ``atom:content``, on every entry; at most one alternate link per type; text
constructs of type text, html or xhtml; and no id shared by two entries. A sitemap lists absolute ``loc``
URLs (at most 50,000) with W3C datetime ``lastmod``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlsplit

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _absolute(iri: str) -> bool:
    parts = urlsplit(iri)
    return bool(parts.scheme) and (bool(parts.netloc) or parts.scheme in ("tag", "urn"))


def _date(text: str | None, where: str) -> datetime:
    assert text is not None, f"{where}: missing"
    assert RFC3339.fullmatch(text), f"{where}: {text!r} is not an RFC 3339 date-time"
    return datetime.fromisoformat(text)


def _one(parent: ET.Element, tag: str, where: str) -> ET.Element:
    found = parent.findall(ATOM + tag)
    assert len(found) == 1, f"{where} must have exactly one atom:{tag}, has {len(found)}"
    return found[0]


def _text_construct(element: ET.Element, where: str) -> None:
    assert element.get("type", "text") in ("text", "html", "xhtml"), (
        f"{where}: bad type {element.get('type')}"
    )


def _links(parent: ET.Element, where: str) -> list[ET.Element]:
    links = parent.findall(ATOM + "link")
    for link in links:
        assert link.get("href"), f"{where}: a link without href"
    alternates = [
        (link.get("type"), link.get("hreflang"))
        for link in links
        if link.get("rel", "alternate") == "alternate"
    ]
    assert len(alternates) == len(set(alternates)), f"{where}: two alternate links of one type"
    return links


def check_atom(document: bytes) -> ET.Element:
    """Parse ``document`` and check it as RFC 4287 requires; return the feed element."""
    feed = ET.fromstring(document)
    assert feed.tag == ATOM + "feed", f"the root is {feed.tag}, not atom:feed"
    assert _absolute(_one(feed, "id", "the feed").text or ""), "the feed's id is not an absolute IRI"
    _text_construct(_one(feed, "title", "the feed"), "the feed's title")
    _date(_one(feed, "updated", "the feed").text, "the feed's updated")
    links = _links(feed, "the feed")
    assert any(link.get("rel") == "self" for link in links), "a feed should link to itself (rel=self)"
    feed_author = feed.find(ATOM + "author")
    if feed_author is not None:
        assert (feed_author.findtext(ATOM + "name") or "").strip(), "the feed's author has no name"
    ids = set()
    for index, entry in enumerate(feed.findall(ATOM + "entry")):
        where = f"entry {index}"
        entry_id = _one(entry, "id", where).text or ""
        assert _absolute(entry_id), f"{where}: its id is not an absolute IRI"
        assert entry_id not in ids, f"{where}: id {entry_id} is used twice"
        ids.add(entry_id)
        _text_construct(_one(entry, "title", where), f"{where} title")
        _date(_one(entry, "updated", where).text, f"{where} updated")
        for optional in ("published", "summary", "content"):
            found = entry.findall(ATOM + optional)
            assert len(found) <= 1, f"{where}: more than one atom:{optional}"
        if entry.find(ATOM + "published") is not None:
            _date(entry.findtext(ATOM + "published"), f"{where} published")
        for construct in ("summary", "content"):
            if entry.find(ATOM + construct) is not None:
                _text_construct(entry.find(ATOM + construct), f"{where} {construct}")  # type: ignore[arg-type]
        entry_links = _links(entry, where)
        assert entry.find(ATOM + "content") is not None or any(
            link.get("rel", "alternate") == "alternate" for link in entry_links
        ), f"{where}: neither content nor an alternate link"
        assert feed_author is not None or entry.find(ATOM + "author") is not None, f"{where}: no author"
    return feed


def check_sitemap(document: bytes) -> list[str]:
    """Parse and check a sitemap; return its URLs."""
    urlset = ET.fromstring(document)
    assert urlset.tag == SITEMAP + "urlset", f"the root is {urlset.tag}, not urlset"
    urls = []
    for url in urlset.findall(SITEMAP + "url"):
        loc = url.findtext(SITEMAP + "loc") or ""
        assert _absolute(loc), f"{loc!r} is not an absolute URL"
        assert urlsplit(loc).scheme in ("http", "https"), f"{loc!r} is not an http(s) URL"
        lastmod = url.findtext(SITEMAP + "lastmod")
        if lastmod is not None:
            _date(lastmod, f"lastmod of {loc}")
        urls.append(loc)
    assert len(urls) <= 50_000
    return urls
