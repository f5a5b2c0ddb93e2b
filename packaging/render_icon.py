"""Render ui/icons/engage.svg to the PNG the window, the .desktop entry and the bundle use.

    .venv/bin/python packaging/render_icon.py

Qt draws it (QtSvg is part of PySide6-Essentials), so no extra tool is needed. Run again after
editing the SVG and commit both files.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "ui" / "icons"
SIZE = 256


def render(svg: Path, png: Path, size: int = SIZE) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png)):
        raise SystemExit(f"{png}: cannot be written")


if __name__ == "__main__":
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1] + ["-platform", "offscreen"])
    render(ICONS / "engage.svg", ICONS / "engage.png")
    print(ICONS / "engage.png")
