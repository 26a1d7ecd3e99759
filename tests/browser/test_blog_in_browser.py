"""The README's first command, driven by a real browser: `lambda-micro serve` on the example blog.

Headless Chromium (the system's ``chromium``, driven by Playwright's Python package) loads the home page,
signs in as an author of the local Cognito, writes a post through the form and finds it listed, on the plain
URL and under the REST API's stage prefix, and shows an image uploaded through the JSON API with the
author's token.
A screenshot of each run is saved under ``test-artifacts/``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lambda_micro.local.cognito import LocalCognito
from lambda_micro.local.embedded_aws import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from lambda_micro.local.sam import load_template
from lambda_micro.local.workdir import read_serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def _chromium() -> str:
    executable = shutil.which("chromium")
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (CI must install it: apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return executable


@pytest.fixture(scope="module")
def blog_url() -> Iterator[str]:
    """`lambda-micro serve` on the repository's template.yaml, on a free port, with the embedded AWS."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lambda_micro.local", "serve", "--template", "template.yaml", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + 60
    url = None
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        seen.append(line)
        match = re.match(r"Listening on (http://\S+?)/ ", line)
        if match:
            url = match.group(1)
            break
    if url is None:
        process.kill()
        process.wait()
        pytest.fail("lambda-micro serve did not start:\n" + "".join(seen))
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        finally:
            if process.poll() is None:
                process.kill()


EMAIL = "browser@example.com"
PASSWORD = "Browser-Tests-1"


@pytest.fixture(scope="module")
def id_token(blog_url: str) -> str:
    """An author in the running server's Cognito (found through its .lambda-micro/serve.json); their token."""
    template = ROOT / "template.yaml"
    record = read_serve(template)
    assert record is not None, "serve records its embedded AWS for `lambda-micro users` and `token`"
    cognito = LocalCognito(
        load_template(template),
        client_kwargs={
            "endpoint_url": record.aws_endpoint,
            "region_name": record.region,
            "aws_access_key_id": DUMMY_ACCESS_KEY_ID,
            "aws_secret_access_key": DUMMY_SECRET_ACCESS_KEY,
        },
    )
    cognito.add_user(EMAIL, password=PASSWORD)
    token: str = cognito.tokens(EMAIL, PASSWORD)["IdToken"]
    return token


def _sign_in(page: Any, base: str) -> None:
    """Sign in on the login form, as an author does (the writing pages need it)."""
    page.goto(base + "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_load_state()
    assert page.locator("#signed-in").inner_text() == EMAIL


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _write_post(page: Any, base: str, *, title: str, slug: str, body: str) -> None:
    page.goto(base + "/")
    page.click("#new-post")
    page.wait_for_selector("#post-form")
    page.fill("#title", title)
    page.fill("#slug", slug)
    page.fill("#body", body)
    page.click("#submit")
    page.wait_for_load_state()


def test_browser_creates_a_post_and_sees_it_listed(blog_url: str, browser: Any, id_token: str) -> None:
    page = browser.new_page()
    try:
        page.goto(blog_url + "/")
        assert page.title().startswith("Latest posts")
        page.click("#new-post")  # not signed in: the login form, which comes back to the new post form
        page.wait_for_selector("#login-form")
        page.fill("#email", EMAIL)
        page.fill("#password", PASSWORD)
        page.click("#sign-in")
        page.wait_for_selector("#post-form")
        slug = f"hello-browser-{int(time.time())}"
        _write_post(page, blog_url, title="Hello from a browser", slug=slug, body="Written **locally**.")
        assert "Hello from a browser" in page.content()
        page.goto(blog_url + "/")
        listed = page.locator(f"#post-{slug}")
        assert listed.count() == 1
        assert "Hello from a browser" in listed.inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "blog-home.png"), full_page=True)
        # The post page is reachable through the listed link.
        listed.locator("a.post-link").click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/posts/{slug}")
        assert "Written" in page.content()
        assert page.locator("#post-author").inner_text() == EMAIL
    finally:
        page.close()


def test_browser_links_keep_the_stage_prefix(blog_url: str, browser: Any, id_token: str) -> None:
    page = browser.new_page()
    try:
        base = blog_url + "/Prod"
        _sign_in(page, base)
        slug = f"staged-{int(time.time())}"
        _write_post(page, base, title="Under the stage", slug=slug, body="Links keep /Prod.")
        assert "/Prod/" in page.url
        page.goto(base + "/")
        link = page.locator(f"#post-{slug} a.post-link")
        assert link.get_attribute("href") == f"/Prod/posts/{slug}"
        link.click()
        page.wait_for_load_state()
        assert page.url == f"{base}/posts/{slug}"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "blog-post-under-stage.png"), full_page=True)
    finally:
        page.close()


def _api(base: str, method: str, path: str, body: bytes, content_type: str, **headers: str) -> Any:
    request = urllib.request.Request(
        base + path, data=body, method=method, headers={"Content-Type": content_type, **headers}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # the local gateway, on loopback
        return json.loads(response.read())


def test_browser_shows_an_uploaded_image_in_the_post_and_on_its_own(
    blog_url: str, browser: Any, id_token: str
) -> None:
    """The image is re-encoded on upload and served with a sandboxing CSP: it still displays, in the post
    and when opened directly."""
    from PIL import Image

    slug = f"pictured-{int(time.time())}"
    post = {"slug": slug, "title": "With a picture", "body": "A *red* square."}
    signed = {"Authorization": f"Bearer {id_token}"}
    _api(blog_url, "POST", "/api/posts", json.dumps(post).encode(), "application/json", **signed)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, format="PNG")
    uploaded = _api(
        blog_url,
        "PUT",
        f"/api/posts/{slug}/image",
        picture.getvalue(),
        "image/png",
        **{"If-Match": '"1"'},
        **signed,
    )
    assert uploaded["image"]["content_type"] == "image/png"
    page = browser.new_page()
    try:
        page.goto(f"{blog_url}/posts/{slug}")
        page.wait_for_function("document.getElementById('post-image').complete")
        assert page.evaluate("document.getElementById('post-image').naturalWidth") == 40
        assert page.inner_html("#post-body") == "<p>A <em>red</em> square.</p>\n"
        response = page.goto(f"{blog_url}/posts/{slug}/image")
        assert response is not None
        assert "sandbox" in (response.headers.get("content-security-policy") or "")
        page.wait_for_function("document.images.length === 1 && document.images[0].complete")
        assert page.evaluate("document.images[0].naturalWidth") == 40
    finally:
        page.close()
