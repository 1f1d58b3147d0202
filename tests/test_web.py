"""The web page (``sanctuary-check serve``): the real server on a free local port, driven by headless Chromium.

Screen a name, upload a payment file and download its workbook, record a determination, notify and see the appeal
deadline, download the notice; every page's fields labelled, usable at 200 % zoom, and nothing fetched from
elsewhere. Set ``SANCTUARY_WEB_SCREENSHOTS=docs`` to write the 1366×768 screenshots there (docs/web-*.png).
"""

from __future__ import annotations

import io
import os
import re
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from conftest import DATA, Watched

uvicorn = pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install '.[web]')")

AS_OF = "2026-11-23"
PAYMENTS = DATA / "web-payments.csv"


@dataclass
class Server:
    """A running server: its address, settings and folders."""

    url: str
    app: object
    folder: Path
    uploads: Path
    db: Path


def start_server(folder: Path, max_upload: int | None = None):
    """Start the real application under uvicorn in a thread on a free port; a generator that stops it after."""
    from checker.web import WebConfig, create_app

    uploads = folder / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    config = WebConfig(db=str(folder / "register.sqlite"), files=folder / "files", upload_dir=str(uploads),
                       **({"max_upload": max_upload} if max_upload else {}))
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    stopped = threading.Event()
    while not server.started and thread.is_alive():
        stopped.wait(0.02)
    assert server.started, "the server did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Server(f"http://127.0.0.1:{port}", app, folder, uploads, Path(config.db))
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("web"))


def _screenshot(page, name: str, tmp_path: Path) -> None:
    """A 1366×768 screenshot: into docs/ when asked (SANCTUARY_WEB_SCREENSHOTS), else checked and dropped."""
    folder = os.environ.get("SANCTUARY_WEB_SCREENSHOTS")
    target = (Path(folder) if folder else tmp_path) / f"web-{name}.png"
    page.screenshot(path=str(target))
    from struct import unpack

    width, height = unpack(">II", target.read_bytes()[16:24])
    assert (width, height) == (1366, 768)


