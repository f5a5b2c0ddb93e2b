"""One Engage process per project file: an operating-system lock on ``<project>-lock``.

SQLite would let two Engage windows write the same file without corrupting it, but each
window's views would silently go stale and two officers could undo each other's decisions.
So the first process to open a project takes an exclusive OS lock on a small file beside it
(``sample.engage-lock``, next to SQLite's own ``-wal`` and ``-shm``) and writes its pid, host
and user there; a second process is refused with a message naming them.

An OS lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) rather than a pid file alone,
because the operating system drops it the moment its process dies: a lock left by a killed or
crashed Engage is never mistaken for a live one, and a reused pid cannot keep a file locked.
Within one process the lock is counted, so the GUI's worker threads and `Project.reopen`
share it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import socket
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from engage.errors import ProjectInUseError

LOCK_SUFFIX = "-lock"
#: Windows locks are mandatory, so lock a byte well past the JSON others need to read.
_WINDOWS_LOCK_OFFSET = 1 << 20


@dataclass
class _Held:
    fd: int | None  # None: the folder is read-only, so nobody can write the project anyway
    lock_path: Path
    count: int = 1


_held: dict[str, _Held] = {}
_guard = threading.Lock()


def lock_path_for(project_path: str | os.PathLike) -> Path:
    return Path(str(project_path) + LOCK_SUFFIX)


def acquire(project_path: str | os.PathLike) -> None:
    """Take (or, in the process that has it, count once more) the lock on a project file.

    Raises `ProjectInUseError` when another live process holds it.
    """
    key = os.path.realpath(project_path)
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.count += 1
            return
        _held[key] = _take(Path(key), Path(project_path).name)


def release(project_path: str | os.PathLike) -> None:
    """Give back one use of the lock; the last one removes the lock file."""
    key = os.path.realpath(project_path)
    with _guard:
        held = _held.get(key)
        if held is None:
            return
        held.count -= 1
        if held.count > 0:
            return
        del _held[key]
        if held.fd is None:
            return
        if sys.platform == "win32":  # an open file cannot be removed there: close first
            _close(held.fd)
            with contextlib.suppress(OSError):
                held.lock_path.unlink()
        else:  # remove while still locked, so nobody locks a file that is about to vanish
            with contextlib.suppress(OSError):
                held.lock_path.unlink()
            _close(held.fd)


def holder(project_path: str | os.PathLike) -> dict | None:
    """What the lock file says about who has the project open (None if nothing readable)."""
    try:
        text = lock_path_for(project_path).read_text(encoding="utf-8")
        info = json.loads(text[: text.index("}") + 1]) if "}" in text else None
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def held_here(project_path: str | os.PathLike) -> bool:
    return os.path.realpath(project_path) in _held


def _take(path: Path, shown_name: str) -> _Held:
    lock_path = lock_path_for(path)
    for _attempt in range(5):
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return _Held(None, lock_path)  # read-only folder or share: nothing to coordinate
        if not _try_lock(fd):
            os.close(fd)
            raise ProjectInUseError(_in_use_message(shown_name, holder(path)))
        if _same_file(fd, lock_path):
            _write_owner(fd)
            return _Held(fd, lock_path)
        _close(fd)  # its last holder removed it between our open and our lock: start again
    raise ProjectInUseError(f"{shown_name}: cannot lock the project; another Engage keeps "
                            "opening and closing it")


def _in_use_message(name: str, info: dict | None) -> str:
    if not info:
        return f"{name}: already open in another Engage window; close it there first"
    here = socket.gethostname()
    where = "" if info.get("host") in (None, here) else f" on {info['host']}"
    who = f", user {info['user']}" if info.get("user") else ""
    since = ""
    with contextlib.suppress(TypeError, ValueError):
        since = ", since " + dt.datetime.fromisoformat(info["since"]).astimezone().strftime(
            "%d %b %H:%M")
    return (f"{name}: already open in another Engage window (pid {info.get('pid', '?')}"
            f"{where}{who}{since}); close it there first")


def _write_owner(fd: int) -> None:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems
        user = ""
    owner = {"pid": os.getpid(), "host": socket.gethostname(), "user": user,
             "since": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
             "app": "Engage"}
    data = (json.dumps(owner) + "\n").encode("utf-8")
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)


def _same_file(fd: int, path: Path) -> bool:
    try:
        mine, named = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (named.st_dev, named.st_ino)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _close(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        with contextlib.suppress(OSError):
            os.close(fd)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError:
            return True  # a file system without locks (some network shares): do not block
        return True

    def _close(fd: int) -> None:
        with contextlib.suppress(OSError):
            os.close(fd)
