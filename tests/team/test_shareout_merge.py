"""Share-out writes work files that are normal projects tied to the lead; merging brings every
decision back in its officer's name and time; merging twice changes nothing; files from
elsewhere or with deleted themes are refused; renamed or merged themes are mapped."""

from __future__ import annotations

import json
import sqlite3

import pytest

from engage.analysis import store
from engage.errors import EngageError
from engage.project import Project
from engage.team import merge, shareout
from engage.team.workfile import WORK_FILE_KEY, WorkFileError
from tests.team.conftest import build_lead, theme_ids


def share(lead, tmp_path, officers=("Jo", "Sam"), split="random", overlap=0):
    shares = shareout.plan_shares(lead, 1, list(officers), split, overlap=overlap)
    folder = tmp_path / "out"
    folder.mkdir(exist_ok=True)
    return shareout.share_out(lead, 1, folder, shares, split)


def dump(path) -> dict:
    """Every table's rows, to compare a project before and after."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
        return {t: sorted(map(repr, conn.execute(f"SELECT * FROM {t}"))) for t in tables}
    finally:
        conn.close()


# ----- share-out -------------------------------------------------------------------------------
@pytest.mark.parametrize("split", ["question", "place", "random"])
def test_every_comment_goes_to_exactly_one_officer_plus_the_overlap(lead, split):
    shares = shareout.plan_shares(lead, 1, ["A", "B", "C"], split, overlap=6)
    overlap = set(shares[0].overlap_ids)
    assert len(overlap) == 6 and all(set(s.overlap_ids) == overlap for s in shares)
    own = [set(s.comment_ids) - overlap for s in shares]
    assert sum(map(len, own)) == 40 - 6
    assert set().union(*own) | overlap == set(range(1, 41))
    if split == "question":  # whole questions
        for part in own:
            questions = {lead.db.execute("SELECT question_id FROM comments WHERE id = ?",
                                         [c]).fetchone()[0] for c in part}
            others = set().union(*(o for o in own if o is not part))
            assert not any(lead.db.execute("SELECT question_id FROM comments WHERE id = ?",
                                           [c]).fetchone()[0] in questions for c in others)


def test_overlap_split_gives_everyone_the_same_sample(lead):
    shares = shareout.plan_shares(lead, 1, ["A", "B"], "overlap", overlap=10)
    assert shares[0].comment_ids == shares[1].comment_ids and len(shares[0].comment_ids) == 10


def test_share_out_refuses_no_officers_and_duplicates(lead):
    with pytest.raises(EngageError):
        shareout.plan_shares(lead, 1, [" "], "random")
    with pytest.raises(EngageError):
        shareout.plan_shares(lead, 1, ["Jo", "Jo"], "random")


def test_work_file_is_a_normal_project_with_codebook_comments_and_tie(lead, tmp_path):
    paths = share(lead, tmp_path, split="question")
    assert [p.name for p in paths] == ["Big Ask test - Jo.engage", "Big Ask test - Sam.engage"]
    with Project.open(paths[0], user="Jo") as work:
        meta = json.loads(work.get_setting(WORK_FILE_KEY))
        assert meta["officer"] == "Jo" and meta["consultation_id"] == 1
        assert meta["project_uid"] == lead.get_setting("team.project_uid")
        assert theme_ids(work) == theme_ids(lead)
        ids = [r[0] for r in work.db.execute("SELECT id FROM comments")]
        assert len(ids) == meta["comments"] > 0
        for cid in ids[:5]:  # same ids, text, suggestions
            assert (work.db.execute("SELECT text FROM comments WHERE id = ?", [cid]).fetchone()
                    == lead.db.execute("SELECT text FROM comments WHERE id = ?", [cid]).fetchone())
            assert store.comment_codings(work, cid) == store.comment_codings(lead, cid)
    shares = lead.db.execute("SELECT officer, file_name FROM team_shares ORDER BY officer")
    assert [r[0] for r in shares] == ["Jo", "Sam"]


# ----- merge ------------------------------------------------------------------------------------
def code_work_file(path, officer, accept=(), reject=(), sentiment=None, key_quote=()):
    """Open a work file as a colleague would and make decisions in it."""
    with Project.open(path, user=officer) as work:
        ids = {r[0] for r in work.db.execute("SELECT id FROM comments")}
        t = theme_ids(work)
        for theme, cids in dict(accept).items():
            store.set_coding_decision(work, [c for c in cids if c in ids], t[theme], "accepted")
        for theme, cids in dict(reject).items():
            store.set_coding_decision(work, [c for c in cids if c in ids], t[theme], "rejected")
        for cids, level in (sentiment or {}).items():
            store.set_officer_sentiment(work, [c for c in cids if c in ids], level)
        if key_quote:
            store.set_key_quote(work, [c for c in key_quote if c in ids], True)
        return ids


def test_merge_brings_back_every_decision_with_officer_and_time(lead, tmp_path):
    jo, _sam = share(lead, tmp_path, split="random")
    ids = code_work_file(jo, "Jo Bloggs", accept={"Travel to services": range(1, 41)},
                         reject={"Waiting times": range(1, 41)},
                         sentiment={tuple(range(1, 41)): 5}, key_quote=range(1, 41))
    with Project.open(jo) as work:
        stamp = work.db.execute("SELECT decided_at FROM codings WHERE decided_by = 'Jo Bloggs' "
                                "LIMIT 1").fetchone()[0]
    result = merge.merge_files(lead, [jo])
    t = theme_ids(lead)
    first = min(ids)
    travel = store.coding_state(lead, first, t["Travel to services"])
    assert travel["decision"] == "accepted" and travel["decided_by"] == "Jo Bloggs"
    assert travel["decided_at"] == stamp
    analysis = store.comment_analysis(lead, first)
    assert analysis["sentiment_officer"] == 5 and analysis["key_quote"] == 1
    audit = lead._rows("SELECT * FROM audit WHERE action LIKE 'merge coding from%' "
                       "AND entity_id = ?", [first])
    assert {r["user"] for r in audit} == {"Jo Bloggs"}
    assert {r["entity"] for r in audit} == {"coding", "sentiment", "key_quote"}
    assert result.files[0].conflicts == 0 and result.applied == len(audit_rows(lead))
    # comments not in Jo's file are untouched
    other = next(i for i in range(1, 41) if i not in ids)
    assert store.comment_analysis(lead, other)["sentiment_officer"] is None


def audit_rows(lead):
    return lead._rows("SELECT * FROM audit WHERE action LIKE 'merge coding from%' "
                      "AND entity != 'team_merge'")


def test_merging_the_same_file_twice_changes_nothing(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    code_work_file(jo, "Jo", accept={"Online access": range(1, 41)},
                   sentiment={tuple(range(1, 20)): 1})
    merge.merge_files(lead, [jo])
    before = dump(lead.path)
    again = merge.merge_files(lead, [jo])
    assert again.applied == 0 and again.conflicts == 0 and again.files[0].already > 0
    assert dump(lead.path) == before


def test_a_file_sent_back_again_brings_only_the_new_decisions(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    ids = code_work_file(jo, "Jo", accept={"Online access": [min(code_ids(jo))]})
    first = merge.merge_files(lead, [jo])
    code_work_file(jo, "Jo", accept={"Travel to services": sorted(ids)[:3]})
    second = merge.merge_files(lead, [jo])
    assert first.applied == 1 and second.applied == 3 and second.files[0].already == 1


def code_ids(path):
    with Project.open(path) as work:
        return [r[0] for r in work.db.execute("SELECT id FROM comments")]


def test_model_rerun_in_a_work_file_brings_nothing_back(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    with Project.open(jo) as work:
        run = store.start_run(work, "test", {})
        t = theme_ids(work)
        store.save_results(work, run, [store.CommentResult(
            c, "coded", 1, 0.9, 0.1, [(t["Travel to services"], 0.9, [])])
            for c in code_ids_of(work)])
    assert merge.merge_files(lead, [jo]).applied == 0


def code_ids_of(work):
    return [r[0] for r in work.db.execute("SELECT id FROM comments")]


def test_new_theme_from_a_colleague_arrives_with_its_codings(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    with Project.open(jo, user="Jo") as work:
        pid = store.portfolios(work)[1]["id"]
        tid, _ = store.add_theme(work, pid, "Phone lines")
        cids = code_ids_of(work)[:4]
        store.set_coding_decision(work, cids, tid, "accepted")
    result = merge.merge_files(lead, [jo])
    assert result.files[0].new_themes == 1
    new = theme_ids(lead)["Phone lines"]
    assert [store.coding_state(lead, c, new)["decided_by"] for c in cids] == ["Jo"] * 4
    digital = store.portfolios(lead)[1]["id"]
    assert lead.db.execute("SELECT portfolio_id FROM themes WHERE id = ?", [new]).fetchone()[0] \
        == digital


# ----- refusing and mapping -------------------------------------------------------------------
def test_a_file_from_another_project_is_refused(lead, tmp_path):
    other = build_lead(tmp_path / "other.engage")
    try:
        folder = tmp_path / "o"
        folder.mkdir()
        shares = shareout.plan_shares(other, 1, ["Jo"], "random")
        path = shareout.share_out(other, 1, folder, shares, "random")[0]
    finally:
        other.close()
    with pytest.raises(WorkFileError, match="another project"):
        merge.merge_files(lead, [path])


def test_a_plain_project_is_not_a_work_file(lead, tmp_path):
    plain = build_lead(tmp_path / "plain.engage")
    plain.close()
    with pytest.raises(WorkFileError, match="not a work file"):
        merge.merge_files(lead, [plain.path])


def test_deleted_theme_is_refused_renamed_and_merged_ones_are_mapped(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    code_work_file(jo, "Jo", accept={"Travel to services": range(1, 41),
                                     "Online access": range(1, 41)})
    t = theme_ids(lead)
    store.update_theme(lead, t["Travel to services"], name="Getting there")
    store.merge_themes(lead, t["Online access"], t["Waiting times"])
    result = merge.merge_files(lead, [jo])
    notes = " ".join(result.files[0].notes)
    assert "'Travel to services' is now called 'Getting there'" in notes
    assert "'Online access' was merged into 'Waiting times'" in notes
    cid = code_ids(jo)[0]
    assert store.coding_state(lead, cid, t["Travel to services"])["decided_by"] == "Jo"
    assert store.coding_state(lead, cid, t["Waiting times"])["decision"] == "accepted"


def test_theme_deleted_since_share_out_is_refused_unless_left_out(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    code_work_file(jo, "Jo", accept={"Online access": range(1, 41),
                                     "Travel to services": range(1, 41)})
    t = theme_ids(lead)
    with lead.transaction("delete theme"):
        lead.db.execute("DELETE FROM codings WHERE theme_id = ?", [t["Online access"]])
        lead.db.execute("DELETE FROM themes WHERE id = ?", [t["Online access"]])
    with pytest.raises(WorkFileError, match="older codebook.*'Online access'"):
        merge.merge_files(lead, [jo])
    result = merge.merge_files(lead, [jo], drop_unmapped=True)
    assert result.applied == len(code_ids(jo))


def test_merge_never_changes_the_work_file(lead, tmp_path):
    jo, _sam = share(lead, tmp_path)
    code_work_file(jo, "Jo", accept={"Online access": range(1, 41)})
    before = dump(jo)
    merge.merge_files(lead, [jo])
    assert dump(jo) == before


def test_a_merge_that_fails_part_way_keeps_nothing(lead, tmp_path):
    jo, sam = share(lead, tmp_path)
    code_work_file(jo, "Jo", accept={"Online access": range(1, 41)})
    code_work_file(sam, "Sam", accept={"Online access": range(1, 41)})
    before = dump(lead.path)
    calls = []

    def cancel_late():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Exception, match="Cancelled"):
        merge.merge_files(lead, [jo, sam], cancelled=cancel_late)
    assert dump(lead.path) == before


def test_a_work_file_without_newer_fields_still_merges(lead, tmp_path):
    """A colleague on an older Engage: their file has no kind columns; the rest merges."""
    jo, _sam = share(lead, tmp_path)
    code_work_file(jo, "Jo", accept={"Online access": range(1, 41)})
    conn = sqlite3.connect(jo)
    conn.execute("DROP INDEX IF EXISTS idx_comments_kind")
    for column in ("kind", "kind_source", "kind_confidence"):
        conn.execute(f"ALTER TABLE comments DROP COLUMN {column}")
    conn.commit()
    conn.close()
    assert merge.merge_files(lead, [jo]).applied == len(code_ids(jo))
