"""Screenshots of the import wizard on the sample export, for the docs.

Run under a virtual screen:  xvfb-run -a .venv/bin/python docs/take_wizard_screenshots.py
Writes docs/screenshots/import_wizard_{file,columns,report}.png; uses a throw-away project
and settings folder, so nothing of the user's is touched.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
SAMPLE = ROOT / "sample_data" / "big_ask_2013.csv"


def wait_until(app, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the wizard")
        app.processEvents()
        time.sleep(0.02)


def settle(app, seconds: float = 0.3) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="engage-shots-"))
    os.environ["ENGAGE_CONFIG_DIR"] = str(scratch / "config")
    from PySide6.QtWidgets import QApplication

    from engage.project import Project
    from ui.import_wizard import ImportWizard

    app = QApplication.instance() or QApplication(sys.argv)
    project_path = scratch / "screenshots.engage"
    Project.create(project_path).close()
    wizard = ImportWizard(project_path)
    wizard.resize(1180, 760)
    wizard.show()
    wizard.file_page.set_path(SAMPLE)
    settle(app)
    OUT.mkdir(parents=True, exist_ok=True)
    wizard.grab().save(str(OUT / "import_wizard_file.png"))
    wizard.next()
    settle(app)
    wizard.grab().save(str(OUT / "import_wizard_columns.png"))
    wizard.next()
    wait_until(app, lambda: wizard.currentPage() is wizard.report_page
               or not wizard.run_page.is_running())
    settle(app)
    if wizard.currentPage() is not wizard.report_page:
        print("import did not land:", wizard.run_page.outcome.text(), file=sys.stderr)
        return 1
    wizard.grab().save(str(OUT / "import_wizard_report.png"))
    print("\n".join(wizard.report_page.text().splitlines()[:12]))
    for name in ("file", "columns", "report"):
        print(OUT / f"import_wizard_{name}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
