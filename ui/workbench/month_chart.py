"""Comments per month for the overview's selection (QtCharts); a click on a bar says which.

The chart never queries: the overview hands it the months and the series to draw, and turns a
clicked bar (a theme or portfolio, a month) into a comment filter.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCharts import QBarCategoryAxis, QBarSeries, QBarSet, QChart, QChartView, QValueAxis
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette

from engage.analysis import explore

#: Mid-tone portfolio colours (the reports' hues, lightened where a dark base needs it).
SERIES_COLOURS = ("#2f7fd0", "#00a499", "#ed8b00", "#8a5cc7", "#c0407f", "#41b6e6",
                  "#8c9aa5", "#a0522d")


@dataclass(frozen=True)
class Series:
    name: str
    key: tuple[str, int]     # ("theme", id) or ("portfolio", id)
    counts: list[int]        # one per month


def axis_label(month: str, many: bool) -> str:
    """'2013-03' → 'Mar 2013', or 'Mar 13' when there are many months to fit."""
    label = explore.month_label(month)
    return f"{label[:4]}{label[-2:]}" if many else label


def value_axis(largest: float) -> QValueAxis:
    """0 to a round number just above `largest`, ticks on round steps, thousands separated."""
    target = max(largest * 1.08, 4.0)
    magnitude = 10 ** math.floor(math.log10(target / 4))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude * 5 >= target)
    step = max(1, round(step))
    axis = QValueAxis()
    axis.setRange(0, step * math.ceil(target / step))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat("%.0f")
    return axis


class MonthChart(QChartView):
    bar_clicked = Signal(object, str)   # key ("theme" | "portfolio", id), month "2013-03"

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Comments by month")
        self.setMinimumSize(320, 220)
        self.months: list[str] = []
        self.series: list[Series] = []
        self.bar_sets: list[QBarSet] = []
        self.show_series("Comments by month", [], [])

    def show_series(self, title: str, months: list[str], series: list[Series],
                    undated: int = 0) -> None:
        self.months, self.series = list(months), list(series)
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setLocalizeNumbers(True)  # thousands separators on the value axis
        chart.setMargins(QMargins(4, 4, 4, 4))
        font = QFont()
        font.setBold(True)
        chart.setTitleFont(font)
        chart.setTitle(title + (f" ({undated:,} undated not shown)" if undated else ""))
        bars = QBarSeries()
        self.bar_sets = []
        for number, item in enumerate(series):
            bar_set = QBarSet(item.name)
            bar_set.setColor(QColor(SERIES_COLOURS[number % len(SERIES_COLOURS)]))
            bar_set.setBorderColor(QColor(SERIES_COLOURS[number % len(SERIES_COLOURS)]))
            bar_set.append([float(n) for n in item.counts])
            bar_set.clicked.connect(lambda i, key=item.key: self._clicked(key, i))
            bar_set.hovered.connect(lambda on, i, it=item: self._hovered(on, i, it))
            bars.append(bar_set)
            self.bar_sets.append(bar_set)
        bars.setBarWidth(0.8)
        chart.addSeries(bars)
        many = len(months) > 8
        categories = QBarCategoryAxis()
        categories.append([axis_label(m, many) for m in months] or ["no dated comments"])
        if len(months) > 14:
            categories.setLabelsAngle(-90)
        values = value_axis(max((max(s.counts, default=0) for s in series), default=0))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        bars.attachAxis(categories)
        bars.attachAxis(values)
        chart.legend().setVisible(len(series) > 1)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        self._follow_palette(chart)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def _follow_palette(self, chart: QChart) -> None:
        """Background, titles, labels and grid from the widget's palette (light or dark)."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = palette.color(QPalette.ColorRole.Mid)
        chart.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
        chart.setTitleBrush(QBrush(text))
        chart.legend().setLabelColor(text)
        for axis in chart.axes():
            axis.setLabelsColor(text)
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)

    def bar_position(self, set_index: int, month_index: int) -> QPointF:
        """The middle of one bar in view coordinates (for tests and tooltips)."""
        chart = self.chart()
        bars = chart.series()[0]
        count = len(self.series)
        offset = (set_index + 0.5) / count * 0.8 - 0.4
        value = self.series[set_index].counts[month_index] / 2
        point = chart.mapToPosition(QPointF(month_index + offset, value), bars)
        return self.mapFromScene(chart.mapToScene(point))

    def _clicked(self, key: tuple[str, int], month_index: int) -> None:
        if 0 <= month_index < len(self.months):
            self.bar_clicked.emit(key, self.months[month_index])

    def _hovered(self, on: bool, month_index: int, item: Series) -> None:
        if on and 0 <= month_index < len(self.months):
            self.setToolTip(f"{item.name}, {explore.month_label(self.months[month_index])}: "
                            f"{item.counts[month_index]:,} comments. Click to list them.")
        else:
            self.setToolTip("")
