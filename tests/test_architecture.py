"""The layering the design depends on: the core never imports Qt, the Qt layer never holds SQL.

A core free of Qt runs headless (CLI, tests, batch jobs); a Qt layer free of SQL keeps every
query in one place where it can be tested and made fast.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN_IN_CORE = ("PySide6", "shiboken6", "ui")
SQL_TEXT = (".execute(", ".executemany(", ".executescript(", "sqlite3", "sqlite_utils")
# Upper-case keywords, as every query in the core is written; prose such as "Select a
# comment from the list" is not SQL.
SQL_STATEMENT = re.compile(
    r"\bSELECT\b[\s\S]*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\b|\bCREATE\s+(TABLE|INDEX|VIEW|TRIGGER)\b|\bPRAGMA\b")


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def imported_modules(source: str) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def qt_imports(source: str) -> list[str]:
    return sorted(m for m in imported_modules(source)
                  if m.split(".")[0] in FORBIDDEN_IN_CORE)


def sql_found(source: str) -> list[str]:
    """Signs of SQL in a module: database calls, database modules, statements in strings."""
    found = [text for text in SQL_TEXT if text in source]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = SQL_STATEMENT.search(node.value)
            if match:
                found.append(match.group(0)[:40])
    return found


def test_the_core_never_imports_qt_or_the_ui():
    offenders = {str(p.relative_to(ROOT)): qt_imports(p.read_text(encoding="utf-8"))
                 for p in python_files("engage")}
    assert python_files("engage"), "the core was not found"
    assert {path: mods for path, mods in offenders.items() if mods} == {}


def test_the_ui_holds_no_sql():
    offenders = {str(p.relative_to(ROOT)): sql_found(p.read_text(encoding="utf-8"))
                 for p in python_files("ui")}
    assert python_files("ui"), "the ui package was not found"
    assert {path: found for path, found in offenders.items() if found} == {}


def test_the_checks_catch_what_they_are_meant_to():
    assert qt_imports("from PySide6.QtCore import Qt") == ["PySide6.QtCore"]
    assert qt_imports("import shiboken6\nimport ui.tasks") == ["shiboken6", "ui.tasks"]
    assert qt_imports("from engage.project import Project\nimport uuid") == []
    assert sql_found("rows = db.execute(q)") == [".execute("]
    assert sql_found("import sqlite_utils") == ["sqlite_utils"]
    assert sql_found("q = 'SELECT id FROM comments'") == ["SELECT id FROM"]
    assert sql_found("q = '''UPDATE comments SET text = ?'''") == ["UPDATE comments SET"]
    assert sql_found("tip = 'Select a comment from the list'") == []
