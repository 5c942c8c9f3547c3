"""URL policy: what a document read from a remote URL may make the reader open (SPEC 11, DESIGN 9)."""
from __future__ import annotations

import copy
import ipaddress
import json
import socket

import numpy as np
import pytest

from lindi import LindiH5pyFile
from lindi.errors import UrlPolicyError
from lindi.security import UrlPolicy, is_public_address
from lindi.security.url_policy import escapes_base, resolve_relative
from lindi.testing.range_server import RangeServer

from .conftest import DOC_NAME, H5_NAME, assert_truth, ground_truth, read_all

pytestmark = pytest.mark.network


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "192.168.1.1",
                                     "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",
                                     "::1", "::", "fe80::1", "fc00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                                     "2002:7f00:1::", "ff02::1",
                                     # issue 18 S5: IPv4 carried in every IPv6 form, and site-local
                                     "::127.0.0.2", "::10.0.0.1", "64:ff9b::a00:1", "64:ff9b::7f00:1",
                                     "::ffff:0:7f00:1", "::ffff:0:a00:1", "fec0::1", "feff::1", "64:ff9b:1::808:808",
                                     "2001:0:4136:e378:8000:63bf:80ff:fffe"])
def test_non_public_addresses(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888", "::ffff:8.8.8.8",
                                     "64:ff9b::808:808", "::ffff:0:808:808", "2002:808:808::1"])
def test_public_addresses(address):
    assert is_public_address(ipaddress.ip_address(address))


def test_every_resolved_address_is_checked():
    """A name with one public and one loopback address is refused (DNS rebinding-style answers)."""
    answers = {"mixed.example": ["93.184.216.34", "127.0.0.1"], "v6.example": ["2001:db8::1", "::1"],
               "public.example": ["93.184.216.34", "2001:4860:4860::8888"]}
    policy = UrlPolicy.for_document("https://docs.example/a.lindi.json", resolver=lambda h: answers.get(h, []))
    with pytest.raises(UrlPolicyError, match=r"mixed\.example -> 127\.0\.0\.1"):
        policy.check("https://mixed.example/data.h5", where="/refs/x~10")
    with pytest.raises(UrlPolicyError, match=r"::1"):
        policy.check("https://v6.example/data.h5")
    policy.check("https://public.example/data.h5")


@pytest.mark.parametrize("url", ["http://localhost:9/x", "http://LOCALHOST./x", "http://a.localhost/x",
                                 "http://[::1]:9/x", "http://[::ffff:127.0.0.1]/x", "http://2130706433/x",
                                 "http://0177.0.0.1/x", "http://0x7f.1/x", "s3://127.0.0.1/bucket/x",
                                 "http://[::127.0.0.2]/x", "http://[64:ff9b::a00:1]/x", "http://[::ffff:0:7f00:1]/x",
                                 "http://[fec0::1]/x", "http://0x7f000002/x", "http://2130706434/x"])
def test_loopback_spellings_are_refused(url):
    """Literal, IPv6, decimal/octal/hex spellings resolve (getaddrinfo, no network) to loopback."""
    policy = UrlPolicy.for_document("https://docs.example/a.lindi.json")
    with pytest.raises(UrlPolicyError, match="private address"):
        policy.check(url)


def test_machine_own_host_name_is_refused():
    host = socket.gethostname()
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if any(is_public_address(ipaddress.ip_address(a.split("%")[0])) for a in addresses):
        pytest.skip("this machine's name resolves to a public address")
    with pytest.raises(UrlPolicyError, match=host):
        UrlPolicy.for_document("https://docs.example/a.lindi.json").check(f"http://{host}:8080/x.h5")


def test_relative_escapes():
    assert escapes_base("https://h/a/doc.json", "../x")
    assert escapes_base("https://h/a/doc.json", "./b/../../x")
    assert not escapes_base("https://h/a/doc.json", "b/../x")
    assert resolve_relative("s3://bucket/a/doc.json", "./blobs/x") == "s3://bucket/a/blobs/x"
    assert resolve_relative("/data/a/doc.json", "../x") == "/data/x"
    with pytest.raises(UrlPolicyError, match="climbs out"):
        UrlPolicy.for_document("https://h/a/doc.json").resolve("../../etc/passwd", where="/refs/a~10")
    assert UrlPolicy.for_document("https://h/a/doc.json", allow_local=True).resolve("../x") == "https://h/x"
    with pytest.raises(UrlPolicyError, match="no location"):
        UrlPolicy().resolve("x")