def _labelled(page) -> list[str]:
    """Form fields without a label (none should be)."""
    return page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter((e) => e.type !== 'hidden' && !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
        .map((e) => e.name || e.id)""")


def test_screen_a_name_as_the_library_does(watched, server, tmp_path):
    from checker.api import Checker

    page = watched.page
    page.goto(server.url + "/")
    assert _labelled(page) == []
    page.fill("#names", "WEST PUBLISHING CORP\nAcme Paper Co")
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")
    results = page.locator("article.result")
    assert results.count() == 2
    expected = list(Checker(None, as_of=date.fromisoformat(AS_OF)).screen(["WEST PUBLISHING CORP",
                                                                        "Acme Paper Co"]).findings)
    for article, finding in zip(results.all(), expected, strict=True):
        assert article.locator(".verdict").first.inner_text() == finding.verdict.replace("_", " ").upper()
        rows = article.locator("tbody tr")
        assert rows.count() == len(finding.rules)
        for row, outcome in zip(rows.all(), finding.rules, strict=True):
            cells = row.locator("td")
            assert cells.nth(0).inner_text() == outcome.rule_set
            assert cells.nth(2).inner_text().startswith(outcome.citation)
            assert cells.nth(3).inner_text() == outcome.reason
    west = results.first
    assert "70CMSD22FR0000187" in west.locator("details").inner_text()  # the evidence, with its award id
    assert west.locator("a.button", has_text="Record a determination").count() == 3  # one per rule set flagged
    assert results.nth(1).locator("a.button").count() == 0  # nothing to record for a clear name
    page.locator("#results").scroll_into_view_if_needed()
    page.evaluate("() => window.scrollTo(0, document.querySelector('#results').offsetTop - 160)")
    _screenshot(page, "screen", tmp_path)
    assert watched.dialogs == [] and watched.errors == []


def test_upload_a_payment_file_and_download_its_workbook(watched, server, tmp_path):
    import openpyxl

    page = watched.page
    page.goto(server.url + "/audit")
    assert _labelled(page) == []
    page.set_input_files("#file", str(PAYMENTS))
    for box in page.locator("input[name=rules]").all():
        box.set_checked(box.get_attribute("value") == "berkeley-ca")
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")
    page.wait_for_selector("iframe.report")
    summary = page.locator("p.summary").inner_text()
    assert summary.startswith("Audit of web-payments.csv: 6 rows under berkeley-ca, as of 2026-11-23. Verdicts: "
                              "2 prohibited, 1 potential violation")
    report = page.frame_locator("iframe.report")
    assert report.locator("#findings tbody tr").count() == 6
    status = page.request.get(page.url + "/status").json()
    assert status["state"] == "done" and status["rows"] == 6 and status["filename"] == "web-payments.csv"
    with page.expect_download() as got:
        page.click("text=Excel workbook (XLSX)")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(got.value.path()).read_bytes()), read_only=True)
    assert {"Findings", "Summary", "Method"} <= set(workbook.sheetnames)
    rows = [[str(c) if c is not None else "" for c in r] for r in workbook["Findings"].iter_rows(values_only=True)]
    header = next(r for r in rows if "Vendor" in r)
    by_vendor = {r[header.index("Vendor")]: r[header.index("Verdict")] for r in rows[rows.index(header) + 1:]}
    assert by_vendor["WEST PUBLISHING CORP"] == "prohibited" and by_vendor["PALANTIR USG INC"] == "prohibited"
    assert by_vendor["LEXISNEXIS RISK SOLUTIONS FL INC"] == "potential_violation"
    assert by_vendor["OFFICE DEPOT INC"] == "clear"
    assert list(server.uploads.iterdir()) == []  # the upload was removed after the audit
    _screenshot(page, "audit", tmp_path)
    audit_page = page.url

    # A flagged row becomes a determination whose evidence is frozen from the audit's own JSON report.
    page.click("tr:has-text('PALANTIR USG INC') >> text=Record a determination")
    assert page.input_value("#vendor") == "PALANTIR USG INC"
    page.fill("#d-by", "A. Rivera")
    page.fill("#d-why", "Q3 payments audit, row 5")
    page.click("text=Record the determination")
    frozen = page.locator("dl.facts").inner_text()
    assert "audit report" in frozen and "report.json row 5" in frozen and "Palantir" in frozen

    page.goto(server.url + "/audit")
    assert page.locator("table tbody tr", has_text="web-payments.csv").count() >= 1  # listed among recent audits
    page.click(f"a[href='{audit_page.removeprefix(server.url)}']")
    assert page.locator("p.summary").inner_text() == summary  # a past audit reopens from its folder
    assert watched.dialogs == [] and watched.errors == []


def test_record_a_determination_notify_and_see_the_appeal_deadline(watched, server, tmp_path):
    import docx

    from checker.register.city_days import city_calendar
    from checker.register.store import open_register

    page = watched.page
    page.goto(server.url + "/")
    page.fill("#names", "WEST PUBLISHING CORP")
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")
    page.click("tr:has-text('berkeley-ca') >> text=Record a determination")
    assert _labelled(page) == []
    assert page.input_value("#vendor") == "WEST PUBLISHING CORP" and page.input_value("#rules") == "berkeley-ca"
    page.fill("#d-by", "A. Rivera")
    page.fill("#d-why", "RFP-2026-114 proposer screening")
    page.fill("#contract_id", "C-2019-0117")
    page.click("text=Record the determination")
    assert page.locator("p.ok").inner_text().startswith("The determination was recorded")
    assert "not notified yet" in page.locator("#appeal-deadline").inner_text()

    page.fill("#n-by", "A. Rivera")
    page.fill("#n-why", "notice of determination mailed")
    page.fill("#n-on", AS_OF)
    page.fill("#n-method", "certified mail")
    page.click("text=Write the notice (DOCX and HTML)")
    with open_register(str(server.db), create=False) as reg:
        expected = city_calendar(reg).add(date.fromisoformat(AS_OF), 30).due  # 30 business days (BMC 13.105.030(D))
    deadline = page.locator("#appeal-deadline").inner_text()
    assert deadline.startswith(f"appeal by {expected.isoformat()} (30 business days after notification on {AS_OF}")
    assert expected > date(2027, 1, 1)
    _screenshot(page, "determination", tmp_path)

    with page.expect_download() as got:
        page.click("text=Download DOCX")
    text = "\n".join(p.text for p in docx.Document(got.value.path()).paragraphs)
    assert "WEST PUBLISHING CORP" in text or "West Publishing" in text
    assert expected.strftime("%B") in text and str(expected.year) in text  # the deadline, in words

    page.click("text=← The register")
    due = page.locator("#due").inner_text()
    assert expected.isoformat() in due and "appeal deadline" in due
    assert page.locator("#determinations tbody tr", has_text="WEST PUBLISHING CORP").count() == 1
    _screenshot(page, "register", tmp_path)
    assert watched.dialogs == [] and watched.errors == []


def test_registry_and_rules_pages(watched, server, tmp_path):
    from checker.api import registry, rule_sets

    page = watched.page
    from checker import __version__

    page.goto(server.url + "/registry")
    assert page.locator(".brand").inner_text() == f"sanctuary-check {__version__}"
    assert page.locator("#families tbody tr").count() == len(registry().families)
    assert page.locator("#rule-sets tbody tr").count() == len(rule_sets())
    _screenshot(page, "registry", tmp_path)
    page.click("text=Thomson Reuters Corporation")
    assert "70CMSD22FR0000187" in page.locator("#evidence").inner_text()
    page.goto(server.url + "/rules/berkeley-ca")
    rule = page.locator("#rule-BRK-1")
    assert "BMC 13.105.030(A)" in rule.inner_text() and "Data Broker" in rule.inner_text()
    assert watched.dialogs == [] and watched.errors == []


def test_keyboard_and_200_percent_zoom(browser, server):
    """At 200 % zoom (683×384 CSS pixels on a 1366×768 screen) no page scrolls sideways, and the keyboard reaches
    the skip link, the navigation and the form."""
    w = Watched(browser, server.url, device_scale_factor=2)
    try:
        page = w.page
        page.set_viewport_size({"width": 683, "height": 384})
        for path in ("/", "/audit", "/register", "/registry", "/rules/berkeley-ca"):
            page.goto(server.url + path)
            wide = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert wide <= 0, f"{path} scrolls sideways by {wide}px at 200 % zoom"
        page.goto(server.url + "/")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.className") == "skip"
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.id") == "names"  # past the navigation, into the form
        page.keyboard.type("WEST PUBLISHING CORP")
        for _ in range(20):  # to the button, by keyboard only
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.type") == "submit":
                break
        page.keyboard.press("Enter")
        page.wait_for_selector("article.result")
        assert w.dialogs == [] and w.errors == [] and w.outside == []
    finally:
        w.close()


def test_serve_warns_off_localhost_and_serves(tmp_path):
    """The ``serve`` command as a process: a warning for a host other than localhost, then the page."""
    import subprocess
    import sys
    import urllib.request

    code = "import typer; from checker.cli.web import serve; typer.run(serve)"
    proc = subprocess.Popen([sys.executable, "-c", code, "--host", "0.0.0.0", "--port", "0", "--no-browser",
                             "--db", str(tmp_path / "r.sqlite"), "--files", str(tmp_path / "files")],
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        lines = []
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "sanctuary-check is at" in line:
                break
        assert lines and lines[0].startswith("WARNING: listening on 0.0.0.0"), lines
        url = re.search(r"http://\S+/", lines[-1]).group(0)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200 and "Screen a vendor" in response.read().decode()
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode in (0, -15)  # stopped by SIGTERM (uvicorn shuts down, then re-raises the signal)


def test_appeal_waiver_complaint_and_annual_report(watched, server, tmp_path):
    """The rest of the register through its forms: an appeal filed, heard and decided; a waiver requested and
    granted; a complaint noted and closed; the annual report written and opened."""
    import docx

    from checker.register.store import open_register

    page = watched.page

    def who(prefix: str, why: str, on: str | None = None) -> None:
        page.fill(f"#{prefix}by", "City Clerk")
        page.fill(f"#{prefix}why", why)
        if on:
            page.fill(f"#{prefix}on", on)

    page.goto(server.url + "/")
    page.fill("#names", "PALANTIR TECHNOLOGIES INC")
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")
    page.click("tr:has-text('berkeley-ca') >> text=Record a determination")
    who("d-", "RFP-2026-200 proposer screening")
    page.fill("#contract_id", "PO-2025-881")
    page.fill("#contract_end", "2027-06-30")
    page.click("text=Record the determination")
    ident = page.url.rsplit("/", 1)[1].split("?")[0]
    assert _labelled(page) == []
    who("n-", "notice emailed", AS_OF)
    page.click("text=Write the notice (DOCX and HTML)")
    who("a-", "appeal letter received", "2026-12-01")
    page.click("text=Record the appeal")
    assert "filed 2026-12-01" in page.locator("main").inner_text()
    page.locator("form[action$='/hear']").locator("input[name=by]").fill("City Clerk")
    page.locator("form[action$='/hear']").locator("input[name=why]").fill("hearing held")
    page.click("text=Record the hearing")
    decide = page.locator("form[action$='/decide']")
    decide.locator("select[name=outcome]").select_option("upheld")
    decide.locator("input[name=note]").fill("current federal award")
    decide.locator("input[name=by]").fill("City Clerk")
    decide.locator("input[name=why]").fill("City Manager's decision letter")
    decide.locator("input[name=on]").fill("2026-12-10")
    page.click("text=Record the decision")
    assert "UPHELD" in page.locator("h1").inner_text()

    page.click("text=Request a waiver")
    page.fill("#w-intent", "Intent")
    page.fill("#w-alt", "No alternative analytics platform")
    page.fill("#w-cost", "$90,000")
    who("w-", "waiver request for the agenda", "2026-12-11")
    page.click("text=Record the request")
    waiver = page.locator("form[action*='/register/waivers/']")
    waiver.locator("input[name=resolution]").fill("71,300-N.S.")
    waiver.locator("input[name=by]").fill("City Clerk")
    waiver.locator("input[name=why]").fill("Council minutes")
    waiver.locator("input[name=on]").fill("2027-01-12")
    page.click("form[action*='/register/waivers/'] >> text=Record the decision")
    assert "granted 2027-01-12, resolution 71,300-N.S." in page.locator("main").inner_text()

    signed = tmp_path / "declaration-palantir.pdf"
    signed.write_bytes(b"%PDF-1.4 stands for the signed declaration\n")
    page.click("text=Record the vendor's declaration")
    page.fill("#dc-signer", "J. Doe, General Counsel")
    page.fill("#dc-version", "BMC-13.105-declaration-v1")
    page.set_input_files("#dc-doc", str(signed))
    who("dc-", "declaration filed with the appeal", "2027-01-04")
    page.click("text=Record the declaration")
    conflict = page.locator("p.notice", has_text="CONFLICT").inner_text()
    assert "declared no services on 2027-01-04" in conflict and "a conflict for review" in conflict
    assert list(server.uploads.iterdir()) == []  # hashed, not kept

    page.goto(server.url + "/register")
    assert _labelled(page) == []
    page.click("text=Record a complaint")
    page.fill("#c-about", "PALANTIR USG INC")
    page.fill("#c-summary", "Police analytics pilot signed in July 2025")
    who("c-", "complaint by email", "2027-03-08")
    page.click("text=Record the complaint")
    card = page.locator(".card", has_text="Police analytics pilot")
    card.locator("summary").click()
    card.locator("textarea[name=text]").fill("Contract PO-2025-881 confirmed")
    card.locator("form[action$='/note'] input[name=by]").fill("City Auditor")
    card.locator("form[action$='/note'] input[name=why]").fill("investigation")
    card.locator("form[action$='/note'] input[name=on]").fill("2027-03-22")
    card.locator("text=Add the note").click()
    card = page.locator(".card", has_text="Police analytics pilot")
    assert "Contract PO-2025-881 confirmed" in card.inner_text()
    card.locator("summary").click()
    card.locator("select[name=outcome]").select_option("substantiated")
    card.locator("input[name=cure]").fill("Pilot ended")
    card.locator("form[action$='/close'] input[name=by]").fill("A. Rivera")
    card.locator("form[action$='/close'] input[name=why]").fill("City Manager's finding")
    card.locator("form[action$='/close'] input[name=on]").fill("2027-05-03")
    card.locator("text=Close the complaint").click()
    closed = page.locator(".card", has_text="Police analytics").inner_text()
    assert "closed: substantiated (cure: Pilot ended)" in closed

    page.click("text=The annual report")
    page.fill("#r-year", "2027")
    page.select_option("#r-rules", "berkeley-ca")
    page.fill("#r-by", "A. Rivera")
    page.click("text=Write the report (DOCX and HTML)")
    with page.expect_download() as got:
        page.click("p.ok >> text=Download annual-report-2027-berkeley-ca.docx")
    report = docx.Document(got.value.path())
    text = "\n".join(p.text for p in report.paragraphs) + "\n".join(
        c.text for t in report.tables for row in t.rows for c in row.cells)
    assert "PALANTIR TECHNOLOGIES INC" in text and "71,300-N.S." in text

    with open_register(str(server.db), create=False) as reg:
        kinds = {(h["kind"], h["action"]) for h in reg.rows("SELECT kind, action FROM history")}
        det = reg.get("determinations", int(ident))
    assert {("declarations", "declared"), ("appeals", "filed"), ("appeals", "heard"), ("appeals", "decided"),
            ("waivers", "requested"),
            ("waivers", "granted"), ("complaints", "received"), ("complaint_notes", "noted"),
            ("complaints", "closed")} <= kinds
    assert det["status"] == "upheld"
    assert watched.dialogs == [] and watched.errors == []


def test_the_project_files_rule_sets_and_decisions_apply(browser, tmp_path):
    """A server told the project's rule sets ticks only those, and applies its decisions file to a screen."""
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text("decisions:\n- vendor: THOMSON PUBLISHING WEST\n  entity: west-publishing\n"
                         "  decision: different\n  who: City Manager (appeal 2)\n  when: '2026-12-21'\n"
                         "  why: an Oakland print shop\n", encoding="utf-8")
    from checker.web import WebConfig, create_app

    folder = tmp_path / "project"
    folder.mkdir()
    app = create_app(WebConfig(db=str(folder / "r.sqlite"), files=folder / "files", rules=("berkeley-ca",),
                               decisions=str(decisions)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        threading.Event().wait(0.02)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    w = Watched(browser, url)
    try:
        page = w.page
        page.goto(url + "/audit")
        assert page.locator("input[name=rules]:checked").evaluate_all("(e) => e.map((x) => x.value)") == [
            "berkeley-ca"]
        page.goto(url + "/")
        page.fill("#names", "THOMSON PUBLISHING WEST\nWEST PUBLISHING CORP")
        page.fill("#as_of", AS_OF)
        page.click("button[type=submit]")
        results = page.locator("article.result")
        assert results.first.locator(".verdict").first.inner_text() == "CLEAR"
        assert "Decision applied" in results.first.inner_text() or "decision by City Manager" in \
            results.first.inner_text()
        assert results.nth(1).locator(".verdict").first.inner_text() == "PROHIBITED"
        assert results.nth(1).locator("tbody tr").count() == 1  # berkeley-ca alone
    finally:
        w.close()
        server.should_exit = True
        thread.join(10)
