"""Cold-start theme scores from the taxonomy alone (no coded comments needed).

Each comment gets a score in [0, 1] per theme from two kinds of evidence:

- seed terms: each seed term (a word or phrase) is tokenised by the same pipeline as the
  comments, so "waiting lists" in a comment meets the seed "waiting list". A matched seed adds
  weight; several matches combine as a noisy-or (1 − Π(1 − w)), so more distinct seeds mean
  more confidence but never above 1. Phrases weigh more than single words (they are less
  ambiguous); a seed shared by several themes weighs less; a seed word that appears in a large
  share of this consultation's comments weighs less (it says little about any one comment).
- description: the TF-IDF cosine between the comment and a "prototype" made of the theme's
  name, description, seed terms and example comments. This catches comments that use the
  theme's vocabulary without any exact seed; it is capped below the seed evidence because a
  cosine with a short prototype is a weak signal.

The seed terms that matched are returned per comment and theme, so the UI can show the terms
that drove each suggestion.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from engage.nlp.taxonomy import Taxonomy, Theme, parse_seed
from engage.nlp.text import NEGATIONS, from_token_string, is_phrase, tokenize
from engage.progress import CancelFn, ProgressFn, Reporter

TokenInput = Sequence[Sequence[str] | str]


def _as_tokens(item: Sequence[str] | str | None) -> list[str]:
    if item is None:
        return []
    if isinstance(item, str):
        return from_token_string(item)
    return list(item)


def _content_tokens(tokens):
    """Negations help sentiment, not subject similarity."""
    return [token for token in tokens if token not in NEGATIONS]


@dataclass
class SeedScores:
    """Scores (comments × themes) and, per comment, the seed terms matched for each theme."""

    theme_names: list[str]
    scores: np.ndarray
    seed_scores: np.ndarray
    description_scores: np.ndarray
    matched: list[dict[int, list[str]]]

    def matched_terms(self, comment: int, theme: str) -> list[str]:
        return self.matched[comment].get(self.theme_names.index(theme), [])

    def top_themes(
        self, comment: int, k: int = 3, min_score: float = 0.0
    ) -> list[tuple[str, float]]:
        row = self.scores[comment]
        order = np.argsort(-row)[:k]
        return [(self.theme_names[j], float(row[j])) for j in order if row[j] > min_score]


class SeedScorer:
    """Scores comments against a taxonomy's seed terms and descriptions.

    ``fit`` learns IDF weights and how common each seed is from the consultation's own
    comments (optional but better); ``score`` works on any tokenised comments.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        word_weight: float = 0.45,
        phrase_weight: float = 0.7,
        description_weight: float = 0.5,
        description_scale: float = 0.4,
        common_share: float = 0.05,
    ) -> None:
        self.taxonomy = taxonomy
        self.word_weight = word_weight
        self.phrase_weight = phrase_weight
        self.description_weight = description_weight
        self.description_scale = description_scale
        self.common_share = common_share

    # -- fitting -------------------------------------------------------------------------
    def fit(self, token_lists: TokenInput | None = None) -> SeedScorer:
        themes = self.taxonomy.themes
        self.theme_names_ = [theme.name for theme in themes]
        self.seeds_ = self._tokenised_seeds(themes)
        corpus = [_as_tokens(item) for item in token_lists] if token_lists is not None else []
        prototypes = self._prototypes(themes)
        self.vectorizer_ = TfidfVectorizer(
            analyzer=_content_tokens, sublinear_tf=True, min_df=1, norm="l2"
        ).fit(corpus + prototypes)
        self.prototype_matrix_ = self.vectorizer_.transform(prototypes)
        self.seed_weights_ = self._seed_weights(corpus)
        self._index = self._first_token_index()
        return self

    def _tokenised_seeds(self, themes: list[Theme]) -> list[list[tuple[tuple[str, ...], str]]]:
        """Per theme, (seed tokens, seed phrase); each seed's context cues, tokenised the same
        way, go to ``contexts_`` keyed by (theme index, seed tokens)."""
        per_theme: list[list[tuple[tuple[str, ...], str]]] = []
        parsed = [[parse_seed(term) for term in theme.seed_terms] for theme in themes]
        flat = [text for seeds in parsed for seed in seeds
                for text in (seed.phrase, *seed.not_near, *seed.only_near)]
        tokenised = iter(tokenize(flat))
        self.contexts_: dict[tuple[int, tuple[str, ...]], tuple[list, list]] = {}
        self.collapsed_seeds_: list[tuple[str, str]] = []
        for j, seeds_of_theme in enumerate(parsed):
            seen: set[tuple[str, ...]] = set()
            seeds = []
            for seed in seeds_of_theme:
                tokens = tuple(next(tokenised))
                not_near = [tuple(next(tokenised)) for _ in seed.not_near]
                only_near = [tuple(next(tokenised)) for _ in seed.only_near]
                if collapsed(seed.phrase, tokens):
                    self.collapsed_seeds_.append((themes[j].name, seed.phrase))
                elif tokens and tokens not in seen:
                    seen.add(tokens)
                    seeds.append((tokens, seed.phrase))
                    if not_near or only_near:
                        self.contexts_[(j, tokens)] = ([c for c in not_near if c],
                                                       [c for c in only_near if c])
            per_theme.append(seeds)
        return per_theme

    def _prototypes(self, themes: list[Theme]) -> list[list[str]]:
        texts = [
            " . ".join([theme.name, theme.description, *theme.seed_phrases, *theme.examples])
            for theme in themes
        ]
        return tokenize(texts)

    def _seed_weights(self, corpus: list[list[str]]) -> dict[tuple[int, tuple[str, ...]], float]:
        owners: dict[tuple[str, ...], int] = {}
        for seeds in self.seeds_:
            for tokens, _ in seeds:
                owners[tokens] = owners.get(tokens, 0) + 1
        document_share = self._document_share(corpus)
        weights: dict[tuple[int, tuple[str, ...]], float] = {}
        for j, seeds in enumerate(self.seeds_):
            for tokens, _ in seeds:
                multiword = len(tokens) > 1 or is_phrase(tokens[0])
                weight = self.phrase_weight if multiword else self.word_weight
                weight /= math.sqrt(owners[tokens])
                share = document_share.get(tokens[0], 0.0) if not multiword else 0.0
                if share > self.common_share:
                    # log-scaled: a seed in 5% of comments keeps full weight, in 50% about a quarter
                    weight *= max(0.15, 1 - math.log(share / self.common_share) / math.log(20))
                weights[(j, tokens)] = weight
        return weights

    def _document_share(self, corpus: list[list[str]]) -> dict[str, float]:
        # A share among a handful of comments says nothing about how common a word is (in one
        # comment every word is in 100% of them), so small corpora leave seed weights alone.
        if len(corpus) < MIN_SHARE_CORPUS:
            return {}
        counts: dict[str, int] = {}
        for tokens in corpus:
            for token in set(tokens):
                counts[token] = counts.get(token, 0) + 1
        n = len(corpus)
        return {token: count / n for token, count in counts.items()}

    def _first_token_index(self) -> dict[str, list[tuple[tuple[str, ...], int, str]]]:
        index: dict[str, list[tuple[tuple[str, ...], int, str]]] = {}
        for j, seeds in enumerate(self.seeds_):
            for tokens, term in seeds:
                index.setdefault(tokens[0], []).append((tokens, j, term))
        return index

    # -- scoring -------------------------------------------------------------------------
    def score(
        self,
        token_lists: TokenInput,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> SeedScores:
        if not hasattr(self, "seeds_"):
            raise RuntimeError("SeedScorer.score called before fit")
        report = Reporter(progress, cancelled)
        report(0.0, "Matching seed terms")
        docs = [_as_tokens(item) for item in token_lists]
        n, n_themes = len(docs), len(self.theme_names_)
        seed_scores = np.zeros((n, n_themes), dtype=np.float32)
        matched: list[dict[int, list[str]]] = []
        for i, tokens in enumerate(docs):
            miss = np.ones(n_themes, dtype=np.float64)
            found: dict[int, list[str]] = {}
            for j, seed_tokens, term in _outermost(self._matches(tokens)):
                miss[j] *= 1.0 - self.seed_weights_[(j, seed_tokens)]
                found.setdefault(j, []).append(term)
            seed_scores[i] = 1.0 - miss
            matched.append(found)
            if i % 2000 == 0:
                report(0.8 * i / max(n, 1), "Matching seed terms")
        description = np.asarray(
            (self.vectorizer_.transform(docs) @ self.prototype_matrix_.T).todense(),
            dtype=np.float32,
        )
        description = np.clip(description / self.description_scale, 0.0, 1.0)
        combined = 1.0 - (1.0 - seed_scores) * (1.0 - self.description_weight * description)
        report(1.0, "Seed scores ready")
        return SeedScores(
            self.theme_names_, combined.astype(np.float32), seed_scores, description, matched
        )

    def _matches(self, tokens: list[str]):
        """(theme index, seed tokens, seed term) once per distinct seed found in the comment,
        where its context (if it has one) allows."""
        seen: set[tuple[int, tuple[str, ...]]] = set()
        n = len(tokens)
        for i, token in enumerate(tokens):
            for seed_tokens, j, term in self._index.get(token, ()):
                end = i + len(seed_tokens)
                if (j, seed_tokens) in seen or end > n:
                    continue
                if len(seed_tokens) == 1 or tuple(tokens[i:end]) == seed_tokens:
                    context = self.contexts_.get((j, seed_tokens))
                    if context is not None and not _context_allows(tokens, i, end, *context):
                        continue
                    seen.add((j, seed_tokens))
                    yield j, seed_tokens, term, i, end


#: Comments a consultation needs before a seed word common in it is weighed down.
MIN_SHARE_CORPUS = 50


def _outermost(matches):
    """(theme, seed tokens, term) for each match not inside a longer match of the same theme:
    "waited years" and the "wait" within it are one piece of evidence, not two."""
    matches = list(matches)
    for j, seed_tokens, term, start, end in matches:
        inside = any(k == j and s <= start and end <= e and (e - s) > (end - start)
                     for k, _t, _w, s, e in matches)
        if not inside:
            yield j, seed_tokens, term


def collapsed(phrase: str, tokens: Sequence[str]) -> bool:
    """True for a seed of several words that tokenises to a single ordinary word: "keep the
    hospital" becomes "hospital" once stop words go, and would then code every comment that
    mentions a hospital. Such seeds are left out (``SeedScorer.collapsed_seeds_`` lists them)
    rather than silently broadened; a phrase the tokenizer joins ("waiting list") is kept."""
    return len(phrase.split()) > 1 and len(tokens) == 1 and not is_phrase(tokens[0])


#: Words either side of a seed in which its context cues are looked for (stop words are gone
#: from token lists, so six tokens is about a clause).
CONTEXT_WINDOW = 6


def _context_allows(tokens: list[str], start: int, end: int, not_near: list, only_near: list,
                    window: int = CONTEXT_WINDOW) -> bool:
    """False when a 'not near' cue is within ``window`` tokens of the seed, or when it has
    'only near' cues and none of them is."""
    around = tokens[max(0, start - window):start] + tokens[end:end + window]
    if any(_cue_in(around, cue) for cue in not_near):
        return False
    return not only_near or any(_cue_in(around, cue) for cue in only_near)


def _cue_in(tokens: list[str], cue: tuple[str, ...]) -> bool:
    """A cue matches its tokens in order, or one joined phrase token ("phone" is in
    "phone_line"; "phone line" is "phone_line")."""
    joined = "_".join(cue)
    for p, token in enumerate(tokens):
        if token == joined or (len(cue) == 1 and cue[0] in token.split("_")):
            return True
        if len(cue) > 1 and tuple(tokens[p:p + len(cue)]) == cue:
            return True
    return False


def score_comments(
    token_lists: TokenInput,
    taxonomy: Taxonomy | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> SeedScores:
    """Fit on the comments themselves and score them: the whole cold start in one call."""
    if taxonomy is None:
        from engage.nlp.taxonomy import load_default

        taxonomy = load_default()
    docs = [_as_tokens(item) for item in token_lists]
    return SeedScorer(taxonomy).fit(docs).score(docs, progress=progress, cancelled=cancelled)
