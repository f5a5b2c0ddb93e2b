"""Agreement view: per-theme kappa, precision, recall on reviewed comments, sortable, explained."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage.analysis import store, workbench_store
from engage.analysis.agreement import binary_agreement
from engage.changes import Changes
from engage.project import Project
from tests.ui import workbench_data as data
from ui.workbench.agreement import (
    KAPPA,
    MIN_EVIDENCE,
    OFFICER,
    PRECISION,
    RECALL,
    SEEN,
    THEME,
    VERDICT,
    AgreementModel,
    AgreementView,
    verdict,
)


@pytest.fixture
def reviewed(tmp_path):
    """The small project with an officer's review of most comments."""
    with Project.open(data.build(tmp_path / "agree.engage"), user=data.OFFICER) as p:
        t = data.theme_ids(p)
        store.set_coding_decision(p, [1, 10], t["Waiting times"], "accepted")   # model right
        store.set_coding_decision(p, [6], t["Waiting times"], "accepted")       # model unsure
        store.set_coding_decision(p, [2, 8, 12], t["Travel to services"], "accepted")
        store.set_coding_decision(p, [4], t["Travel to services"], "rejected")  # model wrong
        store.set_coding_decision(p, [3, 7], t["Online access"], "accepted")
        store.set_coding_decision(p, [5], t["Digital exclusion"], "accepted")
        store.set_officer_sentiment(p, [9], 2)
        store.set_coding_decision(p, [9], t["Online access"], "rejected")
        yield p


def expected_tables(project):
    """Each theme's 2x2 table worked out here from the decisions, not from the view."""
    model, officer = workbench_store.reviewed_labels(project)
    comments = sorted(officer)
    return {t["name"]: binary_agreement([t["id"] in model[c] for c in comments],
                                        [t["id"] in officer[c] for c in comments])
            for t in store.themes(project)}


def show(qtbot, project) -> AgreementView:
    view = AgreementView(project)
    qtbot.addWidget(view)
    view.resize(1100, 600)
    with qtbot.waitExposed(view):
        view.show()
    return view


def test_model_passes_the_model_tester(qtmodeltester, reviewed):
    model = AgreementModel(reviewed)
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() > 0


def test_figures_match_the_agreement_computed_from_the_decisions(qtbot, reviewed):
    view = show(qtbot, reviewed)
    tables = expected_tables(reviewed)
    rows = {view.model.index(r, THEME).data(): r for r in range(view.model.rowCount())}
    assert set(rows) == {name for name, t in tables.items()
                         if t.true_pos + t.false_pos + t.false_neg}
    for name, row in rows.items():
        table = tables[name]
        cell = lambda column, row=row: view.model.index(row, column).data()  # noqa: E731
        assert cell(OFFICER) == str(table.true_pos + table.false_neg)
        assert cell(SEEN) == str(table.true_pos + table.false_pos + table.false_neg)
        assert cell(KAPPA) == (f"{table.kappa:.2f}" if table.kappa is not None else "—")
        assert cell(PRECISION) == (f"{table.precision:.0%}" if table.precision is not None
                                   else "—")
        assert cell(RECALL) == (f"{table.recall:.0%}" if table.recall is not None else "—")
        assert cell(VERDICT) == verdict(table)[0]
    assert f"{len(workbench_store.reviewed_labels(reviewed)[1])}" in view.summary.text()


def test_too_few_reviewed_comments_are_said_to_be_too_few(reviewed):
    tables = expected_tables(reviewed)
    for table in tables.values():
        if table.true_pos + table.false_pos + table.false_neg < MIN_EVIDENCE:
            assert verdict(table)[0] == "Too few reviewed to judge"


def test_sorting_by_kappa_puts_the_most_trustworthy_first(qtbot, reviewed):
    view = show(qtbot, reviewed)
    view.table.sortByColumn(KAPPA, Qt.SortOrder.DescendingOrder)
    shown = [view.proxy.index(r, KAPPA).data() for r in range(view.proxy.rowCount())]
    numbers = [float(v) for v in shown if v != "—"]
    assert numbers == sorted(numbers, reverse=True)


def test_the_legend_explains_in_plain_words(qtbot, reviewed):
    view = show(qtbot, reviewed)
    legend = view.legend.text()
    for words in ("How far to trust the automatic coding", "Kappa", "Precision", "Recall",
                  "no better than"):
        assert words in legend


def test_empty_project_says_what_to_do(qtbot, tmp_path):
    with Project.open(data.build(tmp_path / "empty.engage")) as project:
        view = show(qtbot, project)
        assert view.model.rowCount() == 0
        assert "No comment has been reviewed yet" in view.summary.text()


def test_refreshes_on_codings_and_opens_a_themes_reviewed_comments(qtbot, reviewed):
    view = show(qtbot, reviewed)
    before = view.model.reviewed
    store.set_coding_decision(reviewed, [11], data.theme_ids(reviewed)["Online access"],
                              "accepted")
    view.on_changes(Changes(codings=True))
    assert view.model.reviewed == before + 1
    index = view.proxy.index(0, THEME)
    with qtbot.waitSignal(view.comments_requested) as blocker:
        view.table.doubleClicked.emit(index)
    chosen = blocker.args[0]
    assert chosen.reviewed is True
    assert chosen.theme_id == data.theme_ids(reviewed)[index.data()]


def test_hidden_view_waits_until_shown(qtbot, reviewed):
    view = AgreementView(reviewed)
    qtbot.addWidget(view)
    assert view.model.rowCount() == 0  # nothing read while hidden
    with qtbot.waitExposed(view):
        view.show()
    assert view.model.rowCount() > 0


def test_the_tab_and_the_report_print_one_kappa(qtbot, reviewed):
    from engage.analysis.agreement import KAPPA_NAME
    from engage.reports import fmt
    from engage.reports.layout import build_document
    from engage.reports.summary import build_summary

    view = show(qtbot, reviewed)
    summary = build_summary(reviewed)
    kappa = fmt.ratio(summary.agreement.themes.kappa)
    assert f"{KAPPA_NAME} <b>{kappa}</b>" in view.summary.text()
    report = " ".join(b.text for b in build_document(summary, ["methodology"]).blocks
                      if hasattr(b, "text"))
    assert f"{KAPPA_NAME} of {kappa}" in report
