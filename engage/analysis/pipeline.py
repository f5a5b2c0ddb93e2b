"""`engage analyse`: themes, sentiment, near-duplicates and topics for every comment.

Cold start (nothing coded yet) scores each comment against the project's own taxonomy — seed
terms and descriptions — and against the shipped model trained on NHS patient feedback, whose
framework themes are mapped onto Dorset themes by a reviewed table. Once an officer has coded
comments, a classifier learnt from those codings takes over theme by theme as its examples
grow. Officer decisions are never overwritten (see engage.analysis.store).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engage.analysis import store
from engage.changes import Changes
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project

CODED_THRESHOLD = 0.5  # a theme is suggested as coded at or above this probability
REVIEW_THRESHOLD = 0.25  # below coded but at or above this: the comment goes for review
WARM_MIN_REVIEWED = 20  # officer-reviewed comments before learning from them
WARM_MIN_EXAMPLES = 5  # examples of a theme before the officer model scores it
WARM_FULL_WEIGHT = 40  # examples at which the officer model alone decides a theme
WARM_SENTIMENT_MIN = 20  # officer-set sentiments before learning sentiment from them
WARM_SENTIMENT_HALF = 50  # officer-set sentiments at which their model weighs half
SENTIMENT_LEVELS = np.arange(1, 6)
SENTIMENT_BATCH = 20_000  # comments vectorised at once by the officer sentiment model
MAX_SUGGESTIONS = 4


@dataclass
class AnalysisSummary:
    run_id: int
    comments: int
    outcomes: dict[str, int]
    topics: int
    near_duplicate_groups: int
    mode: str
    officer_examples: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    officer_sentiments: int = 0

    def lines(self) -> list[str]:
        o = self.outcomes
        return [
            f"Analysed {self.comments:,} comments in {self.seconds:.1f} s ({self.mode}"
            + (f", learning from {self.officer_examples} officer-coded comments)"
               if self.officer_examples else ")"),
            f"  coded: {o.get('coded', 0):,}   for review: {o.get('uncertain', 0):,}   "
            f"no theme: {o.get('no_theme', 0):,}",
            f"  topics discovered: {self.topics}   near-duplicate groups: "
            f"{self.near_duplicate_groups:,}",
        ] + ([f"  sentiment also learnt from {self.officer_sentiments:,} officer-set sentiments"]
             if self.officer_sentiments else [])


def analyse_project(path: str | Path, consultation_id: int | None = None,
                    model_dir: str | Path | None = None, progress: ProgressFn | None = None,
                    cancelled: CancelFn | None = None) -> tuple[AnalysisSummary, Changes]:
    """Analyse every substantive comment (of one consultation, or all) and save the results.

    Opens its own connection, so it can run on a worker thread.
    """
    with Project.open(path) as project:
        return _Analysis(project, consultation_id, model_dir, Reporter(progress, cancelled)).run()


class _Analysis:
    def __init__(self, project: Project, consultation_id: int | None,
                 model_dir: str | Path | None, report: Reporter) -> None:
        self.project, self.consultation_id = project, consultation_id
        self.model_dir, self.report = model_dir, report
        self.stages: dict[str, float] = {}

    def _stage(self, name: str, start: float) -> None:
        self.stages[name] = round(time.perf_counter() - start, 3)

    def run(self) -> tuple[AnalysisSummary, Changes]:
        began = time.perf_counter()
        report = self.report
        if self.consultation_id is not None:  # an unknown id stops the run before any write
            self.project.consultation(self.consultation_id)
        self._model()  # a model folder that cannot be used stops the run before any write
        changes = self._ensure_taxonomy()
        rows = store.comments_to_analyse(self.project, self.consultation_id)
        ids = [r[0] for r in rows]
        texts = [r[1] for r in rows]
        report(0.02, f"Analysing {len(ids):,} comments")
        t = time.perf_counter()
        tokens = self._tokens(ids, texts, report.span(0.02, 0.35))
        self._stage("tokenise", t)
        theme_rows = store.themes(self.project)
        taxonomy = _taxonomy_from(self.project, theme_rows)
        t = time.perf_counter()
        scores, evidence = self._cold_scores(texts, tokens, theme_rows, taxonomy,
                                             report.span(0.35, 0.6))
        self._stage("cold start themes and sentiment", t)
        t = time.perf_counter()
        officer_n = self._warm_scores(scores, texts, theme_rows)
        officer_sentiments = self._warm_sentiment(texts)
        self._stage("officer model", t)
        report(0.62, "Finding near-duplicates")
        t = time.perf_counter()
        groups = self._near_duplicates(texts, ids, report.span(0.62, 0.7))
        self._stage("near-duplicates", t)
        t = time.perf_counter()
        topics, topic_of = self._topics(tokens, ids, taxonomy, report.span(0.7, 0.93))
        self._stage("topics", t)
        results = self._results(ids, tokens, scores, evidence, theme_rows, groups, topic_of)
        report(0.95, "Saving results")
        t = time.perf_counter()
        mode = "warm start" if officer_n else "cold start"
        # The run and its results in one transaction (the two inside become savepoints), so an
        # analysis killed while saving leaves no run marked "running" behind.
        with self.project.transaction("analyse"):
            run_id = store.start_run(self.project, self._model_version(), {
                "consultation_id": self.consultation_id, "mode": mode,
                "coded_threshold": CODED_THRESHOLD, "review_threshold": REVIEW_THRESHOLD})
            changes |= store.save_results(self.project, run_id, results, metrics={
                "stages": self.stages, "officer_examples": officer_n,
                "officer_sentiments": officer_sentiments}, topics=topics)
        self._stage("save", t)
        outcomes: dict[str, int] = {}
        for r in results:
            outcomes[r.outcome] = outcomes.get(r.outcome, 0) + 1
        summary = AnalysisSummary(run_id, len(results), outcomes, len(topics),
                                  int(len({g for g in groups if g is not None})), mode,
                                  officer_n, time.perf_counter() - began, self.stages,
                                  officer_sentiments)
        return summary, changes

    # ----- stages --------------------------------------------------------------------------
    def _ensure_taxonomy(self) -> Changes:
        if store.has_taxonomy(self.project):
            return Changes()
        from engage.nlp.taxonomy import load_default

        default = load_default()
        portfolios = [{"name": p.name, "description": p.description,
                       "themes": [{"name": t.name, "description": t.description,
                                   "seed_terms": t.seed_terms, "examples": t.examples}
                                  for t in default.themes_in(p.name)]}
                      for p in default.portfolios]
        return store.install_taxonomy(self.project, portfolios)

    def _tokens(self, ids: list[int], texts: list[str], report: Reporter) -> list[str]:
        """Stored tokens where an earlier run made them; tokenise only the rest."""
        from engage.nlp.text import to_token_string, tokenize

        stored = store.stored_tokens(self.project, ids)
        missing = [i for i, cid in enumerate(ids) if cid not in stored]
        fresh: dict[int, str] = {}
        if missing:
            # The Reporter checks for cancel on every progress call it receives.
            lists = tokenize([texts[i] for i in missing], progress=report)
            fresh = {ids[i]: to_token_string(toks) for i, toks in zip(missing, lists, strict=True)}
        return [stored.get(cid) or fresh.get(cid, "") for cid in ids]

    def _cold_scores(self, texts, tokens, theme_rows, taxonomy, report: Reporter):
        """(comments × themes) scores from seed terms and the mapped framework model."""
        from engage.nlp.seeds import SeedScorer

        names = [t["name"] for t in theme_rows]
        scores = np.zeros((len(texts), len(names)), dtype=np.float32)
        evidence: list[dict[int, list[str]]] = [{} for _ in texts]
        self.sentiment = np.full(len(texts), None, dtype=object)
        self.sentiment_conf = np.full(len(texts), None, dtype=object)
        self.sentiment_proba = None
        self.sentiment_on_own_scale = False  # a custom model's values, not 1–5: not blended
        if not texts:
            return scores, evidence
        token_lists = [t.split() for t in tokens]
        seeds = SeedScorer(taxonomy).fit(token_lists).score(token_lists)
        column = {name: j for j, name in enumerate(seeds.theme_names)}
        for j, name in enumerate(names):
            if name in column:
                scores[:, j] = seeds.scores[:, column[name]]
        for i, found in enumerate(seeds.matched):
            evidence[i] = {names.index(seeds.theme_names[k]): terms for k, terms in found.items()
                           if seeds.theme_names[k] in names}
        del token_lists, seeds  # a million token lists are over a GB; the model needs texts
        report(0.4, "Applying the trained model")
        model = self._model()
        if model is not None:
            predictions = model.predict(texts, progress=report.span(0.4, 1.0))
            self._blend_framework(scores, predictions, names)
            if predictions.sentiment is not None:
                self.sentiment = np.rint(predictions.sentiment).astype(int)
                self.sentiment_conf = predictions.sentiment_confidence
                self.sentiment_proba = _on_levels(predictions.sentiment_proba,
                                                  predictions.sentiment_levels)
                self.sentiment_on_own_scale = self.sentiment_proba is None
        return scores, evidence

    def _model(self):
        """The trained model, loaded once. A folder the user named must work or the run stops
        with its reason; only a missing *shipped* model falls back to seed terms."""
        from engage.nlp.modelio import ModelError, load_model

        if not hasattr(self, "_loaded_model"):
            if self.model_dir is not None:
                self._loaded_model = load_model(self.model_dir)
            else:
                try:
                    self._loaded_model = load_model(None)
                except ModelError:
                    self._loaded_model = None
        return self._loaded_model

    def _model_version(self) -> str:
        model = self._model()
        if model is None:
            return "seed terms only"
        return str(model.card.get("created", "unknown"))

    @staticmethod
    def _blend_framework(scores: np.ndarray, predictions, names: list[str]) -> None:
        """Each Dorset theme takes the strongest framework theme mapped onto it."""
        from engage.nlp.mapping import LABEL_RELATIONS, load_mapping

        position = {name.casefold(): j for j, name in enumerate(names)}
        for row in load_mapping():
            if row.relation not in LABEL_RELATIONS or row.framework_theme not in predictions.themes:
                continue
            j = position.get(row.dorset_theme.casefold())
            if j is None:
                continue
            k = predictions.themes.index(row.framework_theme)
            np.maximum(scores[:, j], predictions.theme_proba[:, k], out=scores[:, j])

    def _warm_scores(self, scores: np.ndarray, texts: list[str], theme_rows) -> int:
        """Blend in a model learnt from the officer's codings; return how many it learnt from."""
        # A reviewed comment is the officer's whole judgement: accepted themes are positives,
        # every other theme a negative (rejecting all suggestions teaches the model too).
        data = store.officer_training_data(self.project)
        coded = [(text, themes_) for _cid, text, themes_, _s in data]
        if len(coded) < WARM_MIN_REVIEWED or not any(themes_ for _t, themes_ in coded):
            return 0
        from engage.nlp.classifier import ThemeClassifier

        column = {t["id"]: j for j, t in enumerate(theme_rows)}
        Y = np.zeros((len(coded), len(theme_rows)), dtype=np.uint8)
        for i, (_text, theme_ids) in enumerate(coded):
            for tid in theme_ids:
                if tid in column:
                    Y[i, column[tid]] = 1
        model = ThemeClassifier(min_examples=WARM_MIN_EXAMPLES, cv=3)
        model.fit([t for t, _ in coded], Y, themes=[t["name"] for t in theme_rows])
        warm = model.predict_proba(texts)
        for j in np.flatnonzero(model.learnable_):
            weight = min(1.0, model.counts_[j] / WARM_FULL_WEIGHT)
            scores[:, j] = weight * warm[:, j] + (1 - weight) * scores[:, j]
        return len(coded)

    def _warm_sentiment(self, texts: list[str]) -> int:
        """Blend in a sentiment model learnt from the sentiments officers set by hand; return
        how many it learnt from.

        The shipped model learnt from patient feedback, where a wish ("we need more …") often
        reads as a complaint; a consultation's own officers correct that, and their model's
        say grows with their number (half the weight at WARM_SENTIMENT_HALF), never all of it.
        """
        data = store.officer_sentiments(self.project)
        if not texts or len(data) < WARM_SENTIMENT_MIN or len({s for _, s in data}) < 2:
            return 0
        if self.sentiment_on_own_scale:
            return 0
        from engage.nlp.sentiment import SentimentClassifier

        model = SentimentClassifier().fit([t for t, _ in data], [s for _, s in data])
        warm = np.zeros((len(texts), len(SENTIMENT_LEVELS)), dtype=np.float32)
        for start in range(0, len(texts), SENTIMENT_BATCH):
            batch = model.predict_proba(texts[start:start + SENTIMENT_BATCH])
            warm[start:start + len(batch)] = _on_levels(batch, model.classes_)
        if self.sentiment_proba is not None:
            weight = len(data) / (len(data) + WARM_SENTIMENT_HALF)
            warm = weight * warm + (1 - weight) * self.sentiment_proba
        self.sentiment = SENTIMENT_LEVELS[warm.argmax(axis=1)]
        self.sentiment_conf = warm.max(axis=1)
        self.sentiment_proba = None
        return len(data)

    def _near_duplicates(self, texts: list[str], ids: list[int], report: Reporter):
        from engage.nlp.duplicates import find_duplicates

        if not texts:
            return []
        groups = find_duplicates(texts, progress=report)
        out: list[int | None] = []
        for g in groups.group_ids:
            g = int(g)
            out.append(int(ids[groups.first[g]]) if g >= 0 and groups.sizes[g] > 1 else None)
        return out

    def _topics(self, tokens: list[str], ids: list[int], taxonomy, report: Reporter):
        from engage.errors import EngageError
        from engage.nlp.topics import TopicModel

        if len(tokens) < 50:
            return [], [None] * len(tokens)
        try:
            model = TopicModel(k_range=(4, 12), taxonomy=taxonomy).fit(
                tokens, progress=report)
        except EngageError:
            return [], [None] * len(tokens)
        portfolio_ids = {p["name"]: p["id"] for p in store.portfolios(self.project)}
        topics = [{"label": t.label, "top_terms": t.top_terms, "top_phrases": t.top_phrases,
                   "representative_ids": [ids[i] for i in t.representative], "size": t.size,
                   "suggested_portfolio_id": portfolio_ids.get(t.portfolio),
                   "covered": int(bool(t.covered))} for t in model.topics_]
        labels = getattr(model, "labels_", None)
        topic_of = [int(x) if labels is not None and x >= 0 else None
                    for x in (labels if labels is not None else [-1] * len(tokens))]
        return topics, topic_of

    def _results(self, ids, tokens, scores, evidence, theme_rows, groups, topic_of):
        theme_ids = [t["id"] for t in theme_rows]
        results = []
        for i, cid in enumerate(ids):
            row = scores[i]
            order = np.argsort(-row)[:MAX_SUGGESTIONS]
            top = float(row[order[0]]) if len(order) else 0.0
            outcome = ("coded" if top >= CODED_THRESHOLD else
                       "uncertain" if top >= REVIEW_THRESHOLD else "no_theme")
            suggestions = [(theme_ids[j], round(float(row[j]), 4), evidence[i].get(j, []))
                           for j in order if row[j] >= REVIEW_THRESHOLD]
            sentiment = self.sentiment[i]
            confidence = self.sentiment_conf[i]
            results.append(store.CommentResult(
                comment_id=cid, outcome=outcome,
                sentiment=None if sentiment is None else int(sentiment),
                sentiment_confidence=None if confidence is None else round(float(confidence), 4),
                review_priority=round(1.0 - abs(top - CODED_THRESHOLD) * 2, 4),
                suggestions=suggestions, tokens=tokens[i],
                near_dup_group=groups[i] if i < len(groups) else None,
                topic_id=topic_of[i] if i < len(topic_of) else None))
        return results


def _taxonomy_from(project: Project, theme_rows: list[dict]):
    """The project's own (possibly edited) taxonomy as the NLP modules' Taxonomy object."""
    from engage.nlp.taxonomy import Taxonomy

    portfolios = store.portfolios(project)
    return Taxonomy.from_dict({
        "portfolios": [{"name": p["name"], "description": p["description"] or ""}
                       for p in portfolios],
        "themes": [{"name": t["name"], "portfolio": t["portfolio"],
                    "description": t["description"] or "", "seed_terms": t["seed_terms"],
                    "examples": t["examples"]} for t in theme_rows],
    }, source=str(project.path.name))


def _on_levels(proba: np.ndarray | None, levels) -> np.ndarray | None:
    """Probabilities over the 1–5 sentiment levels, whatever subset a model knew; None when
    the model's scale is not 1–5 (a custom model's own scale cannot be blended)."""
    if proba is None or levels is None:
        return None
    levels = np.asarray(levels, dtype=float)
    if not np.all(np.isin(levels, SENTIMENT_LEVELS)):
        return None
    out = np.zeros((len(proba), len(SENTIMENT_LEVELS)), dtype=np.float32)
    out[:, levels.astype(int) - 1] = proba
    return out
