"""A ``Document`` as one print-ready HTML page: every text through ``html.escape``, nothing loaded from elsewhere
(a Content-Security-Policy forbids it), links only to ``http(s)`` addresses."""

from __future__ import annotations

from html import escape

from checker.errors import printable
from checker.register.document import Bullets, Document, Heading, Inline, Link, Paragraph, Styled

STYLE = """
@page { size: letter; margin: 2cm; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 11pt; line-height: 1.4; max-width: 48em;
       margin: 2em auto; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1.05em; }
blockquote { margin: 0.8em 0 0.8em 1.5em; padding-left: 0.8em; border-left: 3px solid #888; }
p.note { font-size: 0.85em; color: #333; }
p.emphasis { font-weight: bold; border: 1px solid #111; padding: 0.5em; }
table { border-collapse: collapse; width: 100%; font-size: 0.85em; margin: 0.6em 0; page-break-inside: auto; }
th, td { border: 1px solid #555; padding: 0.25em 0.4em; text-align: left; vertical-align: top; }
th { background: #eee; } tr { page-break-inside: avoid; }
a { color: inherit; } .url { font-size: 0.85em; word-break: break-all; }
@media print { body { margin: 0; max-width: none; } }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _e(text: str) -> str:
    """Text as HTML: escaped, control characters as visible escapes."""
    return escape(printable(text), quote=True)


def _inline(parts: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for part in parts:
        if isinstance(part, Link):
            if part.url.lower().startswith(("https://", "http://")):
                out.append(f'{_e(part.text)} (<a class="url" href="{_e(part.url)}" rel="noopener noreferrer">'
                           f'{_e(part.url)}</a>)')
            else:
                out.append(f'{_e(part.text)} (<span class="url">{_e(part.url)}</span>)')
        elif isinstance(part, Styled):
            text = _e(part.text)
            text = f"<strong>{text}</strong>" if part.bold else text
            out.append(f"<em>{text}</em>" if part.italic else text)
        else:
            out.append(_e(part))
    return "".join(out).replace("\n", "<br>\n")


def html_text(doc: Document) -> str:
    """The document as one self-contained HTML page."""
    body: list[str] = [f"<h1>{_e(doc.title)}</h1>"]
    for block in doc.blocks:
        if isinstance(block, Heading):
            level = min(max(block.level, 1), 4) + 1
            body.append(f"<h{level}>{_e(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            if block.kind == "quote":
                body.append(f"<blockquote><p>{_inline(block.parts)}</p></blockquote>")
            else:
                body.append(f'<p class="{_e(block.kind)}">{_inline(block.parts)}</p>')
        elif isinstance(block, Bullets):
            items = "".join(f"<li>{_inline(item)}</li>" for item in block.items)
            body.append(f"<ul>{items}</ul>")
        elif not block.rows:
            body.append(f"<p><em>{_e(block.empty)}</em></p>")
        else:
            head = "".join(f'<th scope="col">{_e(h)}</th>' for h in block.header)
            rows = "".join("<tr>" + "".join(f"<td>{_e(v).replace(chr(10), '<br>')}</td>" for v in row) + "</tr>\n"
                           for row in block.rows)
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>\n{rows}</tbody></table>")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="author" content="{_e(doc.author)}">\n'
            f"<title>{_e(doc.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")
