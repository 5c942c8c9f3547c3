"""Fuzz families for the URL policy (issue 18): redirect chains and parser differentials.

Each case is a hostile document served from an origin server on 127.0.0.1 and read
by the fuzz worker (:mod:`tests.reliability.fuzz_targets`, target ``remote``). A
server on 127.0.0.2 stands in for a private address and holds the secret. The
oracle: the private server sees no request at all; a redirect that aims at a
private address or a local file ends in :class:`lindi.errors.UrlPolicyError`; a
redirect chain that stays on the origin reads; nothing but a LindiError escapes. Cases are
drawn with hypothesis (``data.draw``) so pytest and ``scripts/fuzz.py`` share them.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from hypothesis import strategies as st

from lindi.testing.range_server import RangeServer

from .conftest import (
    SECRET,
    external_array_document,
    external_link_document,
    raw_array_document,
)

#: Where the hostile URL sits in the document.
PLACES = ("chunk", "external_array", "external_link")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
#: Spellings of the private server's host ({port} filled in); each must be refused.
PRIVATE_HOSTS = ("127.0.0.2:{port}", "[::ffff:127.0.0.2]:{port}", "2130706434:{port}", "0x7f000002:{port}",
                 "0177.0.0.2:{port}", "127.2:{port}", "[::127.0.0.2]:{port}", "[::ffff:0:7f00:2]:{port}",
                 "[64:ff9b::7f00:2]:{port}", "[2002:7f00:2::]:{port}", "[::1]:{port}", "localhost:{port}",
                 "LOCALHOST.:{port}", "127\u30020\u30020\u30022:{port}", "[fec0::1]:{port}", "[fe80::1]:{port}",
                 "10.0.0.1:{port}", "169.254.169.254:{port}")
#: Public-looking hosts a URL can pretend to name; the worker's network jail makes them unreachable.
DECOYS = ("example.com", "93.184.216.34", "[2001:4860:4860::8888]", "data.example.org:443")
#: Ways to write a URL that parsers may split differently ({real} is the private host, {decoy} a public one).
DIFFERENTIALS = ("http://{real}\\@{decoy}/{name}", "http://{decoy}\\@{real}/{name}", "http://{real}\\{decoy}/{name}",
                 "http://{decoy}@{real}/{name}", "http://{real}#@{decoy}/{name}", "http://{real}?@{decoy}/{name}",
                 "http://{real};@{decoy}/{name}", "http://{real}%40{decoy}/{name}", "http://{real}%5C@{decoy}/{name}",
                 "http://{real}\t@{decoy}/{name}", "http://{real} @{decoy}/{name}", "http://{real}\uff20{decoy}/{name}",
                 "http:\\\\{real}/{name}", "http:/{real}/{name}", "HtTp://{real}/{name}", " http://{real}/{name}",
                 "http://{decoy}:80@{real}/{name}", "http://{real}:{decoy}/{name}", "http://{real}/{name}",
                 "http://[{decoy}]@{real}/{name}", "http://{real}\x00{decoy}/{name}", "http://{real}%2F{decoy}/{name}")
#: Characters spliced at random into the authority of a URL aimed at the private server.
SPLICE = ("\\", "@", "#", "?", "%", "\t", " ", "\n", "\x00", "\uff20", "\u3002", ".", ":", "[", "]", "/", "%2e", "%40")


@dataclass
class Tally:
    """Hostile URL cases tried and how they ended."""

    tried: int = 0
    benign: int = 0  # redirect chains that stay on the origin (must read)
    refused: int = 0  # ended in UrlPolicyError
    other_errors: int = 0  # another LindiError (e.g. an unusable redirect)
    read: int = 0  # read without error (benign cases only)
    findings: list[dict[str, Any]] = field(default_factory=list)


class HostileOrigin:
    """The origin server of hostile documents and the private stand-in (use as a context manager)."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.origin = RangeServer()
        self.private = RangeServer(host="127.0.0.2")
        self.count = 0
        self.tally = Tally()

    def __enter__(self) -> HostileOrigin:
        self.origin.start()
        self.private.start()
        secret_h5 = self.workdir / "secret.h5"
        with h5py.File(secret_h5, "w") as f:
            f.create_dataset("secret", data=np.frombuffer(SECRET, dtype="u1"))
        for srv in (self.origin, self.private):  # the origin's copy is for benign chains
            srv.put("secret.bin", SECRET)
            srv.put("secret.h5", secret_h5.read_bytes())
        return self

    def __exit__(self, *exc: object) -> None:
        self.origin.stop()
        self.private.stop()

    @property
    def private_port(self) -> int:
        return int(self.private.url.rsplit(":", 1)[1])

    # -- case builders: each returns a worker task and what must happen: "read", "refused" or "safe"
    # -- (anything but a request to the private server or a foreign exception) ----------------------------

    def redirect_case(self, data: st.DataObject) -> tuple[dict[str, Any], str]:
        """A ref leading through 1-4 redirects on the origin, ending on the origin, the private server or junk."""
        self.count += 1
        place = data.draw(st.sampled_from(PLACES))
        name = "secret.bin" if place == "chunk" else "secret.h5"
        hops = [f"c{self.count}-hop{i}" for i in range(data.draw(st.integers(1, 4)))]
        end = data.draw(st.sampled_from(["origin", "private", "private", "private", "file", "junk"]))
        final = {"origin": f"/{name}",
                 "private": f"http://{data.draw(st.sampled_from(PRIVATE_HOSTS)).format(port=self.private_port)}/{name}",
                 "file": (self.workdir / "secret.h5").as_uri(),
                 "junk": data.draw(st.sampled_from(["http:///x", "ftp://127.0.0.1/x", "http://[::1/x",
                                                    "http://h:99999/x", "//127.0.0.2:1/x", "javascript:x"]))}[end]
        for i, hop in enumerate(hops):
            nxt = final if i + 1 == len(hops) else data.draw(st.sampled_from(
                [f"/{hops[i + 1]}", f"./{hops[i + 1]}", self.origin.url_for(hops[i + 1])]))
            self.origin.redirect(hop, nxt, status=data.draw(st.sampled_from(REDIRECT_STATUSES)))
        expect = {"origin": "read", "private": "refused", "file": "refused", "junk": "safe"}[end]
        return self._serve(place, f"./{hops[0]}"), expect

    def differential_case(self, data: st.DataObject) -> tuple[dict[str, Any], str]:
        """A ref whose URL is written so that two parsers may read different hosts, one of them private.

        Whatever host a parser sees, the private server must get no request (the decoys are unreachable, and
        an external link that cannot be opened is only a missing member to h5py's ``get``).
        """
        self.count += 1
        place = data.draw(st.sampled_from(PLACES))
        name = "secret.bin" if place == "chunk" else "secret.h5"
        real = data.draw(st.sampled_from(PRIVATE_HOSTS[:4])).format(port=self.private_port)
        if data.draw(st.booleans()):
            url = data.draw(st.sampled_from(DIFFERENTIALS)).format(real=real, decoy=data.draw(st.sampled_from(DECOYS)),
                                                                   name=name)
        else:
            authority = real
            for _ in range(data.draw(st.integers(1, 3))):
                i = data.draw(st.integers(0, len(authority)))
                authority = authority[:i] + data.draw(st.sampled_from(SPLICE)) + authority[i:]
            url = f"http://{authority}/{name}"
        return self._serve(place, url), "safe"

    def _serve(self, place: str, url: str) -> dict[str, Any]:
        make: Callable[..., dict[str, Any]] = {"chunk": lambda u: raw_array_document(u, len(SECRET)),
                                               "external_array": external_array_document,
                                               "external_link": external_link_document}[place]
        doc_url = self.origin.put(f"case{self.count}.lindi.json", json.dumps(make(url)).encode())
        return {"target": "remote", "url": doc_url}

    # -- the oracle ------------------------------------------------------------------------------------

    def judge(self, task: dict[str, Any], expect: str, result: dict[str, Any]) -> dict[str, Any] | None:
        """Tally one case; the finding (a dict) when the private server was reached or the outcome is wrong."""
        self.tally.tried += 1
        self.tally.benign += expect == "read"
        reached = self.private.requests
        self.private.reset_stats()
        outcome, kind = result["outcome"], result.get("type")
        if outcome == "ok":
            self.tally.read += 1
        elif kind == "UrlPolicyError":
            self.tally.refused += 1
        elif outcome == "lindi_error":
            self.tally.other_errors += 1
        problem = _problem(expect, reached, result)
        if problem is None:
            return None
        name = task["url"].rsplit("/", 1)[1]
        finding = {**result, "problem": problem, "task": task,
                   "document": (self.origin._content(name) or b"").decode("utf-8", "replace")}
        self.tally.findings.append(finding)
        return finding


def _problem(expect: str, reached: int, result: dict[str, Any]) -> str | None:
    """What is wrong with one case's outcome, or None."""
    outcome, kind = result["outcome"], result.get("type")
    if reached:
        return f"the private server got {reached} request(s)"
    if outcome == "escape":
        return f"{kind} escaped"
    if expect == "refused" and kind != "UrlPolicyError":
        return f"expected a refusal, got {outcome} {kind or ''}"
    if expect == "read" and outcome != "ok":
        return f"a benign redirect chain failed: {result.get('message')}"
    return None
