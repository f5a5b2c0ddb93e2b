"""Campaign and near-duplicate detection, so a report can count organised responses once.

Method, and why:
- Exact duplicates are found by normalised text (case, punctuation and spacing ignored).
- Near-duplicates: each distinct text becomes a set of word shingles (runs of
  ``shingle_size`` words); two texts are near-duplicates when the Jaccard similarity of their
  shingle sets is at least ``threshold``. Comparing every pair would be quadratic (5 × 10¹¹ pairs
  for a million comments), so MinHash signatures and locality-sensitive hashing (LSH) propose
  candidate pairs — texts that agree on a whole band of their signature — and only those are
  checked exactly. Signatures are computed in batches with numpy, so the cost grows linearly.
- Pairs that pass are joined into groups with a union-find, so A~B and B~C puts A, B, C in one
  group even when A and C differ a little more.
- Texts under ``min_words`` words and placeholders ("n/a", "nothing to add") are never grouped:
  many people writing "No comment" is not a campaign. A group is only a *campaign* (counted
  once in every figure) under the stricter rule of `engage.analysis.counting`: 10+ people,
  12+ words; other groups are flagged, and every member counts.

The default threshold of 0.8 groups a 35-word campaign text with copies that change one word
(3-word shingles: about 0.84) while keeping apart different comments on the same subject,
which rarely share more than a third of their shingles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from engage.progress import CancelFn, ProgressFn, Reporter

_NON_WORD = re.compile(r"[\W_]+")
_NON_ASCII_WORD = re.compile(r"[^a-z0-9]+")
_MASK32 = np.uint64(0xFFFFFFFF)

#: Normalised answers that mean "nothing to say", however many words they take.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "n a",
        "na",
        "none",
        "nothing",
        "no comment",
        "no comments",
        "did not answer",
        "not applicable",
        "see above",
        "as above",
        "i have nothing else to add",
        "i have nothing more to add",
        "nothing else to add",
        "nothing more to add",
        "no further comments",
        "no further comment",
        "i have no further comments",
        "i have no further comment",
        "i have no other comments",
        "see my answer above",
        "see my previous answer",
        "as per my previous answer",
        "nothing else at this time",
        "not at this time thank you",
    }
)


def normalise_text(text: str | None) -> str:
    """Lowercase, unicode-folded, punctuation removed, single spaces: the exact-duplicate key."""
    if not isinstance(text, str):
        return ""
    if text.isascii():  # the common case, twice as fast without unicode folding
        return _NON_ASCII_WORD.sub(" ", text.lower()).strip()
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


@dataclass
class DuplicateGroups:
    """Groups of duplicate comments. ``group_ids[i]`` is -1 for a comment in no group."""

    group_ids: np.ndarray
    sizes: np.ndarray
    exact: np.ndarray
    first: np.ndarray
    words: np.ndarray  # words in each group's first comment

    @property
    def n_groups(self) -> int:
        return len(self.sizes)

    def members(self, group: int) -> np.ndarray:
        return np.flatnonzero(self.group_ids == group)

    def counted_once(self, groups: Sequence[int] | None = None) -> np.ndarray:
        """Mask of comments to count when each group (or each of ``groups``) counts once."""
        collapse = np.zeros(self.n_groups, dtype=bool)
        collapse[list(groups) if groups is not None else slice(None)] = True
        in_collapsed = self.group_ids >= 0
        in_collapsed[in_collapsed] = collapse[self.group_ids[in_collapsed]]
        keep = ~in_collapsed
        keep[self.first[collapse]] = True
        return keep

    def campaigns(self, min_size: int | None = None, min_words: int | None = None) -> list[int]:
        """Groups that look organised, largest first: many copies of a substantial text.

        Short answers that many people give in the same words ("more nurses on the wards")
        are duplicates but not campaigns; counting them once would hide real agreement. The
        thresholds default to the counting rule's (`engage.analysis.counting`), which is what
        every figure in the app and its reports uses (there by respondents, here by copies).
        """
        from engage.analysis.counting import CAMPAIGN_MIN_RESPONDENTS, CAMPAIGN_MIN_WORDS

        min_size = CAMPAIGN_MIN_RESPONDENTS if min_size is None else min_size
        min_words = CAMPAIGN_MIN_WORDS if min_words is None else min_words
        chosen = (self.sizes >= min_size) & (self.words >= min_words)
        return [int(g) for g in np.flatnonzero(chosen)]


def find_duplicates(
    texts: Sequence[str | None],
    threshold: float = 0.8,
    shingle_size: int = 3,
    min_words: int = 5,
    num_perm: int = 64,
    batch_size: int = 20_000,
    seed: int = 0,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> DuplicateGroups:
    """Group exact and near-duplicate comments; see the module notes for the method."""
    if not 0.0 < threshold <= 1.0:
        raise ValueError("threshold must be in (0, 1]")
    report = Reporter(progress, cancelled)
    report(0.0, "Looking for duplicate comments")
    n = len(texts)
    representative, distinct = _exact_groups(texts, min_words, report.span(0.0, 0.2))
    parent = np.arange(n, dtype=np.int64)
    if threshold < 1.0 and len(distinct) > 1:
        rep_index = np.array([index for index, _ in distinct], dtype=np.int64)
        shingles, offsets = _shingles_in_batches(distinct, shingle_size, batch_size)
        del distinct  # the normalised texts are not needed any more (memory at 1M comments)
        signatures = _minhash(shingles, offsets, num_perm, seed, batch_size, report.span(0.2, 0.8))
        incidence = _incidence(shingles, offsets)
        del shingles, offsets
        bands, rows = _lsh_shape(threshold, num_perm)
        copies = np.bincount(representative[representative >= 0], minlength=n)
        candidates = _candidate_pairs(
            signatures, bands, rows, report.span(0.8, 0.9), weight=copies[rep_index]
        )
        edges = _verified(candidates, incidence, signatures, threshold)
        parent = _join(parent, rep_index[edges[:, 0]], rep_index[edges[:, 1]], n)
    report(0.95, "Grouping duplicates")
    result = _groups(parent, representative)
    result.words = np.array(
        [normalise_text(texts[i]).count(" ") + 1 for i in result.first], dtype=np.int32
    )
    report(1.0, f"Found {result.n_groups:,} groups of duplicates")
    return result


def _exact_groups(texts, min_words, report) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """Index of each comment's exact-duplicate representative (-1 if ignored), and the
    distinct (representative index, normalised text) pairs to compare further."""
    representative = np.full(len(texts), -1, dtype=np.int64)
    first_seen: dict[str, int] = {}
    distinct: list[tuple[int, str]] = []
    for i, text in enumerate(texts):
        key = normalise_text(text)
        if not key or key in PLACEHOLDERS or key.count(" ") + 1 < min_words:
            continue
        rep = first_seen.setdefault(key, i)
        representative[i] = rep
        if rep == i:
            distinct.append((i, key))
        if i % 50_000 == 0:
            report(i / max(len(texts), 1), "Comparing texts")
    return representative, distinct


def _shingles_in_batches(
    distinct: list[tuple[int, str]], size: int, batch_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """``_shingles`` a batch at a time: the split words are the memory peak."""
    parts, offset_parts, base = [], [np.zeros(1, dtype=np.int64)], 0
    for start in range(0, len(distinct), batch_size):
        hashes, offsets = _shingles(
            [text for _, text in distinct[start : start + batch_size]], size
        )
        parts.append(hashes)
        offset_parts.append(offsets[1:] + base)
        base += int(offsets[-1])
    return np.concatenate(parts), np.concatenate(offset_parts)


def _shingles(texts: list[str], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashed word shingles of normalised texts, concatenated (uint64), and their offsets.

    Words are hashed by pandas' keyed SipHash (stable across runs and batches, unlike
    ``hash``); a shingle mixes its words' hashes with multiply-xorshift so word order counts.
    """
    lengths = np.fromiter((t.count(" ") + 1 for t in texts), dtype=np.int64, count=len(texts))
    words = np.array(" ".join(texts).split(" "), dtype=object)
    flat = pd.util.hash_array(words, categorize=False)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    span = np.minimum(size, lengths)  # texts shorter than a shingle become one shingle
    counts = lengths - span + 1
    offsets = np.concatenate([[0], np.cumsum(counts)])
    position = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
    width = np.repeat(span, counts)
    hashes = np.zeros(offsets[-1], dtype=np.uint64)
    for j in range(size):
        present = width > j
        mixed = flat[np.minimum(position + j, len(flat) - 1)] * np.uint64(
            0x9E3779B97F4A7C15 + 2 * j
        )
        hashes = np.where(present, (hashes ^ mixed) * np.uint64(0xBF58476D1CE4E5B9), hashes)
        hashes ^= hashes >> np.uint64(31)
    return hashes, offsets


