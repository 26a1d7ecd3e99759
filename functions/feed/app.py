"""The blog's feed: when posts change, rewrite the Atom feed and the sitemap the web function serves.

A lambda_micro app with no routes, on the posts table's DynamoDB stream: each batch of changes (however
many posts it touches) rewrites ``site/feed.xml`` and ``site/sitemap.xml`` in the images bucket from the
table, so the documents always describe what is stored, whatever order the changes came in. A failure
raises, and the stream retries the batch.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from atom import atom_feed, sitemap
from blog_posts import (
    FEED_KEY,
    FEED_TYPE,
    SITEMAP_KEY,
    SITEMAP_TYPE,
    ImageStore,
    Post,
    PostRepository,
    require_env,
)

from lambda_micro import App
from lambda_micro.events import StreamRecord

app = App(__name__)
logger = logging.getLogger(__name__)
posts = PostRepository.from_environment()
store = ImageStore.from_environment()
handler = app.lambda_handler


def site_url() -> str:
    """The site's root URL, ending in ``/`` (``SITE_URL``: the REST API's stage URL unless the template's
    SiteUrl parameter names another)."""
    return require_env("SITE_URL").rstrip("/") + "/"


def all_posts() -> list[Post]:
    """Every post, newest first."""
    found: list[Post] = []
    page = posts.list(limit=100)
    found.extend(page.posts)
    while page.next is not None:
        page = posts.list(limit=100, after=page.next)
        found.extend(page.posts)
    return found


def publish() -> int:
    """Rewrite the feed and the sitemap; return how many posts they list."""
    everything = all_posts()
    root = site_url()
    title = os.environ.get("BLOG_TITLE") or "Serverless blog"
    author = os.environ.get("BLOG_AUTHOR") or title
    feed = atom_feed(everything, site_url=root, title=title, author=author, now=datetime.now(UTC))
    store.put(FEED_KEY, feed, FEED_TYPE)
    store.put(SITEMAP_KEY, sitemap(everything, site_url=root), SITEMAP_TYPE)
    return len(everything)


@app.on_dynamodb_stream(os.environ["POSTS_TABLE"], batch=True)
def posts_changed(changes: list[StreamRecord]) -> None:
    """Any change to the posts (a write, an edit, a deletion) rewrites both documents once per batch."""
    count = publish()
    logger.info("feed and sitemap rewritten for %d changes: %d posts", len(changes), count)
