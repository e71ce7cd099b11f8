"""Downloads against a local HTTP server (127.0.0.1) written in tests/_fixtures.py.

The served file is a BACI-layout zip built from genuine rows when the data folder is there,
otherwise random bytes (the download logic does not care what it carries).
"""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from esc.config import data_dir
from esc.download import download, filename_from_url
from esc.errors import DownloadError

from _fixtures import EXAMPLE, example_rows, http_server, write_baci_zip

NAME = "/BACI_HS92_V202301.zip"


@pytest.fixture
def payload(tmp_path) -> bytes:
    root = data_dir()
    if root is not None and (root / EXAMPLE).is_file():
        path = write_baci_zip(tmp_path / "src.zip", root, {2021: example_rows(root, 5000)})
        return path.read_bytes()
    return os.urandom(300_000)


def test_full_download(tmp_path, payload):
    with http_server({NAME: payload}) as (url, state):
        got = download(url + NAME, tmp_path, sha256=hashlib.sha256(payload).hexdigest(),
                       size=len(payload), progress=False)
    assert got == tmp_path / NAME[1:]
    assert got.read_bytes() == payload
    assert not (tmp_path / (NAME[1:] + ".part")).exists()
    assert state["requests"] == [(NAME, None)]


def _partial(dest, data: bytes, url: str, size: int | None) -> None:
    """A partial download as an earlier, cut attempt of esc leaves it: bytes and record."""
    dest.with_name(dest.name + ".part").write_bytes(data)
    dest.with_name(dest.name + ".part.json").write_text(json.dumps({"url": url, "size": size}))


def test_resume_from_existing_part(tmp_path, payload):
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, state):
        _partial(dest, payload[:12345], url + NAME, len(payload))
        download(url + NAME, dest, sha256=hashlib.sha256(payload).hexdigest(), progress=False)
    assert dest.read_bytes() == payload
    assert state["requests"] == [(NAME, "bytes=12345-")]


def test_connection_cut_midway_is_resumed(tmp_path, payload):
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, state):
        state["cut"][NAME] = 1
        download(url + NAME, dest, sha256=hashlib.sha256(payload).hexdigest(), progress=False)
    assert dest.read_bytes() == payload
    assert [r for _, r in state["requests"]] == [None, f"bytes={len(payload) // 2}-"]


def test_cut_without_retries_keeps_part_for_next_call(tmp_path, payload):
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, state):
        state["cut"][NAME] = 1
        with pytest.raises(DownloadError, match="run the same command again"):
            download(url + NAME, dest, retries=0, progress=False)
        part = tmp_path / "release.zip.part"
        assert part.stat().st_size == len(payload) // 2 and not dest.exists()
        record = json.loads((tmp_path / "release.zip.part.json").read_text())
        assert (record["url"], record["size"]) == (url + NAME, len(payload))
        download(url + NAME, dest, sha256=hashlib.sha256(payload).hexdigest(), progress=False)
    assert dest.read_bytes() == payload and not part.exists()
    assert not (tmp_path / "release.zip.part.json").exists()
    assert [r for _, r in state["requests"]][-1] == f"bytes={len(payload) // 2}-"


def test_server_ignoring_range_restarts(tmp_path, payload):
    dest = tmp_path / "release.zip"
    (tmp_path / "release.zip.part").write_bytes(b"garbage that is not the start")
    with http_server({NAME: payload}) as (url, state):
        state["ignore_range"] = True
        download(url + NAME, dest, size=len(payload), progress=False)
    assert dest.read_bytes() == payload


def test_complete_part_with_416(tmp_path, payload):
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, state):
        _partial(dest, payload, url + NAME, len(payload))
        download(url + NAME, dest, sha256=hashlib.sha256(payload).hexdigest(), progress=False)
    assert dest.read_bytes() == payload
    assert state["requests"] == [(NAME, f"bytes={len(payload)}-")]


def test_checksum_mismatch_removes_file_and_keeps_previous(tmp_path, payload):
    dest = tmp_path / "release.zip"
    dest.write_bytes(b"previous good release")
    with http_server({NAME: payload}) as (url, _), \
            pytest.raises(DownloadError, match="sha256 mismatch"):
        download(url + NAME, dest, sha256="0" * 64, progress=False)
    assert dest.read_bytes() == b"previous good release"
    assert not (tmp_path / "release.zip.part").exists()


def test_size_mismatch(tmp_path, payload):
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, _), \
            pytest.raises(DownloadError, match="size mismatch"):
        download(url + NAME, dest, size=len(payload) + 1, progress=False)
    assert not dest.exists() and not (tmp_path / "release.zip.part").exists()


def test_404_is_a_clear_error(tmp_path):
    with http_server({}) as (url, _), pytest.raises(DownloadError, match="HTTP 404") as err:
        download(url + "/BACI_HS22_V209901.zip", tmp_path / "x.zip", progress=False)
    assert "BACI_HS22_V209901.zip" in str(err.value)
    assert not (tmp_path / "x.zip").exists()


def test_no_server(tmp_path):
    with http_server({}) as (url, _):
        dead = url  # the port is free once the server is shut down
    with pytest.raises(DownloadError, match="cannot connect"):
        download(dead + NAME, tmp_path / "x.zip", progress=False, retries=0)


def test_filename_from_url():
    assert filename_from_url("https://h/a/b/BACI%20x.zip?dl=1") == "BACI x.zip"


OTHER = "/BACI_HS92_V202401.zip"


def test_stale_part_of_another_url_is_never_appended_to(tmp_path, payload):
    """A .part left by a download of another release at the same destination."""
    dest = tmp_path / "release.zip"
    other = bytes(reversed(payload))
    with http_server({NAME: payload, OTHER: other}) as (url, state):
        _partial(dest, other[:20000], url + OTHER, len(other))
        download(url + NAME, dest, progress=False)
    assert dest.read_bytes() == payload
    assert state["requests"] == [(NAME, None)]


def test_part_without_record_is_not_trusted(tmp_path, payload):
    dest = tmp_path / "release.zip"
    (tmp_path / "release.zip.part").write_bytes(b"bytes of who knows what")
    with http_server({NAME: payload}) as (url, state):
        download(url + NAME, dest, progress=False)
    assert dest.read_bytes() == payload
    assert state["requests"] == [(NAME, None)]


def test_part_of_another_size_restarts(tmp_path, payload):
    """Same URL, but the partial belongs to a file of another size (the release was replaced
    on the server): the server's Content-Range total disagrees, so the download restarts."""
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, state):
        _partial(dest, bytes(1000), url + NAME, len(payload) + 10)
        download(url + NAME, dest, sha256=hashlib.sha256(payload).hexdigest(), progress=False)
    assert dest.read_bytes() == payload
    assert state["requests"] == [(NAME, "bytes=1000-"), (NAME, None)]


def test_part_for_another_expected_size_restarts(tmp_path, payload):
    dest = tmp_path / "release.zip"
    with http_server({NAME: payload}) as (url, state):
        _partial(dest, payload[:5000], url + NAME, len(payload) - 1)
        download(url + NAME, dest, size=len(payload), progress=False)
    assert dest.read_bytes() == payload
    assert state["requests"] == [(NAME, None)]
