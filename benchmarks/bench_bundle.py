"""How big the desktop bundle is, what takes the room, and whether it carries what it must.

Reads a bundle `make package` has already built (default `dist/engage`); builds nothing.
Prints the size on disk (what `du` counts: symlinks once, not their targets) in MiB and MB,
the largest parts of the bundle, and a check of the files the accurate pass and the offline
promise depend on: the encoder folder, ONNX Runtime, and no PyTorch. Asserts nothing; exits 1
only when the folder is not a bundle.

    .venv/bin/python benchmarks/bench_bundle.py [dist/engage] [--top 20] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 450  # issue 13: the bundle is at most 450 MB unpacked
ENCODER_FILES = ("encoder.onnx", "vocab.txt", "heads.json", "heads.npz", "model_card.json")


def disk_bytes(path: Path) -> int:
    """Bytes allocated on disk under `path`, each hard-linked file and symlink counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    paths = [path] if not path.is_dir() or path.is_symlink() else [path, *path.rglob("*")]
    for entry in paths:
        info = entry.lstat()
        if (info.st_dev, info.st_ino) in seen:
            continue
        seen.add((info.st_dev, info.st_ino))
        total += info.st_blocks * 512
    return total


def parts(bundle: Path) -> list[tuple[str, int]]:
    """The executable(s) beside the contents folder, and each entry of the contents folder."""
    contents = bundle / "_internal"
    entries = [p for p in bundle.iterdir() if p != contents]
    if contents.is_dir():
        entries += list(contents.iterdir())
    sized = [(str(p.relative_to(bundle)), disk_bytes(p)) for p in entries]
    return sorted(sized, key=lambda item: item[1], reverse=True)


def contents_check(bundle: Path) -> dict[str, object]:
    contents = bundle / "_internal"
    encoder = contents / "models" / "encoder"
    found = {name: (encoder / name).stat().st_size if (encoder / name).is_file() else None
             for name in ENCODER_FILES}
    runtime = sorted(p.name for p in (contents / "onnxruntime" / "capi").glob("*.so*")) \
        if (contents / "onnxruntime" / "capi").is_dir() else []
    torch = sorted(str(p.relative_to(bundle)) for p in contents.glob("*")
                   if p.name.lower().startswith(("torch", "libtorch")))
    return {"encoder_files": found, "onnxruntime": runtime, "torch": torch,
            "default_model": (contents / "models" / "default" / "model.json").is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("bundle", nargs="?", default=str(ROOT / "dist" / "engage"))
    parser.add_argument("--top", type=int, default=20, help="how many parts to list")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = parser.parse_args(argv)
    bundle = Path(args.bundle)
    if not (bundle / "engage").is_file():
        print(f"{bundle} is not a built bundle (no `engage` program); run `make package`",
              file=sys.stderr)
        return 1
    total = disk_bytes(bundle)
    largest = parts(bundle)[: args.top]
    check = contents_check(bundle)
    if args.json:
        print(json.dumps({"bundle": str(bundle), "bytes": total, "target_mb": TARGET_MB,
                          "largest": largest, **check}, indent=2))
        return 0
    verdict = "within" if total <= TARGET_MB * 1e6 else "OVER"
    print(f"{bundle}: {total / 2**20:.0f} MiB = {total / 1e6:.0f} MB on disk "
          f"({verdict} the {TARGET_MB} MB target)")
    print(f"largest {len(largest)} parts:")
    for name, size in largest:
        print(f"  {size / 2**20:7.1f} MiB  {name}")
    print("accurate pass: " + ", ".join(
        f"{name} {'missing' if size is None else f'{size / 1e6:.1f} MB'}"
        for name, size in check["encoder_files"].items()))
    print(f"ONNX Runtime: {', '.join(check['onnxruntime']) or 'missing'}")
    print(f"PyTorch: {', '.join(check['torch']) or 'none'}"
          f"; shipped fast model: {'yes' if check['default_model'] else 'missing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
