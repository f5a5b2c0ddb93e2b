"""Compare: two consultations, two places or two groups of respondents, theme by theme.

For each theme: the share of each group's commenting respondents who mentioned it, the
difference, and whether a two-proportion z-test at the chosen α finds it (`explore.
compare_groups`, run in a worker). Clicking group A's or group B's share — or the buttons below
the table — emits `filter_requested` for that theme in that group.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import explore, kinds
from engage.browse import CommentFilter, attribute_names, attribute_values, fetch_comments
from engage.changes import Changes
from engage.project import Project
from ui.filter_bar import attribute_label
from ui.tasks import TaskRunner
from ui.workbench.background import with_own_connection

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
THEME, PORTFOLIO, SHARE_A, SHARE_B, DIFFERENCE, TEST, KINDS_A, KINDS_B = range(8)
COLUMNS = 8
KINDS = (("two groups of respondents", "attribute"), ("two places", "place"),
         ("two consultations", "consultation"))
ALPHAS = (0.05, 0.01)
RELOAD_ON = ("consultations", "respondents", "comments", "places", "taxonomy", "codings")


@dataclass(frozen=True)
class Groups:
    a: CommentFilter
    b: CommentFilter
    a_label: str
    b_label: str
    alpha: float


def run_comparison(project: Project, groups: Groups) -> tuple[Groups, explore.Comparison]:
    return groups, explore.compare_groups(project, groups.a, groups.b, groups.alpha)


#: per theme: {"a": (asked for, praised, complained about), "b": (…)}, counted comments
KindFigures = dict[int, dict[str, tuple[int, ...]]]


def group_kinds(project: Project, groups: Groups) -> KindFigures | None:
    """What each group asked for, praised and complained about, theme by theme: the group's
    counted comments on the theme (as "list their comments" shows them) of each headline
    kind. None while no comment has a kind."""
    consultation_id = groups.a.consultation_id if groups.a.consultation_id == \
        groups.b.consultation_id else None
    counts = kinds.kind_counts(project, consultation_id)
    if not sum(n for k, n in counts.items() if k != "unknown"):
        return None
    members = {g: {row.id for row in fetch_comments(project, f.with_(counted_only=True), 0, -1)}
               for g, f in (("a", groups.a), ("b", groups.b))}
    out: KindFigures = {}
    for theme in kinds.kinds_by_theme(project, consultation_id):
        on_theme = [{r["comment_id"] for r in kinds.comments_of_kind(
            project, kind, theme_id=theme["theme_id"], consultation_id=consultation_id,
            limit=-1)} if theme[kind] else set() for kind in kinds.HEADLINE_KINDS]
        out[theme["theme_id"]] = {g: tuple(len(ids & group) for ids in on_theme)
                                  for g, group in members.items()}
    return out


def run_comparison_with_kinds(project: Project, groups: Groups
                              ) -> tuple[Groups, explore.Comparison, KindFigures | None]:
    return (groups, explore.compare_groups(project, groups.a, groups.b, groups.alpha),
            group_kinds(project, groups))


def kinds_text(figures: tuple[int, ...] | None) -> str:
    return "–" if figures is None else " / ".join(f"{n:,}" for n in figures)


def verdict(row: explore.ThemeDifference, alpha: float) -> str:
    if row.p_value is None:
        return row.note
    p = "p < 0.001" if row.p_value < 0.001 else f"p = {row.p_value:.3f}"
    if not row.significant:
        return f"no clear difference ({p})"
    return f"● {'A' if row.difference > 0 else 'B'} higher ({p})"


def _label(combo: QComboBox) -> str:
    """A group's name as chosen, without the respondent count shown beside it."""
    return combo.currentText().split(" (")[0]


