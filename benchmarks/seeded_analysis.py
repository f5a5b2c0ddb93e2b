"""Analysis results for benchmark and sample projects: the real `engage analyse` when this
build has it, otherwise a seeded stand-in written through `engage.analysis.store`. Either way
a seeded sample of officer work follows (decisions on suggested themes, a few sentiments, key
quotes), so the reports' review and agreement figures have something to show.

The stand-in is not a classifier worth measuring. It exists so reports can be timed and shown
on a full-size analysed project before the NLP pipeline is wired to the command line: tokens
and campaign groups come from the real NLP modules; themes are suggested where a theme's seed
term occurs in the comment, with seeded random confidences; sentiment follows a few cue words
plus seeded noise; a seeded sample of comments gets officer decisions and key quotes.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from engage.analysis import store
from engage.project import Project

NEGATIVE_CUES = {"not", "never", "no", "wait", "waiting", "worse", "poor", "difficult", "cut",
                 "close", "closure", "lack", "shortage", "struggle", "impossible", "cost",
                 "expensive", "far", "long", "rude", "cancel", "cancelled", "worried", "afraid"}
POSITIVE_CUES = {"good", "great", "excellent", "thank", "thanks", "helpful", "kind", "caring",
                 "brilliant", "fantastic", "well", "happy", "pleased", "quick", "easy",
                 "wonderful", "support", "lovely", "amazing"}


def has_engage_analyse() -> bool:
    from engage.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return "analyse" in sub.choices


def analyse(project: Project, seed: int = 2013, say: Callable[[str], None] = print) -> str:
    """Analyse the project; return a line saying which way it was done."""
    if has_engage_analyse():
        from engage.cli import main

        say("  running engage analyse …")
        if main(["analyse", str(project.path)]) != 0:
            raise SystemExit("engage analyse failed")
        officer_review(project, random.Random(seed))
        return ("analysis by `engage analyse` (the real NLP pipeline), then a seeded sample "
                "of officer decisions")
    seed_analysis(project, seed, say)
    return ("analysis by a SEEDED STAND-IN written through engage.analysis.store "
            "(`engage analyse` is not in this build yet): seed-term themes with random "
            "confidences, cue-word sentiment, real tokens and campaign groups")


def seed_analysis(project: Project, seed: int = 2013, say: Callable[[str], None] = print) -> None:
    from engage.nlp.duplicates import find_duplicates
    from engage.nlp.taxonomy import load_default
    from engage.nlp.text import tokenize

    rng = random.Random(seed)
    if not store.has_taxonomy(project):
        taxonomy = load_default()
        store.install_taxonomy(project, [
            {"name": p.name, "description": p.description,
             "themes": [{"name": t.name, "description": t.description,
                         "seed_terms": t.seed_terms, "examples": t.examples}
                        for t in taxonomy.themes_in(p.name)]}
            for p in taxonomy.portfolios])
    themes = store.themes(project)
    term_tokens = tokenize([term for t in themes for term in t["seed_terms"]])
    terms: list[tuple[int, tuple[str, ...]]] = []
    i = 0
    for t in themes:
        for _term in t["seed_terms"]:
            if term_tokens[i]:
                terms.append((t["id"], tuple(term_tokens[i])))
            i += 1
    comments = store.comments_to_analyse(project)
    say(f"  tokenising {len(comments):,} comments …")
    tokens = tokenize([text for _cid, text in comments])
    say("  finding campaign groups …")
    groups = find_duplicates([text for _cid, text in comments])
    campaigns = set(groups.campaigns())
    run = store.start_run(project, "seeded-stand-in 0", {"seed": seed})
    results = []
    for (cid, _text), words in zip(comments, tokens, strict=True):
        results.append(_result(cid, words, terms, rng, groups, campaigns, len(results)))
    store.save_results(project, run, results, metrics={"stand_in": True})
    _officer_review(project, results, rng)


def _result(cid, words, terms, rng, groups, campaigns, index) -> store.CommentResult:
    present = set(words)
    found = {tid for tid, term in terms if all(w in present for w in term)}
    suggestions = [(tid, round(0.45 + 0.5 * rng.random(), 3), []) for tid in sorted(found)]
    top = max((p for _t, p, _e in suggestions), default=0.0)
    outcome = "coded" if top >= 0.6 else "uncertain" if suggestions else "no_theme"
    score = sum(w in POSITIVE_CUES for w in words) - sum(w in NEGATIVE_CUES for w in words)
    level = 3 - max(-2, min(2, score + rng.choice((-1, 0, 0, 0, 1))))
    group = int(groups.group_ids[index])
    return store.CommentResult(
        cid, outcome, level, round(0.5 + 0.45 * rng.random(), 3), rng.random(), suggestions,
        tokens=" ".join(words), near_dup_group=group + 1 if group in campaigns else None)


def officer_review(project: Project, rng: random.Random, comments: int = 400) -> None:
    """Seeded officer work on real model output: the review queue first, then coded comments."""
    from engage.reports.export_queries import active_codings
    from engage.reports.queries import ReportScope

    coded = active_codings(project, ReportScope())
    candidates = store.review_queue(project, limit=comments // 2)
    candidates += rng.sample(sorted(coded), min(comments - len(candidates), len(coded)))
    by_decision: dict[tuple[int, str], list[int]] = {}
    for cid in candidates:
        suggestions = [c for c in store.comment_codings(project, cid) if c["source"] == "model"]
        if not suggestions:
            continue
        decision = "accepted" if rng.random() < 0.8 else "rejected"
        by_decision.setdefault((suggestions[0]["theme_id"], decision), []).append(cid)
    for (tid, decision), ids in by_decision.items():
        store.set_coding_decision(project, ids, tid, decision, action="seeded review")
    for cid in rng.sample(candidates, min(120, len(candidates))):
        analysis = store.comment_analysis(project, cid) or {}
        level = analysis.get("sentiment") or 3
        store.set_officer_sentiment(project, [cid], max(1, min(5, level + rng.choice((-1, 0, 1)))))
    store.set_key_quote(project, rng.sample(sorted(coded), min(25, len(coded))), True)


def _officer_review(project: Project, results: list, rng: random.Random) -> None:
    """A seeded sample of officer work: confirm, reject, add themes, set sentiment, key quotes."""
    suggested = [r for r in results if r.suggestions]
    theme_ids = [t["id"] for t in store.themes(project)]
    by_decision: dict[tuple[int, str], list[int]] = {}
    for r in rng.sample(suggested, min(400, len(suggested))):
        tid = r.suggestions[0][0]
        decision = "accepted" if rng.random() < 0.8 else "rejected"
        by_decision.setdefault((tid, decision), []).append(r.comment_id)
        if rng.random() < 0.15:
            by_decision.setdefault((rng.choice(theme_ids), "accepted"), []).append(r.comment_id)
    for (tid, decision), ids in by_decision.items():
        store.set_coding_decision(project, ids, tid, decision, action="seeded review")
    for r in rng.sample(results, min(120, len(results))):
        store.set_officer_sentiment(project, [r.comment_id],
                                    max(1, min(5, (r.sentiment or 3) + rng.choice((-1, 0, 0, 1)))))
    coded = [r.comment_id for r in results if r.outcome == "coded"]
    store.set_key_quote(project, rng.sample(coded, min(25, len(coded))), True)
