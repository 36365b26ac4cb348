"""The static course site (``make site``) builds offline from the stored notebook outputs, has one
page per lesson plus the landing page and the API reference, and every internal link resolves."""

from __future__ import annotations

import html.parser
import pathlib
import subprocess
import sys
import urllib.parse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids, self.problems = [], set(), []
        self._in_problem = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "problematic" in (attrs.get("class") or "").split():
            self.problems.append(attrs.get("id", "?"))
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) is not None and tag in ("a", "link", "img", "script", "iframe", "source"):
                self.links.append((tag, key, attrs[key]))


def _parse(page: pathlib.Path) -> _Links:
    parser = _Links()
    parser.feed(page.read_text(errors="replace"))
    return parser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "html"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-q", "docs", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"sphinx failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return out


def test_every_lesson_has_a_page(site):
    assert LESSONS
    for lesson in LESSONS:
        page = site / "lessons" / f"{lesson.stem}.html"
        assert page.exists(), f"no page for {lesson.name}"
        text = page.read_text()
        assert 'class="cell' in text and "<img" in text, f"{page.name} shows no cells or figures"
    index = (site / "index.html").read_text()
    for lesson in LESSONS:
        assert f'href="lessons/{lesson.stem}.html"' in index, f"landing page does not link {lesson.name}"
    assert (site / "api.html").exists() and (site / "architecture.html").exists()
    assert (site / "api" / "sfa_helpers.simulation.html").exists()
    assert "sfa_helpers.simulation.simulate" in (site / "api" / "sfa_helpers.simulation.html").read_text()


def test_internal_links_resolve_and_nothing_is_fetched_online(site):
    pages = sorted(site.rglob("*.html"))
    parsed = {page.resolve(): _parse(page) for page in pages}
    broken, online = [], []
    # docutils turns a markup error (e.g. an unmatched '*' in a docstring) into a link to an
    # error message that the site does not show: name the page rather than the dangling anchor.
    problems = [str(page.relative_to(site.resolve())) for page, links in parsed.items()
                if links.problems]
    assert not problems, ("reStructuredText markup errors (rendered as red 'problematic' text "
                          "with a dangling link; run `make site` to see the warnings) in: "
                          + ", ".join(problems))
    for page, links in parsed.items():
        for tag, key, target in links.links:
            url = urllib.parse.urlsplit(target)
            if url.scheme in ("mailto", "data", "javascript") or target.startswith("about:"):
                continue
            if url.scheme or url.netloc:
                if tag != "a":  # a script, style sheet or image from the network
                    online.append(f"{page.relative_to(site.resolve())}: <{tag} {key}={target}>")
                continue
            path = urllib.parse.unquote(url.path)
            resolved = page if not path else (page.parent / path).resolve()
            if resolved.is_dir():
                resolved = resolved / "index.html"
            if not resolved.exists():
                broken.append(f"{page.relative_to(site.resolve())}: {target} (no file)")
                continue
            fragment = urllib.parse.unquote(url.fragment)
            if fragment and resolved.suffix == ".html":
                ids = parsed[resolved].ids if resolved in parsed else _parse(resolved).ids
                if fragment not in ids:
                    broken.append(f"{page.relative_to(site.resolve())}: {target} (no anchor)")
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken[:40])
    assert not online, "the site loads resources from the network:\n" + "\n".join(online[:20])
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists(), "MathJax is not bundled"
