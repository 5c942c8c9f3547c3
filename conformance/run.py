#!/usr/bin/env python3
"""LINDI conformance runner. Standard library only, so that any implementation can run it.

    python conformance/run.py [-k PATTERN] [--jobs N] [--report out.jsonl] [--table README.md --name NAME]
                              [--reader NAME=COMMAND] -- <implementation command...>

It asks the implementation for its ``capabilities``, then runs every selected vector through
``validate PATH``, ``dump PATH_OR_URL`` or ``write OPS OUT`` (+ ``dump OUT``) and compares the answer with
the vector's expectation. Vectors that need a capability the implementation does not claim are skipped.
The CLI contract, the vector layout and the canonical dump are specified in conformance/README.md.
Exit status: 0 when nothing failed, 1 on any failure or error, 2 on usage errors.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import fnmatch
import http.server
import json
import math
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_VECTORS = os.path.join(HERE, "vectors")
VERSION = open(os.path.join(HERE, "VERSION"), encoding="ascii").read().strip()
DESCRIPTOR_SUFFIX = ".vector.json"
SERVER_PLACEHOLDER = "{{server}}"
#: Set to 1 in the environment of every implementation call: remote vectors are served from 127.0.0.1,
#: which SPEC section 11 forbids unless the user allows it (README, "The CLI contract").
ALLOW_LOOPBACK_ENV = "LINDI_CONFORMANCE_ALLOW_LOOPBACK"
TABLE_BEGIN = "<!-- conformance-results:begin (written by run.py --table; do not edit) -->"
TABLE_END = "<!-- conformance-results:end -->"
KINDS = ("validate", "read", "remote", "legacy", "write")


class VectorError(Exception):
    """A vector descriptor is malformed; the message names the file."""


# ------------------------------------------------------------------ canonical comparison


def _canonical_number(token: str) -> object:
    x = float(token)
    if math.isinf(x) or math.isnan(x):
        raise ValueError(f"number {token} out of range")
    if x.is_integer() and abs(x) <= 2**53:
        return int(x)
    return x


def canonical(text: str) -> str:
    """Re-serialise a dump: sorted keys, no spaces, ASCII, numbers normalised (README, canonical dump)."""
    doc = json.loads(text, parse_int=_canonical_number, parse_float=_canonical_number,
                     parse_constant=lambda t: (_ for _ in ()).throw(ValueError(f"bare {t} is not JSON")))
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"


def first_difference(expected: dict, got: dict) -> str:
    """A short human description of where two dumps first differ."""
    exp_objs, got_objs = expected.get("objects", {}), got.get("objects", {})
    if not isinstance(got_objs, dict):
        return "dump has no 'objects' member"
    for path in sorted(set(exp_objs) | set(got_objs)):
        if path not in got_objs:
            return f"object {path} missing"
        if path not in exp_objs:
            return f"unexpected object {path}"
        a, b = exp_objs[path], got_objs[path]
        if a != b:
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    return (f"object {path}, member {key!r}: expected {_short(a.get(key))}, "
                            f"got {_short(b.get(key))}")
    return "top-level members differ"


def _short(value: object, limit: int = 160) -> str:
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= limit else text[:limit] + "..."


def issue_set(issues: object) -> set[tuple[str, str]]:
    """The distinct (code, pointer) pairs of a report's or an expectation's issue list."""
    if not isinstance(issues, list):
        return {("<not a list>", "")}
    return {(str(i.get("code")), str(i.get("pointer", "<no pointer>"))) if isinstance(i, dict) else (str(i), "<no pointer>")
            for i in issues}


# ------------------------------------------------------------------ the HTTP double


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves the vectors tree under fault modes chosen by the first path segment (README, remote vectors)."""

    server: "RangeServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt: str, *args: object) -> None:  # quiet
        pass

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def do_GET(self) -> None:
        self._serve(head=False)

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _serve(self, head: bool) -> None:
        parts = urllib.parse.urlsplit(self.path).path.lstrip("/").split("/", 1)
        mode, rel = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "")
        if mode == "redirect":
            return self._send(302, b"", {"Location": f"/files/{rel}"}, head)
        if mode == "signed":
            return self._send(302, b"", {"Location": f"/s/{self.server.new_token()}/{rel}"}, head)
        if mode == "s":
            token, _, rel = rel.partition("/")
            if not self.server.use_token(token):
                return self._send(403, b"<Error><Code>AccessDenied</Code><Message>Request has expired"
                                  b"</Message></Error>", {"Content-Type": "application/xml"}, head)
            mode = "files"
        if mode not in ("files", "full", "short"):
            return self._send(404, b"unknown mode", {}, head)
        body = self.server.read(rel)
        if body is None:
            return self._send(404, b"not found", {}, head)
        rng = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", "").strip())
        if mode == "full" or rng is None:
            return self._send(200, body, {"Accept-Ranges": "bytes"}, head)
        start, end = int(rng.group(1)), min(int(rng.group(2)), len(body) - 1)
        if start >= len(body):
            return self._send(416, b"", {"Content-Range": f"bytes */{len(body)}"}, head)
        part = body[start:end + 1]
        if mode == "short":
            part = part[:-1]
        self._send(206, part, {"Content-Range": f"bytes {start}-{end}/{len(body)}"}, head)


