"""A report as an A4 PDF (reportlab): title page, contents, sections, "Page n of m" footers.

Text is set in DejaVu Sans, the TrueType font matplotlib ships, because the PDF base fonts only
cover Latin-1 and comments arrive with curly quotes, accents and the odd emoji. reportlab's
Paragraph reads a small XML markup, so every text is escaped before it is laid out.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.tableofcontents import TableOfContents

from engage.reports import document as d

BLUE = colors.HexColor("#005EB8")
DARK_BLUE = colors.HexColor("#003087")
GREY = colors.HexColor("#425563")
MID_GREY = colors.HexColor("#768692")
PALE = colors.HexColor("#E8EDEE")
ZEBRA = colors.HexColor("#F4F6F7")
QUOTE_BG = colors.HexColor("#F4F8FB")
TEXT = colors.HexColor("#212B32")
MARGIN = 2 * cm
#: A figure's image is never taller than this: the body frame (25.5 cm) less a section
#: heading, its lead paragraph and the caption.
MAX_FIGURE_HEIGHT = 19.5 * cm
FONT = "EngageSans"


@lru_cache(maxsize=1)
def _register_fonts() -> str:
    """Register DejaVu Sans (regular, bold, italic, bold italic) once; return the family."""
    import matplotlib
    from reportlab.lib.fonts import addMapping

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    faces = {"": "DejaVuSans.ttf", "-Bold": "DejaVuSans-Bold.ttf",
             "-Italic": "DejaVuSans-Oblique.ttf", "-BoldItalic": "DejaVuSans-BoldOblique.ttf"}
    for suffix, file_name in faces.items():
        pdfmetrics.registerFont(TTFont(FONT + suffix, str(folder / file_name)))
    for bold, italic, suffix in ((0, 0, ""), (1, 0, "-Bold"), (0, 1, "-Italic"),
                                 (1, 1, "-BoldItalic")):
        addMapping(FONT, bold, italic, FONT + suffix)
    return FONT


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    font = _register_fonts()
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=13.5, textColor=TEXT,
                          spaceAfter=6)
    return {
        "body": base,
        "lead": ParagraphStyle("lead", parent=base, fontSize=10.5, leading=15, textColor=GREY,
                               spaceAfter=9),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=10.5, textColor=MID_GREY),
        "bullet": ParagraphStyle("bullet", parent=base, leftIndent=14, bulletIndent=4,
                                 spaceAfter=3),
        "h1": ParagraphStyle("h1", parent=base, fontName=font + "-Bold", fontSize=19, leading=24,
                             textColor=DARK_BLUE, spaceAfter=12),
        "h2": ParagraphStyle("h2", parent=base, fontName=font + "-Bold", fontSize=13, leading=17,
                             textColor=BLUE, spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("h3", parent=base, fontName=font + "-Bold", fontSize=10.5,
                             leading=14, textColor=GREY, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "cell_r": ParagraphStyle("cell_r", parent=base, fontSize=8, leading=10, spaceAfter=0,
                                 alignment=TA_RIGHT),
        "head": ParagraphStyle("head", parent=base, fontName=font + "-Bold", fontSize=8,
                               leading=10, textColor=colors.white, spaceAfter=0),
        "head_r": ParagraphStyle("head_r", parent=base, fontName=font + "-Bold", fontSize=8,
                                 leading=10, textColor=colors.white, spaceAfter=0,
                                 alignment=TA_RIGHT),
        "caption": ParagraphStyle("caption", parent=base, fontName=font + "-Italic", fontSize=8,
                                  leading=10, textColor=GREY, alignment=TA_CENTER,
                                  spaceAfter=10),
        "quote": ParagraphStyle("quote", parent=base, fontSize=9.5, leading=13.5, spaceAfter=2),
        "figure_value": ParagraphStyle("figure_value", parent=base, fontName=font + "-Bold",
                                       fontSize=17, leading=21, textColor=DARK_BLUE,
                                       spaceAfter=1),
        "figure_label": ParagraphStyle("figure_label", parent=base, fontSize=7.5, leading=9.5,
                                       textColor=GREY, spaceAfter=0),
        "title": ParagraphStyle("title", parent=base, fontName=font + "-Bold", fontSize=30,
                                leading=36, textColor=DARK_BLUE, spaceAfter=16),
        "kicker": ParagraphStyle("kicker", parent=base, fontName=font + "-Bold", fontSize=11,
                                 leading=14, textColor=BLUE, spaceAfter=10),
        "cover": ParagraphStyle("cover", parent=base, fontSize=11.5, leading=16, textColor=GREY,
                                spaceAfter=4),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=10.5, leading=17, leftIndent=0),
    }


def _p(text: object, style: str) -> RLParagraph:
    """A paragraph of plain text: escaped, with line breaks kept."""
    safe = escape("" if text is None else str(text)).replace("\n", "<br/>")
    return RLParagraph(safe, _styles()[style])


class _NumberedCanvas(Canvas):
    """Holds each finished page until the end so its footer can say 'Page n of m'."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            if self._pageNumber > 1:  # the title page carries no number
                self._footer(total)
            super().showPage()
        super().save()

    def _footer(self, total: int) -> None:
        width, _height = A4
        self.saveState()
        self.setFont(FONT, 7.5)
        self.setFillColor(MID_GREY)
        self.drawRightString(width - MARGIN, 1.1 * cm, f"Page {self._pageNumber} of {total}")
        self.drawString(MARGIN, 1.1 * cm, getattr(self, "_engage_title", ""))
        self.setStrokeColor(PALE)
        self.line(MARGIN, 1.5 * cm, width - MARGIN, 1.5 * cm)
        self.restoreState()


