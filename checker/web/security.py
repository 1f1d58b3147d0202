"""Safe by default: security headers and a Content-Security-Policy on every response, and a CSRF token
(double-submit: an HttpOnly, SameSite=Strict cookie that every form repeats in a hidden field)."""

from __future__ import annotations

import hmac
import re
import secrets
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
"""The pages' policy: the package's own scripts, styles and images, nothing from anywhere else."""

COOKIE = "sc_csrf"
FIELD = "csrf"
_TOKEN = re.compile(r"[0-9a-f]{64}")


class CsrfError(Exception):
    """A form came without the token of this browser's session (or from another site)."""


def _cookie_token(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The CSRF token in a request's Cookie header, when it has a well-formed one."""
    raw = next((v.decode("latin-1") for k, v in headers if k == b"cookie"), "")
    try:
        jar = SimpleCookie(raw)
    except Exception:  # a malformed Cookie header: treated as none
        return None
    morsel = jar.get(COOKIE)
    return morsel.value if morsel is not None and _TOKEN.fullmatch(morsel.value) else None


def token(request: Request) -> str:
    """This browser's CSRF token, for a form's hidden field."""
    return request.scope["state"]["csrf"]


def check(request: Request, sent: object) -> None:
    """Refuse a form whose token is missing or wrong, or that another site's page sent."""
    cookie = _cookie_token(request.scope["headers"])
    if cookie is None or not isinstance(sent, str) or not hmac.compare_digest(cookie, sent):
        raise CsrfError("the form's security token is missing or out of date")
    origin = request.headers.get("origin")
    if origin and origin.rstrip("/") != f"{request.url.scheme}://{request.url.netloc}":
        raise CsrfError(f"the form came from another site ({origin[:100]})")


class SecurityHeaders:
    """ASGI middleware: gives each request its CSRF token (setting the cookie when the browser has none) and
    adds the security headers to every response; a route may set its own Content-Security-Policy."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = _cookie_token(scope["headers"])
        value = found or secrets.token_hex(32)
        scope.setdefault("state", {})["csrf"] = value

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", CSP)
                headers.setdefault("x-content-type-options", "nosniff")
                headers.setdefault("referrer-policy", "same-origin")  # forms send their origin
                headers.setdefault("x-frame-options", "DENY")
                headers.setdefault("cross-origin-opener-policy", "same-origin")
                headers.setdefault("cross-origin-resource-policy", "same-origin")
                headers.setdefault("cache-control", "no-store")
                if found is None:
                    headers.append("set-cookie", f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict")
            await send(message)

        await self.app(scope, receive, send_with_headers)
