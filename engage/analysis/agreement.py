"""How far the model agrees with the officers who checked its work.

Computed on the comments an officer reviewed: for each theme, the model's own coding (what the
project would show had nobody looked) against the officer's final coding. Cohen's kappa
corrects raw agreement for the agreement two coders would reach by chance, which matters here
because most themes are absent from most comments: 95% raw agreement on a rare theme can mean
the model never finds it. Precision and recall say which way it errs.

Pure computation over labels; the queries that fetch the labels live in the data layer
(`engage.reports.queries.reviewed_theme_labels`), so the workbench and reports share both.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa between two coders' labels of the same items.

    None when there are no items, or when chance agreement is total (both coders gave every
    item the same single label): kappa is undefined there, and reporting 0 or 1 would mislead.
    """
    if len(first) != len(second):
        raise ValueError("both coders must label the same items")
    n = len(first)
    if n == 0:
        return None
    observed = sum(1 for a, b in zip(first, second, strict=True) if a == b) / n
    counts_first: dict[Hashable, int] = {}
    counts_second: dict[Hashable, int] = {}
    for a, b in zip(first, second, strict=True):
        counts_first[a] = counts_first.get(a, 0) + 1
        counts_second[b] = counts_second.get(b, 0) + 1
    expected = sum(counts_first[label] * counts_second.get(label, 0)
                   for label in counts_first) / (n * n)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class BinaryAgreement:
    """A 2x2 table (model by officer) for one theme, and the figures read from it."""

    true_pos: int
    false_pos: int
    false_neg: int
    true_neg: int

    @property
    def items(self) -> int:
        return self.true_pos + self.false_pos + self.false_neg + self.true_neg

    @property
    def precision(self) -> float | None:
        """Of the comments the model gave this theme, the share the officer kept."""
        predicted = self.true_pos + self.false_pos
        return self.true_pos / predicted if predicted else None

    @property
    def recall(self) -> float | None:
        """Of the comments the officer gave this theme, the share the model had found."""
        actual = self.true_pos + self.false_neg
        return self.true_pos / actual if actual else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None
        return 2 * p * r / (p + r)

    @property
    def raw_agreement(self) -> float | None:
        return (self.true_pos + self.true_neg) / self.items if self.items else None

    @property
    def kappa(self) -> float | None:
        n = self.items
        if n == 0:
            return None
        model_yes = (self.true_pos + self.false_pos) / n
        officer_yes = (self.true_pos + self.false_neg) / n
        expected = model_yes * officer_yes + (1 - model_yes) * (1 - officer_yes)
        if expected >= 1.0:
            return None
        return ((self.true_pos + self.true_neg) / n - expected) / (1.0 - expected)

    def __add__(self, other: BinaryAgreement) -> BinaryAgreement:
        return BinaryAgreement(self.true_pos + other.true_pos, self.false_pos + other.false_pos,
                               self.false_neg + other.false_neg, self.true_neg + other.true_neg)


def binary_agreement(model: Iterable[bool], officer: Iterable[bool]) -> BinaryAgreement:
    tp = fp = fn = tn = 0
    for m, o in zip(model, officer, strict=True):
        if m and o:
            tp += 1
        elif m:
            fp += 1
        elif o:
            fn += 1
        else:
            tn += 1
    return BinaryAgreement(tp, fp, fn, tn)


@dataclass(frozen=True)
class ThemeAgreement:
    theme_id: int
    table: BinaryAgreement


#: What the one headline kappa is called wherever it is shown (report and Agreement tab).
KAPPA_NAME = "Cohen's kappa (all themes pooled)"


@dataclass(frozen=True)
class AgreementSummary:
    """Per-theme agreement plus the pooled (micro) table and the mean of per-theme kappas."""

    comments: int
    themes: list[ThemeAgreement]
    pooled: BinaryAgreement

    @property
    def kappa(self) -> float | None:
        """The headline kappa: every (comment, theme) decision pooled into one table.

        The report and the Agreement tab both print this one (named `KAPPA_NAME`); they once
        printed the pooled and the per-theme mean under the same word and read 0.46 and 0.39.
        The mean over themes (`mean_kappa`) weighs a theme seen twice like one seen 200 times,
        so it is shown only beside the pooled figure, by its own name."""
        return self.pooled.kappa

    @property
    def mean_kappa(self) -> float | None:
        """Macro kappa: the mean over themes that the officer or the model used at least once."""
        values = [t.table.kappa for t in self.themes
                  if t.table.true_pos + t.table.false_pos + t.table.false_neg > 0
                  and t.table.kappa is not None]
        return sum(values) / len(values) if values else None

    def for_theme(self, theme_id: int) -> BinaryAgreement | None:
        for t in self.themes:
            if t.theme_id == theme_id:
                return t.table
        return None


def theme_agreement(model: Mapping[int, set[int]], officer: Mapping[int, set[int]],
                    theme_ids: Sequence[int]) -> AgreementSummary:
    """Agreement per theme over the comments present in `officer` (the reviewed ones).

    `model` and `officer` map comment id to the set of theme ids each gave it; a comment the
    model left uncoded may be missing from `model`.
    """
    comments = sorted(officer)
    tables = []
    pooled = BinaryAgreement(0, 0, 0, 0)
    for tid in theme_ids:
        table = binary_agreement((tid in model.get(cid, ()) for cid in comments),
                                 (tid in officer[cid] for cid in comments))
        tables.append(ThemeAgreement(tid, table))
        pooled = pooled + table
    return AgreementSummary(len(comments), tables, pooled)


def roll_up_sentiment(level: int | None) -> str | None:
    """Five NHS patient-experience levels to three: 1-2 positive, 3 neutral/mixed, 4-5 negative."""
    if level is None:
        return None
    if level <= 2:
        return "positive"
    if level == 3:
        return "neutral"
    return "negative"


@dataclass(frozen=True)
class SentimentAgreement:
    comments: int
    exact: float | None
    kappa5: float | None
    kappa3: float | None


def sentiment_agreement(pairs: Sequence[tuple[int, int]]) -> SentimentAgreement:
    """Model against officer sentiment, on comments where the officer set one."""
    model = [m for m, _o in pairs]
    officer = [o for _m, o in pairs]
    exact = sum(1 for m, o in pairs if m == o) / len(pairs) if pairs else None
    return SentimentAgreement(
        len(pairs), exact, cohen_kappa(model, officer),
        cohen_kappa([roll_up_sentiment(m) for m in model],
                    [roll_up_sentiment(o) for o in officer]))
