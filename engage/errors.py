"""Errors a user can cause. Each carries one line that says what is wrong and where,
so the CLI and the GUI can show it as it is instead of a traceback."""


class EngageError(Exception):
    """Base for every error caused by input or state the user controls."""


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
