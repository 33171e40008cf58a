"""The PDF worker's URL fetcher, kept between renders: it reads local files only, so that no
text in a plan (the client's own words) can make the worker fetch from the network."""

from pathlib import Path

import pytest

from care_plans.tasks import _renderer


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/logo.png", "https://example.org/x.css", "ftp://127.0.0.1/x"])
def test_the_fetcher_refuses_the_network(url: str) -> None:
    fetcher, _fonts = _renderer()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch(url)


def test_the_fetcher_reads_a_local_file_and_is_made_once(tmp_path: Path) -> None:
    style = tmp_path / "style.css"
    style.write_text("p { color: black }")
    fetcher, _fonts = _renderer()
    response = fetcher.fetch(style.as_uri())
    try:
        assert response.read() == b"p { color: black }"
    finally:
        response.close()
    assert _renderer() is _renderer()
