"""Two officers disagree on the overlap: conflicts listed side by side, resolved one way or in
bulk, undone exactly; agreement figures equal the ones worked out by hand."""

from __future__ import annotations

import pytest

from engage.analysis import store
from engage.team import conflicts, kappa, merge, shareout
from tests.team.conftest import theme_ids
from tests.team.test_shareout_merge import code_work_file, dump


@pytest.fixture
def overlap_files(lead, tmp_path):
    """Jo and Sam both get the same 10 comments; no model suggestions, so only their
    decisions count."""
    with lead.transaction("clear suggestions"):
        lead.db.execute("DELETE FROM codings")
    shares = shareout.plan_shares(lead, 1, ["Jo", "Sam"], "overlap", overlap=10)
    folder = tmp_path / "out"
    folder.mkdir()
    return shares[0].comment_ids, shareout.share_out(lead, 1, folder, shares, "overlap")


def test_disagreements_become_conflicts_side_by_side(lead, overlap_files):
    ids, (jo, sam) = overlap_files
    code_work_file(jo, "Jo", accept={"Travel to services": [ids[0]]},
                   sentiment={(ids[1],): 5})
    code_work_file(sam, "Sam", reject={"Travel to services": [ids[0]]},
                   sentiment={(ids[1],): 2}, accept={"Online access": [ids[2]]})
    both = merge.merge_files(lead, [jo, sam])  # one merge: Sam's file meets Jo's decisions
    first, second = both.files
    assert first.conflicts == 0 and second.conflicts == 2 and second.applied == 1
    rows = conflicts.list_conflicts(lead)
    assert [(r["comment_id"], r["what"], r["mine_text"], r["mine_by"], r["theirs_text"],
             r["theirs_by"]) for r in rows] == [
        (ids[0], "theme: Travel to services", "on (accepted)", "Jo", "off (rejected)", "Sam"),
        (ids[1], "sentiment", "5 very negative", "Jo", "2 positive", "Sam")]
    # the project still holds the first officer's decisions
    t = theme_ids(lead)
    assert store.coding_state(lead, ids[0], t["Travel to services"])["decided_by"] == "Jo"
    # merging Sam's file again does not repeat the conflicts
    merge.merge_files(lead, [sam])
    assert conflicts.conflict_count(lead) == 2


@pytest.fixture
def two_conflicts(lead, overlap_files):
    ids, (jo, sam) = overlap_files
    code_work_file(jo, "Jo", reject={"Travel to services": [ids[0]]}, sentiment={(ids[1],): 5})
    code_work_file(sam, "Sam", accept={"Travel to services": [ids[0]]}, sentiment={(ids[1],): 2})
    merge.merge_files(lead, [jo, sam])
    return ids, [r["id"] for r in conflicts.list_conflicts(lead)]


def test_keep_theirs_writes_their_decision_in_their_name(lead, two_conflicts):
    ids, found = two_conflicts
    conflicts.resolve(lead, found, "theirs")
    t = theme_ids(lead)
    coding = store.coding_state(lead, ids[0], t["Travel to services"])
    assert (coding["decision"], coding["decided_by"]) == ("accepted", "Sam")
    assert store.comment_analysis(lead, ids[1])["sentiment_officer"] == 2
    assert conflicts.conflict_count(lead) == 0
    assert {r["status"] for r in conflicts.list_conflicts(lead, status=None)} == {"theirs"}


def test_keep_mine_leaves_the_project_and_closes_the_conflicts(lead, two_conflicts):
    ids, found = two_conflicts
    t = theme_ids(lead)
    before = store.coding_state(lead, ids[0], t["Travel to services"])
    conflicts.resolve(lead, found[:1], "mine")
    assert store.coding_state(lead, ids[0], t["Travel to services"]) == before
    assert conflicts.conflict_count(lead) == 1


