"""The five-level sentiment bar (1 very positive … 5 very negative), its delegate and legend.

Blue for positive, grey for neutral, orange for negative — the reports' scale, readable with
red–green colour blindness. The shades are mid-tone so the bar reads on a light or a dark
base; each segment is outlined in the palette's mid colour, so the pale neutral never melts
into a light background.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from engage.reports.summary import SENTIMENT_LABELS

SENTIMENT_COLOURS = ("#1f6fbf", "#6fa8dc", "#a7b1b7", "#f0a040", "#d0600c")
#: Counts of comments at levels 1..5, as a tuple, under this role (empty: nothing to draw).
SENTIMENT_ROLE = Qt.ItemDataRole.UserRole + 20


def sentiment_colour(level: int) -> QColor:
    return QColor(SENTIMENT_COLOURS[level - 1])


def describe(counts: Sequence[int]) -> str:
    """'40% positive · 25% neutral · 35% negative (of 120 with a sentiment)'."""
    rated = sum(counts)
    if not rated:
        return "no sentiment yet"
    positive, neutral, negative = counts[0] + counts[1], counts[2], counts[3] + counts[4]
    return (f"{positive / rated:.0%} positive · {neutral / rated:.0%} neutral · "
            f"{negative / rated:.0%} negative (of {rated:,} with a sentiment)")


def paint_bar(painter: QPainter, rect: QRect, counts: Sequence[int], outline: QColor) -> None:
    """Stacked shares of the five levels across `rect`, left (very positive) to right."""
    rated = sum(counts)
    if not rated or rect.width() < 4:
        return
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    left = float(rect.left())
    for level, count in enumerate(counts, start=1):
        if not count:
            continue
        width = rect.width() * count / rated
        painter.fillRect(QRectF(left, rect.top(), width, rect.height()), sentiment_colour(level))
        left += width
    painter.setPen(QPen(outline, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(rect.adjusted(0, 0, -1, -1))
    painter.restore()


class SentimentBarDelegate(QStyledItemDelegate):
    """Paints the counts under SENTIMENT_ROLE as a bar; selection and focus as usual."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        counts = index.data(SENTIMENT_ROLE) or ()
        margin = max(3, option.rect.height() // 5)
        rect = option.rect.adjusted(4, margin, -6, -margin)
        paint_bar(painter, rect, counts, option.palette.color(QPalette.ColorRole.Mid))

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 140), hint.height())


class SentimentLegend(QWidget):
    """A swatch and a name for each level, in one line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Sentiment colours")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(QLabel("Sentiment:", self))
        for level, name in SENTIMENT_LABELS.items():
            swatch = QLabel(self)
            swatch.setFixedSize(14, 14)
            swatch.setStyleSheet(f"background: {SENTIMENT_COLOURS[level - 1]}; "
                                 "border: 1px solid palette(mid);")
            layout.addWidget(swatch)
            layout.addWidget(QLabel(name, self))
        layout.addStretch(1)
