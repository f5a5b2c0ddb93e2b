"""Screenshots of team coding for the docs: the share-out dialog, the Conflicts view and the
Agreement tab's officer-vs-officer figures.

Run under a virtual screen:
    xvfb-run -a .venv/bin/python docs/take_team_screenshots.py

Builds a small project in a temporary folder (comments written for this script), shares it out
to two officers with an overlap sample, codes both work files through the core as each officer
would (they disagree on some comments), merges them back, and writes
docs/screenshots/team_{shareout,conflicts,agreement}.png. Look at the pictures before
committing them.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"

# Written for this script.
OPENINGS = ["Getting to the hospital", "The GP surgery", "Booking online", "The minor injuries unit",
            "Community nursing", "The pharmacy"]
MIDDLES = ["takes two buses and most of a morning", "never answers the phone before ten",
           "works well once you have an account", "closed early again last winter",
           "was kind and quick with my mother", "ran out of my prescription twice"]
ENDINGS = ["and parking costs a fortune.", "so I ended up at A&E.", "but the app keeps logging me out.",
           "which worries people in the villages.", "and I would like that to continue.",
           "please keep it open at weekends."]
TAXONOMY = [
    {"name": "One acute network", "themes": [{"name": "Waiting times"},
                                             {"name": "Travel and parking"}]},
    {"name": "Integrated community and primary care services", "themes": [
        {"name": "GP access"}, {"name": "Pharmacy"}]},
    {"name": "Digital", "themes": [{"name": "Online booking and apps"}]},
]


def build(folder: Path):
    from engage.analysis import store
    from engage.project import Project

    rng = random.Random(3)
    p = Project.create(folder / "Big Ask 2013.engage", user="Priya Lead")
    places = [r[0] for r in p.db.execute("SELECT id FROM places WHERE kind = 'locality'")]
    with p.transaction("seed"):
        cid = p.db["consultations"].insert({"name": "Big Ask 2013", "created_at": "x"}).last_pk
        qid = p.db["questions"].insert({"consultation_id": cid, "label": "What matters most?",
                                        "text": "What matters most to you about health and "
                                                "care services in Dorset?"}).last_pk
        for i in range(1, 121):
            p.db["respondents"].insert({"id": i, "consultation_id": cid,
                                        "external_id": f"BA-{1000 + i}",
                                        "place_id": rng.choice(places)})
            text = f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(ENDINGS)}"
            p.db["comments"].insert({"id": i, "consultation_id": cid, "question_id": qid,
                                     "respondent_id": i, "text": text})
    store.install_taxonomy(p, TAXONOMY)
    themes = [t["id"] for t in store.themes(p)]
    run = store.start_run(p, "screenshots", {})
    store.save_results(p, run, [store.CommentResult(
        i, "coded", rng.randint(2, 5), 0.7, 0.5, [(rng.choice(themes), 0.75, [])])
        for i in range(1, 121)])
    return p


def code(path: Path, officer: str, seed: int, overlap: list[int]) -> None:
    """Review the file as an officer: the two officers mostly agree on the overlap."""
    from engage.analysis import store
    from engage.project import Project

    rng = random.Random(seed)
    with Project.open(path, user=officer) as work:
        themes = {t["name"]: t["id"] for t in store.themes(work)}
        ids = [r[0] for r in work.db.execute("SELECT id FROM comments ORDER BY id")]
        for cid in ids:
            text = work.db.execute("SELECT text FROM comments WHERE id = ?", [cid]).fetchone()[0]
            wanted = {name for name, cue in (("Travel and parking", "bus"),
                                             ("Travel and parking", "parking"),
                                             ("GP access", "GP"), ("Pharmacy", "pharmacy"),
                                             ("Online booking and apps", "app"),
                                             ("Online booking and apps", "online"),
                                             ("Waiting times", "A&E")) if cue in text}
            if cid in overlap and rng.random() < 0.2:  # an officer's own reading
                wanted ^= {rng.choice(sorted(themes))}
            for name, tid in themes.items():
                on = store.coding_state(work, cid, tid)
                decision = "accepted" if name in wanted else ("rejected" if on else None)
                if decision:
                    store.set_coding_decision(work, [cid], tid, decision)
            level = 5 if "A&E" in text or "worries" in text else 2 if "kind" in text else 4
            if cid in overlap and rng.random() < 0.15:
                level = max(1, level - 1)
            store.set_officer_sentiment(work, [cid], level)


def settle(app, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(app, widget, name: str, size) -> None:
    widget.resize(*size)
    widget.show()
    settle(app, 0.6)
    OUT.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(OUT / name))
    print("wrote", OUT / name)


def main() -> int:
    os.environ.setdefault("ENGAGE_CONFIG_DIR", tempfile.mkdtemp(prefix="engage-shots-"))
    from PySide6.QtWidgets import QApplication

    from engage.team import merge, shareout
    from ui.team.conflicts_view import ConflictsDialog
    from ui.team.shareout_dialog import ShareOutDialog
    from ui.workbench.agreement import AgreementView

    app = QApplication.instance() or QApplication(sys.argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        project = build(folder)
        dialog = ShareOutDialog(project)
        dialog.officers.setPlainText("Jo Smith\nSam Patel\nAlex Morgan")
        dialog.update_preview()
        shoot(app, dialog, "team_shareout.png", (600, 600))
        dialog.close()
        shares = shareout.plan_shares(project, 1, ["Jo Smith", "Sam Patel"], "random",
                                      overlap=40)
        out = folder / "work"
        out.mkdir()
        paths = shareout.share_out(project, 1, out, shares, "random")
        for n, (path, share) in enumerate(zip(paths, shares, strict=True)):
            code(path, share.officer, n, share.overlap_ids)
        result = merge.merge_files(project, paths)
        for f in result.files:
            print(f.summary())
        conflicts = ConflictsDialog(project)
        shoot(app, conflicts, "team_conflicts.png", (1100, 640))
        conflicts.close()
        view = AgreementView(project)
        view.set_consultation(1)
        shoot(app, view, "team_agreement.png", (1100, 760))
        view.refresh()
        shoot(app, view, "team_agreement.png", (1100, 760))
        project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
