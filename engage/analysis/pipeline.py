"""`engage analyse`: themes, sentiment, near-duplicates and topics for every comment.

Cold start (nothing coded yet) scores each comment against the project's own taxonomy — seed
terms and descriptions — and against the shipped model trained on NHS patient feedback, whose
framework themes are mapped onto Dorset themes by a reviewed table. Once an officer has coded
comments, a classifier learnt from those codings takes over theme by theme as its examples
grow. Officer decisions are never overwritten (see engage.analysis.store).

Two passes: the fast one (``analyse_project``) answers in seconds with the sparse linear model;
the accurate one (``refine_project``) then encodes each comment once with the fine-tuned
sentence encoder (``engage.nlp.encoder``, vectors stored in the project, so an interrupted pass
resumes and a re-analysis encodes only new comments), blends the encoder's heads with the fast
model, and rewrites themes and sentiment in place, marking each comment as coded by it.
Near-duplicates and topics stay the fast pass's.
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
ENCODE_CHUNK = 2_000  # comments encoded, then saved in their own transaction (resumable)
HEAD_BATCH = 20_000  # comments whose vectors go through the heads at once
SAVE_BATCH = 50_000  # accurate results made and saved at once (all in one transaction)
REFINING = "Refining with the accurate model…"
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


def refine_project(path: str | Path, consultation_id: int | None = None,
                   model_dir: str | Path | None = None, encoder_dir: str | Path | None = None,
                   progress: ProgressFn | None = None,
                   cancelled: CancelFn | None = None) -> tuple[AnalysisSummary, Changes]:
    """The accurate pass over comments the fast pass has analysed; resumable and cancellable.

    Raises ``EncoderUnavailable`` (an EngageError) when the accurate model is not installed.
    Cancelling keeps every vector already encoded; the next call starts from there.
    """
    with Project.open(path) as project:
        analysis = _Analysis(project, consultation_id, model_dir, Reporter(progress, cancelled))
        return analysis.run_accurate(encoder_dir)


def accurate_pending(path: str | Path, consultation_id: int | None = None) -> int:
    """Analysed comments not yet coded by the accurate model (0 when there is nothing to do or
    no accurate model is installed): a project opened later resumes the pass from this."""
    from engage.analysis import vectors
    from engage.nlp.encoder import available

    if not available():
        return 0
    with Project.open(path) as project:
        return vectors.unrefined_count(project, consultation_id)


class _Analysis:
    def __init__(self, project: Project, consultation_id: int | None,
                 model_dir: str | Path | None, report: Reporter) -> None:
        self.project, self.consultation_id = project, consultation_id
        self.model_dir, self.report = model_dir, report
        self.stages: dict[str, float] = {}
        self.accurate = None  # (encoder, heads) in the accurate pass
        self.vector_ids: list[int] = []  # the accurate pass's comments, whose vectors are stored

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
        officer_n = self._warm_scores(scores, texts, theme_rows, ids)
        officer_sentiments = self._warm_sentiment(texts)
        self._stage("officer model", t)
        report(0.62, "Finding near-duplicates")
        t = time.perf_counter()
        groups = self._near_duplicates(texts, ids, report.span(0.62, 0.7))
        self._stage("near-duplicates", t)
        t = time.perf_counter()
        topics, topic_of = self._topics(tokens, ids, taxonomy, report.span(0.7, 0.93))
        self._stage("topics", t)
        outcomes: dict[str, int] = {}
        results = self._results(ids, tokens, scores, evidence, theme_rows, groups, topic_of,
                                outcomes=outcomes)
        report(0.95, "Saving results")
        t = time.perf_counter()
        mode = "warm start" if officer_n else "cold start"
        # The run and its results in one transaction (the two inside become savepoints), so an
        # analysis killed while saving leaves no run marked "running" behind.
        with self.project.transaction("analyse"):
            run_id = store.start_run(self.project, self._model_version(), {
                "consultation_id": self.consultation_id, "mode": mode, "pass": "fast",
                "coded_threshold": CODED_THRESHOLD, "review_threshold": REVIEW_THRESHOLD})
            changes |= store.save_results(self.project, run_id, results, metrics={
                "stages": self.stages, "officer_examples": officer_n,
                "officer_sentiments": officer_sentiments}, topics=topics)
            from engage.analysis import vectors

            vectors.mark_coded_by(self.project, ids, "fast")
        self._stage("save", t)
        t = time.perf_counter()
        changes |= self._kinds(ids, texts)
        self._stage("kinds", t)
        summary = AnalysisSummary(run_id, len(results), outcomes, len(topics),
                                  int(len({g for g in groups if g is not None})), mode,
                                  officer_n, time.perf_counter() - began, self.stages,
                                  officer_sentiments)
        return summary, changes

    # ----- the accurate pass ----------------------------------------------------------------
    def run_accurate(self, encoder_dir: str | Path | None) -> tuple[AnalysisSummary, Changes]:
        from engage.analysis import vectors
        from engage.errors import EngageError
        from engage.nlp.encoder import Encoder
        from engage.nlp.heads import load_heads

        began = time.perf_counter()
        report = self.report
        report(0.0, REFINING)
        if self.consultation_id is not None:
            self.project.consultation(self.consultation_id)
        if self._model() is None:
            raise EngageError("the accurate pass blends with the shipped fast model, which is "
                              "missing (run `make models`)")
        t = time.perf_counter()
        encoder = Encoder(encoder_dir)
        self.accurate = (encoder, load_heads(encoder.directory))
        self._stage("load encoder", t)
        rows = store.comments_to_analyse(self.project, self.consultation_id)
        analysed = vectors.analysed_ids(self.project, [r[0] for r in rows])
        rows = [r for r in rows if r[0] in analysed]
        if not rows:
            raise EngageError("nothing to refine: run the (fast) analysis first")
        ids = [r[0] for r in rows]
        texts = [r[1] for r in rows]
        t = time.perf_counter()
        self._encode_missing(ids, texts, report.span(0.01, 0.88))
        encoder.release()
        self.vector_ids = ids
        self._stage("encode", t)
        tokens = self._tokens(ids, texts, report.span(0.88, 0.89))
        theme_rows = store.themes(self.project)
        taxonomy = _taxonomy_from(self.project, theme_rows)
        t = time.perf_counter()
        scores, evidence = self._cold_scores(texts, tokens, theme_rows, taxonomy,
                                             report.span(0.89, 0.95))
        del tokens  # only the seed terms needed them; the accurate pass keeps the fast's
        self._stage("accurate themes and sentiment", t)
        t = time.perf_counter()
        officer_n = self._warm_scores(scores, texts, theme_rows, ids)
        officer_sentiments = self._warm_sentiment(texts)
        self._stage("officer model", t)
        report(0.97, REFINING)
        t = time.perf_counter()
        mode = "accurate pass, " + ("warm start" if officer_n else "cold start")
        outcomes: dict[str, int] = {}
        with self.project.transaction("accurate analysis"):
            run_id = store.start_run(self.project, self._model_version(), {
                "consultation_id": self.consultation_id, "mode": mode, "pass": "accurate",
                "encoder": encoder.version, "coded_threshold": CODED_THRESHOLD,
                "review_threshold": REVIEW_THRESHOLD})
            # Made and saved a batch at a time: a million results at once held over a GB.
            batches = (self._results(ids, None, scores, evidence, theme_rows, [], [],
                                     rows=range(start, min(len(ids), start + SAVE_BATCH)),
                                     outcomes=outcomes)
                       for start in range(0, len(ids), SAVE_BATCH))
            changes = vectors.save_refined(self.project, run_id, batches, metrics={
                "stages": self.stages, "officer_examples": officer_n,
                "officer_sentiments": officer_sentiments})
        self._stage("save", t)
        report(1.0, "Refined with the accurate model")
        return AnalysisSummary(run_id, len(ids), outcomes, 0, 0, mode,
                               officer_n, time.perf_counter() - began, self.stages,
                               officer_sentiments), changes

    def _encode_missing(self, ids: list[int], texts: list[str], report: Reporter) -> None:
        """Encode the comments without a stored vector and save them chunk by chunk (a
        cancelled or killed pass keeps what it saved). The heads read them back a batch at a
        time (``_vectors``): a million vectors held at once cost 770 MB at the peak."""
        from engage.analysis import vectors

        encoder = self.accurate[0]
        have = vectors.encoded_ids(self.project, ids, encoder.version)
        # comments with the same text are encoded once, and their vectors saved together
        copies: dict[str, list[int]] = {}
        for i, cid in enumerate(ids):
            if cid not in have:
                copies.setdefault(texts[i], []).append(cid)
        distinct = list(copies)
        total = max(len(distinct), 1)
        for start in range(0, len(distinct), ENCODE_CHUNK):
            part = distinct[start:start + ENCODE_CHUNK]
            span = report.span(start / total, (start + len(part)) / total)
            found = encoder.encode(part, progress=lambda f, _m, s=span: s(f, REFINING))
            repeat = [len(copies[text]) for text in part]
            vectors.save_vectors(self.project, [cid for text in part for cid in copies[text]],
                                 np.repeat(found, repeat, axis=0), encoder.version)
        report(1.0, REFINING)

    def _vectors(self, start: int, end: int) -> np.ndarray:
        """Stored vectors of the accurate pass's comments ``start:end``, as float32."""
        from engage.analysis import vectors

        encoder = self.accurate[0]
        found, _ = vectors.load_vectors(self.project, self.vector_ids[start:end],
                                        encoder.dimension, encoder.version)
        return found.astype(np.float32)

    def _accurate_predictions(self, predictions):
        """The fast model's predictions with themes and sentiment replaced by the blend of the
        encoder's heads and the fast model (weights chosen by nested cross-validation)."""
        encoder, heads = self.accurate
        columns = [predictions.themes.index(t) if t in predictions.themes else -1
                   for t in heads.themes_]
        fast_levels = _on_levels(predictions.sentiment_proba, predictions.sentiment_levels)
        n = len(self.vector_ids)
        theme_proba = predictions.theme_proba
        blend_themes = all(c >= 0 for c in columns)
        sentiment = np.zeros((n, len(SENTIMENT_LEVELS)), dtype=np.float32)
        for start in range(0, n, HEAD_BATCH):
            end = min(n, start + HEAD_BATCH)
            v = self._vectors(start, end)
            if blend_themes:
                fast = theme_proba[start:end][:, columns]
                theme_proba[start:end][:, columns] = heads.coding_proba(
                    heads.theme_proba(v, fast))
            sentiment[start:end] = heads.sentiment_proba(
                v, None if fast_levels is None else fast_levels[start:end])
        if predictions.sentiment is not None or fast_levels is not None:
            predictions.sentiment = SENTIMENT_LEVELS[sentiment.argmax(axis=1)]
            predictions.sentiment_confidence = sentiment.max(axis=1)
            predictions.sentiment_proba = sentiment
            predictions.sentiment_levels = SENTIMENT_LEVELS
        return predictions

    def _kinds(self, ids: list[int], texts: list[str]) -> Changes:
        """Each comment's kind (engage.analysis.kinds), when that module is installed."""
        try:
            from engage.analysis.kinds import analyse_kinds
        except ImportError:
            return Changes()
        if not ids:
            return Changes()
        report = self.report
        return analyse_kinds(self.project, ids, texts,
                             cancelled=lambda: report.check() or False)

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
            if self.accurate is not None:
                predictions = self._accurate_predictions(predictions)
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
        fast = str(model.card.get("created", "unknown"))
        if self.accurate is not None:
            return (f"sentence encoder built {self.accurate[0].version[:10]} + linear model "
                    f"built {fast[:10]}")
        return fast

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

    def _warm_scores(self, scores: np.ndarray, texts: list[str], theme_rows,
                     ids: list[int] | None = None) -> int:
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
        if self.accurate is not None and ids is not None:
            warm = 0.5 * warm + 0.5 * self._officer_head(
                [cid for cid, *_ in data], [t for t, _ in coded], Y, model, ids, texts)
        for j in np.flatnonzero(model.learnable_):
            weight = min(1.0, model.counts_[j] / WARM_FULL_WEIGHT)
            scores[:, j] = weight * warm[:, j] + (1 - weight) * scores[:, j]
        return len(coded)

    def _officer_head(self, coded_ids, coded_texts, Y, model, ids, texts) -> np.ndarray:
        """The officer's codings learnt over the encoder's vectors: a small logistic regression
        per theme, refitted in about a second on every run (their TF-IDF model, blended with
        it, covers the words)."""
        from engage.analysis import vectors
        from engage.nlp.heads import ThemeHead

        encoder = self.accurate[0]
        coded_vectors, found = vectors.load_vectors(self.project, coded_ids, encoder.dimension,
                                                    encoder.version)
        if not found.all():  # coded comments outside this run: encode them once
            rows = np.flatnonzero(~found)
            fresh = encoder.encode([coded_texts[i] for i in rows])
            vectors.save_vectors(self.project, [coded_ids[i] for i in rows], fresh,
                                 encoder.version)
            coded_vectors[rows] = fresh
        head = ThemeHead(min_examples=WARM_MIN_EXAMPLES).fit(coded_vectors.astype(np.float32), Y)
        out = np.zeros((len(texts), Y.shape[1]), dtype=np.float32)
        for start in range(0, len(texts), HEAD_BATCH):
            end = min(len(texts), start + HEAD_BATCH)
            out[start:end] = head.predict_proba(self._vectors(start, end))
        return out

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

    def _results(self, ids, tokens, scores, evidence, theme_rows, groups, topic_of,
                 rows: range | None = None, outcomes: dict[str, int] | None = None):
        """Results of comments ``rows`` (all by default), counted into ``outcomes``; with no
        ``tokens`` (the accurate pass keeps the fast pass's), each result's are empty."""
        theme_ids = [t["id"] for t in theme_rows]
        results = []
        for i in rows if rows is not None else range(len(ids)):
            cid, row = ids[i], scores[i]
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
                suggestions=suggestions, tokens="" if tokens is None else tokens[i],
                near_dup_group=groups[i] if i < len(groups) else None,
                topic_id=topic_of[i] if i < len(topic_of) else None))
            if outcomes is not None:
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
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
