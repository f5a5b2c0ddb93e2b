"""Word clouds for any selection — a theme, a place, a sentiment, a search — and a way back.

The cloud is laid out and drawn in a worker (`explore.word_frequencies`, then
`engage.analysis.cloud.draw_cloud`), from the lemmas and phrases the analysis stored, stop
words already out. Clicking a word (or choosing it in the list beside the cloud, for the
keyboard) emits `filter_requested` with the selection plus `word=<token>`: the comments that
use it. Layouts are deterministic, so the same selection always gives the same picture.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import cloud as clouds
from engage.analysis import explore, store
from engage.browse import CommentFilter, count_comments
from engage.changes import Changes
from engage.project import Project
from ui.tasks import TaskRunner
from ui.workbench.background import with_own_connection

#: Sentiment choices: label → charted sentiment levels as the combo keeps them ("": any).
FEELINGS = {"any feeling": "", "positive (1–2)": "1,2", "neutral or mixed (3)": "3",
            "negative (4–5)": "4,5"}
REDRAW_ON = ("comments", "codings", "sentiment", "topics", "respondents", "places")
WORD_ROLE = Qt.ItemDataRole.UserRole + 1


LAYOUT_WIDTH = 960  # layout pixels across; the height follows the canvas's proportions


def draw_for(project: Project, f: CommentFilter, size: tuple[int, int], background_colour: str,
             background: str) -> tuple[CommentFilter, clouds.Cloud | None, int]:
    """(the filter, its cloud or None, the comments it finds): one worker's job. Counted
    comments only (engage.analysis.counting), so a word's figure is what a click shows."""
    counted = f.with_(counted_only=True)
    words = explore.word_frequencies(project, counted, limit=150)
    cloud = clouds.draw_cloud(words, width=size[0], height=size[1],
                              background_colour=background_colour, background=background)
    return f, cloud, count_comments(project, counted)


def layout_size(width: int, height: int) -> tuple[int, int]:
    """The cloud's layout size for a canvas: its proportions in steps of a tenth, within
    reason, so a small resize keeps the picture (and a given shape always gives the same)."""
    aspect = round(min(max(width / max(height, 1), 1.2), 2.6), 1)
    return LAYOUT_WIDTH, round(LAYOUT_WIDTH / aspect)