class ComparisonModel(QAbstractTableModel):
    """One row per theme: shares in A and B, the difference, and the test's verdict."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.groups: Groups | None = None
        self.comparison: explore.Comparison | None = None
        self.kinds: KindFigures | None = None

    def set_comparison(self, groups: Groups | None, comparison: explore.Comparison | None,
                       kind_figures: KindFigures | None = None) -> None:
        self.beginResetModel()
        self.groups, self.comparison, self.kinds = groups, comparison, kind_figures
        self.endResetModel()

    def kind_figures(self, row: explore.ThemeDifference, group: str) -> tuple[int, ...] | None:
        """(asked for, praised, complained about) of a theme's counted comments in a group."""
        if self.kinds is None:
            return None
        return self.kinds.get(row.theme_id, {}).get(group, (0, 0, 0))

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() or self.comparison is None else len(self.comparison.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else COLUMNS

    def row_at(self, row: int) -> explore.ThemeDifference | None:
        if self.comparison is None or not 0 <= row < len(self.comparison.rows):
            return None
        return self.comparison.rows[row]

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMNS:
            return None
        a = self.groups.a_label if self.groups else "group A"
        b = self.groups.b_label if self.groups else "group B"
        if role == Qt.ItemDataRole.DisplayRole:
            return ("Theme", "Portfolio", f"A: {a}", f"B: {b}", "A − B",
                    "Difference?", "A: asked for / praised / complained",
                    "B: asked for / praised / complained")[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            alpha = self.groups.alpha if self.groups else explore.DEFAULT_ALPHA
            return (None, None,
                    f"Share of {a}'s respondents with a counted comment who mentioned the theme "
                    "(click to list their comments)",
                    f"Share of {b}'s respondents with a counted comment who mentioned the theme "
                    "(click to list their comments)",
                    "Difference in percentage points",
                    f"Two-sided two-proportion z-test at α = {alpha:g}; ● marks a difference "
                    "unlikely to be chance",
                    f"{a}'s counted comments on the theme that ask for something (a wish, a "
                    "priority or an idea), praise, and complain",
                    f"{b}'s counted comments on the theme that ask for something (a wish, a "
                    "priority or an idea), praise, and complain")[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or self.comparison is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == THEME:
                return row.theme
            if column == PORTFOLIO:
                return row.portfolio
            if column == SHARE_A:
                return f"{row.a_share:.1%}  ({row.a_count:,})"
            if column == SHARE_B:
                return f"{row.b_share:.1%}  ({row.b_count:,})"
            if column == DIFFERENCE:
                return f"{100 * row.difference:+.1f} pts"
            if column in (KINDS_A, KINDS_B):
                return kinds_text(self.kind_figures(row, "a" if column == KINDS_A else "b"))
            return verdict(row, self.comparison.alpha)
        if role == SORT_ROLE:
            if column in (KINDS_A, KINDS_B):  # by what the group asked for
                figures = self.kind_figures(row, "a" if column == KINDS_A else "b")
                return figures[0] if figures else -1
            return (row.theme, row.portfolio, row.a_share, row.b_share, row.difference,
                    row.p_value if row.p_value is not None else 2.0)[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (KINDS_A, KINDS_B):
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (SHARE_A, SHARE_B, DIFFERENCE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == TEST and row.significant:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole and column in (KINDS_A, KINDS_B):
            group = "a" if column == KINDS_A else "b"
            figures = self.kind_figures(row, group)
            label = self.groups.a_label if group == "a" else self.groups.b_label
            if figures is None:
                return "The kinds of comment are not classified yet."
            return (f"{row.theme}, {label}: {figures[0]:,} counted comments asked for something, "
                    f"{figures[1]:,} praised, {figures[2]:,} complained")
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.theme}: {row.a_count:,} of {self.comparison.a_respondents:,} in A, "
                    f"{row.b_count:,} of {self.comparison.b_respondents:,} in B. "
                    f"{verdict(row, self.comparison.alpha)}")
        return None

    def flags(self, index: QModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class CompareWidget(QWidget):
    filter_requested = Signal(object)   # engage.browse.CommentFilter
    compared = Signal()                 # a new comparison is on screen

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CompareWidget")
        self.project: Project | None = None
        self.consultation_id: int | None = None
        self.groups: Groups | None = None
        self._stale = False
        self.tasks = TaskRunner(self)
        self.tasks.finished.connect(self._compared)
        self.tasks.failed.connect(lambda message: self.notes.setText(f"Not compared: {message}"))
        self._build()
        self.set_project(project)

    @property
    def comparison(self) -> explore.Comparison | None:
        return self.model.comparison

    @property
    def busy(self) -> bool:
        return self.tasks.is_running()

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.kind = self._combo("What to compare")
        for text, kind in KINDS:
            self.kind.addItem(text, kind)
        self.attribute = self._combo("Respondent attribute")
        self.group_a = self._combo("Group A")
        self.group_b = self._combo("Group B")
        self.alpha = self._combo("Significance level")
        for alpha in ALPHAS:
            self.alpha.addItem(f"α = {alpha:g}", alpha)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.attribute.currentIndexChanged.connect(self._attribute_changed)
        for combo in (self.group_a, self.group_b, self.alpha):
            combo.currentIndexChanged.connect(self.compare)
        grid = QGridLayout()
        self.attribute_label = QLabel("&By:", self)
        self.attribute_label.setBuddy(self.attribute)
        for column, (text, widget) in enumerate((("&Compare:", self.kind), (None, None),
                                                 ("Group &A:", self.group_a),
                                                 ("Group &B:", self.group_b),
                                                 ("&Test:", self.alpha))):
            if widget is None:
                grid.addWidget(self.attribute_label, 0, 2 * column)
                grid.addWidget(self.attribute, 0, 2 * column + 1)
                continue
            label = QLabel(text, self)
            label.setBuddy(widget)
            grid.addWidget(label, 0, 2 * column)
            grid.addWidget(widget, 0, 2 * column + 1)
        for column in (1, 3, 5, 7):
            grid.setColumnStretch(column, 1)
        self.model = ComparisonModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setAccessibleName("Themes compared between the two groups")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DIFFERENCE, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        rows = self.table.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(THEME, QHeaderView.ResizeMode.Stretch)
        self.table.clicked.connect(self._cell_clicked)
        self.show_a = QPushButton("Comments from group A", self)
        self.show_b = QPushButton("Comments from group B", self)
        self.show_a.clicked.connect(lambda: self.request_comments(self._current_row(), "a"))
        self.show_b.clicked.connect(lambda: self.request_comments(self._current_row(), "b"))
        self.headline = QLabel(self)
        self.headline.setAccessibleName("Group sizes")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.notes = QLabel(self)
        self.notes.setAccessibleName("How to read the comparison")
        self.notes.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.headline, 1)
        buttons.addWidget(QLabel("For the selected theme:", self))
        buttons.addWidget(self.show_a)
        buttons.addWidget(self.show_b)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        return combo

    # ----- choices -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.consultation_id = None
        self._kind_changed()

    def set_consultation(self, consultation_id: int | None) -> None:
        """Places and respondent groups are compared within this consultation (None: all)."""
        if consultation_id != self.consultation_id:
            self.consultation_id = consultation_id
            if self.kind.currentData() == "attribute":
                self._fill_attributes()
            else:
                self.compare()

    def set_groups_by_attribute(self, name: str, value_a: str, value_b: str,
                                consultation_id: int | None = None) -> None:
        """Compare two values of a respondent attribute, e.g. age band 18-24 against 75+."""
        self.consultation_id = consultation_id
        self.kind.blockSignals(True)
        self._select(self.kind, "attribute")
        self.kind.blockSignals(False)
        self._kind_changed()
        self._select(self.attribute, name)
        self._select(self.group_a, value_a)
        self._select(self.group_b, value_b)

    @staticmethod
    def _select(combo: QComboBox, data) -> None:
        found = combo.findData(data)
        if found >= 0:
            combo.setCurrentIndex(found)

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self.attribute.setVisible(kind == "attribute")
        self.attribute_label.setVisible(kind == "attribute")
        if kind == "attribute":
            self._fill_attributes()
        else:
            choices = []
            if self.project is not None and kind == "consultation":
                choices = [(c["name"], c["id"]) for c in self.project.consultations()]
            elif self.project is not None:
                choices = [(p["name"], p["id"]) for p in self.project.places()]
            self._fill_groups(choices)

    def _fill_attributes(self) -> None:
        names = attribute_names(self.project, self.consultation_id) if self.project else []
        current = self.attribute.currentData()
        self.attribute.blockSignals(True)
        self.attribute.clear()
        for name in names:
            self.attribute.addItem(attribute_label(name), name)
        self._select(self.attribute, current)
        self.attribute.blockSignals(False)
        self._attribute_changed()

    def _attribute_changed(self) -> None:
        name = self.attribute.currentData()
        values = attribute_values(self.project, name, self.consultation_id) \
            if self.project is not None and name else []
        self._fill_groups([(f"{value} ({count:,})", value) for value, count in values])

    def _fill_groups(self, choices: list[tuple[str, object]]) -> None:
        """Offer the same choices for both groups, keeping picks that are still there."""
        kept = (self.group_a.currentData(), self.group_b.currentData())
        for combo in (self.group_a, self.group_b):
            combo.blockSignals(True)
            combo.clear()
            for text, value in choices:
                combo.addItem(text, value)
        for combo, value, default in ((self.group_a, kept[0], 0), (self.group_b, kept[1], 1)):
            found = combo.findData(value) if value is not None else -1
            combo.setCurrentIndex(found if found >= 0 else min(default, combo.count() - 1))
            combo.blockSignals(False)
        self.compare()

    def on_changes(self, changes: Changes) -> None:
        if self.project is None:
            return
        if changes.consultations or changes.places or changes.respondents:
            self._kind_changed()
        elif any(getattr(changes, flag) for flag in RELOAD_ON):
            self.compare()

    # ----- comparing -----------------------------------------------------------------------
    def current_groups(self) -> Groups | None:
        kind, a, b = self.kind.currentData(), self.group_a.currentData(), self.group_b.currentData()
        if self.project is None or a is None or b is None:
            return None
        base = CommentFilter(consultation_id=self.consultation_id)
        if kind == "consultation":
            fa, fb = CommentFilter(consultation_id=a), CommentFilter(consultation_id=b)
        elif kind == "place":
            fa, fb = base.with_(place_id=a), base.with_(place_id=b)
        else:
            name = self.attribute.currentData()
            fa, fb = base.with_(attributes=((name, a),)), base.with_(attributes=((name, b),))
        return Groups(fa, fb, _label(self.group_a), _label(self.group_b),
                      self.alpha.currentData())

    def compare(self) -> None:
        groups = self.current_groups()
        if groups is None:
            self.tasks.cancel()
            self.groups = None
            self.model.set_comparison(None, None)
            self.headline.setText("")
            self.notes.setText("Choose two groups to compare." if self.project else "")
            return
        self.groups = groups
        if not self.isVisible():  # hidden (another tab): compare when shown, not now
            self._stale = True
            return
        self._stale = False
        self.headline.setText(f"Comparing <b>{groups.a_label}</b> with <b>{groups.b_label}</b>…")
        self.tasks.start(with_own_connection(self.project.path, run_comparison_with_kinds,
                                             groups),
                         "Comparing groups")

    def _compared(self, result: tuple) -> None:
        groups, comparison, *more = result
        if groups != self.groups:
            return
        self.model.set_comparison(groups, comparison, more[0] if more else None)
        self.headline.setText(
            f"<b>A</b>: {groups.a_label} — {comparison.a_respondents:,} respondents who "
            f"commented · <b>B</b>: {groups.b_label} — {comparison.b_respondents:,}")
        marked = sum(row.significant for row in comparison.rows)
        self.notes.setText(
            f"● marks {marked} of {len(comparison.rows)} themes where a two-sided "
            f"two-proportion z-test at α = {comparison.alpha:g} finds a difference unlikely to "
            "be chance. Shares are of each group's respondents with a counted comment. "
            + " ".join(comparison.notes)
            + (" Asked for / praised / complained: the group's counted comments on the theme "
               "that ask for something (a wish, a priority or an idea), praise, or complain."
               if self.model.kinds is not None else ""))
        self.compared.emit()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.compare()

    # ----- clicks --------------------------------------------------------------------------
    def _current_row(self) -> int:
        index = self.table.currentIndex()
        return self.proxy.mapToSource(index).row() if index.isValid() else -1

    def _cell_clicked(self, index: QModelIndex) -> None:
        column = index.column()
        if column in (SHARE_A, SHARE_B):
            self.request_comments(self.proxy.mapToSource(index).row(),
                                  "a" if column == SHARE_A else "b")

    def request_comments(self, source_row: int, group: str) -> None:
        """Emit the filter for one theme's comments in group "a" or "b"."""
        row = self.model.row_at(source_row)
        groups = self.model.groups
        if row is None or groups is None:
            return
        f = groups.a if group == "a" else groups.b
        self.filter_requested.emit(f.with_(theme_id=row.theme_id, counted_only=True))
