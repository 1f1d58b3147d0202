"""Hostile input to the web page: a ``<script>`` vendor and file name, an oversized upload, forms without their
CSRF token or from another site, markup typed into the register — each handled, nothing run, nothing lost."""

from __future__ import annotations

import re

import pytest
from test_web import AS_OF, start_server

pytest.importorskip("uvicorn", reason="the web extra is not installed (pip install '.[web]')")

LIMIT = 64 * 1024
SCRIPT_VENDOR = "<script>alert('vendor')</script>"
HOSTILE_CSV = ("Payment Date,Vendor Name,Department,Description,Amount\n"
               f"2025-07-14,WEST PUBLISHING CORP,City Attorney,Westlaw,\"4,812.00\"\n"
               f"2025-07-15,\"{SCRIPT_VENDOR}\",Library,<img src=x onerror=alert('desc')>,12.00\n"
               "2025-07-16,\"=HYPERLINK(\"\"http://example.invalid\"\",\"\"x\"\")\",Finance,Paper,3.00\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from start_server(tmp_path_factory.mktemp("hostile"), max_upload=LIMIT)


def _history(server) -> int:
    from checker.register.store import open_register

    if not server.db.exists():
        return 0
    with open_register(str(server.db), create=False) as reg:
        return reg.row("SELECT count(*) AS n FROM history")["n"]


def test_a_script_vendor_and_file_name_are_shown_never_run(watched, server, tmp_path):
    upload = tmp_path / "<img src=x onerror=alert('name')>.csv"
    upload.write_text(HOSTILE_CSV, encoding="utf-8")
    page = watched.page
    page.goto(server.url + "/audit")
    page.set_input_files("#file", str(upload))
    page.fill("#as_of", AS_OF)
    page.click("button[type=submit]")
    page.wait_for_selector("iframe.report")
    assert "onerror=alert('name')" in page.locator("h1").inner_text()  # the name as text
    report = page.frame_locator("iframe.report")
    vendors = report.locator("#findings td.vendor").all_inner_texts()
    assert SCRIPT_VENDOR in vendors
    assert report.locator("#findings script").count() == 0 and page.locator("main img").count() == 0
    page.goto(server.url + "/audit")
    assert page.locator("table tbody tr").first.locator("td").nth(1).inner_text().startswith("<img src=x")
    assert list(server.uploads.iterdir()) == []
    assert watched.dialogs == [], f"a script ran: {watched.dialogs}"


def test_an_oversized_upload_is_refused_with_a_page_and_nothing_kept(watched, server, tmp_path):
    before = sorted(p.name for p in (server.folder / "files" / "audits").glob("*")) \
        if (server.folder / "files" / "audits").exists() else []
    big = tmp_path / "big.csv"
    big.write_text("Vendor Name,Amount\n" + "ACME PAPER CO,1.00\n" * (LIMIT // 10), encoding="utf-8")
    page = watched.page
    page.goto(server.url + "/audit")
    page.set_input_files("#file", str(big))
    with page.expect_response(lambda r: r.url.endswith("/audit") and r.request.method == "POST") as got:
        page.click("button[type=submit]")
    assert got.value.status == 413
    assert page.locator("h1").inner_text() == "The file is too large"
    assert "0.0625 MB" in page.locator("[role=alert]").inner_text()
    assert list(server.uploads.iterdir()) == []  # the part received was removed
    after = sorted(p.name for p in (server.folder / "files" / "audits").glob("*")) \
        if (server.folder / "files" / "audits").exists() else []
    assert after == before  # no audit started, earlier ones kept
    page.goto(server.url + "/audit")  # the server goes on serving
    assert page.locator("h1").inner_text() == "Audit a file"


def test_a_file_the_audit_cannot_read_fails_with_its_reason_and_its_own_name(watched, server, tmp_path):
    bad = tmp_path / "no-vendor.csv"
    bad.write_text("Date,Amount\n2025-07-14,12.00\n", encoding="utf-8")
    page = watched.page
    page.goto(server.url + "/audit")
    page.set_input_files("#file", str(bad))
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    text = alert.inner_text()
    assert text.startswith("no-vendor.csv: ") and "sanctuary-upload" not in text and "Traceback" not in text
    assert list(server.uploads.iterdir()) == []
    assert page.request.get(page.url + "/report.xlsx").status == 404


def test_forms_without_the_token_or_from_another_site_are_refused(watched, server):
    page = watched.page
    page.goto(server.url + "/register")
    token = page.locator("input[name=csrf]").first.input_value()
    fields = {"about": "PALANTIR USG INC", "summary": "pilot", "by": "x", "why": "y", "on": AS_OF}
    before = _history(server)
    missing = page.request.post(server.url + "/register/complaints", form=fields)
    assert missing.status == 403 and "security token" in missing.text() and "Traceback" not in missing.text()
    wrong = page.request.post(server.url + "/register/complaints", form={**fields, "csrf": "0" * 64})
    assert wrong.status == 403
    elsewhere = page.request.post(server.url + "/register/complaints", form={**fields, "csrf": token},
                                  headers={"Origin": "http://evil.example"})
    assert elsewhere.status == 403 and "another site" in elsewhere.text()
    upload = page.request.post(server.url + "/audit", multipart={
        "file": {"name": "p.csv", "mimeType": "text/csv", "buffer": HOSTILE_CSV.encode()}})
    assert upload.status == 403
    huge = page.request.post(server.url + "/register/complaints",
                             form={**fields, "csrf": token, "summary": "x" * (2 * 1024 * 1024)})
    assert huge.status == 400 and "over 1024 KB" in huge.text()
    assert _history(server) == before  # nothing recorded
    assert list(server.uploads.iterdir()) == []
    # With the token, the same form records (the refusals above were the token's doing).
    done = page.request.post(server.url + "/register/complaints", form={**fields, "csrf": token})
    assert done.status == 200 and _history(server) > before


def test_markup_typed_into_the_register_is_text(watched, server):
    page = watched.page
    page.goto(server.url + "/register")
    page.click("text=Record a complaint")
    page.fill("#c-about", "<b>ACME</b>")
    page.fill("#c-summary", "<script>alert('complaint')</script><img src=x onerror=alert('img')>")
    page.fill("#c-by", "<i>clerk</i>")
    page.fill("#c-why", "intake")
    page.click("text=Record the complaint")
    card = page.locator(".card", has_text="<b>ACME</b>")
    assert "<script>alert('complaint')</script>" in card.inner_text()
    page.goto(server.url + "/register/history?kind=complaints")
    assert "<i>clerk</i>" in page.locator("table").inner_text()
    assert watched.dialogs == []


def test_bad_input_is_one_clear_page_never_a_trace(watched, server):
    page = watched.page
    page.goto(server.url + "/")
    page.fill("#names", "WEST PUBLISHING CORP")
    page.fill("#as_of", "2026-02-30")
    page.evaluate("() => document.querySelector('#as_of').removeAttribute('pattern')")
    page.click("button[type=submit]")
    assert page.locator("h1").inner_text() == "That could not be done"
    assert re.match(r"as of: '2026-02-30' is not a date in YYYY-MM-DD form\. Nothing was recorded",
                    page.locator("[role=alert]").inner_text())
    for path in ("/register/determinations/99", "/audit/20260101T000000-00000000", "/registry/nope",
                 "/register/notices/1.exe", "/register/documents/..%2Fregister.sqlite"):
        response = page.goto(server.url + path)
        assert response.status in (400, 404) and "Traceback" not in page.content(), path


def test_a_request_for_another_host_name_is_refused(server):
    """DNS rebinding: another site's name made to point at this computer is not served."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(server.url)
    for host, status in (("evil.example", 400), (f"127.0.0.1:{address.port}", 200)):
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        conn.request("GET", "/register", headers={"Host": host})
        assert conn.getresponse().status == status, host
        conn.close()
