"""Precision and recall of the personal-data masker on a labelled set written for Engage.

    .venv/bin/python benchmarks/bench_pii_masking.py [--errors]

`tests/data/pii_labelled.txt` holds one sentence a line with each piece of personal data
marked [[kind|text]]; unmarked lines (praise such as "the Doctor Was lovely", dates, ward
numbers, postcode districts) must come back unchanged. Scored per piece of personal data:
a labelled piece is found when masked spans cover all of it (recall); a masked span is right
when it overlaps a labelled piece of the same kind (precision). Printed, never asserted here;
tests/test_pii.py holds the floor.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engage.importing.pii import personal_data_spans  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "pii_labelled.txt"
_MARK_RE = re.compile(r"\[\[(\w+)\|(.+?)\]\]")


@dataclass
class Score:
    found: int = 0
    labelled: int = 0
    right: int = 0
    masked: int = 0
    clean_lines: int = 0
    clean_lines_changed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.masked if self.masked else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 1.0


def read_labelled(path: Path = LABELLED) -> list[tuple[str, list[tuple[str, int, int]]]]:
    """(plain text, [(kind, start, end)]) for each labelled line."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        plain, spans, position = [], [], 0
        length = 0
        for m in _MARK_RE.finditer(line):
            before = line[position:m.start()]
            plain.append(before)
            length += len(before)
            spans.append((m.group(1), length, length + len(m.group(2))))
            plain.append(m.group(2))
            length += len(m.group(2))
            position = m.end()
        plain.append(line[position:])
        out.append(("".join(plain), spans))
    return out


def score(path: Path = LABELLED) -> Score:
    result = Score()
    for text, gold in read_labelled(path):
        found = personal_data_spans(text)
        result.labelled += len(gold)
        result.masked += len(found)
        if not gold:
            result.clean_lines += 1
            result.clean_lines_changed += bool(found)
        for kind, start, end in gold:
            covered = sum(max(0, min(end, e) - max(start, s)) for _k, s, e in found)
            if covered >= end - start:
                result.found += 1
            else:
                result.errors.append(f"missed {kind}: {text[start:end]!r} in {text!r}")
        for kind, start, end in found:
            if any(k == kind and s < end and start < e for k, s, e in gold):
                result.right += 1
            else:
                result.errors.append(f"wrongly masked {kind}: {text[start:end]!r} in {text!r}")
    return result


def main(argv: list[str]) -> int:
    result = score()
    print(f"labelled set: {LABELLED.relative_to(ROOT)}")
    print(f"pieces of personal data: {result.labelled}; masked spans: {result.masked}")
    print(f"recall    {result.recall:.3f}  ({result.found}/{result.labelled} found whole)")
    print(f"precision {result.precision:.3f}  ({result.right}/{result.masked} masked spans right)")
    print(f"lines with no personal data changed: {result.clean_lines_changed}/{result.clean_lines}")
    if "--errors" in argv:
        print("\n".join(result.errors))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
