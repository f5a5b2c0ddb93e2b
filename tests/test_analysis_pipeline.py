"""`engage analyse` end to end on a small project written here."""

import csv
import socket

import pytest

from engage.analysis import store
from engage.analysis.pipeline import analyse_project
from engage.cli import main
from engage.importing.importer import import_file
from engage.progress import Cancelled
from engage.project import Project

OPENINGS = ["", "Honestly, ", "For me, ", "In my view ", "Speaking as a carer, "]
BODIES = [
    "it takes three weeks to get a GP appointment at our surgery",
    "the ambulance took over an hour to arrive when my father fell",
    "parking at the hospital is expensive and there are never spaces",
    "the bus to Dorchester hospital only runs twice a day",
    "my mental health support worker has been wonderful",
    "booking repeat prescriptions online through the app is so easy",
    "there are not enough nurses on the wards at night",
    "nobody listens to what local people say in these consultations",
    "my mum waited days in hospital because no care home place was free",
    "more free exercise classes for older people would stop people getting ill",
]


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("analyse")
    source = folder / "survey.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "Locality", "Tell us what matters"])
        n = 0
        for opening in OPENINGS:
            for body in BODIES:
                n += 1
                writer.writerow([f"R{n}", "Purbeck", f"{opening}{body}."])
        writer.writerow(["R999", "Purbeck", "n/a"])
    path = folder / "p.engage"
    with Project.create(path) as project:
        import_file(project, source, "Test survey")
    summary, changes = analyse_project(path)
    return path, summary, changes


def test_every_substantive_comment_gets_an_outcome_and_sentiment(analysed):
    path, summary, changes = analysed
    assert summary.comments == len(OPENINGS) * len(BODIES)  # the "n/a" is left out
    assert changes.codings and changes.taxonomy
    with Project.open(path) as project:
        counts = store.outcome_counts(project)
        assert sum(v for k, v in counts.items() if k != "not analysed") == summary.comments
        assert counts.get("not analysed") == 1
        detail = store.comment_analysis(project, 1)
        assert detail["sentiment"] in (1, 2, 3, 4, 5)
        assert detail["tokens"]


def test_cold_start_finds_the_obvious_themes(analysed):
    path, _, _ = analysed
    with Project.open(path) as project:
        gp = [c["theme"] for c in store.comment_codings(project, 1)]
        ambulance = [c["theme"] for c in store.comment_codings(project, 2)]
    assert "GP access" in gp
    assert "Ambulance" in ambulance


def test_rerun_keeps_officer_decisions_and_reuses_tokens(analysed):
    path, _, _ = analysed
    with Project.open(path, user="officer-a") as project:
        gp = store.theme_id(project, "GP access")
        store.set_coding_decision(project, [1], gp, "rejected")
        store.set_officer_sentiment(project, [1], 3)
    analyse_project(path)
    with Project.open(path) as project:
        coding = {c["theme"]: c for c in store.comment_codings(project, 1)}
        assert coding["GP access"]["decision"] == "rejected"
        assert store.comment_analysis(project, 1)["sentiment_officer"] == 3
        # undo what this test did so other tests see the cold-start state
        store.set_coding_decision(project, [1], gp, None)
        store.set_officer_sentiment(project, [1], None)


def test_warm_start_learns_from_officer_codings(analysed):
    path, _, _ = analysed
    with Project.open(path) as project:
        listened = store.theme_id(project, "Being listened to")
        ids = [i for i in range(1, 51) if (i - 1) % len(BODIES) == 7]
        others = [i for i in range(1, 51) if i not in ids][:20]
        store.set_coding_decision(project, ids, listened, "accepted")
        for cid in others:
            store.set_coding_decision(project, [cid], listened, "rejected")
    summary, _ = analyse_project(path)
    assert summary.mode == "warm start"
    assert summary.officer_examples >= 5


def test_cancel_keeps_the_project_as_it_was(analysed):
    path, _, _ = analysed
    with Project.open(path) as project:
        runs_before = project.db.execute("SELECT count(*) FROM analysis_runs").fetchone()[0]
    calls = []

    def cancel_after_a_few():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Cancelled):
        analyse_project(path, cancelled=cancel_after_a_few)
    with Project.open(path) as project:
        assert project.db.execute("SELECT count(*) FROM analysis_runs").fetchone()[0] == runs_before


def test_analysis_opens_no_network_socket(analysed, monkeypatch):
    path, _, _ = analysed

    def refuse(*args, **kwargs):
        raise AssertionError("analysis tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    analyse_project(path)


def test_cli_analyse_prints_summary_and_rejects_bad_project(analysed, tmp_path, capsys):
    path, _, _ = analysed
    assert main(["analyse", str(path)]) == 0
    assert "Analysed 50 comments" in capsys.readouterr().out
    bogus = tmp_path / "x.engage"
    bogus.write_text("not a project")
    assert main(["analyse", str(bogus)]) == 2
    assert "not an Engage project" in capsys.readouterr().err


def test_warm_start_learns_sentiment_from_officer_set_sentiments(tmp_path):
    """Officers mark one kind of comment very positive and another very negative; comments
    they have not touched follow them, and the run records how many it learnt from."""
    liked = "the new {} drop-in at the library is a real help to families"
    disliked = "the new {} drop-in at the library is a real help to families, they say"
    places = ["Wareham", "Swanage", "Corfe", "Wool", "Bere Regis", "Lytchett", "Sandford",
              "Stoborough", "Studland", "Langton", "Kingston", "Worth", "Harman's Cross",
              "Bovington", "Winfrith", "Owermoigne", "Crossways", "Moreton", "Affpuddle",
              "Briantspuddle", "Tolpuddle", "Puddletown", "Piddlehinton", "Charminster",
              "Bradford Peverell", "Stratton", "Frampton", "Maiden Newton"]
    source = tmp_path / "survey.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "Tell us what matters"])
        for n, place in enumerate(places):
            writer.writerow([f"L{n}", liked.format(place)])
            writer.writerow([f"D{n}", disliked.format(place)])
    path = tmp_path / "p.engage"
    with Project.create(path) as project:
        import_file(project, source, "Sentiment survey")
    analyse_project(path)
    taught = len(places) - 4  # the last four of each kind are left for the model to judge
    with Project.open(path, user="officer-a") as project:
        rows = project.db.execute("SELECT id, text FROM comments ORDER BY id").fetchall()
        liked_ids = [cid for cid, text in rows if not text.endswith("they say")]
        disliked_ids = [cid for cid, text in rows if text.endswith("they say")]
        before = {cid: store.comment_analysis(project, cid)["sentiment"]
                  for cid in liked_ids[taught:] + disliked_ids[taught:]}
        store.set_officer_sentiment(project, liked_ids[:taught], 5)
        store.set_officer_sentiment(project, disliked_ids[:taught], 1)
    summary, _ = analyse_project(path)
    assert summary.officer_sentiments == 2 * taught
    assert any("officer-set sentiments" in line for line in summary.lines())
    with Project.open(path) as project:
        after = {cid: store.comment_analysis(project, cid)["sentiment"]
                 for cid in liked_ids[taught:] + disliked_ids[taught:]}
    # The two kinds read alike to the shipped model; the officers' calls pull them apart.
    assert all(after[cid] > before[cid] or after[cid] == 5 for cid in liked_ids[taught:])
    assert all(after[cid] < before[cid] or after[cid] == 1 for cid in disliked_ids[taught:])
