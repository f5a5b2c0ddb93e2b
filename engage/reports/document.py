"""The report as a list of simple blocks that DOCX, PDF and HTML renderers all understand.

The layout (`layout.py`) decides what is said and in which order; a renderer only decides how a
heading or a table looks in its format. Keeping the three formats on one block list is what
makes them say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 section, 2 subsection, 3 minor


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | lead | note


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    align: str = ""            # one letter per column, l or r; default: first l, rest r
    widths: list[float] = field(default_factory=list)  # relative; default equal
    note: str = ""             # printed under the table (keys, sources)
    key: str = ""              # a stable name tests and readers can find the table by

    def alignment(self, column: int) -> str:
        if self.align and column < len(self.align):
            return self.align[column]
        return "l" if column == 0 else "r"


@dataclass(frozen=True)
class Figure:
    png: bytes
    caption: str
    width: float = 1.0   # share of the text width
    aspect: float = 0.5  # height / width of the image


@dataclass(frozen=True)
class QuoteBlock:
    text: str
    attribution: str


@dataclass(frozen=True)
class KeyFigures:
    items: list[tuple[str, str]]  # (value, label)


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Bullets | Table | Figure | QuoteBlock | KeyFigures | PageBreak


@dataclass
class Document:
    title: str
    subtitle: str
    scope_line: str
    dates_line: str
    produced_line: str
    blocks: list[Block] = field(default_factory=list)
    cover_figures: list[tuple[str, str]] = field(default_factory=list)  # (value, label)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


def text_blocks(text: str) -> list[Block]:
    """Officer-edited text to blocks: blank lines split paragraphs, '- ' lines are bullets."""
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in chunk.strip("\n").split("\n") if line.strip()]
        if not lines:
            continue
        prose: list[str] = []
        bullets: list[str] = []
        for line in lines:
            stripped = line.lstrip()
            if stripped.startswith(("- ", "• ", "* ")):
                if prose:
                    blocks.append(Paragraph(" ".join(prose)))
                    prose = []
                bullets.append(stripped[2:].strip())
            else:
                if bullets:
                    blocks.append(Bullets(bullets))
                    bullets = []
                prose.append(stripped)
        if prose:
            blocks.append(Paragraph(" ".join(prose)))
        if bullets:
            blocks.append(Bullets(bullets))
    return blocks
