"""Theme chips: small rounded labels, filled when a theme counts, outlined when only suggested.

Colour says which portfolio a theme belongs to (the same colour for a portfolio everywhere in
the workbench); fill says whether it counts in the figures; a tick says an officer accepted it.
Fills are blended with the view's base colour, so text stays readable in light and dark themes.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.workbench.coding_model import CODINGS_ROLE

#: One hue per portfolio, by its position; a taxonomy with more portfolios wraps round.
PORTFOLIO_COLOURS = ("#2a78b5", "#2e9e63", "#c8552d", "#7b52ab", "#b3831b", "#b23a78",
                     "#3c8f99", "#6b7d2a")
#: Highlight colours for evidence in the detail pane: one per theme on the comment.
HIGHLIGHT_COLOURS = ("#ffd54f", "#81d4fa", "#a5d6a7", "#f8bbd0", "#ffcc80", "#ce93d8",
                     "#b0bec5", "#e6ee9c")
_H_PAD, _GAP, _RADIUS = 6, 4, 8


def portfolio_colour(portfolio_position: int) -> QColor:
    return QColor(PORTFOLIO_COLOURS[portfolio_position % len(PORTFOLIO_COLOURS)])


def blend(colour: QColor, base: QColor, amount: float) -> QColor:
    """`amount` of `colour` over `base`."""
    return QColor(round(colour.red() * amount + base.red() * (1 - amount)),
                  round(colour.green() * amount + base.green() * (1 - amount)),
                  round(colour.blue() * amount + base.blue() * (1 - amount)))


def chip_label(coding: dict) -> str:
    return ("✓ " if coding["decision"] == "accepted" else "") + coding["theme"]


class ChipDelegate(QStyledItemDelegate):
    """Paints the CODINGS_ROLE of a cell as chips; `portfolio_index` maps portfolio id to a
    colour position (set by the view when the taxonomy changes)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.portfolio_index: dict[int, int] = {}

    def chip_colour(self, coding: dict) -> QColor:
        return portfolio_colour(self.portfolio_index.get(coding.get("portfolio_id"), 0))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        codings = index.data(CODINGS_ROLE)
        if not codings:
            super().paint(painter, option, index)
            return
        style = option.widget.style() if option.widget else None
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        if style is not None:  # selection background and focus, without the text
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        palette = option.palette
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        metrics = QFontMetrics(option.font)
        height = min(option.rect.height() - 4, metrics.height() + 4)
        x = option.rect.left() + 3
        y = option.rect.top() + (option.rect.height() - height) / 2
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        right = option.rect.right() - 3
        more_width = metrics.horizontalAdvance("+99") + _GAP
        for i, coding in enumerate(codings):
            label = chip_label(coding)
            width = metrics.horizontalAdvance(label) + 2 * _H_PAD
            last = i == len(codings) - 1
            room = right - x - (0 if last else more_width)
            if i == 0 and width > room:  # never a bare "+N": elide the first chip instead
                label = metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                           max(0, int(room) - 2 * _H_PAD))
                width = metrics.horizontalAdvance(label) + 2 * _H_PAD
            if width > room:
                more = f"+{len(codings) - i}"
                painter.setPen(text)
                painter.drawText(QRectF(x, y, right - x, height),
                                 Qt.AlignmentFlag.AlignVCenter, more)
                break
            rect = QRectF(x, y, width, height)
            colour = self.chip_colour(coding)
            if coding["active"]:
                painter.setBrush(blend(colour, base, 0.35))
                painter.setPen(QPen(colour, 1.2))
            else:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(colour, 1.2, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(rect, _RADIUS, _RADIUS)
            painter.setPen(text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            x += width + _GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        codings = index.data(CODINGS_ROLE) or []
        metrics = QFontMetrics(option.font)
        width = sum(metrics.horizontalAdvance(chip_label(c)) + 2 * _H_PAD + _GAP
                    for c in codings) + 6
        return QSize(max(width, 60), metrics.height() + 8)