class _ReportTemplate(BaseDocTemplate):
    """Title page without furniture, then body pages; headings feed the contents list."""

    def __init__(self, target, doc: d.Document) -> None:
        super().__init__(target, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN, bottomMargin=2.2 * cm, title=doc.title,
                         subject=doc.subtitle, author="Engage", creator="Engage")
        self.report = doc
        width, height = A4
        body = Frame(MARGIN, 2.2 * cm, width - 2 * MARGIN, height - MARGIN - 2.2 * cm, id="body")
        cover = Frame(MARGIN, 3 * cm, width - 2 * MARGIN, height - 9.5 * cm, id="cover")
        self.addPageTemplates([PageTemplate("cover", [cover], onPage=self._cover_band),
                               PageTemplate("body", [body], onPage=self._header)])

    def _cover_band(self, canvas: Canvas, _doc) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(BLUE)
        canvas.rect(0, height - 5 * cm, width, 5 * cm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(FONT + "-Bold", 13)
        canvas.drawString(MARGIN, height - 2.6 * cm, self.report.subtitle.upper())
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, height - 3.3 * cm, self.report.produced_line)
        canvas.restoreState()

    def _header(self, canvas: Canvas, _doc) -> None:
        canvas._engage_title = self.report.title  # read by the footer at save time

    def afterFlowable(self, flowable) -> None:  # noqa: N802 - reportlab's name
        level = getattr(flowable, "_engage_toc_level", None)
        if level is not None:
            self.notify("TOCEntry", (level, flowable.getPlainText(), self.page))


def render_pdf(doc: d.Document) -> bytes:
    styles = _styles()
    story: list = [
        Spacer(1, 1.2 * cm), _p(doc.title, "title"), _p(doc.scope_line, "cover"),
    ]
    if doc.dates_line:
        story.append(_p(doc.dates_line, "cover"))
    if doc.cover_figures:
        story += [Spacer(1, 1.5 * cm), _key_figures(d.KeyFigures(doc.cover_figures))]
    story += [NextPageTemplate("body"), PageBreak()]
    sections = [b for b in doc.blocks if isinstance(b, d.Heading) and b.level == 1]
    if len(sections) > 1:
        toc = TableOfContents()
        toc.levelStyles = [styles["toc1"]]
        toc.dotsMinLevel = 0
        story += [_p("Contents", "h1"), toc]
    story += _body(doc.blocks, new_pages=len(sections) > 1)
    buffer = io.BytesIO()
    template = _ReportTemplate(buffer, doc)
    if len(sections) > 1:
        template.multiBuild(story, canvasmaker=_NumberedCanvas)
    else:
        template.build(story, canvasmaker=_NumberedCanvas)
    return buffer.getvalue()


def _body(blocks: list[d.Block], new_pages: bool) -> list:
    """Each section on a new page; a subheading (and its note) kept with what follows it."""
    story: list = []
    carry: list = []  # subheadings and notes waiting for the block they introduce
    first_section = True
    for block in blocks:
        if isinstance(block, d.Heading) and block.level == 1:
            if carry:
                story += carry
                carry = []
            if new_pages or not first_section:
                story.append(PageBreak())
            first_section = False
            story += _flowables(block)
            continue
        flowables = _flowables(block)
        if (isinstance(block, d.Heading)
                or (isinstance(block, d.Paragraph) and block.style == "note" and carry)):
            carry += flowables
            continue
        if carry:
            story.append(KeepTogether(carry + flowables[:1]))
            flowables, carry = flowables[1:], []
        story += flowables
    return story + carry


def _flowables(block: d.Block) -> list:
    if isinstance(block, d.Heading):
        heading = _p(block.text, f"h{block.level}")
        if block.level == 1:
            heading._engage_toc_level = 0
        return [heading]
    if isinstance(block, d.Paragraph):
        return [_p(block.text, block.style)]
    if isinstance(block, d.Bullets):
        return [RLParagraph(escape(item), _styles()["bullet"], bulletText="•")
                for item in block.items]
    if isinstance(block, d.Table):
        return _table(block)
    if isinstance(block, d.Figure):
        return [_figure(block)]
    if isinstance(block, d.QuoteBlock):
        return [_quote(block)]
    if isinstance(block, d.KeyFigures):
        return [_key_figures(block)]
    if isinstance(block, d.PageBreak):
        return [PageBreak()]
    raise TypeError(f"cannot render {type(block).__name__}")


CELL_PADDING = 6  # reportlab's default left + right padding is 6 pt each; keep in step


