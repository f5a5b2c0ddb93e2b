"""A report as one self-contained HTML file: inline CSS, images as data URIs, no scripts.

Every piece of text — comment quotes above all — goes through `html.escape`, and a Content
Security Policy forbids scripts outright, so a comment that contains markup is shown as the
characters the respondent typed and can never run. The file opens offline and prints cleanly
(each section starts on a new page when printed).
"""

from __future__ import annotations

import base64
import html
import re

from engage.reports.document import (
    Block,
    Bullets,
    Document,
    Figure,
    Heading,
    KeyFigures,
    PageBreak,
    Paragraph,
    QuoteBlock,
    Table,
)

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

CSS = """
:root { --blue: #005EB8; --dark-blue: #003087; --grey: #425563; --mid-grey: #768692;
        --pale: #E8EDEE; --text: #212B32; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--pale); color: var(--text);
       font: 16px/1.5 Arial, "Helvetica Neue", Helvetica, sans-serif; }
.page { max-width: 60rem; margin: 0 auto; background: white; padding: 0 3rem 3rem; }
header.cover { background: var(--blue); color: white; margin: 0 -3rem 2rem; padding: 3rem; }
header.cover .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: .85rem;
                       margin: 0 0 .5rem; opacity: .9; }
header.cover h1 { font-size: 2.4rem; line-height: 1.15; margin: 0 0 1rem; }
header.cover p { margin: .2rem 0; }
header.cover .figures { margin: 1.5rem 0 0; }
header.cover .figures div { background: rgba(255, 255, 255, .12); border-top-color: white; }
header.cover .figures .value, header.cover .figures .label { color: white; }
nav.contents { border-left: 4px solid var(--blue); padding: .5rem 1.5rem; margin: 0 0 2rem;
               background: #F4F8FB; }
nav.contents h2 { font-size: 1.1rem; margin: .5rem 0; border: 0; padding: 0; color: var(--grey); }
nav.contents ol { margin: 0 0 .5rem; padding-left: 1.2rem; }
nav.contents a { color: var(--blue); }
h2 { color: var(--dark-blue); font-size: 1.7rem; margin: 2.5rem 0 1rem;
     border-bottom: 3px solid var(--blue); padding-bottom: .3rem; }
h3 { color: var(--blue); font-size: 1.25rem; margin: 1.8rem 0 .6rem; }
h4 { color: var(--grey); font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.lead { font-size: 1.05rem; color: var(--grey); }
p.note, p.table-note { font-size: .85rem; color: var(--mid-grey); }
p.table-note { margin-top: -.6rem; }
table.data { border-collapse: collapse; width: 100%; margin: 0 0 1.2rem; font-size: .9rem; }
table.data th { background: var(--blue); color: white; text-align: left; padding: .45rem .5rem;
                font-weight: bold; vertical-align: bottom; }
table.data td { padding: .4rem .5rem; border-bottom: 1px solid #D8DDE0; vertical-align: top;
                white-space: pre-line; }
table.data tr:nth-child(even) td { background: #F4F6F7; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 1rem 0 1.6rem; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: .85rem; color: var(--grey); margin-top: .3rem; }
blockquote { margin: 0 0 1rem; padding: .6rem 1rem; border-left: 5px solid var(--blue);
             background: #F4F8FB; }
blockquote p { margin: 0 0 .3rem; white-space: pre-wrap; }
blockquote footer { font-size: .85rem; color: var(--grey); }
.figures { display: flex; flex-wrap: wrap; gap: .8rem; margin: 0 0 1.5rem; }
.figures div { flex: 1 1 9rem; background: var(--pale); border-top: 4px solid var(--blue);
               padding: .8rem; }
.figures .value { display: block; font-size: 1.8rem; font-weight: bold; color: var(--dark-blue); }
.figures .label { font-size: .85rem; color: var(--grey); }
footer.produced { margin-top: 3rem; font-size: .8rem; color: var(--mid-grey);
                  border-top: 1px solid var(--pale); padding-top: .8rem; }
@media print {
  body { background: white; }
  .page { max-width: none; padding: 0; }
  header.cover { margin: 0 0 2rem; }
  h2 { break-before: page; }
  nav.contents h2 { break-before: auto; }
  table.data tr, blockquote, figure { break-inside: avoid; }
  .page-break { break-after: page; }
}
"""


