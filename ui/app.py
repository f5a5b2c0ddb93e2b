"""Starting the desktop app: `main(argv)` (also the `engage-gui` script and `main.py`).

Opens the project named on the command line, else the most recent one, else the welcome page
(always on a first launch, with the sample one click away). `--sample FILE` names a sample
project already built (`make run` builds one), so that click opens it at once.
Uses Qt's Fusion style with the system palette, so light and dark themes both work. Errors
that escape a slot are logged to a file and shown as one line, never as a traceback.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from platformdirs import user_log_dir
from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from engage.settings import Settings, settings_path
from ui.collector import GuiThreadCollector

log = logging.getLogger("engage")


def log_path() -> Path:
    return Path(user_log_dir("engage", appauthor=False)) / "engage.log"


def setup_logging() -> Path | None:
    """Log to a file in the user's log folder; a read-only home must not stop the app."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    quiet_libraries()
    return path


#: Libraries whose INFO lines mean nothing to an officer. spaCy's logger has its own console
#: handler, so with the root at INFO "Created vocabulary" lines would reach the terminal.
QUIET_LOGGERS = ("spacy",)


def quiet_libraries() -> None:
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _excepthook(kind, value, tb) -> None:
    """Log the traceback, show the user one clear line."""
    log.error("unexpected error:\n%s", "".join(traceback.format_exception(kind, value, tb)))
    app = QApplication.instance()
    if app is None:
        return
    parent = app.activeWindow()
    QMessageBox.warning(parent, "Something went wrong",
                        f"{kind.__name__}: {value}\n\nThe details are in {log_path()}.")


def create_application(argv: Sequence[str]) -> QApplication:
    app = QApplication.instance()
    if app is not None:
        return app
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    QCoreApplication.setOrganizationName("Engage")
    QCoreApplication.setOrganizationDomain("engage.local")
    QCoreApplication.setApplicationName("Engage")
    QGuiApplication.setApplicationDisplayName("Engage")
    app = QApplication(list(argv))
    app.setStyle("Fusion")  # follows the platform's light or dark palette; no fixed colours
    app.setWindowIcon(QIcon(str(Path(__file__).resolve().parent / "icons" / "engage.png")))
    return app


SMOKE_TEST = "--smoke-test"
SAMPLE_OPTION = "--sample"


def split_arguments(arguments: Sequence[str]) -> tuple[list[str], str | None]:
    """(positional arguments, the --sample file or None) from the app's arguments."""
    positional, sample, rest = [], None, list(arguments[1:])
    while rest:
        argument = rest.pop(0)
        if argument == SAMPLE_OPTION and rest:
            sample = rest.pop(0)
        elif argument.startswith(SAMPLE_OPTION + "="):
            sample = argument.split("=", 1)[1]
        elif not argument.startswith("-"):
            positional.append(argument)
    return positional, sample


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    setup_logging()
    created = QApplication.instance() is None
    app = create_application(argv)
    sys.excepthook = _excepthook
    collector = GuiThreadCollector(app)  # cycles are freed on the GUI thread, never a worker's
    collector.start()
    try:
        # Qt removes its own options (-platform, -style …) from the arguments of an app it made.
        return _run(app, app.arguments() if created else argv)
    finally:
        collector.stop()


def _run(app: QApplication, arguments: list[str]) -> int:
    """Show the window, open the project asked for (or the last one), run the event loop."""
    from ui.main_window import MainWindow

    first_launch = not settings_path().exists()
    settings = Settings.load()
    window = MainWindow(settings)
    args, sample = split_arguments(arguments)
    if sample:
        window.sample_path = Path(sample).resolve()
    window.show()
    if SMOKE_TEST in arguments[1:]:
        return _smoke_test(app, window, args[0] if args else None)
    target = args[0] if args else next(
        (p for p in settings.recent_projects if Path(p).exists()), None)
    if first_launch and not args:
        target = None  # a first look starts on the welcome page, the sample one click away
        window.welcome.sample_button.setFocus()
    if target:
        # After the event loop starts, so the window is painted before the file is read.
        QTimer.singleShot(0, lambda: window.open_project(target))
    log.info("Engage started (project: %s)", target or "none")
    return app.exec()


def _smoke_test(app: QApplication, window, project: str | None,
                timeout_s: float = 30.0) -> int:
    """Open the project, wait until its comments are listed, quit: 0 when they were.

    `packaging/smoke_test.sh` runs a freshly built bundle this way, since a frozen app can fail
    on a missing Qt plugin or data file in ways no import of the source tree would show.
    """
    outcome = {"code": 1, "waited": 0.0}
    step = 0.2

    def check() -> None:
        listed = window.project is not None and window.model.rowCount() > 0
        outcome["waited"] += step
        if not listed and outcome["waited"] < timeout_s:
            QTimer.singleShot(int(step * 1000), check)
            return
        print(f"smoke test: window opened, {window.model.rowCount()} comments listed")
        outcome["code"] = 0 if listed else 1
        window.close()
        app.quit()

    if project:
        QTimer.singleShot(0, lambda: window.open_project(project))
    QTimer.singleShot(int(step * 1000), check)
    app.exec()
    return outcome["code"]


if __name__ == "__main__":
    sys.exit(main())
