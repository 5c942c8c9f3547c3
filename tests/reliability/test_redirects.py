"""Redirects obey the URL policy at every hop (issue 18, S1 and C3).

A remote document may reference its own origin, and that origin may answer with
a redirect. The hop must be checked like a ref: a 127.0.0.2 server stands in for
a private address, and it must see no request at all.
"""
from __future__ import annotations

import json

import pytest

from lindi import LindiH5pyFile
from lindi.backends import read_ranges
from lindi.errors import LindiError, RemoteError, UrlPolicyError

from .conftest import (
    SECRET,
    external_array_document,
    external_link_document,
    raw_array_document,
)

pytestmark = pytest.mark.network

def host_forms(port: int) -> dict[str, str]:
    """Spellings of a loopback host a redirect may use."""
    return {"dotted": f"127.0.0.2:{port}", "v4-mapped": f"[::ffff:127.0.0.2]:{port}",
            "decimal": f"2130706434:{port}", "hex": f"0x7f000002:{port}", "v6-loopback": f"[::1]:{port}",
            "v4-compatible": f"[::127.0.0.2]:{port}", "siit": f"[::ffff:0:7f00:2]:{port}",
            "localhost": f"localhost:{port}", "ideographic-dots": f"127\u30020\u30020\u30022:{port}"}


@pytest.mark.parametrize("form", list(host_forms(1)))
def test_chunk_ref_redirect_to_private_host_is_refused(origin, private, form):
    target = f"http://{host_forms(int(private.url.rsplit(':', 1)[1]))[form]}/secret.bin"
    origin.redirect("redir", target)
    doc_url = origin.put("hostile.lindi.json", json.dumps(raw_array_document("./redir", len(SECRET))).encode())
    f = LindiH5pyFile.from_lindi_file(doc_url)
    with pytest.raises(UrlPolicyError) as info:
        f["x"][()]
    text = str(info.value)
    assert "redirect" in text and origin.url_for("redir") in text and target in text
    assert private.requests == 0


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_every_redirect_status_is_checked(origin, private, status):
    origin.redirect("redir", private.url_for("secret.bin"), status=status)
    doc_url = origin.put("hostile.lindi.json", json.dumps(raw_array_document("./redir", len(SECRET))).encode())
    with pytest.raises(UrlPolicyError, match="redirect"):
        LindiH5pyFile.from_lindi_file(doc_url)["x"][()]
    assert private.requests == 0


def test_second_hop_is_checked(origin, private):
    """A first hop that stays on the origin does not license the next one."""
    origin.redirect("hop1", "/hop2")
    origin.redirect("hop2", private.url_for("secret.bin"))
    doc_url = origin.put("hostile.lindi.json", json.dumps(raw_array_document("./hop1", len(SECRET))).encode())
    with pytest.raises(UrlPolicyError, match="hop2"):
        LindiH5pyFile.from_lindi_file(doc_url)["x"][()]
    assert private.requests == 0


def test_redirect_within_the_origin_is_followed(origin):
    origin.put("data.bin", SECRET)
    origin.redirect("moved", "/data.bin", status=301)
    doc_url = origin.put("doc.lindi.json", json.dumps(raw_array_document("./moved", len(SECRET))).encode())
    assert LindiH5pyFile.from_lindi_file(doc_url)["x"][()].tobytes() == SECRET


def test_user_opt_in_allows_the_private_hop(origin, private, monkeypatch):
    origin.redirect("redir", private.url_for("secret.bin"))
    doc_url = origin.put("doc.lindi.json", json.dumps(raw_array_document("./redir", len(SECRET))).encode())
    assert LindiH5pyFile.from_lindi_file(doc_url, allow_local=True)["x"][()].tobytes() == SECRET
    monkeypatch.setenv("LINDI_ALLOW_LOCAL", "1")
    assert LindiH5pyFile.from_lindi_file(doc_url)["x"][()].tobytes() == SECRET


def test_local_document_follows_redirects_it_could_reference_directly(tmp_path, origin, private):
    """A local document is trusted with private hosts, so its refs' redirects are too."""
    origin.redirect("redir", private.url_for("secret.bin"))
    path = tmp_path / "doc.lindi.json"
    path.write_text(json.dumps(raw_array_document(origin.url_for("redir"), len(SECRET))))
    assert LindiH5pyFile.from_lindi_file(str(path))["x"][()].tobytes() == SECRET


def test_redirect_loop_is_capped(origin):
    origin.redirect("a", "/b")
    origin.redirect("b", "/a")
    doc_url = origin.put("doc.lindi.json", json.dumps(raw_array_document("./a", 4)).encode())
    with pytest.raises(RemoteError, match="redirects"):
        LindiH5pyFile.from_lindi_file(doc_url)["x"][()]
    assert origin.requests < 20


