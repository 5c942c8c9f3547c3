"""Requests, replies and the archive's error body shapes, on top of ``http.server``.

The archive is a Django REST framework app, so its error bodies come in the
framework's shapes: ``{"detail": "..."}`` for 401/403/404, a list
``["..."]`` for a plain validation error, ``{"field": ["..."]}`` for a
field's error, and a bare JSON string for the archive's own errors (409 on a
known blob, 409 on a taken path). :class:`Reply` has one constructor per shape.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .._server import KeepAliveHandler

NOT_FOUND = "Not found."
NO_CREDENTIALS = "Authentication credentials were not provided."
BAD_TOKEN = "Invalid token."
NO_PERMISSION = "You do not have permission to perform this action."


@dataclass
class Reply:
    """What a route handler returns."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, obj: Any, **headers: str) -> Reply:
        return cls(status, json.dumps(obj).encode(), {"Content-Type": "application/json", **headers})

    @classmethod
    def detail(cls, status: int, message: str) -> Reply:
        """DRF's ``APIException`` shape (401, 403, 404, 405)."""
        extra = {"WWW-Authenticate": "Token"} if status == 401 else {}
        return cls.json(status, {"detail": message}, **extra)

    @classmethod
    def invalid(cls, message: str) -> Reply:
        """DRF's ``ValidationError("...")``: 400 with a one-element list."""
        return cls.json(400, [message])

    @classmethod
    def field_error(cls, name: str, message: str | dict[str, list[str]]) -> Reply:
        """DRF's field error: 400 ``{"<field>": ["..."]}`` (nested serializers give a dict)."""
        return cls.json(400, {name: message if isinstance(message, dict) else [message]})


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[len("token "):].strip() if auth.lower().startswith("token ") else None

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json_body(self) -> dict[str, Any]:
        """The JSON object in the body; ``{}`` for an empty or non-object body."""
        try:
            body = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}


def make_handler(dispatch: Callable[[Request], Reply]) -> type[BaseHTTPRequestHandler]:
    """A request handler class that turns each HTTP request into a :class:`Request` for ``dispatch``."""

    class Handler(KeepAliveHandler):

        def log_message(self, format: str, *args: object) -> None:
            """Silent: the double keeps its own logs."""

        def _run(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            req = Request(self.command, parts.path, parse_qs(parts.query, keep_blank_values=True),
                          {k.lower(): v for k, v in self.headers.items()}, body)
            reply = dispatch(req)
            self.send_response(reply.status)
            for k, v in reply.headers.items():
                self.send_header(k, v)
            if "Content-Length" not in reply.headers:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = _run

    return Handler
