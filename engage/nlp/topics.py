"""Topic discovery: what people talk about, including what the taxonomy does not cover yet.

NMF over TF-IDF of the stored token strings. The number of topics is not fixed: for each k in
``k_range`` NMF is fitted on several random subsamples of the comments, and the k whose topics
come back most alike from run to run (mean best-match cosine of the topic-term vectors, matched
one-to-one) is chosen — a k that splits the data the same way whatever the sample is describing
structure, not noise. Among ks within ``tie_tolerance`` of the best, the smallest wins: fewer
topics are easier to read. The stability search runs on a subsample (``sample_size``) so it
takes seconds; the chosen k is then fitted on all comments (or on ``max_fit_docs`` of them and
applied to the rest, for very large exercises).

Each topic carries its top terms and phrases, its most representative comments, its size, the
portfolio it most resembles and the nearest existing theme, so the UI can propose "make this a
theme" and flag topics that no theme covers.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse.linalg import svds
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from engage.errors import EngageError
from engage.nlp.taxonomy import Taxonomy, Theme
from engage.nlp.text import NEGATIONS, from_token_string, is_phrase, tokenize
from engage.progress import CancelFn, ProgressFn, Reporter

TokenInput = Sequence[Sequence[str] | str]


class TopicDiscoveryError(EngageError):
    """Topics cannot be found in the comments given (too few, or too few words)."""


#: Words that say how people feel rather than what about: kept in the stored tokens (sentiment
#: needs them) but left out of topics, so topics group comments by subject.
EVALUATIVE_WORDS: frozenset[str] = frozenset(
    """
    good great bad poor excellent brilliant brilliantly lovely awful terrible better worse best
    worst nice fantastic wonderful happy pleased disappointed amazing superb fine okay shocking
    appalling dreadful horrible outstanding helpful unhelpful
    """.split()
)
_TOPIC_IGNORED = NEGATIONS | EVALUATIVE_WORDS

#: Words nearly every health and care comment uses: fine inside a topic, useless as its name
#: ("week / need / care" says nothing). Labels skip them, and phrases are preferred to words.
GENERIC_WORDS: frozenset[str] = frozenset(
    """
    service services help people person need week weeks day days time year years month months
    care health thing things get go make use work want like say think feel know see look come
    take give lot way well able one really just also still always never back everything
    something anything nothing patient patients nhs area local support would could
    """.split()
)
PHRASE_PREFERENCE = 1.5   # a phrase beats a word this much weaker for a place in the label
LABEL_TERMS = 3


def _split_tokens(document) -> list[str]:
    """Analyzer for stored token strings, without negations and evaluative words."""
    tokens = from_token_string(document) if isinstance(document, str) else list(document or ())
    return [token for token in tokens if token not in _TOPIC_IGNORED]


@dataclass
class Topic:
    index: int
    top_terms: list[str]
    top_phrases: list[str]
    representative: list[int]
    size: int
    share: float
    portfolio: str | None = None
    portfolio_similarity: float = 0.0
    nearest_theme: str | None = None
    theme_similarity: float = 0.0
    covered: bool = True
    terms: list[str] = field(default_factory=list)
    term_weights: list[float] = field(default_factory=list)
    label_terms: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """A short readable name: its strongest telling phrases and words (`label_terms`),
        else its three strongest terms."""
        chosen = self.label_terms or self.terms[:LABEL_TERMS]
        return " / ".join(shown_term(term) for term in chosen)


#: How some tokens are written for people in a label.
_SHOWN = {"a_and_e": "A&E", "ae": "A&E", "gp": "GP", "nhs": "NHS", "mri": "MRI", "ct": "CT",
          "cqc": "CQC", "icu": "ICU", "pcn": "PCN", "vcse": "VCSE"}


def shown_term(term: str) -> str:
    """'gp_appointment' → 'GP appointment', 'a_and_e' → 'A&E'."""
    if term in _SHOWN:
        return _SHOWN[term]
    return " ".join(_SHOWN.get(part, part) for part in term.split("_") if part)


def sentence_case(label: str) -> str:
    """First letter up, the rest as written (str.capitalize would make 'GP' 'Gp')."""
    return label[:1].upper() + label[1:]


def _says(chosen: list[str], parts: set[str]) -> bool:
    """Whether the chosen terms already say every part (a word or its stem: book, booking)."""
    said = {part for c in chosen for part in c.split("_")}
    return all(any(p == s or (min(len(p), len(s)) >= 4 and (p.startswith(s) or s.startswith(p)))
                   for s in said) for p in parts)


def label_terms(terms: Sequence[str], weights: Sequence[float],
                limit: int = LABEL_TERMS) -> list[str]:
    """Up to `limit` terms that name a topic, from its terms strongest first.

    Generic words are skipped; a phrase is preferred to a somewhat stronger word; a phrase
    takes the place of a word it contains ("appointment" → "gp appointment"), and a word or
    phrase adding nothing new is skipped.
    """
    if not terms:
        return []
    top = max(weights[0], 1e-12)
    ranked = sorted(((w * (PHRASE_PREFERENCE if is_phrase(t) else 1.0), i, t)
                     for i, (t, w) in enumerate(zip(terms, weights, strict=True))
                     if w >= 0.1 * top),
                    key=lambda item: (-item[0], item[1]))
    chosen: list[str] = []
    filled = False
    for _score, _i, term in ranked:
        parts = set(term.split("_"))
        if parts <= GENERIC_WORDS:
            continue
        inside = [c for c in chosen if not is_phrase(c) and _says([term], {c})]
        if inside and is_phrase(term):  # the phrase says the word(s) and more
            chosen[chosen.index(inside[0])] = term
            chosen = [c for c in chosen if c not in inside[1:]]
        elif chosen and _says(chosen, parts):
            continue
        elif len(chosen) < limit and not filled:
            chosen.append(term)
        filled |= len(chosen) == limit  # later, weaker terms may only merge into a phrase
    return chosen


class TopicModel:
    """NMF topic model whose number of topics is chosen by stability (sklearn-style)."""

    def __init__(
        self,
        k_range: tuple[int, int] = (4, 16),
        n_runs: int = 4,
        sample_size: int = 4000,
        subsample: float = 0.8,
        tie_tolerance: float = 0.01,
        max_features: int = 5000,
        min_df: int = 3,
        max_df: float = 0.5,
        max_iter: int = 300,
        max_fit_docs: int = 50_000,
        n_top_terms: int = 10,
        n_top_phrases: int = 5,
        n_representative: int = 5,
        taxonomy: Taxonomy | None = None,
        coverage_threshold: float = 0.2,
        random_state: int = 0,
    ) -> None:
        self.k_range = k_range
        self.n_runs = n_runs
        self.sample_size = sample_size
        self.subsample = subsample
        self.tie_tolerance = tie_tolerance
        self.max_features = max_features
        self.min_df = min_df
        self.max_df = max_df
        self.max_iter = max_iter
        self.max_fit_docs = max_fit_docs
        self.n_top_terms = n_top_terms
        self.n_top_phrases = n_top_phrases
        self.n_representative = n_representative
        self.taxonomy = taxonomy
        self.coverage_threshold = coverage_threshold
        self.random_state = random_state

    # -- fitting -------------------------------------------------------------------------
    def fit(
        self,
        token_strings: TokenInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> TopicModel:
        # Many small matrix products: BLAS threads cost more in start-up than they save.
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(token_strings, Reporter(progress, cancelled))

    def _fit(self, token_strings: TokenInput, report: Reporter) -> TopicModel:
        report(0.0, "Preparing topic discovery")
        rng = np.random.default_rng(self.random_state)
        X = self._vectorise(token_strings)
        usable = np.flatnonzero(np.diff(X.indptr) >= 2)  # comments with at least two terms
        k_min, k_max = self._k_bounds(len(usable), X.shape[1])
        report(0.05, "Choosing the number of topics")
        self.stability_ = self._stability_search(
            X, usable, k_min, k_max, rng, report.span(0.05, 0.75)
        )
        self.k_ = self._choose_k(self.stability_)
        report(0.75, f"Fitting {self.k_} topics")
        self.doc_topic_ = self._fit_final(X, usable, rng, report.span(0.75, 0.95))
        self.labels_ = np.where(
            self.doc_topic_.sum(axis=1) > 0, self.doc_topic_.argmax(axis=1), -1
        ).astype(np.int32)
        report(0.95, "Describing topics")
        self.topics_ = self._describe()
        report(1.0, f"Found {self.k_} topics")
        return self

    def _vectorise(self, token_strings: TokenInput):
        documents = list(token_strings)
        if not documents:
            raise TopicDiscoveryError("No comments to find topics in")
        for min_df in dict.fromkeys((self.min_df, 1)):
            self.vectorizer_ = TfidfVectorizer(
                analyzer=_split_tokens,
                min_df=min_df,
                max_df=self.max_df if len(documents) >= 20 else 1.0,
                max_features=self.max_features,
                sublinear_tf=True,
                dtype=np.float32,
            )
            try:
                X = self.vectorizer_.fit_transform(documents)
            except ValueError:  # empty vocabulary
                continue
            if X.shape[1] >= 2:
                self.terms_ = np.asarray(self.vectorizer_.get_feature_names_out())
                return X.tocsr()
        raise TopicDiscoveryError("The comments have too few distinct words to find topics in")

    def _k_bounds(self, n_usable: int, n_terms: int) -> tuple[int, int]:
        low, high = self.k_range
        high = min(high, n_usable // 5, n_terms - 1)
        low = max(2, min(low, high))
        if high < 2:
            raise TopicDiscoveryError(
                f"Only {n_usable} comments have enough words to find topics in; need at least 10"
            )
        return low, high

    def _nmf(self, k: int, seed: int, max_iter: int | None = None, init: str = "nndsvda") -> NMF:
        return NMF(
            n_components=k,
            init=init,
            solver="cd",
            max_iter=max_iter or self.max_iter,
            tol=1e-3,
            random_state=seed,
        )

    def _stability_search(self, X, usable, k_min, k_max, rng, report) -> dict[int, float]:
        sample = usable
        if len(sample) > self.sample_size:
            sample = np.sort(rng.choice(usable, self.sample_size, replace=False))
        run_size = max(k_max + 1, int(len(sample) * self.subsample))
        runs = []
        for run in range(max(2, self.n_runs)):
            rows = np.sort(rng.choice(sample, min(run_size, len(sample)), replace=False))
            X_run = X[rows]
            # One SVD per run serves every k: NNDSVD's j-th factor depends only on the j-th
            # singular triplet, so the start for k topics is the first k of the k_max start.
            runs.append((X_run, *_nndsvda(X_run, k_max, self.random_state + run)))
        stability: dict[int, float] = {}
        pending = _coarse_to_fine(k_min, k_max)
        expected = len(pending) + 2  # the coarse grid, then up to two neighbours of the best
        done = 0.0
        while pending:
            for k in pending:
                components = []
                for run, (X_run, W0, H0) in enumerate(runs):
                    report(min(0.99, done / expected), f"Trying {k} topics")
                    model = self._nmf(k, self.random_state + run, max_iter=100, init="custom")
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        model.fit(X_run, W=W0[:, :k].copy(), H=H0[:k].copy())
                    components.append(normalize(model.components_))
                    done += 1 / len(runs)
                pairs = combinations(components, 2)
                stability[k] = float(np.mean([_agreement(a, b) for a, b in pairs]))
            best = max(stability, key=lambda k: stability[k])
            pending = [
                k for k in (best - 1, best + 1) if k_min <= k <= k_max and k not in stability
            ]
        report(1.0, "Number of topics chosen")
        return dict(sorted(stability.items()))

    def _choose_k(self, stability: dict[int, float]) -> int:
        best = max(stability.values())
        return min(k for k, score in stability.items() if score >= best - self.tie_tolerance)

    def _fit_final(self, X, usable, rng, report) -> np.ndarray:
        rows = usable
        if len(rows) > self.max_fit_docs:
            rows = np.sort(rng.choice(usable, self.max_fit_docs, replace=False))
        report(0.0, f"Fitting {self.k_} topics")
        X_fit = X[rows]
        W0, H0 = _nndsvda(X_fit, self.k_, self.random_state)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.nmf_ = self._nmf(self.k_, self.random_state, init="custom")
            self.nmf_.fit(X_fit, W=W0, H=H0)
        self.components_ = self.nmf_.components_.astype(np.float32)
        report(0.6, "Assigning comments to topics")
        doc_topic = np.zeros((X.shape[0], self.k_), dtype=np.float32)
        batch = 50_000
        for start in range(0, len(usable), batch):
            chunk = usable[start : start + batch]
            doc_topic[chunk] = self.nmf_.transform(X[chunk])
            report(0.6 + 0.4 * min(1.0, (start + batch) / max(len(usable), 1)), "Assigning")
        return doc_topic

    # -- describing ----------------------------------------------------------------------
    def _describe(self) -> list[Topic]:
        portfolio_sim, portfolio_names = self._similarity_to(self._portfolio_documents())
        theme_sim, theme_names = self._similarity_to(self._theme_documents())
        self.portfolio_similarity_, self.theme_similarity_ = portfolio_sim, theme_sim
        total = max(int((self.labels_ >= 0).sum()), 1)
        strength = self.doc_topic_ / np.maximum(self.doc_topic_.sum(axis=1, keepdims=True), 1e-12)
        topics = []
        for t in range(self.k_):
            weights = self.components_[t]
            order = np.argsort(-weights)
            order = order[weights[order] > 0]
            words = [i for i in order if not is_phrase(self.terms_[i])][: self.n_top_terms]
            strong = order[weights[order] >= 0.1 * weights[order[0]]] if len(order) else order
            phrases = [i for i in strong if is_phrase(self.terms_[i])][: self.n_top_phrases]
            members = np.flatnonzero(self.labels_ == t)
            score = strength[members, t] * self.doc_topic_[members, t]
            representative = members[np.argsort(-score, kind="stable")][: self.n_representative]
            topic = Topic(
                index=t,
                top_terms=[str(self.terms_[i]) for i in words],
                top_phrases=[str(self.terms_[i]) for i in phrases],
                representative=[int(i) for i in representative],
                size=int(len(members)),
                share=len(members) / total,
                terms=[str(self.terms_[i]) for i in order[: self.n_top_terms]],
                term_weights=[float(weights[i]) for i in order[: self.n_top_terms]],
                label_terms=label_terms([str(self.terms_[i]) for i in order[:40]],
                                        [float(weights[i]) for i in order[:40]]),
            )
            if portfolio_names:
                best = int(np.argmax(portfolio_sim[t]))
                topic.portfolio = portfolio_names[best]
                topic.portfolio_similarity = float(portfolio_sim[t, best])
            if theme_names:
                best = int(np.argmax(theme_sim[t]))
                topic.nearest_theme = theme_names[best]
                topic.theme_similarity = float(theme_sim[t, best])
                topic.covered = topic.theme_similarity >= self.coverage_threshold
            topics.append(topic)
        return topics

    def _portfolio_documents(self) -> tuple[list[str], list[str]]:
        if self.taxonomy is None:
            return [], []
        names = self.taxonomy.portfolio_names
        texts = [
            " . ".join(
                [self.taxonomy.portfolio(name).description]
                + [f"{t.name} . {t.description}" for t in self.taxonomy.themes_in(name)]
                + self.taxonomy.portfolio_terms(name)
            )
            for name in names
        ]
        return names, texts

    def _theme_documents(self) -> tuple[list[str], list[str]]:
        if self.taxonomy is None:
            return [], []
        themes = self.taxonomy.themes
        texts = [" . ".join([t.name, t.description, *t.seed_phrases, *t.examples]) for t in themes]
        return [t.name for t in themes], texts

    def _similarity_to(self, named_texts: tuple[list[str], list[str]]):
        """Cosine of each topic with each text: the better of the whole topic and its top
        terms alone. A topic's weight is spread thin over hundreds of terms, so on a small
        export a topic plainly about GP access can sit under the threshold of the "GP access"
        theme it matches word for word at the top; its top terms are what it is about."""
        names, texts = named_texts
        if not names:
            return np.zeros((self.k_, 0), dtype=np.float32), []
        vectors = normalize(self.vectorizer_.transform(
            tokenize(texts, keep_negations=False))).T.toarray()
        # generic words aside: "care" and "week" would make every topic resemble half the
        # themes (an allotment topic "covered" by self-care)
        telling = np.array([not set(str(t).split("_")) <= GENERIC_WORDS for t in self.terms_])
        vectors = normalize(vectors * telling[:, None], axis=0)
        whole = normalize(self.components_ * telling) @ vectors
        top = np.zeros_like(self.components_)
        keep = np.argsort(-(self.components_ * telling), axis=1)[:, : self.n_top_terms]
        rows = np.arange(self.k_)[:, None]
        top[rows, keep] = (self.components_ * telling)[rows, keep]
        similarity = np.maximum(whole, normalize(top) @ vectors)
        return np.asarray(similarity, dtype=np.float32), names

    # -- use -----------------------------------------------------------------------------
    def transform(self, token_strings: TokenInput) -> np.ndarray:
        """Topic weights (comments × topics) for new comments."""
        return self.nmf_.transform(self.vectorizer_.transform(list(token_strings)))

    def uncovered_topics(self, threshold: float | None = None) -> list[Topic]:
        """Topics no theme resembles: candidates for new themes (largest first)."""
        return uncovered_topics(self, threshold)


def uncovered_topics(model: TopicModel, threshold: float | None = None) -> list[Topic]:
    """Topics whose best cosine with any theme is below ``threshold`` (default: the model's).

    Without a taxonomy every topic is uncovered.
    """
    limit = model.coverage_threshold if threshold is None else threshold
    found = [t for t in model.topics_ if t.nearest_theme is None or t.theme_similarity < limit]
    return sorted(found, key=lambda topic: -topic.size)


def topic_to_theme(
    topic: Topic,
    portfolio: str | None = None,
    name: str | None = None,
    examples: Sequence[str] = (),
) -> Theme:
    """A new theme from a topic in one step: its phrases and terms become seed terms."""
    chosen = portfolio or topic.portfolio
    if not chosen:
        raise TopicDiscoveryError("Choose a portfolio for the new theme")
    seeds = [term.replace("_", " ") for term in (*topic.top_phrases, *topic.top_terms)]
    title = name or sentence_case(topic.label)
    description = "Comments about " + ", ".join(seeds[:5]) + "."
    return Theme(title, chosen, description, list(dict.fromkeys(seeds)), list(examples)[:3])


def _coarse_to_fine(k_min: int, k_max: int) -> list[int]:
    """Every k for narrow ranges; every other k for wide ones (neighbours of the best follow)."""
    step = 2 if k_max - k_min >= 8 else 1
    ks = list(range(k_min, k_max + 1, step))
    return ks if ks[-1] == k_max else [*ks, k_max]


def _nndsvda(X, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative double SVD start (Boutsidis & Gallopoulos, 2008), zeros set to the mean.

    For each singular triplet, keep whichever of its positive or negative parts carries more
    mass, so the start is non-negative yet close to the best rank-k approximation.
    """
    k_svd = min(k, min(X.shape) - 1)
    start = np.random.default_rng(seed).uniform(0.1, 1.0, min(X.shape))
    U, S, Vt = svds(X.astype(np.float64), k=k_svd, v0=start)
    order = np.argsort(-S)
    U, S, Vt = U[:, order], S[order], Vt[order]
    if k_svd < k:  # tiny inputs: pad with empty factors, filled with the mean below
        U = np.hstack([U, np.zeros((U.shape[0], k - k_svd))])
        Vt = np.vstack([Vt, np.zeros((k - k_svd, Vt.shape[1]))])
        S = np.concatenate([S, np.zeros(k - k_svd)])
    W = np.zeros((X.shape[0], k), dtype=np.float64)
    H = np.zeros((k, X.shape[1]), dtype=np.float64)
    W[:, 0] = np.sqrt(S[0]) * np.abs(U[:, 0])
    H[0] = np.sqrt(S[0]) * np.abs(Vt[0])
    for j in range(1, k):
        x, y = U[:, j], Vt[j]
        xp, xn, yp, yn = np.maximum(x, 0), np.maximum(-x, 0), np.maximum(y, 0), np.maximum(-y, 0)
        positive = np.linalg.norm(xp) * np.linalg.norm(yp)
        negative = np.linalg.norm(xn) * np.linalg.norm(yn)
        u, v, mass = (xp, yp, positive) if positive > negative else (xn, yn, negative)
        scale = np.sqrt(S[j] * mass)
        W[:, j] = scale * u / max(np.linalg.norm(u), 1e-12)
        H[j] = scale * v / max(np.linalg.norm(v), 1e-12)
    mean = X.mean()
    W[W < 1e-6] = mean
    H[H < 1e-6] = mean
    return W.astype(X.dtype), H.astype(X.dtype)


def _agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine of topics matched one-to-one between two runs (rows are unit vectors)."""
    similarity = a @ b.T
    rows, cols = linear_sum_assignment(-similarity)
    return float(similarity[rows, cols].mean())