def test_unregistered_scheme_is_refused():
    """A document's policy (the store's) asks the backend registry; the security layer asks its ``serves``."""
    from lindi.store import UrlPolicy as DocumentPolicy, load_document

    with pytest.raises(UrlPolicyError, match="no registered backend serves the URL scheme of 'gopher://"):
        DocumentPolicy().check("gopher://example.org/data.h5")
    DocumentPolicy().check("https://example.org/data.h5")
    with pytest.raises(UrlPolicyError, match=r"gopher://.*referenced at document /refs/a~10"):
        load_document({"version": 1, "refs": {"a/0": ["gopher://example.org/data.h5", 0, 4]}}).expand_url(
            "gopher://example.org/data.h5", "a/0")
    with pytest.raises(UrlPolicyError, match="gopher://"):
        UrlPolicy(serves=lambda url: url.startswith("https://")).check("gopher://example.org/data.h5")
    DocumentPolicy(serves=None).check("gopher://example.org/data.h5")  # lifted, as `lindi info` does


def _serve(server: RangeServer, doc: dict, name: str = "hostile.lindi.json") -> str:
    return server.put(name, json.dumps(doc).encode())


def _with_url(doc: dict, url: str) -> dict:
    doc = copy.deepcopy(doc)
    doc["templates"] = {k: url for k in doc.get("templates", {})}
    return doc


def test_same_origin_remote_document_reads_without_opt_in(server):
    f = LindiH5pyFile.from_lindi_file(server.url_for(DOC_NAME))
    assert_truth(read_all(f))


@pytest.mark.parametrize("target", ["file", "abs", "dotdot"])
def test_remote_document_may_not_reference_local_files(server, sample_h5, sample_doc, target, monkeypatch):
    url = {"file": sample_h5.as_uri(), "abs": str(sample_h5), "dotdot": f"../../{sample_h5.parent.name}/x.h5"}[target]
    doc_url = _serve(server, _with_url(sample_doc, url))
    f = LindiH5pyFile.from_lindi_file(doc_url)
    with pytest.raises(UrlPolicyError) as info:
        f["gzip"][:]
    text = str(info.value)
    assert "/refs/gzip~1" in text and (url in text or "climbs out" in text)
    assert f["gzip"].attrs is not None  # metadata is inline: still readable
    if target != "dotdot":
        np.testing.assert_array_equal(LindiH5pyFile.from_lindi_file(doc_url, allow_local=True)["gzip"][:],
                                      ground_truth()["gzip"])
        monkeypatch.setenv("LINDI_ALLOW_LOCAL", "1")
        np.testing.assert_array_equal(LindiH5pyFile.from_lindi_file(doc_url)["gzip"][:], ground_truth()["gzip"])


def test_remote_document_may_not_reach_another_loopback_server(server, sample_doc, sample_h5, monkeypatch):
    """The document is on one 127.0.0.1 server, its data on another: refused unless the user opts in."""
    with RangeServer() as other:
        data_url = other.put(H5_NAME, sample_h5.read_bytes())
        doc_url = _serve(server, _with_url(sample_doc, data_url))
        f = LindiH5pyFile.from_lindi_file(doc_url)
        with pytest.raises(UrlPolicyError, match="private address") as info:
            f["group/shuffled"][:5]
        assert data_url in str(info.value) and "/refs/group~1shuffled~1" in str(info.value)
        assert other.requests == 0  # refused before any request
        opted = LindiH5pyFile.from_lindi_file(doc_url, allow_local=True)
        assert_truth(read_all(opted))
        opted_rfs = LindiH5pyFile.from_reference_file_system(doc_url, allow_local=True)
        assert_truth(read_all(opted_rfs))
        monkeypatch.setenv("LINDI_ALLOW_LOCAL", "1")
        assert_truth(read_all(LindiH5pyFile.from_lindi_file(doc_url)))


