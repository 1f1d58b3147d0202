"""The local web application (``sanctuary-check serve``): screen names, audit a file and keep the compliance register
in a browser.

Pages are Jinja2 templates (autoescaped) served by Starlette; every asset ships in this package, and a
Content-Security-Policy forbids any other source. This package sits beside ``checker.cli``: it calls
``checker.api``, ``checker.formats`` and ``checker.register``, and nothing below it imports it.
"""

from __future__ import annotations

from checker.web.app import create_app
from checker.web.config import WebConfig

__all__ = ["WebConfig", "create_app"]
