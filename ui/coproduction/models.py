"""Item models over the co-production core's queries: thin, read-only, rebuilt on refresh.

Each table model holds the rows one core call returned (registers are hundreds of rows, not
millions, so no paging is needed) and knows how to show them. Writes never go through a
model: views call the core and then `refresh()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from engage.coproduction import actions as core_actions
from engage.coproduction import placeadmin
from engage.coproduction import store as core_store
from engage.coproduction.vocab import LEVEL_MEANINGS, LEVELS
from engage.project import Project

_Index = QModelIndex
ID_ROLE = Qt.ItemDataRole.UserRole + 1

#: One colour per rung of the ladder, light to dark, so "deeper" reads as "darker" everywhere.
LEVEL_COLOURS = {"inform": "#dbe9f6", "consult": "#9ecae1", "involve": "#4a98c9",
                 "co-design": "#2171b5", "co-produce": "#08306b"}
UNDER_HEARD_COLOUR = "#d95f0e"


def level_brush(level: str | None) -> QBrush | None:
    return QBrush(QColor(LEVEL_COLOURS[level])) if level in LEVEL_COLOURS else None


def level_text_colour(level: str | None) -> QColor:
    dark = level in ("involve", "co-design", "co-produce")
    return QColor("white") if dark else QColor("black")


def level_tooltip(level: str | None) -> str:
    return f"{level}: {LEVEL_MEANINGS[level]}" if level in LEVEL_MEANINGS else ""


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    text: Callable[[dict], str] | None = None     # how to show the value (default: str)
    align_right: bool = False


class RowsModel(QAbstractTableModel):
    """A table of dict rows with fixed columns; subclasses say how to load and colour them."""

    COLUMNS: tuple[Column, ...] = ()

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self._project = project
        self._rows: list[dict] = []
        if project is not None:
            self.refresh()

    # ----- loading -----------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self._project = project
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        self._rows = self.load(self._project) if self._project is not None else []
        self.endResetModel()

    def load(self, project: Project) -> list[dict]:
        raise NotImplementedError

    def row_data(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key, field: str = "id") -> int:
        return next((i for i, r in enumerate(self._rows) if r.get(field) == key), -1)

    # ----- Qt's interface ----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.COLUMNS)):
            return self.COLUMNS[section].title
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)) \
                or not (0 <= index.column() < len(self.COLUMNS)):
            return None
        row, column = self._rows[index.row()], self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column.text is not None:
                return column.text(row)
            value = row.get(column.key)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and column.align_right:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ID_ROLE:
            return row.get("id")
        return self.extra(row, column, role)

    def extra(self, row: dict, column: Column, role: int):
        """Colours and tooltips; none by default."""
        return None


def _people(row: dict) -> str:
    return "" if row.get("participants") is None else f"{row['participants']:,}"


def _portfolio_text(row: dict) -> str:
    confirmed = [p for p in row["portfolios"].split("; ") if p]
    suggested = [f"{p} (suggested)" for p in row["suggested_portfolios"].split("; ") if p]
    return "; ".join(confirmed + suggested)


class ActivityTableModel(RowsModel):
    COLUMNS = (
        Column("start_date", "Start"),
        Column("title", "Activity"),
        Column("type", "Type"),
        Column("level", "Level"),
        Column("participants", "People", _people, align_right=True),
        Column("places", "Places"),
        Column("portfolios", "Portfolios", _portfolio_text),
        Column("partners", "Partners"),
        Column("groups_reached", "Groups reached"),
    )
    LEVEL_COLUMN = 3

    def __init__(self, project: Project | None = None, parent=None,
                 activity_filter: core_store.ActivityFilter | None = None) -> None:
        self._filter = activity_filter or core_store.ActivityFilter()
        super().__init__(project, parent)

    def set_filter(self, activity_filter: core_store.ActivityFilter) -> None:
        self._filter = activity_filter
        self.refresh()

    def activity_filter(self) -> core_store.ActivityFilter:
        return self._filter

    def load(self, project: Project) -> list[dict]:
        return core_store.list_activities(project, self._filter)

    def extra(self, row: dict, column: Column, role: int):
        if column.key == "level":
            if role == Qt.ItemDataRole.BackgroundRole:
                return level_brush(row["level"])
            if role == Qt.ItemDataRole.ForegroundRole:
                return level_text_colour(row["level"])
            if role == Qt.ItemDataRole.ToolTipRole:
                return level_tooltip(row["level"])
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "title":
            return row["description"] or None
        if role == Qt.ItemDataRole.ToolTipRole and column.key == "portfolios" \
                and row["suggested_portfolios"]:
            return "Suggested from the description; open the activity to confirm or change it."
        if role == Qt.ItemDataRole.FontRole and column.key == "portfolios" \
                and row["suggested_portfolios"] and not row["portfolios"]:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setItalic(True)
            return font
        return None


STATUS_COLOURS = {"planned": "#fff3bf", "in progress": "#d0ebff", "done": "#d3f9d8",
                  "not taken forward": "#e9ecef"}


def _status_text(row: dict) -> str:
    return row["status"] + (" — overdue" if row.get("overdue") else "")


class ActionTableModel(RowsModel):
    COLUMNS = (
        Column("title", "You said"),
        Column("decision", "We did"),
        Column("status", "Status", _status_text),
        Column("owner", "Owner"),
        Column("portfolio", "Portfolio"),
        Column("due_date", "Due"),
        Column("themes", "Themes"),
        Column("supporting_comments", "Comments", align_right=True),
        Column("activities", "Activities", align_right=True),
    )

    def __init__(self, project: Project | None = None, parent=None) -> None:
        self._ids: tuple[int, ...] | None = None
        super().__init__(project, parent)

    def set_ids(self, ids: tuple[int, ...] | None) -> None:
        self._ids = ids
        self.refresh()

    def load(self, project: Project) -> list[dict]:
        return core_actions.list_actions(project, action_ids=self._ids)

    def extra(self, row: dict, column: Column, role: int):
        if column.key == "status" and role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(STATUS_COLOURS.get(row["status"], "#ffffff")))
        if column.key == "status" and role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#a61e4d") if row.get("overdue") else QColor("black")
        if role == Qt.ItemDataRole.ToolTipRole and column.key in ("title", "decision", "status"):
            return row["reason"] if column.key == "status" and row["reason"] else \
                row[column.key] or None
        return None


class PostcodeTableModel(RowsModel):
    COLUMNS = (Column("district", "District"), Column("place", "Locality"),
               Column("respondents", "Respondents", align_right=True))

    def load(self, project: Project) -> list[dict]:
        return placeadmin.postcode_table(project)


class UnplacedTableModel(RowsModel):
    """Respondents with no place, grouped by what they wrote."""

    COLUMNS = (Column("respondents", "Respondents", align_right=True),
               Column("place_raw", "Place as written", lambda r: r["place_raw"] or "(blank)"),
               Column("postcode_district", "Postcode district",
                      lambda r: r["postcode_district"] or "(none)"))

    def __init__(self, project: Project | None = None, parent=None) -> None:
        self.count = 0
        super().__init__(project, parent)

    def load(self, project: Project) -> list[dict]:
        found = placeadmin.unplaced_respondents(project)
        self.count = found["count"]
        return found["groups"]


class UnplacedRespondentModel(RowsModel):
    """The respondents with no place themselves (the first few hundred), by id."""

    COLUMNS = (Column("external_id", "Respondent"), Column("consultation", "Consultation"),
               Column("place_raw", "Place as written", lambda r: r["place_raw"] or ""),
               Column("postcode_district", "District", lambda r: r["postcode_district"] or ""))

    def load(self, project: Project) -> list[dict]:
        return placeadmin.unplaced_respondents(project, limit=500)["respondents"]


class PlaceTreeModel(QAbstractItemModel):
    """The place hierarchy: ICS → councils and partnerships → localities → PCNs and wards."""

    HEADERS = ("Place", "Kind", "Population", "Respondents", "Aliases")

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self._project = project
        self._rows: dict[int, dict] = {}
        self._children: dict[int | None, list[int]] = {}
        self.refresh()

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self.refresh()

    def refresh(self) -> None:
        self.beginResetModel()
        rows = placeadmin.place_tree(self._project) if self._project is not None else []
        self._rows = {row["id"]: row for row in rows}
        self._children = {}
        for row in rows:
            self._children.setdefault(row["parent_id"], []).append(row["id"])
        self.endResetModel()

    def place(self, index: _Index) -> dict | None:
        return self._rows.get(index.internalId()) if index.isValid() else None

    def index_of(self, place_id: int) -> QModelIndex:
        row = self._rows.get(place_id)
        if row is None:
            return QModelIndex()
        siblings = self._children.get(row["parent_id"], [])
        return self.createIndex(siblings.index(place_id), 0, place_id)

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        parent_id = parent.internalId() if parent.isValid() else None
        children = self._children.get(parent_id, [])
        if not (0 <= row < len(children)) or not (0 <= column < len(self.HEADERS)):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        row = self._rows.get(index.internalId())
        if row is None or row["parent_id"] is None:
            return QModelIndex()
        return self.index_of(row["parent_id"])

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() and parent.column() != 0:
            return 0
        parent_id = parent.internalId() if parent.isValid() else None
        return len(self._children.get(parent_id, []))

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self.HEADERS)):
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.place(index)
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 2 and row["population_is_estimate"]:
            return "An estimate, not a census count"
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return (f"{row['respondents']:,} placed here directly; "
                    f"{row['respondents_total']:,} including places inside it")
        if role == ID_ROLE:
            return row["id"]
        return None

    @staticmethod
    def _display(row: dict, column: int) -> str:
        if column == 0:
            return row["name"]
        if column == 1:
            return row["kind_label"]
        if column == 2:
            if row["population"] is None:
                return ""
            return f"{row['population']:,}" + (" (est.)" if row["population_is_estimate"] else "")
        if column == 3:
            return f"{row['respondents_total']:,}"
        return ", ".join(row["aliases"])


def level_choices() -> tuple[str, ...]:
    return LEVELS
