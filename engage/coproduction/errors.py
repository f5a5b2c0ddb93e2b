"""Row-level problems in a file the officer imports, reported all at once.

Stopping at the first bad row makes the officer fix a spreadsheet one line per attempt; this
collects every problem, keeps nothing, and says how many rows are affected. The message is
one line (the CLI prints it as it is); `problems` holds every row for the import dialog.
"""

from __future__ import annotations

from engage.errors import ImportFileError

SHOWN_IN_MESSAGE = 3


class RowErrors(ImportFileError):
    def __init__(self, source: str, problems: list[tuple[int, str]], rows: int) -> None:
        self.source, self.problems, self.rows = source, problems, rows
        shown = "; ".join(f"row {row}: {message}" for row, message in problems[:SHOWN_IN_MESSAGE])
        more = len(problems) - SHOWN_IN_MESSAGE
        tail = f"; … and {more} more" if more > 0 else ""
        noun = "row has a problem" if len(problems) == 1 else "rows have problems"
        super().__init__(f"{source}: {len(problems)} {noun}, so nothing was imported — "
                         f"{shown}{tail}")

    def lines(self) -> list[str]:
        return [f"row {row}: {message}" for row, message in self.problems]