class RangeServer(http.server.ThreadingHTTPServer):
    """Serves the vectors tree on 127.0.0.1 (random port); ``.lindi.json`` bodies get the base URL filled in."""

    daemon_threads = True

    def __init__(self, root: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = os.path.realpath(root)
        self.base_url = f"http://127.0.0.1:{self.server_address[1]}"
        self._tokens: dict[str, int] = {}
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def read(self, rel: str) -> bytes | None:
        path = os.path.realpath(os.path.join(self.root, urllib.parse.unquote(rel)))
        if not path.startswith(self.root + os.sep) or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            data = f.read()
        if path.endswith(".lindi.json"):
            data = data.replace(SERVER_PLACEHOLDER.encode(), self.base_url.encode())
        return data

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up mid-response (a reader refusing a bad body) are normal here."""

    def new_token(self) -> str:
        """A presigned-URL stand-in: each token is good for exactly one request, then it has expired."""
        with self._lock:
            token = f"t{len(self._tokens)}"
            self._tokens[token] = 1
            return token

    def use_token(self, token: str) -> bool:
        with self._lock:
            left = self._tokens.get(token, 0)
            if left <= 0:
                return False
            self._tokens[token] = left - 1
            return True

    def __enter__(self) -> "RangeServer":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


# ------------------------------------------------------------------ vectors


class Vector:
    """One test case, from its descriptor file (README, "Vector descriptors")."""

    def __init__(self, root: str, path: str):
        self.path = path
        self.dir = os.path.dirname(path)
        self.id = os.path.relpath(path, root)[: -len(DESCRIPTOR_SUFFIX)].replace(os.sep, "/")
        try:
            with open(path, encoding="utf-8") as f:
                self.desc = json.load(f)
        except (OSError, ValueError) as exc:
            raise VectorError(f"{path}: cannot read descriptor: {exc}") from None
        self.kind = self.id.split("/", 1)[0]
        if self.kind not in KINDS:
            raise VectorError(f"{path}: vectors live under one of {', '.join(KINDS)}")
        if not isinstance(self.desc.get("requires"), list) or not isinstance(self.desc.get("expect"), dict):
            raise VectorError(f"{path}: descriptor needs a 'requires' list and an 'expect' object")
        if self.kind == "validate":
            in_valid = "/valid/" in f"/{self.id}/"
            if self.desc["expect"].get("valid") is not in_valid:
                raise VectorError(f"{path}: expect.valid contradicts the valid/invalid directory")

    def file(self, member: str) -> str:
        name = self.desc.get(member)
        if not isinstance(name, str):
            raise VectorError(f"{self.path}: missing '{member}'")
        return os.path.join(self.dir, name)

    def missing(self, claims: set[str]) -> list[str]:
        return [r for r in self.desc["requires"] if r not in claims]


def discover(root: str, pattern: str | None) -> list[Vector]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(DESCRIPTOR_SUFFIX):
                found.append(Vector(root, os.path.join(dirpath, name)))
    if pattern:
        glob = any(c in pattern for c in "*?[")
        found = [v for v in found if (fnmatch.fnmatch(v.id, pattern) if glob else pattern in v.id)]
    return found


# ------------------------------------------------------------------ talking to an implementation


class Answer:
    def __init__(self, code: int | None, stdout: str, stderr: str):
        self.code, self.stdout, self.stderr = code, stdout, stderr

    def tail(self) -> str:
        text = (self.stderr.strip() or self.stdout.strip()).splitlines()
        return text[-1][:300] if text else f"exit status {self.code}"


def implementation_env() -> dict[str, str]:
    """The environment every implementation process gets: ours plus the loopback allowance."""
    return {**os.environ, ALLOW_LOOPBACK_ENV: "1"}


def call(command: list[str], args: list[str], timeout: float) -> Answer:
    """One-shot: run the implementation once with ``args``."""
    try:
        proc = subprocess.run(command + args, capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=implementation_env())
    except subprocess.TimeoutExpired:
        return Answer(None, "", f"timed out after {timeout:g} s")
    except OSError as exc:
        return Answer(None, "", f"cannot start implementation: {exc}")
    return Answer(proc.returncode, proc.stdout, proc.stderr)


class Session:
    """A persistent ``serve`` process answering one JSON request line at a time (README, CLI contract)."""

    def __init__(self, command: list[str]):
        self.command = command
        self.proc: subprocess.Popen | None = None

    def call(self, args: list[str], timeout: float) -> Answer:
        if self.proc is None or self.proc.poll() is not None:
            try:
                self.proc = subprocess.Popen(self.command + ["serve"], stdin=subprocess.PIPE,
                                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                             encoding="utf-8", env=implementation_env())
            except OSError as exc:
                return Answer(None, "", f"cannot start implementation: {exc}")
        proc = self.proc
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            proc.stdin.write(json.dumps({"args": args}) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        except (OSError, ValueError):
            line = ""
        finally:
            timer.cancel()
        try:
            reply = json.loads(line)
            return Answer(int(reply["exit"]), str(reply["stdout"]), str(reply.get("stderr", "")))
        except (ValueError, KeyError, TypeError):
            self.close()
            return Answer(None, "", "serve process died, timed out or answered garbage")

    def close(self) -> None:
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.proc = None


class Caller:
    """Calls an implementation: through per-thread ``serve`` sessions when it claims ``serve``, else one-shot."""

    def __init__(self, command: list[str], persistent: bool):
        self.command, self.persistent = command, persistent
        self._local = threading.local()
        self._sessions: list[Session] = []
        self._lock = threading.Lock()

    def __call__(self, args: list[str], timeout: float) -> Answer:
        if not self.persistent:
            return call(self.command, args, timeout)
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = Session(self.command)
            with self._lock:
                self._sessions.append(session)
        return session.call(args, timeout)

    def close(self) -> None:
        for session in self._sessions:
            session.close()


class Result:
    def __init__(self, vector_id: str, kind: str, status: str, reason: str = "", seconds: float = 0.0):
        self.id, self.kind, self.status, self.reason, self.seconds = vector_id, kind, status, reason, seconds

    def line(self) -> str:
        text = f"{self.status.upper():5} {self.id}"
        return f"{text}: {self.reason}" if self.reason else text


class Runner:
    def __init__(self, command: Caller, caps: dict, readers: dict[str, Caller], timeout: float,
                 server: RangeServer | None, workdir: str):
        self.command, self.caps, self.readers = command, caps, readers
        self.claims = set(caps.get("commands", [])) | set(caps.get("features", []))
        self.timeout, self.server, self.workdir = timeout, server, workdir

    def run(self, vector: Vector) -> list[Result]:
        start = time.monotonic()
        missing = vector.missing(self.claims)
        if missing:
            return [Result(vector.id, vector.kind, "skip", "needs " + ", ".join(missing))]
        try:
            if vector.kind == "validate":
                results = [self._validate(vector)]
            elif vector.kind == "write":
                results = self._write(vector)
            else:
                results = [self._read(vector)]
        except VectorError as exc:
            results = [Result(vector.id, vector.kind, "error", str(exc))]
        for r in results:
            r.seconds = round(time.monotonic() - start, 3)
        return results

    def _json(self, answer: Answer) -> dict:
        try:
            doc = json.loads(answer.stdout)
        except ValueError:
            raise ValueError(f"stdout is not one JSON document ({answer.tail()})") from None
        if not isinstance(doc, dict):
            raise ValueError("stdout is not a JSON object")
        return doc

    def _validate(self, v: Vector) -> Result:
        answer = self.command(["validate", self._target(v)], self.timeout)
        if answer.code == 1:
            return Result(v.id, v.kind, "fail", f"the implementation could not read the document ({answer.tail()})")
        if answer.code != 0:
            return Result(v.id, v.kind, "error", answer.tail())
        try:
            report = self._json(answer)
        except ValueError as exc:
            return Result(v.id, v.kind, "error", str(exc))
        expect = v.desc["expect"]
        if report.get("valid") is not expect["valid"]:
            codes = sorted({str(e.get("code")) for e in report.get("errors", []) if isinstance(e, dict)})
            return Result(v.id, v.kind, "fail", f"expected valid={expect['valid']}, got "
                          f"valid={report.get('valid')} {codes}")
        for member in ("errors", "warnings"):
            want = issue_set(expect.get(member, []))
            got = issue_set(report.get(member, []))
            if got != want:
                return Result(v.id, v.kind, "fail", f"{member}: missing {sorted(want - got)}, "
                              f"unexpected {sorted(got - want)}")
        return Result(v.id, v.kind, "pass")

    def _target(self, v: Vector) -> str:
        document = v.file("document")
        if "serve_mode" not in v.desc:
            return document
        if self.server is None:
            raise VectorError("remote vector selected but no server running")
        rel = os.path.relpath(document, self.server.root).replace(os.sep, "/")
        return f"{self.server.base_url}/{v.desc.get('serve_mode', 'files')}/{urllib.parse.quote(rel)}"

    def _compare_dump(self, v: Vector, command: Caller, target: str, vector_id: str) -> Result:
        expect = v.desc["expect"]
        answer = command(["dump", target], self.timeout)
        if expect.get("error"):
            if answer.code == 0:
                return Result(vector_id, v.kind, "fail", "expected the read to fail, it printed a dump")
            return Result(vector_id, v.kind, "pass", "")
        if answer.code != 0:
            status = "fail" if answer.code == 1 else "error"
            if status == "fail" and expect.get("or_error"):
                return Result(vector_id, v.kind, "pass", "refused (allowed)")
            return Result(vector_id, v.kind, status, f"dump failed: {answer.tail()}")
        try:
            got = canonical(answer.stdout)
        except ValueError as exc:
            return Result(vector_id, v.kind, "error", f"dump output is not JSON: {exc}")
        with open(os.path.join(v.dir, expect["dump"]), encoding="utf-8") as f:
            want = canonical(f.read())
        if got == want:
            return Result(vector_id, v.kind, "pass")
        return Result(vector_id, v.kind, "fail", first_difference(json.loads(want), json.loads(got)))

    def _read(self, v: Vector) -> Result:
        return self._compare_dump(v, self.command, self._target(v), v.id)

    def _write(self, v: Vector) -> list[Result]:
        out_dir = tempfile.mkdtemp(prefix="w-", dir=self.workdir)
        out = os.path.join(out_dir, "out.lindi.json")
        answer = self.command(["write", v.file("ops"), out], self.timeout)
        if answer.code != 0:
            status = "fail" if answer.code == 1 else "error"
            return [Result(v.id, v.kind, status, f"write failed: {answer.tail()}")]
        if not os.path.isfile(out):
            return [Result(v.id, v.kind, "fail", "write reported success but wrote no file")]
        results = [self._compare_dump(v, self.command, out, v.id)]
        for name, reader in self.readers.items():
            results.append(self._compare_dump(v, reader, out, f"{v.id}@{name}"))
        return results


# ------------------------------------------------------------------ report and table


def summary_line(counts: dict[str, int]) -> str:
    return (f"{counts['pass']} passed, {counts['fail']} failed, {counts['skip']} skipped, "
            f"{counts['error']} errors")


def update_table(path: str, name: str, caps: dict, results: list[Result]) -> None:
    """Insert or replace this implementation's row in the results table between the markers of ``path``."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if TABLE_BEGIN not in text or TABLE_END not in text:
        raise SystemExit(f"run.py: {path} has no results table markers")
    head, rest = text.split(TABLE_BEGIN, 1)
    body, tail = rest.split(TABLE_END, 1)
    header = "| implementation | version | " + " | ".join(KINDS) + " | total |"
    rule = "|" + "---|" * (len(KINDS) + 3)
    rows = {}
    for line in body.strip().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] not in ("implementation",) and not set(cells[0]) <= {"-"}:
            rows[cells[0]] = line.strip()

    def cell(selected: list[Result]) -> str:
        ran = [r for r in selected if r.status != "skip"]
        passed = sum(r.status == "pass" for r in ran)
        skipped = len(selected) - len(ran)
        return f"{passed}/{len(ran)}" + (f" ({skipped} skipped)" if skipped else "")

    version = str(caps.get("implementation", {}).get("version", "?"))
    cells = [cell([r for r in results if r.kind == k]) for k in KINDS] + [cell(results)]
    rows[name] = f"| {name} | {version} | " + " | ".join(cells) + " |"
    table = "\n".join([header, rule, *(rows[k] for k in sorted(rows))])
    note = (f"\nSuite {VERSION}; cells are passed/run (skipped = capability not claimed). "
            "Regenerate with `run.py --table`.\n")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"{head}{TABLE_BEGIN}\n{table}\n{note}{TABLE_END}{tail}")


