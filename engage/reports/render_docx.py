"""A report as a Word document (python-docx) the officer can still edit before it goes out.

Built on Word's own styles (Title, Heading 1-3, Quote, List Bullet, Caption) recoloured to the
NHS palette, so the officer's own templates and a table of contents work as usual. The footer
holds PAGE / NUMPAGES fields: Word fills in "Page n of m" when it opens the file.
"""

from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from engage.reports import document as d

BLUE = RGBColor(0x00, 0x5E, 0xB8)
DARK_BLUE = RGBColor(0x00, 0x30, 0x87)
GREY = RGBColor(0x42, 0x55, 0x63)
MID_GREY = RGBColor(0x76, 0x86, 0x92)
TEXT_WIDTH_CM = 17.0  # A4 with 2 cm margins


def render_docx(doc: d.Document) -> bytes:
    word = new_docx()
    _page_setup(word)
    _styles(word)
    _title_page(word, doc)
    body = word.add_section(WD_SECTION.NEW_PAGE)
    body.different_first_page_header_footer = False
    _footer(body, doc.title)
    first = True
    for block in doc.blocks:
        _block(word, block, first)
        if isinstance(block, d.Heading) and block.level == 1:
            first = False
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _page_setup(word) -> None:
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    section.different_first_page_header_footer = True  # the title page has no footer


def _styles(word) -> None:
    styles = word.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    normal.paragraph_format.space_after = Pt(6)
    for name, size, colour in (("Title", 30, DARK_BLUE), ("Heading 1", 18, DARK_BLUE),
                               ("Heading 2", 13, BLUE), ("Heading 3", 11, GREY)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.color.rgb = colour
        style.font.bold = True
    styles["Heading 1"].paragraph_format.space_after = Pt(10)
    styles["Quote"].font.color.rgb = GREY
    styles["Caption"].font.color.rgb = GREY


def _title_page(word, doc: d.Document) -> None:
    kicker = word.add_paragraph()
    run = kicker.add_run(doc.subtitle.upper())
    run.bold, run.font.color.rgb, run.font.size = True, BLUE, Pt(12)
    kicker.paragraph_format.space_before = Pt(80)
    word.add_paragraph(doc.title, style="Title")
    for line in (doc.scope_line, doc.dates_line):
        if line:
            para = word.add_paragraph()
            text = para.add_run(line)
            text.font.size, text.font.color.rgb = Pt(12), GREY
    if doc.cover_figures:
        word.add_paragraph().paragraph_format.space_before = Pt(24)
        _key_figures(word, d.KeyFigures(doc.cover_figures))
    produced = word.add_paragraph()
    produced.paragraph_format.space_before = Pt(40)
    small = produced.add_run(doc.produced_line)
    small.font.size, small.font.color.rgb = Pt(9), MID_GREY


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word computes when it lays the document out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)
    run.font.size, run.font.color.rgb = Pt(8), MID_GREY


def _footer(section, title: str) -> None:
    section.footer.is_linked_to_previous = False
    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    label = para.add_run(f"{title}    Page ")
    label.font.size, label.font.color.rgb = Pt(8), MID_GREY
    _field(para, "PAGE")
    middle = para.add_run(" of ")
    middle.font.size, middle.font.color.rgb = Pt(8), MID_GREY
    _field(para, "NUMPAGES")


def _block(word, block: d.Block, first_section: bool) -> None:
    if isinstance(block, d.Heading):
        heading = word.add_heading(block.text, level=min(block.level, 3))
        if block.level == 1 and not first_section:
            heading.paragraph_format.page_break_before = True
        heading.paragraph_format.keep_with_next = True
    elif isinstance(block, d.Paragraph):
        para = word.add_paragraph(block.text)
        if block.style == "lead":
            for run in para.runs:
                run.font.size, run.font.color.rgb = Pt(11), GREY
        elif block.style == "note":
            for run in para.runs:
                run.font.size, run.font.color.rgb = Pt(8.5), MID_GREY
    elif isinstance(block, d.Bullets):
        for item in block.items:
            word.add_paragraph(item, style="List Bullet")
    elif isinstance(block, d.Table):
        _table(word, block)
    elif isinstance(block, d.Figure):
        word.add_picture(io.BytesIO(block.png), width=Cm(TEXT_WIDTH_CM * block.width))
        word.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption = word.add_paragraph(block.caption, style="Caption")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(block, d.QuoteBlock):
        quote = word.add_paragraph(block.text, style="Quote")
        quote.paragraph_format.keep_with_next = True
        _left_bar(quote)
        who = word.add_paragraph("— " + block.attribution)
        who.paragraph_format.left_indent = Cm(0.9)
        for run in who.runs:
            run.font.size, run.font.color.rgb = Pt(8.5), GREY
    elif isinstance(block, d.KeyFigures):
        _key_figures(word, block)
    elif isinstance(block, d.PageBreak):
        word.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    else:
        raise TypeError(f"cannot render {type(block).__name__}")


def _shade(cell, hex_colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), hex_colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _left_bar(paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"),
                       ("w:color", "005EB8")):
        left.set(qn(key), value)
    borders.append(left)
    paragraph._p.get_or_add_pPr().append(borders)


def _repeat_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _table(word, table: d.Table) -> None:
    grid = word.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    weights = table.widths or [1.0] * len(table.headers)
    widths = [Cm(TEXT_WIDTH_CM * w / sum(weights)) for w in weights]
    _repeat_header(grid.rows[0])
    for r, values in enumerate([table.headers, *table.rows]):
        row = grid.rows[r]
        for c, value in enumerate(values):
            cell = row.cells[c]
            cell.width = widths[c]
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            if table.alignment(c) == "r":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = para.add_run(str(value))
            run.font.size = Pt(8.5)
            if r == 0:
                run.bold, run.font.color.rgb = True, RGBColor(0xFF, 0xFF, 0xFF)
                _shade(cell, "005EB8")
            elif r % 2 == 0:
                _shade(cell, "F4F6F7")
    if table.note:
        note = word.add_paragraph(table.note)
        for run in note.runs:
            run.font.size, run.font.color.rgb = Pt(8), MID_GREY
    else:
        word.add_paragraph().paragraph_format.space_after = Pt(2)


def _key_figures(word, block: d.KeyFigures) -> None:
    grid = word.add_table(rows=1, cols=len(block.items))
    for cell, (value, label) in zip(grid.rows[0].cells, block.items, strict=True):
        _shade(cell, "E8EDEE")
        para = cell.paragraphs[0]
        big = para.add_run(value)
        big.bold, big.font.size, big.font.color.rgb = True, Pt(18), DARK_BLUE
        small = cell.add_paragraph().add_run(label)
        small.font.size, small.font.color.rgb = Pt(8), GREY
    word.add_paragraph()