def _minhash(shingles, offsets, num_perm, seed, batch_size, report) -> np.ndarray:
    """MinHash signatures (texts × num_perm, uint32) by multiply-shift hashing, in batches."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 2**63, num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, num_perm, dtype=np.uint64)
    n = len(offsets) - 1
    signatures = np.empty((n, num_perm), dtype=np.uint32)
    # keep each block's (num_perm × shingles) temporaries to a few tens of MB
    max_shingles = max(1, (32 << 20) // (8 * num_perm))
    start = 0
    while start < n:
        by_shingles = int(np.searchsorted(offsets, offsets[start] + max_shingles, "right")) - 1
        stop = max(start + 1, min(n, start + batch_size, by_shingles))
        block = shingles[offsets[start] : offsets[stop]]
        values = np.multiply(a[:, None], block[None, :])  # wraps modulo 2**64, as intended
        values += b[:, None]
        values >>= np.uint64(32)
        signatures[start:stop] = np.minimum.reduceat(
            values, offsets[start:stop] - offsets[start], axis=1
        ).T
        start = stop
        report(start / n, f"Fingerprinted {start:,} of {n:,} texts")
    return signatures


def _lsh_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands × rows for the signature so pairs at the threshold almost surely collide.

    Chooses, among divisors of ``num_perm``, the most selective shape that still finds a pair
    exactly at the threshold with probability ≥ 0.99 (fewer candidates to check).
    """
    best = (num_perm, 1)
    for rows in range(1, num_perm + 1):
        if num_perm % rows:
            continue
        bands = num_perm // rows
        if 1 - (1 - threshold**rows) ** bands >= 0.99:
            best = (bands, rows)
    return best


