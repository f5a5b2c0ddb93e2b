"""Portfolios and themes as the register sees them, and suggesting a portfolio from a text.

The register works before any analysis has been run: when the project has no taxonomy yet the
portfolio names come from the default Dorset taxonomy shipped with the NLP engine (or, failing
that, the five names in `vocab`). Once the project holds portfolios and themes, links are also
stored by id so a rename in the taxonomy carries through.

Suggesting a portfolio from an activity's description uses the NLP engine's cold-start seed
scorer when it is available (seed terms matched on lemmas plus similarity to each theme's
description): a portfolio scores as its best theme, and wins if it clearly leads. Without
the NLP engine, a plain keyword match against the same seed terms stands in. Either way the
matched terms are kept so the officer can judge, and suggestions are stored marked as
suggested until the officer confirms or changes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache

from engage.changes import Changes
from engage.coproduction.vocab import DEFAULT_PORTFOLIOS, word_key
from engage.project import Project


def _table_has_rows(project: Project, table: str) -> bool:
    if table not in project.db.table_names():
        return False
    return project.db.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None


@lru_cache(maxsize=1)
def _default_taxonomy() -> tuple[tuple[str, ...], dict[str, tuple[str, ...]],
                                 dict[str, str]]:
    """(portfolio names, seed terms per portfolio, theme → portfolio) from the shipped default."""
    try:
        from engage.nlp.taxonomy import load_default
    except ImportError:
        return DEFAULT_PORTFOLIOS, {name: () for name in DEFAULT_PORTFOLIOS}, {}
    taxonomy = load_default()
    names = tuple(taxonomy.portfolio_names)
    terms = {name: tuple(taxonomy.portfolio_terms(name)) for name in names}
    themes = {theme.name: theme.portfolio for theme in taxonomy.themes}
    return names, terms, themes


def portfolio_names(project: Project) -> list[str]:
    """The portfolios an activity or action may name, in the taxonomy's order."""
    if _table_has_rows(project, "portfolios"):
        return [row[0] for row in project.db.execute(
            "SELECT name FROM portfolios ORDER BY position, id").fetchall()]
    return list(_default_taxonomy()[0])


def theme_names(project: Project) -> list[str]:
    """Theme names to offer; the project's taxonomy if it has one, else the default's."""
    if _table_has_rows(project, "themes"):
        return [row[0] for row in project.db.execute(
            "SELECT t.name FROM themes t JOIN portfolios p ON p.id = t.portfolio_id "
            "ORDER BY p.position, p.id, t.position, t.id").fetchall()]
    return list(_default_taxonomy()[2])


def resolve_portfolio(project: Project, name: str) -> tuple[str, int | None]:
    """(canonical name, id or None) for a portfolio typed by the officer; ValueError if unknown."""
    key = word_key(name)
    for known in portfolio_names(project):
        if word_key(known) == key:
            return known, portfolio_id(project, known)
    raise ValueError(f"unknown portfolio {name.strip()!r} — expected one of: "
                     + "; ".join(portfolio_names(project)))


def portfolio_id(project: Project, name: str) -> int | None:
    if "portfolios" not in project.db.table_names():
        return None
    row = project.db.execute("SELECT id FROM portfolios WHERE name = ?", [name]).fetchone()
    return row[0] if row else None


def resolve_theme(project: Project, name: str) -> tuple[str, int | None]:
    """(name, id or None). Themes are not restricted: an activity may address a theme the
    taxonomy does not have yet; it is linked by id when one of that name exists."""
    clean = " ".join(name.split())
    if "themes" in project.db.table_names():
        row = project.db.execute("SELECT name, id FROM themes WHERE name = ? COLLATE NOCASE",
                                 [clean]).fetchone()
        if row:
            return row[0], row[1]
    for known in _default_taxonomy()[2]:
        if word_key(known) == word_key(clean):
            return known, None
    return clean, None


def _seed_phrase(term: str) -> str:
    """A seed term without its context clause ("cut off (not near: phone)" → "cut off")."""
    try:
        from engage.nlp.taxonomy import parse_seed
    except ImportError:
        return term
    return parse_seed(term).phrase


def portfolio_seed_terms(project: Project) -> dict[str, tuple[str, ...]]:
    """Seed terms of each portfolio's themes: the project's own taxonomy when it has one."""
    if _table_has_rows(project, "themes"):
        terms: dict[str, list[str]] = {name: [] for name in portfolio_names(project)}
        for portfolio, seeds in project.db.execute(
                "SELECT p.name, t.seed_terms FROM themes t "
                "JOIN portfolios p ON p.id = t.portfolio_id").fetchall():
            terms.setdefault(portfolio, []).extend(_seed_phrase(term)
                                                   for term in json.loads(seeds or "[]"))
        return {name: tuple(values) for name, values in terms.items()}
    return dict(_default_taxonomy()[1])


@dataclass(frozen=True)
class Suggestion:
    portfolio: str
    score: float        # share of all seed-term hits that went to this portfolio
    terms: tuple[str, ...]  # the terms that were found, for the officer to judge


