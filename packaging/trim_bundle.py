"""Post-build trims of the Linux bundle that PyInstaller's own options cannot make.

`packaging/engage.spec` calls `trim(folder)` after COLLECT:

- Qt's ICU data library (`libicudata.so.NN`, 31 MB) is rebuilt with English locale data only:
  no other languages' locale, collation, currency, unit, zone or language-name tables, no
  break-iterator dictionaries (Thai, Khmer, Lao, Burmese, Chinese/Japanese), no
  transliterators and no multi-byte East Asian code pages. Engage is in English and reads
  files with Python's codecs, not Qt's, so Qt only ever asks ICU for English collation, case
  mapping and time-zone names (the root collation, which every language falls back to, stays).
  About 4.5 MB is left. Needs `icupkg` and `genccode` (Debian: icu-devtools), a C compiler and
  objcopy; without them the full library stays and the build says so. The rebuilt library is
  loaded and asked for an English collator, a Windows-1252 converter and the London time zone
  before it replaces the original; if any of that fails, the original stays.
- Identical copies of one vendored library in two wheels' `.libs` folders (numpy and scipy both
  carry libgfortran and libquadmath) become one file and a symlink.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Locale data kept in every ICU tree (main, coll, curr, lang, region, unit, zone, rbnf).
KEEP_LOCALES = {"root", "en", "en_001", "en_150", "en_GB", "en_US", "en_US_POSIX"}
# Items named like a locale that are not one.
NOT_LOCALES = {"pool", "res_index"}
LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
# Single-byte code pages are 1-25 KB each; the East Asian multi-byte ones are 30-550 KB.
MULTIBYTE_CODEPAGE_BYTES = 30_000
TOOLS = ("icupkg", "genccode", "objcopy", "strip")


def trim(folder: Path) -> None:
    if sys.platform != "linux":
        return
    for data_lib in sorted(folder.rglob("libicudata.so.*")):
        if data_lib.is_file() and not data_lib.is_symlink():
            trim_icu_data(data_lib)
    link_duplicate_libraries(folder)


def _say(message: str) -> None:
    print(f"trim_bundle: {message}", flush=True)


def _unwanted_item(item: str, size: int) -> bool:
    tree, _, name = item.rpartition("/")
    if LOCALE_ITEM.match(name) and name[:-4] not in KEEP_LOCALES | NOT_LOCALES:
        return True
    return (name.endswith(".dict") or tree == "translit"
            or name.endswith(".cnv") and size > MULTIBYTE_CODEPAGE_BYTES)


def _remove_items(icupkg: str, source: Path, target: Path, work: Path) -> int:
    """Write `target` from `source` without the unwanted items; returns how many were left
    out. An item that depends on a removed one (an extension code page, a locale's parent
    tree) goes too: icupkg names them, and the loop drops them until it succeeds."""
    extracted = work / "items"
    extracted.mkdir()
    subprocess.run([icupkg, "-x", "*", "-d", str(extracted), str(source)], check=True,
                   capture_output=True)
    listing = subprocess.run([icupkg, "-l", str(source)], check=True, capture_output=True,
                             text=True).stdout.split()
    remove = {item for item in listing
              if _unwanted_item(item, (extracted / item).stat().st_size)}
    for _ in range(20):
        (work / "remove.txt").write_text("\n".join(sorted(remove)) + "\n")
        target.unlink(missing_ok=True)
        done = subprocess.run([icupkg, "-r", str(work / "remove.txt"), str(source),
                               str(target)], capture_output=True, text=True)
        if done.returncode == 0 and target.is_file():
            return len(remove)
        dependants = set(re.findall(r"Item (\S+) depends on missing item",
                                    done.stdout + done.stderr))
        if not dependants - remove:
            raise RuntimeError(f"icupkg failed: {(done.stderr or done.stdout)[-500:]}")
        remove |= dependants
    raise RuntimeError("icupkg: dependencies did not settle")


def _icu_works(lib_dir: Path, version: str) -> bool:
    """Load the ICU libraries in `lib_dir` in a fresh process and ask the data for what Qt
    uses: an en_GB collator, a Windows-1252 converter, the Europe/London zone."""
    check = f"""