def _candidate_pairs(
    signatures, bands, rows, report, weight=None, small_bucket: int = 8, anchors: int = 4
) -> np.ndarray:
    """Pairs of texts sharing at least one band, each pair once (i < j).

    A bucket of up to ``small_bucket`` texts yields all its pairs. A bigger bucket (a campaign
    and its variants) would be quadratic, so each member is paired only with its sorted
    neighbour and with the bucket's first ``anchors`` members — ordered by ``weight`` (how many
    exact copies a text has), so the campaign's template, the most copied text, is an anchor
    and every variant of it is checked against it. Union-find then joins the bucket.
    """
    n = signatures.shape[0]
    weight = np.zeros(n) if weight is None else np.asarray(weight)
    multipliers = np.random.default_rng(12345).integers(1, 2**63, rows, dtype=np.uint64)
    multipliers |= np.uint64(1)
    index = np.arange(n)
    codes = np.empty(0, dtype=np.int64)
    for band in range(bands):
        block = signatures[:, band * rows : (band + 1) * rows].astype(np.uint64)
        keys = (block * multipliers).sum(axis=1)
        order = np.lexsort((index, -weight, keys))
        sorted_keys = keys[order]
        starts = np.ones(n, dtype=bool)
        starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
        if not starts.all():
            head = np.maximum.accumulate(np.where(starts, index, 0))
            run_length = np.diff(np.append(np.flatnonzero(starts), n))
            length = np.repeat(run_length, run_length)
            rank = index - head  # position of each sorted text inside its bucket
            paired = rank > 0
            found = [np.stack([order[index[paired] - 1], order[paired]], axis=1)]
            reach = np.where(length <= small_bucket, small_bucket, anchors)
            for a in range(small_bucket):
                use = (rank > a + 1) & (a < reach)
                if not use.any():
                    break
                found.append(np.stack([order[head[use] + a], order[use]], axis=1))
            # merge band by band so memory follows the distinct pairs, not bands × pairs
            codes = _unique_sorted(np.concatenate([codes, _pair_codes(found, n)]))
        report((band + 1) / bands, "Finding similar texts")
    return np.stack([codes // n, codes % n], axis=1)


def _pair_codes(found: list[np.ndarray], n: int) -> np.ndarray:
    pairs = np.sort(np.concatenate(found), axis=1).astype(np.int64)
    return pairs[:, 0] * n + pairs[:, 1]


def _unique_sorted(codes: np.ndarray) -> np.ndarray:
    """Sort-based unique: much faster than np.unique's hashing on millions of codes."""
    codes.sort()
    return codes[np.concatenate([[True], codes[1:] != codes[:-1]])] if len(codes) else codes


def _verified(candidates, incidence, signatures, threshold) -> np.ndarray:
    """Candidate pairs whose exact shingle Jaccard reaches the threshold.

    The signature estimate screens first; the survivors are checked exactly, all at once, as
    row-wise products of a sparse text × shingle incidence matrix (no Python loop per pair).
    """
    if len(candidates) == 0:
        return candidates
    estimate = np.empty(len(candidates))
    for start in range(0, len(candidates), 100_000):
        chunk = candidates[start : start + 100_000]
        estimate[start : start + len(chunk)] = (
            signatures[chunk[:, 0]] == signatures[chunk[:, 1]]
        ).mean(axis=1)
    plausible = candidates[estimate >= threshold - 0.2]
    if len(plausible) == 0:
        return plausible
    sizes = np.diff(incidence.indptr)
    keep = np.zeros(len(plausible), dtype=bool)
    for start in range(0, len(plausible), 200_000):
        left, right = plausible[start : start + 200_000].T
        shared = np.asarray(incidence[left].multiply(incidence[right]).sum(axis=1)).ravel()
        union = sizes[left] + sizes[right] - shared
        keep[start : start + len(left)] = shared >= threshold * union
    return plausible[keep]


def _incidence(shingles, offsets) -> csr_matrix:
    """Binary text × shingle matrix; columns are the top 30 bits of each shingle hash (so
    indices fit int32; a collision between two of a pair's ~30 shingles is ~1 in 10⁶)."""
    columns = (shingles >> np.uint64(34)).astype(np.int32)
    data = np.ones(len(columns), dtype=np.int8)
    shape = (len(offsets) - 1, 2**30)
    matrix = csr_matrix((data, columns, offsets.astype(np.int64)), shape=shape)
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


def _join(parent: np.ndarray, left: np.ndarray, right: np.ndarray, n: int) -> np.ndarray:
    """Union-find over the verified pairs (scipy's connected components do the finding)."""
    if len(left) == 0:
        return parent
    graph = coo_matrix((np.ones(len(left), dtype=np.int8), (left, right)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    # the root of each component: its lowest index
    roots = np.full(component.max() + 1, n, dtype=np.int64)
    np.minimum.at(roots, component, np.arange(n))
    return roots[component]


def _groups(parent: np.ndarray, representative: np.ndarray) -> DuplicateGroups:
    n = len(representative)
    root = np.where(representative >= 0, parent[np.maximum(representative, 0)], -1)
    counted = root[root >= 0]
    if len(counted) == 0:
        return DuplicateGroups(
            np.full(n, -1, dtype=np.int32),
            np.empty(0, dtype=np.int32),
            np.empty(0, dtype=bool),
            np.empty(0, dtype=np.int64),
            np.empty(0, dtype=np.int32),
        )
    roots, sizes = np.unique(counted, return_counts=True)
    roots, sizes = roots[sizes >= 2], sizes[sizes >= 2]
    order = np.lexsort((roots, -sizes))  # largest first, then by first appearance
    sizes = sizes[order]
    group_of_sorted_root = np.empty(len(roots), dtype=np.int32)
    group_of_sorted_root[order] = np.arange(len(roots), dtype=np.int32)
    position = np.searchsorted(roots, root).clip(0, max(len(roots) - 1, 0))
    in_group = (root >= 0) & (len(roots) > 0)
    if len(roots):
        in_group &= roots[position] == root
    group_ids = np.full(n, -1, dtype=np.int32)
    group_ids[in_group] = group_of_sorted_root[position[in_group]]
    members = np.flatnonzero(in_group)
    first = np.full(len(roots), n, dtype=np.int64)
    np.minimum.at(first, group_ids[members], members)
    # a group is exact when all its members share one exact-duplicate representative
    distinct_pairs = np.unique(np.stack([group_ids[members], representative[members]]), axis=1)
    exact = np.bincount(distinct_pairs[0], minlength=len(roots)) == 1
    words = np.empty(len(roots), dtype=np.int32)  # filled by the caller, which has the texts
    return DuplicateGroups(group_ids, sizes.astype(np.int32), exact, first, words)
