"""The dashboard's charts (QtCharts), each bar clickable through to what it counts.

Charts take the core's dashboard records and emit the activity ids or the `CommentFilter`
behind the bar that was clicked; they never query anything themselves.
"""

from __future__ import annotations

import math

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalStackedBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen

from engage.coproduction.dashboard import LevelRow, Month, Rates
from engage.coproduction.vocab import LEVELS
from ui.coproduction.models import LEVEL_COLOURS, UNDER_HEARD_COLOUR

HEARD_COLOUR = "#6c8ebf"


def _chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    font = QFont()
    font.setBold(True)
    chart.setTitleFont(font)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def _value_axis(largest: float, decimals: int = 0) -> QValueAxis:
    """A value axis from 0 to a round number just above `largest`, ticks on round steps."""
    target = max(largest * 1.08, 1.0)
    magnitude = 10 ** math.floor(math.log10(target / 4))
    step = next(s * magnitude for s in (1, 2, 2.5, 5, 10) if s * magnitude * 5 >= target)
    if decimals == 0:
        step = max(1, round(step))
    axis = QValueAxis()
    axis.setRange(0, step * math.ceil(target / step))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setLabelFormat(f"%.{decimals if step < 1 else 0}f")
    return axis


def _category_axis(labels: list[str], angle: int = 0) -> QBarCategoryAxis:
    axis = QBarCategoryAxis()
    axis.append(labels)
    axis.setTruncateLabels(False)
    if angle:
        axis.setLabelsAngle(angle)
    return axis


def _period_label(period: str) -> str:
    """'2019-03' → 'Mar 19'; '2019-Q1' → 'Q1 19'."""
    if "Q" in period:
        return f"{period[5:]} {period[2:4]}"
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{names[int(period[5:7]) - 1]} {period[2:4]}"


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[:limit - 1].rstrip(" ,") + "…"


class ChartView(QChartView):
    """A chart view with antialiasing and a minimum size that keeps labels readable."""

    def __init__(self, parent=None, accessible_name: str = "") -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(accessible_name)
        self.setMinimumSize(320, 260)


class RatesChart(ChartView):
    """Responses per 1,000 people by locality, under-heard places in a warning colour."""

    comments_requested = Signal(object, str)      # CommentFilter, label

    def __init__(self, parent=None) -> None:
        super().__init__(parent, "Responses per 1,000 people by locality")
        self.rates: Rates | None = None

    def show_rates(self, rates: Rates) -> None:
        self.rates = rates
        rows = list(reversed(rates.rows))   # horizontal bars draw from the bottom up
        chart = _chart("Responses per 1,000 people")
        heard = QBarSet("heard")
        under = QBarSet("under-heard")
        heard.setColor(QColor(HEARD_COLOUR))
        under.setColor(QColor(UNDER_HEARD_COLOUR))
        for row in rows:
            value = row.rate or 0.0
            heard.append(0.0 if row.under_heard else value)
            under.append(value if row.under_heard else 0.0)
        series = QHorizontalStackedBarSeries()
        series.append(heard)
        series.append(under)
        series.setBarWidth(0.7)
        chart.addSeries(series)
        categories = _category_axis(
            [r.name + ("*" if r.population_is_estimate else "") for r in rows])
        values = _value_axis(max([r.rate or 0.0 for r in rows] + [rates.county_rate or 0.0]))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)
        if rates.county_rate:
            self._line(chart, "county rate", rates.county_rate, len(rows), "#333333",
                       Qt.PenStyle.SolidLine, categories, values)
            self._line(chart, f"{rates.threshold:g} × county",
                       rates.county_rate * rates.threshold, len(rows), UNDER_HEARD_COLOUR,
                       Qt.PenStyle.DashLine, categories, values)
        heard.clicked.connect(lambda i: self._clicked(rows, i))
        under.clicked.connect(lambda i: self._clicked(rows, i))
        self.setChart(chart)
        self.setToolTip(rates.rule)

    @staticmethod
    def _line(chart: QChart, name: str, x: float, n: int, colour: str, style, categories,
              values) -> None:
        line = QLineSeries()
        line.setName(name)
        line.append(QPointF(x, -0.5))
        line.append(QPointF(x, n - 0.5))
        pen = QPen(QColor(colour))
        pen.setWidth(2)
        pen.setStyle(style)
        line.setPen(pen)
        chart.addSeries(line)
        line.attachAxis(values)
        line.attachAxis(categories)

    def _clicked(self, rows, index: int) -> None:
        row = rows[index]
        self.comments_requested.emit(row.comment_filter, f"Comments from {row.name}")


class _LevelBars(ChartView):
    """Stacked bars, one set per participation level, coloured like the register."""

    activities_requested = Signal(object, str)    # activity ids, label

    def _level_sets(self) -> dict[str, QBarSet]:
        sets = {}
        for level in LEVELS:
            bar = QBarSet(level)
            bar.setColor(QColor(LEVEL_COLOURS[level]))
            bar.setBorderColor(QColor("#ffffff"))
            sets[level] = bar
        return sets


class LevelsChart(_LevelBars):
    """How deep engagement went in each place: activities per level."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, "Participation levels by place")

    def show_levels(self, rows: list[LevelRow]) -> None:
        rows = list(reversed(rows))
        chart = _chart("Activities by participation level and place")
        sets = self._level_sets()
        for row in rows:
            for level in LEVELS:
                sets[level].append(len(row.ids_by_level[level]))
        series = QHorizontalStackedBarSeries()
        for level in LEVELS:
            series.append(sets[level])
            sets[level].clicked.connect(
                lambda i, lv=level: self._clicked(rows, i, lv))
        series.setBarWidth(0.7)
        chart.addSeries(series)
        categories = _category_axis([_short(r.place.name) + (" (≤ consult)"
                                                             if r.never_above_consult else "")
                                     for r in rows])
        values = _value_axis(max([r.total for r in rows] + [1]))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(categories)
        series.attachAxis(values)
        self.setChart(chart)
        self.setToolTip("(≤ consult) marks a place where no activity went beyond consulting "
                        "people")

    def _clicked(self, rows: list[LevelRow], index: int, level: str) -> None:
        row = rows[index]
        self.activities_requested.emit(row.ids_by_level[level],
                                       f"{row.place.name}: {level} activities")


class TimelineChart(_LevelBars):
    """Activities by the month they started, stacked by level."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent, "Activities by month")

    def show_months(self, months: list[Month], undated: tuple[int, ...]) -> None:
        quarterly = bool(months) and "Q" in months[0].month
        title = f"Activities by {'quarter' if quarterly else 'month'} started"
        if undated:
            title += f" ({len(undated)} undated not shown)"
        chart = _chart(title)
        sets = self._level_sets()
        for month in months:
            for level in LEVELS:
                sets[level].append(len(month.ids_by_level[level]))
        series = QStackedBarSeries()
        for level in LEVELS:
            series.append(sets[level])
            sets[level].clicked.connect(lambda i, lv=level: self._clicked(months, i, lv))
        series.setBarWidth(0.8)
        chart.addSeries(series)
        categories = _category_axis([_period_label(m.month) for m in months] or ["no dates"],
                                    angle=-90 if len(months) > 12 else 0)
        values = _value_axis(max([len(m.activity_ids) for m in months] + [1]))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(values, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        series.attachAxis(values)
        self.setChart(chart)

    def _clicked(self, months: list[Month], index: int, level: str) -> None:
        month = months[index]
        self.activities_requested.emit(month.ids_by_level[level],
                                       f"{_period_label(month.month)}: {level} activities")
