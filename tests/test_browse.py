"""Browse queries added for the GUI (the core tests run without Qt)."""

from __future__ import annotations

import csv

from engage.browse import CommentFilter, consultation_names, count_comments, question_counts
from engage.importing.importer import import_file
from engage.importing.mapping import ColumnMapping
from engage.project import Project


def write_export(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "What went well?", "What could be better?"])
        writer.writerows(rows)
    return path


def test_question_counts_match_the_comments_of_each_question(tmp_path):
    rows = [[f"R{i}", f"The reception team was friendly on visit {i}",
             "" if i % 3 else f"Evening appointments would help, reply {i}"]
            for i in range(1, 13)]
    mapping = ColumnMapping(roles={"ID": "respondent_id", "What went well?": "comment",
                                   "What could be better?": "comment"})
    with Project.create(tmp_path / "p.engage") as project:
        import_file(project, write_export(tmp_path / "a.csv", rows), "Spring survey",
                    mapping=mapping)
        import_file(project, write_export(tmp_path / "b.csv", rows[:5]), "Autumn survey",
                    mapping=mapping)
        counts = question_counts(project)
        assert len(counts) == 4
        for question in counts:
            assert question["comments"] == count_comments(
                project, CommentFilter(question_id=question["id"]))
        by_label = {(q["consultation_id"], q["label"]): q["comments"] for q in counts}
        spring = project.find_consultation("Spring survey")["id"]
        autumn = project.find_consultation("Autumn survey")["id"]
        assert by_label[(spring, "What went well?")] == len(rows)
        assert by_label[(spring, "What could be better?")] == sum(1 for r in rows if r[2])
        assert by_label[(autumn, "What could be better?")] == sum(1 for r in rows[:5] if r[2])
        assert [q["consultation_id"] for q in counts] == sorted(q["consultation_id"]
                                                               for q in counts)
        names = consultation_names(project)
        assert [(c["id"], c["name"]) for c in names] == [(spring, "Spring survey"),
                                                         (autumn, "Autumn survey")]
        totals = {c["id"]: c["comments"] for c in project.consultations()}
        for consultation in names:
            assert totals[consultation["id"]] == sum(
                q["comments"] for q in counts if q["consultation_id"] == consultation["id"])
