"""Errors a user can cause. Each carries one line that says what is wrong and where,
so the CLI and the GUI can show it as it is instead of a traceback."""

import unicodedata


class EngageError(Exception):
    """Base for every error caused by input or state the user controls.

    Its text is always one line: a newline or other control character (a file name can hold
    one) is shown escaped, as \\n, wherever the message is printed or put in a dialog.
    """

    def __str__(self) -> str:
        return one_line(super().__str__())


def one_line(text: str) -> str:
    """`text` with control characters and line separators escaped, so it prints as exactly
    one line (other characters, accented or not, are left as they are)."""
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in _BREAKING else ch
                   for ch in text)


_BREAKING = ("Cc", "Zl", "Zp")


class ImportFileError(EngageError):
    """The file to import cannot be read or makes no sense as a survey export."""


class MappingError(EngageError):
    """The column mapping does not fit the file (e.g. no comment column)."""


class ProjectError(EngageError):
    """The project file cannot be created, opened or migrated."""


class NotFoundError(EngageError):
    """A consultation, question, comment or other record named by the user does not exist."""


class ProjectInUseError(ProjectError):
    """The project file is already open in another Engage process."""