def _column_widths(table: d.Table, text_width: float) -> list[float]:
    """Widths from the layout's weights, widened so no header word or number is ever split.

    Right-aligned (number) columns get room for their longest value; text columns give way,
    never below their longest single word.
    """
    font = _register_fonts()
    weights = table.widths or [1.0] * len(table.headers)
    wanted = [text_width * w / sum(weights) for w in weights]

    def width(text: str, bold: bool = False) -> float:
        return pdfmetrics.stringWidth(text, font + ("-Bold" if bold else ""), 8)

    floor = []
    for i, header in enumerate(table.headers):
        need = max((width(word, True) for word in header.split()), default=0)
        if table.alignment(i) == "r":
            need = max([need] + [width(str(row[i])) for row in table.rows])
        else:  # room for the longest word, within reason, so "co-produce" is not split
            longest = max((width(word) for row in table.rows for word in str(row[i]).split()),
                          default=0)
            need = max(need, min(longest, 0.3 * text_width))
        floor.append(need + 2 * CELL_PADDING + 1)
    widths = [max(w, f) for w, f in zip(wanted, floor, strict=True)]
    excess = sum(widths) - text_width
    flexible = [i for i in range(len(widths))
                if table.alignment(i) != "r" and widths[i] > floor[i]]
    if excess > 0 and flexible:
        spare = sum(widths[i] - floor[i] for i in flexible)
        for i in flexible:
            widths[i] -= min(excess, spare) * (widths[i] - floor[i]) / spare
    if sum(widths) > text_width + 0.5:  # nothing left to give: shrink evenly rather than overflow
        widths = [w * text_width / sum(widths) for w in widths]
    return widths


def _table(table: d.Table) -> list:
    widths = _column_widths(table, A4[0] - 2 * MARGIN)

    def cell(text: str, column: int, header: bool) -> RLParagraph:
        right = table.alignment(column) == "r"
        return _p(text, ("head" if header else "cell") + ("_r" if right else ""))

    data = [[cell(h, i, True) for i, h in enumerate(table.headers)]]
    data += [[cell(value, i, False) for i, value in enumerate(row)] for row in table.rows]
    rows = len(data)
    if table.note:  # the note is the table's last row, so it never starts a page on its own
        data.append([_p(table.note, "note")] + [""] * (len(table.headers) - 1))
    grid = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [("BACKGROUND", (0, 0), (-1, 0), BLUE),
             ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
             ("LINEBELOW", (0, 1), (-1, rows - 1), 0.4, colors.HexColor("#D8DDE0"))]
    style += [("BACKGROUND", (0, row), (-1, row), ZEBRA) for row in range(2, rows, 2)]
    style += [("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
              ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING)]
    if table.note:  # and kept with the last row of figures, never alone under the header
        style += [("SPAN", (0, rows), (-1, rows)), ("LEFTPADDING", (0, rows), (-1, rows), 0),
                  ("NOSPLIT", (0, max(rows - 1, 1)), (-1, rows))]
    grid.setStyle(TableStyle(style))
    # The gap after a table is its own space, never a Spacer: a Spacer that falls past the
    # bottom of a page starts a page of its own, and the next section's page break then left
    # that page blank.
    grid.spaceAfter = 8
    return [grid]


# Flowables that must not break across pages are one-cell tables: a single row never splits,
# and unlike KeepTogether they can be grouped with a heading without forcing a page break.
def _figure(block: d.Figure) -> RLTable:
    width = (A4[0] - 2 * MARGIN) * block.width
    if width * block.aspect > MAX_FIGURE_HEIGHT:  # a tall chart (many themes) fits the page
        width = MAX_FIGURE_HEIGHT / block.aspect   # its section starts on, not the next one
    image = Image(io.BytesIO(block.png), width=width, height=width * block.aspect)
    cell = RLTable([[[image, _p(block.caption, "caption")]]], colWidths=[A4[0] - 2 * MARGIN])
    cell.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                              ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
    return cell


def _quote(block: d.QuoteBlock) -> RLTable:
    content = [_p(block.text, "quote"), _p("— " + block.attribution, "note")]
    box = RLTable([[content]], colWidths=[A4[0] - 2 * MARGIN - 0.4 * cm], hAlign="LEFT",
                  spaceAfter=6)
    box.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), QUOTE_BG),
        ("LINEBEFORE", (0, 0), (0, -1), 3, BLUE),
        ("LEFTPADDING", (0, 0), (-1, -1), 9), ("RIGHTPADDING", (0, 0), (-1, -1), 9),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return box


def _key_figures(block: d.KeyFigures) -> RLTable:
    cells = [[_p(value, "figure_value"), _p(label, "figure_label")] for value, label in
             block.items]
    width = (A4[0] - 2 * MARGIN) / max(1, len(cells))
    grid = RLTable([[RLTable([[v], [lab]], colWidths=[width - 12]) for v, lab in cells]],
                   colWidths=[width] * len(cells), hAlign="LEFT")
    grid.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, -1), PALE),
        ("LINEABOVE", (0, 0), (-1, 0), 3, BLUE),
        ("LINEAFTER", (0, 0), (-2, -1), 4, colors.white),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 6), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    grid.spaceAfter = 12
    return grid
