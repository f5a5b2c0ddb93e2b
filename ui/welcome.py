"""What the window shows when no project is open: three clear ways to start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class WelcomePage(QWidget):
    """Buttons for a new project, an existing one, the sample, and recent files."""

    new_requested = Signal()
    open_requested = Signal()
    sample_requested = Signal()
    recent_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h1>Engage</h1>", self)
        intro = QLabel("Turn the free-text comments of a consultation or engagement exercise "
                       "into evidence: themes, who said it and where, and what was done.", self)
        intro.setWordWrap(True)
        hint = QLabel("Start a new project and import a survey export (CSV, TSV, Excel or "
                      "JSON), open one you have, or explore the sample: a Big Ask-style "
                      "consultation from the 13 Dorset localities.", self)
        hint.setWordWrap(True)
        self.new_button = self._button("&New project…", "Create an empty project file",
                                       self.new_requested)
        self.open_button = self._button("&Open project…", "Open an existing .engage file",
                                        self.open_requested)
        self.sample_button = self._button(
            "Explore the &sample project", "Open a Big Ask-style sample of several thousand "
            "comments from the 13 Dorset localities, analysed, on its Overview",
            self.sample_requested)
        self.sample_button.setDefault(True)  # Enter on a first look opens the sample
        self.sample_note = QLabel("New to Engage? The sample opens on its Overview: click any "
                                  "theme, month or place to read the comments behind it.",
                                  self)
        self.sample_note.setWordWrap(True)
        self.sample_note.setEnabled(False)  # the palette's muted text, light or dark
        self.recent_label = QLabel("<b>Recent projects</b>", self)
        self._recent_box = QVBoxLayout()
        self._recent_buttons: list[QPushButton] = []

        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(intro)
        column.addSpacing(6)
        column.addWidget(hint)
        column.addSpacing(12)
        column.addWidget(self.sample_button)
        column.addWidget(self.sample_note)
        column.addSpacing(8)
        for button in (self.new_button, self.open_button):
            column.addWidget(button)
        column.addSpacing(12)
        column.addWidget(self.recent_label)
        column.addLayout(self._recent_box)
        column.addStretch(1)
        holder = QWidget(self)
        holder.setLayout(column)
        # A fixed width: a word-wrapped label in a centred layout otherwise shrinks to nothing.
        holder.setFixedWidth(max(440, intro.fontMetrics().averageCharWidth() * 60))
        centred = QHBoxLayout()  # stretches, not an alignment flag: wrapped labels keep height
        centred.addStretch(1)
        centred.addWidget(holder)
        centred.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(centred)
        outer.addStretch(2)
        self.set_recent([])

    def _button(self, text: str, tip: str, signal) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setAccessibleDescription(tip)
        button.setMinimumHeight(button.sizeHint().height() + 8)
        button.clicked.connect(signal.emit)
        return button

    def set_recent(self, paths: list[str]) -> None:
        for button in self._recent_buttons:
            button.deleteLater()
        self._recent_buttons = []
        for path in paths[:6]:
            button = QPushButton(Path(path).name, self)
            button.setFlat(True)
            button.setToolTip(path)
            button.setAccessibleName(f"Open recent project {Path(path).name}")
            button.setStyleSheet("text-align: left")
            button.clicked.connect(lambda _checked=False, p=path: self.recent_requested.emit(p))
            self._recent_box.addWidget(button)
            self._recent_buttons.append(button)
        self.recent_label.setVisible(bool(self._recent_buttons))