# ------------------------------------------------------------------ main


def parse_args(argv: list[str]) -> argparse.Namespace:
    if "--" not in argv:
        argv = [*argv, "--"]
    cut = argv.index("--")
    parser = argparse.ArgumentParser(prog="run.py", description=__doc__.split("\n\n")[0],
                                     usage="run.py [options] -- <implementation command...>")
    parser.add_argument("-k", dest="pattern", help="only vectors whose id contains PATTERN (or matches a glob)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="vectors run in parallel")
    parser.add_argument("--report", help="write one JSON line per vector result to this file")
    parser.add_argument("--vectors", default=DEFAULT_VECTORS, help="the vectors directory")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per implementation call")
    parser.add_argument("--table", help="update the results table in this markdown file")
    parser.add_argument("--name", help="implementation name in the table (default: capabilities name)")
    parser.add_argument("--reader", action="append", default=[], metavar="NAME=COMMAND",
                        help="also dump every written file with this reader (writer x reader matrix)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only failures and the summary")
    args = parser.parse_args(argv[:cut])
    args.command = argv[cut + 1:]
    if not args.command:
        parser.error("give the implementation command after --")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    args.readers = {}
    for spec in args.reader:
        name, sep, cmd = spec.partition("=")
        if not sep or not name or not cmd.strip():
            parser.error(f"--reader wants NAME=COMMAND, got {spec!r}")
        args.readers[name] = shlex.split(cmd)
    return args


def capabilities_of(command: list[str], timeout: float) -> dict | str:
    """The implementation's capabilities object, or a message saying why there is none."""
    answer = call(command, ["capabilities"], timeout)
    try:
        caps = json.loads(answer.stdout) if answer.code == 0 else None
    except ValueError:
        caps = None
    return caps if isinstance(caps, dict) else f"`capabilities` gave no JSON object: {answer.tail()}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        vectors = discover(args.vectors, args.pattern)
    except VectorError as exc:
        print(f"run.py: {exc}", file=sys.stderr)
        return 2
    caps = capabilities_of(args.command, args.timeout)
    if isinstance(caps, str):
        print(f"run.py: {caps}", file=sys.stderr)
        return 2
    readers = {}
    for name, cmd in args.readers.items():
        reader_caps = capabilities_of(cmd, args.timeout)
        if isinstance(reader_caps, str):
            print(f"run.py: reader {name}: {reader_caps}", file=sys.stderr)
            return 2
        readers[name] = Caller(cmd, "serve" in reader_caps.get("commands", []))
    impl = caps.get("implementation", {})
    print(f"implementation: {impl.get('name', '?')} {impl.get('version', '?')}; suite {VERSION}; "
          f"{len(vectors)} vectors")
    need_server = any("serve_mode" in v.desc for v in vectors)
    workdir = tempfile.mkdtemp(prefix="lindi-conformance-")
    results: list[Result] = []
    caller = Caller(args.command, "serve" in caps.get("commands", []))
    try:
        server = RangeServer(args.vectors) if need_server else None
        with server if server else contextlib.nullcontext():
            runner = Runner(caller, caps, readers, args.timeout, server, workdir)
            with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
                for batch in pool.map(runner.run, vectors):
                    for r in batch:
                        results.append(r)
                        if not args.quiet or r.status in ("fail", "error"):
                            print(r.line(), flush=True)
    finally:
        for c in (caller, *readers.values()):
            c.close()
        shutil.rmtree(workdir, ignore_errors=True)
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "skip", "error")}
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            for r in results:
                f.write(json.dumps({"id": r.id, "kind": r.kind, "status": r.status, "reason": r.reason,
                                    "seconds": r.seconds}) + "\n")
            f.write(json.dumps({"summary": counts, "implementation": impl, "suite": VERSION}) + "\n")
    if args.table:
        update_table(args.table, args.name or str(impl.get("name", "?")), caps, results)
    print(summary_line(counts))
    return 1 if counts["fail"] or counts["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
