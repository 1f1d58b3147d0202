"""The application: routes of each page, static assets, security headers, and errors as pages (never a trace)."""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from checker.errors import InputError
from checker.web import pages_audit, pages_knowledge, pages_register, pages_screen
from checker.web.audits import Audits
from checker.web.config import WebConfig
from checker.web.render import message
from checker.web.security import CSP, CsrfError, SecurityHeaders
from checker.web.upload import BadUpload, TooLarge

log = logging.getLogger("sanctuary-check.web")


def _sentence(exc: Exception) -> str:
    """An exception's text as the start of a sentence (first letter capital, the rest as written)."""
    text = str(exc)
    return text[:1].upper() + text[1:]


async def _input_error(request: Request, exc: Exception) -> Response:
    log.info("%s %s: %s", request.method, request.url.path, exc)
    text = (f"{str(exc).rstrip('.')}. Nothing was recorded: go back (the Back button keeps what you typed) "
            "and correct it.")
    return message(request, "That could not be done", text, 400)


async def _csrf(request: Request, exc: Exception) -> Response:
    log.warning("%s %s refused: %s", request.method, request.url.path, exc)
    return message(request, "The form was refused",
                   f"{_sentence(exc)}. Nothing was recorded. Go back, reload the page and send it again.", 403)


async def _too_large(request: Request, exc: Exception) -> Response:
    limit = request.app.state.config.max_upload
    log.info("upload refused: over %d bytes", limit)
    return message(request, "The file is too large",
                   f"The largest file this server accepts is {limit / 1024 / 1024:g} MB; nothing was audited and "
                   "nothing was kept. Split the file, or start the server with a larger --max-upload.", 413,
                   back="/audit")


async def _bad_upload(request: Request, exc: Exception) -> Response:
    return message(request, "The upload could not be read", f"{_sentence(exc)}. Nothing was kept.", 400,
                   back="/audit")


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    texts = {404: "There is no such page or record.", 405: "That page does not take this kind of request."}
    return message(request, "Not found" if exc.status_code == 404 else "Not possible",
                   texts.get(exc.status_code, str(exc.detail)), exc.status_code)


async def _internal(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    response = message(request, "Something went wrong",
                       "The server met an internal error; nothing was recorded by this request. The details are in "
                       "the server's log.", 500)
    response.headers.update({"content-security-policy": CSP, "x-content-type-options": "nosniff",
                             "cache-control": "no-store"})  # outside the middleware that adds them
    return response


def create_app(config: WebConfig) -> Starlette:
    """The web application for one register and one folder of reports and documents."""
    routes = [*pages_screen.routes, *pages_audit.routes, *pages_register.routes, *pages_knowledge.routes,
              Mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), name="static")]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(config.allowed_hosts)),
                  Middleware(SecurityHeaders)]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        InputError: _input_error, CsrfError: _csrf, TooLarge: _too_large, BadUpload: _bad_upload,
        HTTPException: _http, Exception: _internal})
    app.state.config = config
    app.state.audits = Audits(config.audits)
    return app
