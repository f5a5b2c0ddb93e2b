"""Consultation summaries (DOCX, PDF, HTML) and coded-data exports (CSV, XLSX, REFI-QDA).

`summary.build_summary` computes every figure once from `queries`; the renderers only lay the
figures out, so a number in a report can always be traced to one query. No Qt here.
"""
