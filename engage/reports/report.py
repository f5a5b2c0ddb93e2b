"""Producing a consultation summary file: figures → blocks → DOCX, PDF or HTML.

The one entry point the CLI and the GUI call. The file is written next to its destination and
moved into place only when complete, so a cancelled or failed report never leaves half a file
where the officer expects a finished one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Collection
from pathlib import Path

from engage.errors import EngageError, one_line
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project
from engage.reports.document import Document
from engage.reports.layout import build_document
from engage.reports.queries import ReportScope
from engage.reports.summary import SECTIONS, ConsultationSummary, build_summary

REPORT_FORMATS = ("docx", "pdf", "html")


def report_format(path: str | Path, given: str | None = None) -> str:
    """The format asked for, or the one the file name implies; a clear error otherwise.

    A format that contradicts the file name (a PDF asked for as r.docx) is refused rather than
    written under a name that every program will open wrongly.
    """
    fmt = (given or Path(path).suffix.lstrip(".")).lower()
    if fmt == "htm":
        fmt = "html"
    if fmt not in REPORT_FORMATS:
        raise EngageError(f"{printable_name(path)}: cannot tell the report format; use one of "
                          + ", ".join(REPORT_FORMATS))
    check_suffix_matches(path, fmt, {"htm": "html"})
    return fmt


def printable_name(path: str | Path) -> str:
    """A file's name for a one-line message: a newline or other control character in it is
    shown escaped, so the message stays one line."""
    return one_line(Path(path).name)


def check_suffix_matches(path: str | Path, fmt: str, aliases: dict[str, str] | None = None) -> None:
    """Refuse a file name whose extension says another format than the one being written."""
    suffix = Path(path).suffix.lstrip(".").lower()
    if not suffix:
        return
    implied = (aliases or {}).get(suffix, suffix)
    if implied != fmt:
        raise EngageError(
            f"{printable_name(path)}: the format asked for is {fmt.upper()} but the file name "
            f"ends in .{suffix}; name the file {printable_name(Path(path).with_suffix('.' + fmt))}"
            " or ask for the format its name says")


def check_sections(sections: Collection[str] | None) -> list[str] | None:
    if sections is None:
        return None
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise EngageError(f"unknown report section {', '.join(unknown)}; sections are "
                          + ", ".join(SECTIONS))
    return [key for key in SECTIONS if key in sections]


def render(doc: Document, fmt: str) -> bytes:
    if fmt == "html":
        from engage.reports.render_html import render_html

        return render_html(doc).encode("utf-8")
    if fmt == "pdf":
        from engage.reports.render_pdf import render_pdf

        return render_pdf(doc)
    if fmt == "docx":
        from engage.reports.render_docx import render_docx

        return render_docx(doc)
    raise EngageError(f"unknown report format {fmt!r}; use one of {', '.join(REPORT_FORMATS)}")


def write_output(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` atomically, with a one-line error the officer can act on."""
    path = Path(path)
    shown = printable_name(path)
    if not path.parent.exists():
        raise EngageError(f"{shown}: the folder {printable_name(path.parent)} does not exist")
    if path.is_dir():
        raise EngageError(f"{shown}: is a folder; give a file name")
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(prefix=".engage-", suffix=path.suffix, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            os.fchmod(fh.fileno(), _file_mode(path))
        os.replace(temporary, path)
        temporary = None
    except PermissionError as exc:
        raise EngageError(f"{shown}: cannot write there (permission denied)") from exc
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
        raise EngageError(f"{shown}: cannot write the file ({reason}); nothing was written "
                          "and the project is unchanged") from exc
    finally:
        if temporary is not None:  # never leave a hidden half-written .engage-* file behind
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return path


def _file_mode(path: Path) -> int:
    """The mode a file made by the officer's own programs would get: an existing file keeps
    its mode; a new one gets 0666 less the umask (mkstemp alone would make it 0600)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_report(project: Project, out: str | Path, fmt: str | None = None,
                 scope: ReportScope | None = None, sections: Collection[str] | None = None,
                 summary_text: str | None = None, title: str | None = None,
                 summary: ConsultationSummary | None = None,
                 progress: ProgressFn | None = None, cancelled: CancelFn | None = None) -> Path:
    """Write a consultation summary of `scope` to `out` and return its path.

    `sections`: keys of `SECTIONS` to include (default all). `summary_text`: the officer's
    edited executive summary (default: the drafted one). `summary`: figures already computed
    for the same scope (the dialog computes them to draft the text), to avoid counting twice.
    """
    fmt = report_format(out, fmt)
    chosen = check_sections(sections)
    report = Reporter(progress, cancelled)
    if summary is None:
        summary = build_summary(project, scope, sections=chosen, title=title,
                                progress=report.span(0.0, 0.4), cancelled=cancelled)
    report(0.45, "Drawing charts")
    doc = build_document(summary, chosen, summary_text)
    report(0.7, f"Writing {fmt.upper()}")
    data = render(doc, fmt)
    report.check()
    path = write_output(out, data)
    report(1.0, f"Report written to {path.name}", force=True)
    return path
