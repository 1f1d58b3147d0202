"""What every page shares: the templates (autoescaped), the page and message responses, and reading a posted form
with its CSRF token checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from checker import __version__
from checker.formats.common import DISCLAIMER
from checker.web import security

MAX_FIELDS = 200
"""The most fields a form may post (a register form has a dozen)."""
MAX_FORM_BYTES = 1024 * 1024
"""The largest form without a file (a waiver's three findings are a few pages at most)."""

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                          autoescape=True, trim_blocks=True, lstrip_blocks=True)
_env.globals.update(version=__version__, disclaimer=DISCLAIMER)
templates = Jinja2Templates(env=_env)

NAV = (("screen", "/", "Screen"), ("audit", "/audit", "Audit"), ("register", "/register", "Register"),
       ("knowledge", "/registry", "Registry and rules"))


def page(request: Request, name: str, section: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from its template, with the navigation, the CSRF token and the section it belongs to."""
    context.update(nav=NAV, section=section, csrf_field=security.FIELD, csrf_token=security.token(request))
    return templates.TemplateResponse(request, name, context, status_code=status)


def message(request: Request, title: str, text: str, status: int, back: str | None = None) -> HTMLResponse:
    """A page that says what went wrong (or what happened) in a sentence, and where to go next."""
    return page(request, "message.html", "", status, title=title, text=text, back=back)


async def posted(request: Request) -> dict[str, str]:
    """The fields of a posted (URL-encoded) form, its CSRF token checked; repeated fields keep their last value,
    except those read with ``getlist`` by the caller (see ``posted_lists``)."""
    from checker.web.upload import BadUpload

    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > MAX_FORM_BYTES:
        raise BadUpload(f"the form is over {MAX_FORM_BYTES // 1024} KB (or does not say its length)")
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    security.check(request, form.get(security.FIELD))
    request.state.lists = {k: [v for v in form.getlist(k) if isinstance(v, str)] for k in form}
    return {k: v for k, v in form.items() if isinstance(v, str)}


def posted_list(request: Request, name: str) -> list[str]:
    """Every value of a repeated field of the form read by ``posted``."""
    return request.state.lists.get(name, [])