@pytest.mark.parametrize(("make", "path"), [(external_array_document, "x"), (external_link_document, "g/secret")])
def test_hdf5_link_redirect_is_refused(origin, private, make, path):
    """``_EXTERNAL_ARRAY_LINK`` and external links: the HDF5 file behind the link is fetched through the same check."""
    origin.redirect("redir.h5", private.url_for("secret.h5"))
    f = LindiH5pyFile.from_lindi_file(origin.put("hostile.lindi.json", json.dumps(make("./redir.h5")).encode()))
    with pytest.raises(UrlPolicyError, match="redirect"):
        f[path][()]
    assert private.requests == 0


def test_document_url_redirect_is_checked(origin, private):
    """The document itself: a remote URL may not bounce the reader to a private server."""
    private.put("doc.lindi.json", json.dumps(raw_array_document("./secret.bin", len(SECRET))).encode())
    origin.redirect("doc.lindi.json", private.url_for("doc.lindi.json"))
    with pytest.raises(UrlPolicyError, match="redirect"):
        LindiH5pyFile.from_lindi_file(origin.url_for("doc.lindi.json"))
    assert private.requests == 0


def test_remote_hdf5_redirect_is_checked(origin, private):
    origin.redirect("file.h5", private.url_for("secret.h5"))
    with pytest.raises(UrlPolicyError, match="redirect"):
        LindiH5pyFile.from_hdf5_file(origin.url_for("file.h5"))
    assert private.requests == 0


# ---- C3: clear errors, not raw requests exceptions ---------------------------------------------

def test_redirect_to_file_url_is_a_policy_error(origin, tmp_path):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(SECRET)
    origin.redirect("redir", secret.as_uri())
    doc_url = origin.put("doc.lindi.json", json.dumps(raw_array_document("./redir", len(SECRET))).encode())
    with pytest.raises(UrlPolicyError, match="file://"):
        LindiH5pyFile.from_lindi_file(doc_url)["x"][()]
    with pytest.raises(UrlPolicyError, match="file://"):  # direct backend use: no document, same refusal
        read_ranges([(origin.url_for("redir"), 0, 4)])


@pytest.mark.parametrize("location", ["http:///x", "ftp://127.0.0.1/x", "http://[::1/x", "http://h:99999/x"])
def test_unusable_redirect_target_is_a_lindi_error(origin, location):
    origin.redirect("redir", location)
    with pytest.raises(LindiError) as info:
        read_ranges([(origin.url_for("redir"), 0, 4)])
    assert origin.url_for("redir") in str(info.value)


@pytest.mark.parametrize("url", ["http:///x", "https:///x", "http://:80/x"])
def test_ref_without_host_is_a_policy_error(tmp_path, url):
    path = tmp_path / "doc.lindi.json"
    path.write_text(json.dumps(raw_array_document(url, 4)))
    with pytest.raises(UrlPolicyError, match="no host"):
        LindiH5pyFile.from_lindi_file(str(path))["x"][()]
    with pytest.raises(LindiError):  # the backend on its own: a RemoteError, not requests.InvalidURL
        read_ranges([(url, 0, 4)])


def test_the_document_policy_reaches_the_backends_worker_threads(tmp_path, origin, private):
    """A batch of refs is read by worker threads (per backend, and across backends): each hop is still judged
    by the document's own policy. A local document may follow redirects to private hosts; if the policy did
    not travel with the reads, the workers would fall back to the remote default and refuse."""
    n = 4
    refs = {".zgroup": {"zarr_format": 2}, ".zattrs": {},
            "x/.zarray": {"zarr_format": 2, "shape": [n * len(SECRET)], "chunks": [len(SECRET)], "dtype": "|u1",
                          "compressor": None, "fill_value": 0, "filters": None, "order": "C"}, "x/.zattrs": {}}
    local = tmp_path / "secret.bin"
    local.write_bytes(SECRET)
    for i in range(n - 1):  # distinct URLs, so the batch is not coalesced into one request
        refs[f"x/{i}"] = [origin.redirect(f"r{i}", private.url_for("secret.bin")), 0, len(SECRET)]
    refs[f"x/{n - 1}"] = [str(local), 0, len(SECRET)]  # a second backend: the registry dispatches in threads
    path = tmp_path / "doc.lindi.json"
    path.write_text(json.dumps({"version": 1, "lindi_spec": "1.0", "refs": refs}))
    assert LindiH5pyFile.from_lindi_file(str(path))["x"][()].tobytes() == SECRET * n
    assert private.requests == n - 1
