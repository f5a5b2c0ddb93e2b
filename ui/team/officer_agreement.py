"""Officer-vs-officer agreement, under the Agreement tab's model-vs-officer table.

On the comments several officers all coded (a share-out's overlap sample): percent agreement
and Cohen's kappa (two officers) or Fleiss' kappa (three or more), per theme and overall, from
`engage.team.kappa`. Double-click a theme to list the comments the officers split on.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engage.browse import CommentFilter
from engage.project import Project
from engage.team.kappa import officer_agreement

NONE_YET = ("<b>Officer against officer.</b> No comment has been coded by more than one "
            "officer yet. Share the work out with an overlap sample (File → Share Out for "
            "Coding…) and merge the files back to see how far officers agree.")


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:.0%}" if percent else f"{value:.2f}"


class OfficerAgreementPanel(QWidget):
    comments_requested = Signal(object)  # CommentFilter of the comments officers split on

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OfficerAgreementPanel")
        self.summary = QLabel(NONE_YET, self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Officer agreement summary")
        self.table = QTableWidget(0, 5, self)
        self.table.setAccessibleName("Officer agreement per theme")
        self.table.setHorizontalHeaderLabels(["Theme", "Comments", "Agreement", "Kappa",
                                              "Split on"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._open)
        self.table.setMaximumHeight(220)
        self.table.hide()
        self._split: list[list[int]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)

    def refresh(self, project: Project | None, consultation_id: int | None) -> None:
        result = officer_agreement(project, consultation_id) if project is not None else None
        self._consultation = consultation_id
        if result is None:
            self.summary.setText(NONE_YET)
            self.table.hide()
            return
        names = ", ".join(result.officers)
        text = (f"<b>Officer against officer</b> ({names}) on the <b>{result.comments:,}</b> "
                f"comments they all coded: they agree on <b>{_fmt(result.agreement, True)}</b>"
                f" of theme decisions; {result.method} <b>{_fmt(result.kappa)}</b> over all "
                "themes")
        if result.sentiment_items:
            text += (f", <b>{_fmt(result.sentiment_kappa)}</b> on sentiment "
                     f"({_fmt(result.sentiment_agreement, True)} the same level)")
        self.summary.setText(text + ". Double-click a theme for the comments they split on.")
        rows = [(t.theme, t.items, t.agreement, t.kappa, t.disagreements) for t in result.themes]
        if result.sentiment_items:
            rows.append(("Sentiment (1–5)", result.sentiment_items, result.sentiment_agreement,
                         result.sentiment_kappa, result.sentiment_disagreements))
        self.table.setRowCount(len(rows))
        self._split = []
        for r, (name, items, agreement, kappa, split) in enumerate(rows):
            for c, value in enumerate((name, f"{items:,}", _fmt(agreement, True), _fmt(kappa),
                                       f"{len(split):,} comment{'' if len(split) == 1 else 's'}")):
                item = QTableWidgetItem(value)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            self._split.append(split)
        self.table.show()

    def _open(self, index) -> None:
        split = self._split[index.row()] if 0 <= index.row() < len(self._split) else []
        if split:
            self.comments_requested.emit(CommentFilter(consultation_id=self._consultation,
                                                       comment_ids=tuple(split)))