class WordListModel(QAbstractListModel):
    """The cloud's words, most common first, for keyboard users and exact counts."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.words: list[explore.WordCount] = []

    def set_words(self, words: list[explore.WordCount]) -> None:
        self.beginResetModel()
        self.words = list(words)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.words)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.words):
            return None
        word = self.words[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{word.text}  ·  {word.comments:,}"
        if role == WORD_ROLE:
            return word
        if role == Qt.ItemDataRole.ToolTipRole:
            feeling = "" if word.sentiment is None else (
                f", average feeling {word.sentiment:.1f} (1 very positive … 5 very negative)")
            return f"“{word.text}” is in {word.comments:,} comments{feeling}. Enter to list them."
        return None


class CloudCanvas(QWidget):
    """Shows the cloud's picture scaled to fit; a click says which word was under it."""

    word_clicked = Signal(object)   # explore.WordCount
    resized = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Word cloud")
        self.setMouseTracking(True)
        self.setMinimumSize(360, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.cloud: clouds.Cloud | None = None
        self.image = QImage()
        self.message = ""

    def set_cloud(self, cloud: clouds.Cloud | None, message: str = "") -> None:
        self.cloud, self.message = cloud, message
        if cloud is None:
            self.image = QImage()
        else:
            width, height = cloud.image_size
            self.image = QImage(cloud.rgba, width, height, 4 * width,
                                QImage.Format.Format_RGBA8888).copy()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(900, 480)

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: as large as fits, centred, proportions kept."""
        if self.cloud is None:
            return QRectF()
        scale = min(self.width() / self.cloud.width, self.height() / self.cloud.height)
        width, height = self.cloud.width * scale, self.cloud.height * scale
        return QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)

    def to_layout(self, point: QPointF) -> tuple[float, float] | None:
        rect = self.image_rect()
        if self.cloud is None or not rect.contains(point):
            return None
        return ((point.x() - rect.left()) * self.cloud.width / rect.width(),
                (point.y() - rect.top()) * self.cloud.height / rect.height())

    def from_layout(self, x: float, y: float) -> QPointF:
        rect = self.image_rect()
        return QPointF(rect.left() + x * rect.width() / self.cloud.width,
                       rect.top() + y * rect.height() / self.cloud.height)

    def word_at(self, point: QPointF) -> explore.WordCount | None:
        spot = self.to_layout(point)
        return None if spot is None or self.cloud is None else self.cloud.word_at(*spot)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        if self.image.isNull():
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(self.image_rect(), self.image)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.resized.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        word = self.word_at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if word else Qt.CursorShape.ArrowCursor)
        self.setToolTip(f"“{word.text}”: {word.comments:,} comments. Click to list them."
                        if word else "")

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            word = self.word_at(event.position())
            if word is not None:
                self.word_clicked.emit(word)


class WordCloudWidget(QWidget):
    filter_requested = Signal(object)   # engage.browse.CommentFilter with word=<token>
    drawn = Signal()                    # a new cloud (or the reason there is none) is shown

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("WordCloudWidget")
        self.project: Project | None = None
        self.base = CommentFilter()
        self.shown_filter: CommentFilter | None = None
        self._drawing_size: tuple[int, int] | None = None
        self._stale = False
        self.tasks = TaskRunner(self)
        self.tasks.finished.connect(self._drawn)
        self.tasks.failed.connect(lambda message: self._show_none(f"No cloud: {message}"))
        self._build()
        self.set_project(project)

    @property
    def cloud(self) -> clouds.Cloud | None:
        return self.canvas.cloud

    @property
    def busy(self) -> bool:
        return self.tasks.is_running()

    def _build(self) -> None:
        self.theme = self._combo("Theme for the word cloud")
        self.place = self._combo("Place for the word cloud")
        self.feeling = self._combo("Sentiment for the word cloud")
        for label in FEELINGS:
            self.feeling.addItem(label, FEELINGS[label])
        self.feeling.setToolTip("Feeling as the Overview and the report count it: a suggestion "
                                "counts as neutral unless you set its sentiment")
        self.export_button = QPushButton("Export PNG…", self)
        self.export_button.setAccessibleName("Export the word cloud as a PNG picture")
        self.export_button.clicked.connect(self.export_dialog)
        pickers = QHBoxLayout()
        for text, combo in (("&Theme:", self.theme), ("&Place:", self.place),
                            ("&Feeling:", self.feeling)):
            label = QLabel(text, self)
            label.setBuddy(combo)
            pickers.addWidget(label)
            pickers.addWidget(combo, 1)
        pickers.addWidget(self.export_button)
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Word cloud selection")
        self.summary.setWordWrap(True)
        self.canvas = CloudCanvas(self)
        self.canvas.word_clicked.connect(self._word_chosen)
        self.reshape = QTimer(self)  # redraw for a new shape once resizing pauses
        self.reshape.setSingleShot(True)
        self.reshape.setInterval(300)
        self.reshape.timeout.connect(self._reshaped)
        self.canvas.resized.connect(self.reshape.start)
        self.word_model = WordListModel(self)
        self.word_list = QListView(self)
        self.word_list.setAccessibleName("Words in the cloud, most common first")
        self.word_list.setModel(self.word_model)
        self.word_list.setMaximumWidth(260)
        self.word_list.setUniformItemSizes(True)
        self.word_list.activated.connect(
            lambda index: self._word_chosen(index.data(WORD_ROLE)))
        body = QHBoxLayout()
        body.addWidget(self.canvas, 1)
        words_box = QVBoxLayout()
        words_box.addWidget(QLabel("Words (comments using them):", self))
        words_box.addWidget(self.word_list, 1)
        body.addLayout(words_box)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(pickers)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addWidget(self.legend)
        self._update_legend()
        for combo in (self.theme, self.place, self.feeling):
            combo.currentIndexChanged.connect(self._picked)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        return combo

    def _update_legend(self) -> None:
        mode = self._mode()
        swatches = " ".join(
            f"<span style='color:{clouds.ink(level, mode)}'><b>{name}</b></span>"
            for level, name in ((1, "very positive"), (2, "positive"), (3, "neutral"),
                                (4, "negative"), (5, "very negative")))
        self.legend.setText("Size: how many comments use the word. Colour: their average "
                            f"feeling — {swatches}. Click a word to list its comments.")

    # ----- choices -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.base = CommentFilter()
        self._fill_choices()
        self.redraw()

    def _fill_choices(self) -> None:
        for combo in (self.theme, self.place):
            combo.blockSignals(True)
            combo.clear()
        self.theme.addItem("any theme", None)
        self.place.addItem("any place", None)
        if self.project is not None:
            for portfolio in store.portfolios(self.project):
                self.theme.addItem(f"Portfolio: {portfolio['name']}",
                                   f"portfolio:{portfolio['id']}")
                for theme in (t for t in store.themes(self.project)
                              if t["portfolio_id"] == portfolio["id"]):
                    self.theme.addItem(theme["name"], f"theme:{theme['id']}")
            for place in self.project.places():
                indent = {"ics": "", "local_authority": "  ", "partnership": "  "}.get(
                    place["kind"], "    ")
                self.place.addItem(indent + place["name"], place["id"])
        for combo in (self.theme, self.place):
            combo.blockSignals(False)
        self._show_base_in_pickers()

    def _show_base_in_pickers(self) -> None:
        f = self.base
        key = f"theme:{f.theme_id}" if f.theme_id is not None else (
            f"portfolio:{f.portfolio_id}" if f.portfolio_id is not None else None)
        feeling = ",".join(str(level) for level in sorted(f.sentiment))
        for combo, value in ((self.theme, key), (self.place, f.place_id),
                             (self.feeling, feeling)):
            combo.blockSignals(True)
            found = combo.findData(value)
            combo.setCurrentIndex(found if found >= 0 else 0)
            combo.blockSignals(False)

    def set_filter(self, f: CommentFilter) -> None:
        """The selection to draw (e.g. the comment list's filter); the pickers follow it."""
        self.base = f.with_(word="", comment_ids=None)
        self._show_base_in_pickers()
        self.redraw()

    def select_theme(self, theme_id: int | None) -> None:
        found = self.theme.findData(f"theme:{theme_id}") if theme_id is not None else 0
        self.theme.setCurrentIndex(max(found, 0))

    def current_filter(self) -> CommentFilter:
        kind, _, key = (self.theme.currentData() or "").partition(":")
        levels = self.feeling.currentData() or ""
        return self.base.with_(
            theme_id=int(key) if kind == "theme" else None,
            portfolio_id=int(key) if kind == "portfolio" else None,
            place_id=self.place.currentData(),
            sentiment=tuple(int(level) for level in levels.split(",") if level))

    def _picked(self) -> None:
        self.redraw()

    def on_changes(self, changes: Changes) -> None:
        if self.project is None:
            return
        if changes.taxonomy or changes.places:
            self.base = self.current_filter()
            self._fill_choices()
        if changes.taxonomy or any(getattr(changes, flag) for flag in REDRAW_ON):
            self.redraw()

    # ----- drawing -------------------------------------------------------------------------
    def _mode(self) -> str:
        return "dark" if self.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.5 \
            else "light"

    def redraw(self) -> None:
        if self.project is None:
            self.tasks.cancel()
            self._show_none("Open a project to see its words.")
            return
        if not self.isVisible():  # hidden (another tab): draw when shown, not now
            self._stale = True
            return
        self._stale = False
        f = self.current_filter()
        self.summary.setText(f"Drawing the words of the {self._describe(f)}…")
        base_colour = self.palette().color(QPalette.ColorRole.Base).name()
        self._drawing_size = self._size()
        self.tasks.start(with_own_connection(self.project.path, draw_for, f, self._drawing_size,
                                             base_colour, self._mode()), "Drawing a word cloud")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.redraw()

    def _size(self) -> tuple[int, int]:
        return layout_size(self.canvas.width(), self.canvas.height())

    def _reshaped(self) -> None:
        """Redraw when the canvas's shape no longer matches the cloud drawn (or drawing)."""
        if self.project is not None and self._drawing_size != self._size():
            self.redraw()

    def _drawn(self, result) -> None:
        f, cloud, comments = result
        if f != self.current_filter():
            return
        self.shown_filter = f
        if cloud is None:
            self._show_none("No words to draw: no analysed comment matches this selection.")
            return
        self.canvas.set_cloud(cloud)
        self.word_model.set_words([box.word for box in cloud.boxes])
        self.export_button.setEnabled(True)
        self.summary.setText(f"The {len(cloud.boxes)} words and phrases used in most of the "
                             f"{comments:,} {self._describe(f)}.")
        self.drawn.emit()

    def _show_none(self, message: str) -> None:
        self.canvas.set_cloud(None, message)
        self.word_model.set_words([])
        self.export_button.setEnabled(False)
        self.summary.setText(message)
        self.drawn.emit()

    def _describe(self, f: CommentFilter) -> str:
        parts = []
        if self.theme.currentData():
            parts.append(self.theme.currentText().strip())
        if f.place_id is not None:
            parts.append(f"from {self.place.currentText().strip()}")
        if f.sentiment:
            parts.append(self.feeling.currentText().split(" (")[0])
        if f.search.strip():
            parts.append(f"matching “{f.search.strip()}”")
        return "comments" + ((": " + ", ".join(parts)) if parts else "")

    # ----- clicks and export ---------------------------------------------------------------
    def _word_chosen(self, word: explore.WordCount | None) -> None:
        if word is not None and self.shown_filter is not None:
            self.filter_requested.emit(self.shown_filter.with_(word=word.token,
                                                               counted_only=True))

    def export_png(self, path: str | Path) -> bool:
        """Save the cloud as drawn (at twice its layout size); False if there is none."""
        return not self.canvas.image.isNull() and self.canvas.image.save(str(path), "PNG")

    def export_dialog(self) -> None:
        if self.canvas.image.isNull():
            return
        name = self.theme.currentText().strip() if self.theme.currentData() else "all comments"
        chosen, _ = QFileDialog.getSaveFileName(self, "Export word cloud",
                                                f"Word cloud - {name}.png", "PNG pictures (*.png)")
        if chosen:
            if not chosen.lower().endswith(".png"):
                chosen += ".png"
            if not self.export_png(chosen):
                self.summary.setText(f"Could not save {chosen}: check the folder can be written.")