def e(text: object) -> str:
    """Escape anything for HTML text or attribute context."""
    return html.escape("" if text is None else str(text), quote=True)


def _anchor(text: str, seen: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    anchor, n = base, 2
    while anchor in seen:
        anchor, n = f"{base}-{n}", n + 1
    seen.add(anchor)
    return anchor


def render_html(doc: Document) -> str:
    anchors: set[str] = set()
    sections = [(block.text, _anchor(block.text, anchors)) for block in doc.blocks
                if isinstance(block, Heading) and block.level == 1]
    parts = [
        "<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(doc.title)} — {e(doc.subtitle)}</title>", f"<style>{CSS}</style>",
        "</head>", "<body>", '<div class="page">', '<header class="cover">',
        f'<p class="kicker">{e(doc.subtitle)}</p>', f"<h1>{e(doc.title)}</h1>",
        f"<p>{e(doc.scope_line)}</p>",
    ]
    if doc.dates_line:
        parts.append(f"<p>{e(doc.dates_line)}</p>")
    if doc.cover_figures:
        parts.append(_block(KeyFigures(doc.cover_figures), iter(())))
    parts.append("</header>")
    if len(sections) > 1:
        parts.append('<nav class="contents"><h2>Contents</h2><ol>')
        parts += [f'<li><a href="#{anchor}">{e(text)}</a></li>' for text, anchor in sections]
        parts.append("</ol></nav>")
    anchor_of = iter(anchor for _text, anchor in sections)
    parts.append("<main>")
    for block in doc.blocks:
        parts.append(_block(block, anchor_of))
    parts += ["</main>", f'<footer class="produced">{e(doc.produced_line)}</footer>', "</div>",
              "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _block(block: Block, anchor_of) -> str:
    if isinstance(block, Heading):
        if block.level == 1:
            return f'<h2 id="{next(anchor_of)}">{e(block.text)}</h2>'
        tag = "h3" if block.level == 2 else "h4"
        return f"<{tag}>{e(block.text)}</{tag}>"
    if isinstance(block, Paragraph):
        css = f' class="{block.style}"' if block.style != "body" else ""
        return f"<p{css}>{e(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        data = base64.b64encode(block.png).decode("ascii")
        return (f'<figure><img src="data:image/png;base64,{data}" alt="{e(block.caption)}" '
                f'style="width:{block.width * 100:.0f}%"><figcaption>{e(block.caption)}'
                f"</figcaption></figure>")
    if isinstance(block, QuoteBlock):
        return (f"<blockquote><p>{e(block.text)}</p><footer>— {e(block.attribution)}</footer>"
                f"</blockquote>")
    if isinstance(block, KeyFigures):
        return ('<div class="figures">' + "".join(
            f'<div><span class="value">{e(value)}</span><span class="label">{e(label)}</span>'
            f"</div>" for value, label in block.items) + "</div>")
    if isinstance(block, PageBreak):
        return '<div class="page-break"></div>'
    raise TypeError(f"cannot render {type(block).__name__}")


def _table(table: Table) -> str:
    def cls(i: int) -> str:
        return ' class="num"' if table.alignment(i) == "r" else ""

    key = f' data-key="{e(table.key)}"' if table.key else ""
    head = "".join(f"<th{cls(i)}>{e(h)}</th>" for i, h in enumerate(table.headers))
    body = "".join("<tr>" + "".join(f"<td{cls(i)}>{e(cell)}</td>" for i, cell in enumerate(row))
                   + "</tr>" for row in table.rows)
    note = f'<p class="table-note">{e(table.note)}</p>' if table.note else ""
    return (f'<table class="data"{key}><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
            f"</table>{note}")
