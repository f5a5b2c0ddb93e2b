"""Vectorisers for the supervised models: word and character n-gram TF-IDF over raw text.

Why this shape:
- Word 1–2-grams carry the subject ("waiting time", "car park"); character n-grams inside
  words catch misspellings, plurals and the very short answers ("n/a", "none") that survey
  exports are full of. Cross-validation on the NHS patient-feedback data favours the pair over
  either alone.
- scikit-learn's ``char_wb`` analyser builds n-grams in Python for every word of every comment,
  which caps prediction at a few thousand comments a second. Because ``char_wb`` n-grams never
  cross a word boundary, a comment's n-gram counts are the sum of its words' n-gram counts. So
  we compute n-grams once per distinct word and get the document counts with one sparse
  product: several times faster at prediction, same features.
- The estimators take raw strings, so ``engage classify`` needs nothing but a CSV. Lemmatised
  tokens (``engage.nlp.text``) did not improve cross-validated scores and cost time.
- ``contributions`` maps a linear model's weights back to readable words and phrases (char
  n-grams are shared out among the words that contain them), so a coded theme can show the
  terms that drove it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

WORD_PATTERN = r"(?u)\b\w[\w']*\b"
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})
_PUNCT = string.punctuation + "\u201c\u201d\u2026"


def clean_text(text: object) -> str:
    """Lowercase with one kind of apostrophe; anything that is not a string becomes ''."""
    if not isinstance(text, str):
        return ""
    return text.lower().translate(_QUOTES)


def _word_ngrams(word: str, low: int, high: int) -> list[str]:
    """The n-grams of one word padded with spaces, as scikit-learn's ``char_wb`` makes them."""
    padded = f" {word} "
    size = len(padded)
    grams: list[str] = []
    for n in range(low, high + 1):
        if size <= n:
            grams.append(padded)
            break
        grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def only_function_words(term: str, keep: frozenset[str] = frozenset()) -> bool:
    """'to', 'of the': real contributors to a score, but they tell an officer nothing."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return all(word in ENGLISH_STOP_WORDS and word not in keep for word in term.split())


def _readable(token: str) -> str:
    return token.strip(_PUNCT)


class TextFeatures(TransformerMixin, BaseEstimator):
    """Word n-gram TF-IDF beside character n-gram (within-word) TF-IDF, each block L2-normed.

    Parameters mirror ``TfidfVectorizer``: ``min_df`` applies to both blocks, ``sublinear_tf``
    damps repeated words, ``char_weight`` scales the character block against the word block.
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 2,
        sublinear_tf: bool = True,
        char_weight: float = 1.0,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.char_weight = char_weight

    # ----- fitting ---------------------------------------------------------------------------
    def fit(self, texts: Iterable[object], y=None) -> TextFeatures:
        docs = [clean_text(t) for t in texts]
        if not docs:
            raise ValueError("TextFeatures needs at least one text to fit")
        self.word_vectorizer_ = TfidfVectorizer(
            ngram_range=tuple(self.word_ngram_range),
            token_pattern=WORD_PATTERN,
            lowercase=False,
            min_df=min(self.min_df, len(docs)),
            sublinear_tf=self.sublinear_tf,
            dtype=np.float32,
        )
        try:
            self.word_vectorizer_.fit(docs)
        except ValueError:  # no word survives min_df (tiny or empty corpus): keep any word
            self.word_vectorizer_.set_params(min_df=1, token_pattern=r"(?u)\S+")
            self.word_vectorizer_.fit([*docs, "_"])
        self._fit_char_block(docs)
        self.n_word_features_ = len(self.word_vectorizer_.vocabulary_)
        self.n_features_out_ = self.n_word_features_ + len(self.char_vocabulary_)
        return self

    def _fit_char_block(self, docs: Sequence[str]) -> None:
        low, high = self.char_ngram_range
        words: dict[str, int] = {}
        doc_word = _count_matrix(docs, words, grow=True)
        gram_index: dict[str, int] = {}
        rows, cols = [], []
        for w_id, word in enumerate(words):
            for gram in _word_ngrams(word, low, high):
                rows.append(w_id)
                cols.append(gram_index.setdefault(gram, len(gram_index)))
        word_gram = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(words), len(gram_index))
        )
        word_gram.sum_duplicates()
        counts = (doc_word @ word_gram).tocsc()
        df = np.diff(counts.indptr)
        keep = np.flatnonzero(df >= min(self.min_df, len(docs)))
        names = np.array(list(gram_index), dtype=object)[keep]
        self.char_vocabulary_ = {gram: i for i, gram in enumerate(names)}
        n = len(docs)
        self.char_idf_ = (np.log((1 + n) / (1 + df[keep])) + 1).astype(np.float32)
        self._word_gram_ = word_gram[:, keep].tocsr()
        self._words_ = words

    # ----- transforming ----------------------------------------------------------------------
    def transform(self, texts: Iterable[object]) -> sp.csr_matrix:
        check_is_fitted(self, "char_vocabulary_")
        docs = [clean_text(t) for t in texts]
        word_block = self.word_vectorizer_.transform(docs)
        char_block = self._char_block(docs)
        if self.char_weight != 1.0:
            char_block = char_block * np.float32(self.char_weight)
        return sp.hstack([word_block, char_block], format="csr", dtype=np.float32)

    def _char_block(self, docs: Sequence[str]) -> sp.csr_matrix:
        known = self._words_
        extra: dict[str, int] = {}
        doc_word = _count_matrix(docs, known, extra=extra)
        word_gram = self._word_gram_
        if extra:
            word_gram = sp.vstack([word_gram, self._gram_rows(extra)], format="csr")
        counts = (doc_word @ word_gram).tocsr()
        if self.sublinear_tf:
            np.log(counts.data, out=counts.data)
            counts.data += 1
        counts = counts @ sp.diags(self.char_idf_)
        return normalize(counts, copy=False).astype(np.float32)

    def _gram_rows(self, words: dict[str, int]) -> sp.csr_matrix:
        low, high = self.char_ngram_range
        vocab = self.char_vocabulary_
        rows, cols = [], []
        for w_id, word in enumerate(words):
            for gram in _word_ngrams(word, low, high):
                col = vocab.get(gram)
                if col is not None:
                    rows.append(w_id)
                    cols.append(col)
        matrix = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, cols)), shape=(len(words), len(vocab))
        )
        matrix.sum_duplicates()
        return matrix

    # ----- names and explanations ------------------------------------------------------------
    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        check_is_fitted(self, "char_vocabulary_")
        words = self.word_vectorizer_.get_feature_names_out()
        chars = np.array([f"char:{g}" for g in self.char_vocabulary_], dtype=object)
        return np.concatenate([words.astype(object), chars])

    def contributions(self, text: object, weights: np.ndarray) -> dict[str, float]:
        """Each readable word or phrase of ``text`` with its share of ``x · weights``.

        Word-block features keep their own name. A character n-gram's contribution is divided
        among the words of the text that contain it, so the result names words, not n-grams.
        """
        doc = clean_text(text)
        row = self.transform([doc])
        weights = np.asarray(weights).ravel()
        result: dict[str, float] = {}
        n_word = self.n_word_features_
        names = self.word_vectorizer_.get_feature_names_out()
        for col, value in zip(row.indices, row.data, strict=True):
            if col < n_word:
                term = str(names[col])
                result[term] = result.get(term, 0.0) + float(value * weights[col])
        char_values = {
            col - n_word: float(value * weights[col])
            for col, value in zip(row.indices, row.data, strict=True)
            if col >= n_word
        }
        if not char_values:
            return result
        low, high = self.char_ngram_range
        tokens = doc.split()
        token_grams = []
        occurrences: dict[int, int] = {}
        for token in tokens:
            cols = [self.char_vocabulary_.get(g) for g in _word_ngrams(token, low, high)]
            cols = [c for c in cols if c is not None]
            token_grams.append(cols)
            for c in cols:
                occurrences[c] = occurrences.get(c, 0) + 1
        for token, cols in zip(tokens, token_grams, strict=True):
            term = _readable(token)
            if not term:
                continue
            share = sum(char_values.get(c, 0.0) / occurrences[c] for c in cols)
            result[term] = result.get(term, 0.0) + share
        return result


def _count_matrix(
    docs: Sequence[str],
    words: dict[str, int],
    grow: bool = False,
    extra: dict[str, int] | None = None,
) -> sp.csr_matrix:
    """Document × word counts over whitespace tokens.

    ``grow`` adds unseen words to ``words``; otherwise unseen words go to ``extra`` and take
    column numbers after the known ones (their n-grams are looked up by the caller).
    """
    indptr = [0]
    indices: list[int] = []
    base = len(words)
    for doc in docs:
        for token in doc.split():
            idx = words.get(token)
            if idx is None:
                if grow:
                    idx = words[token] = len(words)
                else:
                    assert extra is not None
                    idx = extra.get(token)
                    if idx is None:
                        idx = extra[token] = len(extra)
                    idx += base
            indices.append(idx)
        indptr.append(len(indices))
    n_cols = len(words) + (len(extra) if extra else 0)
    matrix = sp.csr_matrix(
        (np.ones(len(indices), np.float32), np.asarray(indices, np.int64), indptr),
        shape=(len(docs), n_cols),
    )
    matrix.sum_duplicates()
    return matrix
