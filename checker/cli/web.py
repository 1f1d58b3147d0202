"""serve: the local web application (``pip install '.[web]'``), bound to this computer unless told otherwise."""

from __future__ import annotations

import logging
import os
import threading
import webbrowser
from pathlib import Path
from typing import Annotated, Optional

import typer

from checker.cli.options import DecisionsOpt, RegistryOpt, RulesOpt, WaiversOpt, rule_ids
from checker.errors import InputError
from checker.register import DEFAULT_PATH

LOCAL = ("127.0.0.1", "localhost", "::1")
"""Addresses that only this computer reaches."""


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on. Anything but 127.0.0.1/localhost "
                                                     "lets other computers reach the register: a warning says so.")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free one).")] = 8765,
    db: Annotated[str, typer.Option("--db", help="The register file.")] = DEFAULT_PATH,
    files: Annotated[str, typer.Option(
        "--files", help="Folder for audit reports and the register's documents.")] = "sanctuary-files",
    max_upload: Annotated[int, typer.Option("--max-upload", min=1, help="Largest upload, in MB.")] = 100,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Do not open the page in a browser.")] = False,
    upload_dir: Annotated[Optional[str], typer.Option(
        "--upload-dir", help="Where uploads wait for their audit (default: the system's temporary folder).")] = None,
    rules: RulesOpt = None,
    waivers: WaiversOpt = None,
    decisions: DecisionsOpt = None,
    registry: RegistryOpt = None,
) -> None:
    """Open the web page for screening, audits and the compliance register (local: 127.0.0.1).

    The project file's rule sets are ticked by default; its waivers (with the register's granted ones),
    decisions and registry apply to every screen and audit."""
    try:
        import uvicorn

        from checker.web import WebConfig, create_app
        from checker.web.config import LOCAL_HOSTS
    except ImportError as exc:
        raise InputError("serve", f"the web page needs its extra: pip install 'sanctuary-check[web]' ({exc.name} "
                                  "is missing)") from None
    if Path(db).is_dir():
        raise InputError(db, "is a directory: --db needs a register file")
    if host not in LOCAL:
        typer.echo(f"WARNING: listening on {host}: other computers on the network can reach this page and the "
                   "register, with no login. Use the default (127.0.0.1) unless you mean it.", err=True)
    hosts = LOCAL_HOSTS if host in LOCAL else ("*",) if host in ("0.0.0.0", "::") else (*LOCAL_HOSTS, host)
    from checker.api import Checker

    chosen = rule_ids(rules)
    Checker(chosen, waivers=waivers, decisions=decisions, registry_dir=registry)  # a bad file: one line now
    config = WebConfig(db=db, files=Path(files), max_upload=max_upload * 1024 * 1024, upload_dir=upload_dir,
                       allowed_hosts=hosts, rules=tuple(chosen) if chosen else None, waivers=waivers,
                       decisions=decisions, registry=registry)
    # The engine may fork a worker for a large file; in a server with several threads a fork can inherit a lock
    # another thread holds, so audits here run in this process unless told otherwise.
    os.environ.setdefault("SANCTUARY_CHECK_WORKERS", "0")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = uvicorn.Server(uvicorn.Config(create_app(config), host=host, port=port, log_level="info",
                                           server_header=False, proxy_headers=False))
    shown = f"[{host}]" if ":" in host else host

    def announce() -> None:
        while not server.started:
            if server.should_exit:
                return
            threading.Event().wait(0.05)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{bound}/"
        typer.echo(f"sanctuary-check is at {url} (register {db}; reports in {files}). Ctrl-C stops it.", err=True)
        if not no_browser:
            webbrowser.open(url)

    threading.Thread(target=announce, daemon=True).start()
    server.run()