def test_dict_with_remote_base_follows_the_remote_policy(server, sample_doc, sample_h5):
    doc = _with_url(sample_doc, sample_h5.as_uri())
    f = LindiH5pyFile.from_reference_file_system(doc, base=server.url_for(DOC_NAME))
    with pytest.raises(UrlPolicyError, match="local file"):
        f["gzip"][:]


def test_external_array_link_obeys_the_policy(server, sample_doc, sample_h5):
    doc = copy.deepcopy(sample_doc)
    doc["refs"] = {k: v for k, v in doc["refs"].items() if not k.startswith("gzip/") or not k[5:6].isdigit()}
    doc["refs"]["gzip/.zattrs"] = {"_EXTERNAL_ARRAY_LINK": {"link_type": "hdf5_dataset", "url": str(sample_h5),
                                                            "name": "gzip"}}
    f = LindiH5pyFile.from_lindi_file(_serve(server, doc))
    with pytest.raises(UrlPolicyError, match="local file"):
        f["gzip"][:]


def test_local_document_may_reference_local_files(tmp_path, sample_doc, sample_h5):
    path = tmp_path / "doc.lindi.json"
    path.write_text(json.dumps(_with_url(sample_doc, str(sample_h5))))
    assert_truth(read_all(LindiH5pyFile.from_lindi_file(str(path))))


@pytest.mark.parametrize("url", ["https://exampe..org/x", "http://host:99999/x", "http://[::1/x",
                                 "https://example\u00a2V\u00f5org/x"])
def test_malformed_urls_are_policy_errors(url):
    """Found by fuzzing: a bad host or port reached the HTTP library as requests.InvalidURL."""
    with pytest.raises(UrlPolicyError, match="malformed URL"):
        UrlPolicy().check(url, where="/refs/a~10")


@pytest.mark.parametrize("url", ["http://127.0.0.2:8080\\@example.com/x", "http://127.0.0.2\\.example.com/x",
                                 "http://ex%61mple.com/x", "http://127.0.0.2:8080\\x@example.com:80/x"])
def test_parser_differentials_are_refused(url):
    """Issue 18 S2: a URL the HTTP client and the standard library read differently is refused.

    The message names the host the HTTP client would have connected to, not the decoy.
    """
    with pytest.raises(UrlPolicyError, match="ambiguous URL") as info:
        UrlPolicy.for_document("https://docs.example/a.lindi.json").check(url)
    assert "127.0.0.2" in str(info.value) or "example.com" in str(info.value)
    with pytest.raises(UrlPolicyError, match="ambiguous URL"):  # even where private hosts are allowed
        UrlPolicy().check(url)


def test_backslash_ref_never_reaches_the_private_server(server, sample_doc):
    """Issue 18 S2 end to end: the decoy host is public, the real one is 127.0.0.2."""
    with RangeServer(host="127.0.0.2") as private:
        private.put("secret.bin", b"secret!!" * 4)
        port = private.url.rsplit(":", 1)[1]
        doc = copy.deepcopy(sample_doc)
        doc["refs"] = {k: v for k, v in doc["refs"].items() if not k.startswith("gzip/") or not k[5:6].isdigit()}
        doc["refs"]["gzip/0.0"] = [f"http://127.0.0.2:{port}\\@example.com/secret.bin", 0, 32]
        f = LindiH5pyFile.from_lindi_file(_serve(server, doc))
        with pytest.raises(UrlPolicyError, match="ambiguous URL") as info:
            f["gzip"][:]
        assert "'127.0.0.2'" in str(info.value) and "/refs/gzip~10.0" in str(info.value)
        assert private.requests == 0


@pytest.mark.parametrize("url", ["http://example.com:443/x", "https://EXAMPLE.com/x", "http://[2001:db8::1]:8/x",
                                 "https://ex\u00e4mple.org/x", "http://h.example/a%5Cb?c=\\"])
def test_urls_both_parsers_agree_on_pass(url):
    UrlPolicy().check(url)