def test_keep_both_keeps_the_theme_on_and_my_sentiment(lead, two_conflicts):
    ids, found = two_conflicts
    conflicts.resolve(lead, found, "both")
    t = theme_ids(lead)
    assert store.coding_state(lead, ids[0], t["Travel to services"])["decision"] == "accepted"
    assert store.comment_analysis(lead, ids[1])["sentiment_officer"] == 5


@pytest.mark.parametrize("choice", ["mine", "theirs", "both"])
def test_undo_puts_everything_back_exactly(lead, two_conflicts, choice):
    _ids, found = two_conflicts
    watched = ("codings", "comment_analysis", "team_conflicts")
    before = {k: v for k, v in dump(lead.path).items() if k in watched}
    _changes, undo = conflicts.resolve(lead, found, choice)
    assert {k: v for k, v in dump(lead.path).items() if k in watched} != before
    conflicts.undo(lead, undo)
    assert {k: v for k, v in dump(lead.path).items() if k in watched} == before


# ----- agreement ---------------------------------------------------------------------------------
def test_cohen_kappa_and_percent_agreement_by_hand():
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    # agree on 8 of 10; chance: 0.4*0.4 + 0.6*0.6 = 0.52; kappa = (0.8-0.52)/0.48 = 7/12
    labels = list(zip(a, b, strict=True))
    agreement, k = kappa.agreement_and_kappa(labels)
    assert agreement == pytest.approx(0.8) and k == pytest.approx(7 / 12)


def test_fleiss_kappa_by_hand_three_raters():
    # per-item agreement 1, 1/3, 1, 1/3 -> mean 2/3; yes 6 of 12 -> chance 0.5; kappa 1/3
    labels = [(1, 1, 1), (1, 1, 0), (0, 0, 0), (1, 0, 0)]
    agreement, k = kappa.fleiss_kappa(labels)
    assert agreement == pytest.approx(2 / 3) and k == pytest.approx(1 / 3)


def test_fleiss_kappa_on_the_published_fourteen_rater_example():
    # Fleiss (1971) style table: 10 subjects, 14 raters, 5 categories; kappa 0.210
    table = [(0, 0, 0, 0, 14), (0, 2, 6, 4, 2), (0, 0, 3, 5, 6), (0, 3, 9, 2, 0),
             (2, 2, 8, 1, 1), (7, 7, 0, 0, 0), (3, 2, 6, 3, 0), (2, 5, 3, 2, 2),
             (6, 5, 2, 1, 0), (0, 2, 2, 3, 7)]
    labels = [[cat for cat, n in enumerate(row) for _ in range(n)] for row in table]
    agreement, k = kappa.fleiss_kappa(labels)
    assert k == pytest.approx(0.210, abs=0.0005)
    assert agreement == pytest.approx(0.378, abs=0.0005)


def test_kappa_is_undefined_when_nobody_ever_codes_the_theme():
    assert kappa.agreement_and_kappa([(0, 0)] * 5) == (1.0, None)
    assert kappa.fleiss_kappa([(0, 0, 0)] * 5) == (1.0, None)


def test_officer_agreement_on_the_overlap_matches_hand_figures(lead, overlap_files):
    ids, (jo, sam) = overlap_files
    code_work_file(jo, "Jo", accept={"Travel to services": ids[0:4], "Online access": ids[0:2]})
    code_work_file(sam, "Sam", accept={"Travel to services": ids[0:3] + [ids[4]],
                                       "Online access": ids[0:2]})
    # the other comments of the sample count as coded "no theme": mark them reviewed
    for path, officer in ((jo, "Jo"), (sam, "Sam")):
        code_work_file(path, officer, reject={"Waiting times": ids})
    merge.merge_files(lead, [jo, sam])
    result = kappa.officer_agreement(lead, 1)
    assert result.officers == ["Jo", "Sam"] and result.comments == 10
    by_theme = {t.theme: t for t in result.themes}
    travel, online = by_theme["Travel to services"], by_theme["Online access"]
    assert travel.agreement == pytest.approx(0.8) and travel.kappa == pytest.approx(7 / 12)
    assert sorted(travel.disagreements) == sorted([ids[3], ids[4]])
    assert online.kappa == pytest.approx(1.0)
    # pooled over 20 items: agree 18; yes 6 of 20 each -> chance 0.58; (0.9-0.58)/0.42
    assert result.agreement == pytest.approx(0.9)
    assert result.kappa == pytest.approx(0.32 / 0.42)
    sentence = kappa.methodology_sentence(lead, 1)
    assert "Two officers coded the same 10 comments" in sentence and "0.76" in sentence
    from engage.reports.queries import ReportScope
    from engage.reports.summary import build_summary

    summary = build_summary(lead, ReportScope(consultation_id=1))
    assert summary.officer_agreement == sentence
    from engage.reports.layout import _model_blocks

    assert any(sentence in getattr(b, "text", "") for b in _model_blocks(summary))
    # the two officers only ever added themes, so nothing here conflicts
    assert conflicts.conflict_count(lead) == 0