class PortfolioSuggester:
    """Scores texts against each portfolio's seed terms; build once, call for many texts."""

    method = "keyword match"

    def __init__(self, terms: dict[str, tuple[str, ...]], min_hits: int = 1,
                 min_lead: float = 0.4) -> None:
        self.min_hits, self.min_lead = min_hits, min_lead
        self._patterns = [(name, term, _term_pattern(term))
                          for name, seeds in terms.items() for term in dict.fromkeys(seeds)
                          if word_key(term)]

    @classmethod
    def for_project(cls, project: Project) -> PortfolioSuggester:
        return cls(portfolio_seed_terms(project))

    def suggest(self, text: str) -> Suggestion | None:
        """The best portfolio for a text, or None when nothing matches or it is a close call."""
        haystack = " " + word_key(text) + " "
        hits: dict[str, list[str]] = {}
        for name, term, pattern in self._patterns:
            if pattern.search(haystack):
                hits.setdefault(name, []).append(term)
        if not hits:
            return None
        total = sum(len(found) for found in hits.values())
        ranked = sorted(hits.items(), key=lambda item: -len(item[1]))
        best, found = ranked[0]
        share = len(found) / total
        if len(found) < self.min_hits or share < self.min_lead:
            return None
        if len(ranked) > 1 and len(ranked[1][1]) == len(found):
            return None  # a tie is not a suggestion
        return Suggestion(best, round(share, 3), tuple(found))

    def suggest_many(self, texts: list[str]) -> list[Suggestion | None]:
        return [self.suggest(text) for text in texts]


def _term_pattern(term: str) -> re.Pattern[str]:
    words = [re.escape(word) for word in word_key(term).split()]
    body = r"\s+".join(words[:-1] + [words[-1] + r"(?:s|es)?"])
    return re.compile(r"(?<![a-z0-9])" + body + r"(?![a-z0-9])")


class SeedScorerSuggester:
    """Portfolio suggestions from the NLP engine's seed scorer (a portfolio = its best theme)."""

    method = "seed scorer"

    def __init__(self, taxonomy, min_score: float = 0.3, min_lead: float = 0.1) -> None:
        self.taxonomy, self.min_score, self.min_lead = taxonomy, min_score, min_lead

    def suggest_many(self, texts: list[str]) -> list[Suggestion | None]:
        from engage.nlp.seeds import SeedScorer
        from engage.nlp.text import tokenize

        if not texts:
            return []
        docs = tokenize(list(texts))
        scores = SeedScorer(self.taxonomy).fit(docs).score(docs)
        portfolio_of = {theme.name: theme.portfolio for theme in self.taxonomy.themes}
        out: list[Suggestion | None] = []
        for i in range(len(texts)):
            best: dict[str, tuple[float, str]] = {}
            for j, theme in enumerate(scores.theme_names):
                value = float(scores.scores[i, j])
                portfolio = portfolio_of[theme]
                if value > best.get(portfolio, (0.0, ""))[0]:
                    best[portfolio] = (value, theme)
            ranked = sorted(best.items(), key=lambda item: -item[1][0])
            if not ranked or ranked[0][1][0] < self.min_score:
                out.append(None)
                continue
            runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
            if ranked[0][1][0] - runner_up < self.min_lead:
                out.append(None)
                continue
            portfolio, (value, _theme) = ranked[0]
            terms = tuple(dict.fromkeys(
                term for j, theme in enumerate(scores.theme_names)
                if portfolio_of[theme] == portfolio
                for term in scores.matched[i].get(j, [])))
            out.append(Suggestion(portfolio, round(value, 3), terms))
        return out


def project_taxonomy(project: Project):
    """The project's taxonomy as the NLP engine's `Taxonomy`, or the default when it has none."""
    from engage.nlp.taxonomy import Portfolio, Taxonomy, Theme, load_default

    if not _table_has_rows(project, "themes"):
        return load_default()
    portfolios = [Portfolio(name, description or "") for name, description in project.db.execute(
        "SELECT name, description FROM portfolios ORDER BY position, id")]
    themes = [Theme(name, portfolio, description or "", json.loads(seeds or "[]"),
                    json.loads(examples or "[]"))
              for name, portfolio, description, seeds, examples in project.db.execute(
                  "SELECT t.name, p.name, t.description, t.seed_terms, t.examples FROM themes t "
                  "JOIN portfolios p ON p.id = t.portfolio_id ORDER BY p.position, t.position")]
    return Taxonomy(portfolios, themes, name="Project taxonomy")


def make_suggester(project: Project, prefer_nlp: bool = True):
    """The best suggester this build has: the seed scorer if the NLP engine is present."""
    if prefer_nlp:
        try:
            import engage.nlp.seeds  # noqa: F401
            import engage.nlp.text  # noqa: F401

            return SeedScorerSuggester(project_taxonomy(project))
        except ImportError:
            pass
    return PortfolioSuggester.for_project(project)


def link_to_taxonomy(project: Project) -> Changes:
    """Give portfolio and theme links made by name the ids of same-named taxonomy entries.

    Activities and actions recorded before the project had a taxonomy (or imported with
    names) are linked by name only; once the taxonomy exists this ties them to it, so a later
    rename of a portfolio or theme carries through. Safe to call at any time; does nothing
    when there is nothing to link.
    """
    if not _table_has_rows(project, "portfolios"):
        return Changes()
    statements = [
        ("activity_portfolios", "portfolio_id", "portfolios", "portfolio"),
        ("actions", "portfolio_id", "portfolios", "portfolio"),
        ("activity_themes", "theme_id", "themes", "theme"),
        ("action_themes", "theme_id", "themes", "theme"),
    ]
    linked = 0
    with project.transaction("link register to taxonomy") as tx:
        for table, id_column, source, name_column in statements:
            cursor = project.db.execute(
                f"UPDATE {table} SET {id_column} = (SELECT s.id FROM {source} s "
                f"WHERE s.name = {table}.{name_column} COLLATE NOCASE) "
                f"WHERE {id_column} IS NULL AND {name_column} IS NOT NULL AND EXISTS "
                f"(SELECT 1 FROM {source} s WHERE s.name = {table}.{name_column} "
                f"COLLATE NOCASE)")
            if cursor.rowcount:
                tx.audit(table, None, None, {"linked_by_name": cursor.rowcount})
                linked += cursor.rowcount
    return Changes(activities=True, actions=True) if linked else Changes()
