"""File → Share Out for Coding…: which consultation, which colleagues, how to split, where.

The preview under the choices is the core's own plan (`engage.team.shareout.plan_shares`), so
what it says each officer gets is what their work file will hold.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engage.errors import EngageError
from engage.project import Project
from engage.team.shareout import SPLIT_LABELS, SPLITS, plan_shares

HELP = ("Each colleague gets a work file: a normal Engage project holding the codebook and "
        "their comments. They code it in Engage under their own name, offline, and send it "
        "back for File → Merge Coding…. An <b>overlap sample</b> is coded by everyone: the "
        "Agreement tab then shows how far officers agree (percent agreement and kappa).")


class ShareOutDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Share Out for Coding")
        self.setObjectName("ShareOutDialog")
        self.project = project
        self.consultation = QComboBox()
        self.consultation.setAccessibleName("Consultation")
        for c in project.consultations():
            self.consultation.addItem(f"{c['name']} ({c['comments']:,} comments)", c["id"])
        self.officers = QPlainTextEdit()
        self.officers.setAccessibleName("Officers, one per line")
        self.officers.setPlaceholderText("One name per line, e.g.\nJo Smith\nSam Patel")
        self.officers.setFixedHeight(96)
        self.split_group = QButtonGroup(self)
        splits = QVBoxLayout()
        for n, split in enumerate(SPLITS):
            button = QRadioButton(SPLIT_LABELS[split])
            button.setProperty("split", split)
            self.split_group.addButton(button, n)
            splits.addWidget(button)
        self.split_group.button(2).setChecked(True)
        self.overlap = QSpinBox()
        self.overlap.setAccessibleName("Overlap sample size")
        self.overlap.setRange(0, 100_000)
        self.overlap.setValue(100)
        self.overlap.setSuffix(" comments everyone codes")
        self.folder = QLineEdit(str(Path(project.path).parent))
        self.folder.setAccessibleName("Folder for the work files")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("What each officer gets")
        form = QFormLayout()
        form.addRow("Consultation:", self.consultation)
        form.addRow("Officers:", self.officers)
        form.addRow("Split:", splits)
        form.addRow("Overlap sample:", self.overlap)
        form.addRow("Save work files in:", folder_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Share Out")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        help_label = QLabel(HELP)
        help_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(help_label)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.update_preview)
        for signal in (self.consultation.currentIndexChanged, self.officers.textChanged,
                       self.split_group.idClicked, self.overlap.valueChanged):
            signal.connect(lambda *_args: self._timer.start())
        self.resize(560, 560)
        self.update_preview()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._timer.stop()  # no preview query after the dialog (and maybe the project) closed
        super().hideEvent(event)

    def officer_names(self) -> list[str]:
        return [line.strip() for line in self.officers.toPlainText().splitlines()
                if line.strip()]

    def split(self) -> str:
        return self.split_group.checkedButton().property("split")

    def request(self) -> dict:
        return {"consultation_id": self.consultation.currentData(),
                "officers": self.officer_names(), "split": self.split(),
                "overlap": self.overlap.value(), "folder": self.folder.text().strip()}

    def update_preview(self) -> None:
        self._timer.stop()  # this is the pending update, done now
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.overlap.setEnabled(True)
        if not self.officer_names():
            self.preview.setText("Name the colleagues who will code, one per line.")
            ok.setEnabled(False)
            return
        try:
            shares = plan_shares(self.project, self.consultation.currentData(),
                                 self.officer_names(), self.split(), self.overlap.value())
        except EngageError as exc:
            self.preview.setText(f"<span style='color:#B3261E'>{exc}</span>")
            ok.setEnabled(False)
            return
        ok.setEnabled(True)
        overlap = len(shares[0].overlap_ids)
        lines = [f"<b>{s.officer}</b>: {len(s.comment_ids):,} comments" for s in shares]
        text = "Each work file: " + "; ".join(lines) + "."
        if overlap:
            text += f" Everyone codes the same {overlap:,} (the overlap sample)."
        self.preview.setText(text)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the work files",
                                                  self.folder.text())
        if folder:
            self.folder.setText(folder)

    def _accept(self) -> None:
        if not Path(self.folder.text().strip()).is_dir():
            self.preview.setText("<span style='color:#B3261E'>Choose a folder that exists for "
                                 "the work files.</span>")
            return
        self.accept()