import ctypes, sys
uc = ctypes.CDLL({str(lib_dir / f"libicuuc.so.{version}")!r}, mode=ctypes.RTLD_GLOBAL)
i18n = ctypes.CDLL({str(lib_dir / f"libicui18n.so.{version}")!r})
status = ctypes.c_int(0)
zone = (ctypes.c_uint16 * 14)(*map(ord, "Europe/London"))
for lib, name, args in ((i18n, "ucol_open", (b"en_GB",)), (uc, "ucnv_open", (b"windows-1252",)),
                        (i18n, "ucal_open", (zone, 13, b"en_GB", 0))):
    function = getattr(lib, name + "_{version}")
    function.restype = ctypes.c_void_p
    status.value = 0
    if not function(*args, ctypes.byref(status)) or status.value > 0:
        sys.exit(f"ICU check: {{name}} failed with status {{status.value}}")
"""
    env = {**os.environ, "LD_LIBRARY_PATH": str(lib_dir)}
    return subprocess.run([sys.executable, "-c", check], env=env).returncode == 0


def trim_icu_data(data_lib: Path) -> None:
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    compiler = shutil.which("cc") or shutil.which("gcc")
    if missing or not compiler:
        _say(f"ICU data left whole ({data_lib.stat().st_size / 1e6:.0f} MB): no "
             f"{', '.join(missing + ([] if compiler else ['cc']))} (apt-get install "
             "icu-devtools binutils gcc)")
        return
    version = data_lib.name.rsplit(".so.", 1)[1].split(".")[0]
    lib_dir = data_lib.parent
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        whole = work / f"icudt{version}l.dat"
        subprocess.run([shutil.which("objcopy"), "-O", "binary", "--only-section=.rodata",
                        str(data_lib), str(whole)], check=True)
        if whole.read_bytes()[2:4] != b"\xda\x27":  # the ICU data header's magic number
            _say(f"ICU data left whole: {data_lib.name} does not hold one ICU data package")
            return
        trimmed_dir = work / "trimmed"
        trimmed_dir.mkdir()
        trimmed = trimmed_dir / whole.name
        removed = _remove_items(shutil.which("icupkg"), whole, trimmed, work)
        subprocess.run([shutil.which("genccode"), "--quiet", "-a", "gcc", "-e",
                        f"icudt{version}", "-d", str(work), str(trimmed)], check=True)
        assembly = work / f"icudt{version}l_dat.S"
        subprocess.run([compiler, "-c", "-o", str(work / "icudt.o"), str(assembly)], check=True)
        candidate = work / "lib"
        candidate.mkdir()
        subprocess.run([compiler, "-shared", "-nostdlib", f"-Wl,-soname,{data_lib.name}",
                        "-Wl,-z,noexecstack", "-o", str(candidate / data_lib.name),
                        str(work / "icudt.o")], check=True)
        for other in ("libicuuc", "libicui18n"):
            source = lib_dir / f"{other}.so.{version}"
            shutil.copy2(source, candidate / source.name)
            subprocess.run([shutil.which("strip"), "--strip-unneeded",
                            str(candidate / source.name)], check=True)
        if not _icu_works(candidate, version):
            _say("ICU data left whole: the trimmed data failed its check")
            return
        before = sum((lib_dir / p.name).stat().st_size for p in candidate.iterdir())
        for built in candidate.iterdir():
            shutil.copy2(built, lib_dir / built.name)
        after = sum(p.stat().st_size for p in candidate.iterdir())
    _say(f"ICU: {removed} data items left out, libraries {before / 1e6:.1f} MB -> "
         f"{after / 1e6:.1f} MB")


def link_duplicate_libraries(folder: Path) -> None:
    seen: dict[tuple[str, str], Path] = {}
    saved = 0
    for lib in sorted(folder.rglob("*.libs/*.so*")):
        if lib.is_symlink() or not lib.is_file():
            continue
        key = (lib.name, hashlib.sha256(lib.read_bytes()).hexdigest())
        if key not in seen:
            seen[key] = lib
            continue
        saved += lib.stat().st_size
        lib.unlink()
        lib.symlink_to(os.path.relpath(seen[key], lib.parent))
    if saved:
        _say(f"identical vendored libraries linked, {saved / 1e6:.1f} MB saved")
