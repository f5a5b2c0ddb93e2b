"""Application settings kept per user (not per project): officer name, recent projects.

Stored as JSON in the platform's config folder (platformdirs), so the core and the CLI can
read them without Qt.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from platformdirs import user_config_dir

MAX_RECENT = 10


def settings_path() -> Path:
    override = os.environ.get("ENGAGE_CONFIG_DIR")
    folder = Path(override) if override else Path(user_config_dir("engage", appauthor=False))
    return folder / "settings.json"


@dataclass
class Settings:
    officer_name: str = ""
    recent_projects: list[str] = field(default_factory=list)
    last_import_folder: str = ""
    page_size: int = 200

    @classmethod
    def load(cls) -> Settings:
        path = settings_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def save(self) -> None:
        path = settings_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2), encoding="utf-8")
        tmp.replace(path)

    def add_recent(self, project: str | Path) -> None:
        name = str(Path(project).resolve())
        self.recent_projects = [name] + [p for p in self.recent_projects if p != name]
        del self.recent_projects[MAX_RECENT:]
