"""Officer-vs-officer agreement on the comments several officers coded (the overlap sample).

For each theme, every comment in the overlap is a yes/no item per officer. Percent agreement is
the share of items on which the officers gave the same answer (for three or more, the mean
share of agreeing pairs per item); Cohen's kappa (two officers) or Fleiss' kappa (three or
more) corrects it for the agreement chance alone would give, which matters because most themes
are absent from most comments. "Overall" pools every (comment, theme) item of the themes
either officer used. Sentiment is compared the same way, on comments where every officer set
one.

The figures come from each officer's own coding as merged (`team_codings`), not from the
project after conflicts were resolved, so resolving a conflict does not change them.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from engage.analysis.agreement import cohen_kappa
from engage.project import Project


def percent_agreement(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    if len(first) != len(second):
        raise ValueError("both coders must label the same items")
    if not first:
        return None
    return sum(a == b for a, b in zip(first, second, strict=True)) / len(first)


def fleiss_kappa(labels: Sequence[Sequence[Hashable]]) -> tuple[float | None, float | None]:
    """(mean pairwise agreement, Fleiss' kappa) for items each labelled by the same number of
    raters (`labels[i]` = the raters' labels of item i). Kappa is None where undefined."""
    if not labels:
        return None, None
    raters = len(labels[0])
    if raters < 2 or any(len(item) != raters for item in labels):
        raise ValueError("every item needs the same number (two or more) of raters")
    n = len(labels)
    totals: dict[Hashable, int] = {}
    agreement = 0.0
    for item in labels:
        counts: dict[Hashable, int] = {}
        for label in item:
            counts[label] = counts.get(label, 0) + 1
            totals[label] = totals.get(label, 0) + 1
        agreement += (sum(c * c for c in counts.values()) - raters) / (raters * (raters - 1))
    observed = agreement / n
    expected = sum((t / (n * raters)) ** 2 for t in totals.values())
    if expected >= 1.0:
        return observed, None
    return observed, (observed - expected) / (1.0 - expected)


def agreement_and_kappa(labels: Sequence[Sequence[Hashable]]) -> tuple[float | None,
                                                                       float | None]:
    """Two raters: percent agreement and Cohen's kappa; more: Fleiss'."""
    if labels and len(labels[0]) == 2:
        first, second = [x[0] for x in labels], [x[1] for x in labels]
        return percent_agreement(first, second), cohen_kappa(first, second)
    return fleiss_kappa(labels)


@dataclass
class ThemeAgreement:
    theme_id: int
    theme: str
    items: int
    agreement: float | None
    kappa: float | None
    coded: dict[str, int]                      # officer → comments they gave this theme
    disagreements: list[int] = field(default_factory=list)


@dataclass
class OfficerAgreement:
    officers: list[str]
    comments: int
    method: str
    agreement: float | None
    kappa: float | None
    themes: list[ThemeAgreement]
    sentiment_items: int = 0
    sentiment_agreement: float | None = None
    sentiment_kappa: float | None = None
    sentiment_disagreements: list[int] = field(default_factory=list)


def officer_codings(project: Project, consultation_id: int | None = None
                    ) -> dict[str, dict[int, tuple[frozenset[int], int | None]]]:
    """officer → comment → (themes, sentiment), from every work file merged (latest wins),
    for the comments two or more officers coded (the only ones agreement is measured on)."""
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    rows = project.db.execute(
        f"""SELECT k.officer, k.comment_id, k.themes, k.sentiment FROM team_codings k
            JOIN comments m ON m.id = k.comment_id
            WHERE k.comment_id IN (SELECT comment_id FROM team_codings GROUP BY comment_id
                                   HAVING count(DISTINCT officer) > 1) {where}
            ORDER BY k.rowid""",
        [consultation_id] if consultation_id is not None else [])
    out: dict[str, dict[int, tuple[frozenset[int], int | None]]] = {}
    for officer, cid, themes, sentiment in rows:
        out.setdefault(officer, {})[cid] = (frozenset(json.loads(themes)), sentiment)
    return out


def officer_agreement(project: Project, consultation_id: int | None = None,
                      officers: Sequence[str] | None = None) -> OfficerAgreement | None:
    """Agreement between `officers` (default: all who share comments) on the comments every
    one of them coded; None when fewer than two officers share any comment."""
    codings = officer_codings(project, consultation_id)
    if officers is None:
        officers = _sharing_officers(codings)
    officers = [o for o in officers if o in codings]
    if len(officers) < 2:
        return None
    shared = sorted(set.intersection(*(set(codings[o]) for o in officers)))
    if not shared:
        return None
    names = dict(project.db.execute("SELECT id, name FROM themes").fetchall())
    used = sorted({t for o in officers for cid in shared for t in codings[o][cid][0]},
                  key=lambda t: names.get(t, ""))
    themes, pooled = [], []
    for tid in used:
        labels = [tuple(tid in codings[o][cid][0] for o in officers) for cid in shared]
        pooled += labels
        agreement, kappa = agreement_and_kappa(labels)
        coded = {o: sum(tid in codings[o][cid][0] for cid in shared) for o in officers}
        split = [cid for cid, item in zip(shared, labels, strict=True) if len(set(item)) > 1]
        themes.append(ThemeAgreement(tid, names.get(tid, f"#{tid}"), len(shared), agreement,
                                     kappa, coded, split))
    agreement, kappa = agreement_and_kappa(pooled) if pooled else (None, None)
    result = OfficerAgreement(list(officers), len(shared),
                              "Cohen's kappa" if len(officers) == 2 else "Fleiss' kappa",
                              agreement, kappa, themes)
    rated = [cid for cid in shared if all(codings[o][cid][1] for o in officers)]
    if rated:
        labels = [tuple(codings[o][cid][1] for o in officers) for cid in rated]
        result.sentiment_items = len(rated)
        result.sentiment_agreement, result.sentiment_kappa = agreement_and_kappa(labels)
        result.sentiment_disagreements = [cid for cid, item in zip(rated, labels, strict=True)
                                          if len(set(item)) > 1]
    return result


def _sharing_officers(codings: dict[str, dict[int, tuple]]) -> list[str]:
    """Officers whose comments overlap the most-shared set: everyone coding the overlap."""
    counts: dict[int, int] = {}
    for officer_codings_ in codings.values():
        for cid in officer_codings_:
            counts[cid] = counts.get(cid, 0) + 1
    if not counts or max(counts.values()) < 2:
        return []
    most = max(counts.values())
    overlap = {cid for cid, n in counts.items() if n == most}
    return sorted(o for o, c in codings.items() if overlap & set(c))


def methodology_sentence(project: Project, consultation_id: int | None = None) -> str | None:
    """One sentence for a report's methodology, or None when no overlap was double-coded."""
    result = officer_agreement(project, consultation_id)
    if result is None or result.kappa is None:
        return None
    kappas = [t.kappa for t in result.themes if t.kappa is not None]
    spread = (f" (per theme {min(kappas):.2f} to {max(kappas):.2f})"
              if len(kappas) > 1 else "")
    who = f"{len(result.officers)} officers" if len(result.officers) > 2 else "Two officers"
    text = (f"{who} coded the same {result.comments:,} comments independently; they agreed "
            f"on {result.agreement:.0%} of theme decisions, {result.method} "
            f"{result.kappa:.2f} over all themes{spread}")
    if result.sentiment_kappa is not None:
        text += f", and {result.sentiment_kappa:.2f} on sentiment"
    return text + "."