def test_three_officers_get_fleiss_kappa(lead, tmp_path):
    with lead.transaction("clear suggestions"):
        lead.db.execute("DELETE FROM codings")
    shares = shareout.plan_shares(lead, 1, ["A", "B", "C"], "random", overlap=4)
    folder = tmp_path / "three"
    folder.mkdir()
    paths = shareout.share_out(lead, 1, folder, shares, "random")
    sample = shares[0].overlap_ids
    yes = {"A": sample[0:3], "B": sample[0:2], "C": [sample[0], sample[3]]}
    for path, share in zip(paths, shares, strict=True):
        code_work_file(path, share.officer, reject={"Waiting times": sample},
                       accept={"Travel to services": yes[share.officer]})
    merge.merge_files(lead, paths)
    result = kappa.officer_agreement(lead, 1)
    assert result.method == "Fleiss' kappa" and result.comments == 4
    travel = next(t for t in result.themes if t.theme == "Travel to services")
    # items (1,1,1) (1,1,0) (1,0,0) (0,0,1): agreement (1 + 1/3 + 1/3 + 1/3)/4 = 1/2;
    # yes 7 of 12 -> chance (49 + 25)/144 -> kappa (72 - 74)/(144 - 74) = -1/35
    assert travel.agreement == pytest.approx(0.5) and travel.kappa == pytest.approx(-1 / 35)


# ----- kind of comment ---------------------------------------------------------------------------
def test_kind_set_by_officers_merges_conflicts_and_undoes(lead, overlap_files):
    from engage.analysis import kinds
    from engage.project import Project

    ids, (jo, sam) = overlap_files
    kinds.save_model_kinds(lead, ids[:2], ["question", "question"], [0.6, 0.6])
    for path, officer, kind in ((jo, "Jo", "suggestion"), (sam, "Sam", "complaint")):
        with Project.open(path, user=officer) as work:
            kinds.set_kind(work, [ids[0]], kind)
            kinds.set_kind(work, [ids[1]], "praise")
    result = merge.merge_files(lead, [jo, sam])
    kind_of = dict(lead.db.execute("SELECT id, kind || '/' || kind_source FROM comments"))
    assert kind_of[ids[0]] == "suggestion/officer" and kind_of[ids[1]] == "praise/officer"
    assert result.files[1].conflicts == 1 and result.files[1].same == 1
    (row,) = conflicts.list_conflicts(lead)
    assert (row["what"], row["mine"], row["mine_by"], row["theirs"]) == (
        "kind", "suggestion", "Jo", "complaint")
    audit = lead._rows("SELECT * FROM audit WHERE entity = 'kind' AND entity_id = ?", [ids[0]])
    assert [r["user"] for r in audit] == ["Jo"]
    before = dump(lead.path)["comments"]
    _changes, undo = conflicts.resolve(lead, [row["id"]], "theirs")
    assert lead.db.execute("SELECT kind FROM comments WHERE id = ?", [ids[0]]).fetchone()[0] \
        == "complaint"
    conflicts.undo(lead, undo)
    assert dump(lead.path)["comments"] == before
