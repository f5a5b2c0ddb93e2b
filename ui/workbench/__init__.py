"""The theme workbench: overview, word clouds, compare, coding, agreement and topics views.

Each view is a widget over core queries with `set_project(project)` and
`on_changes(changes)`; writes go through the core and are announced as `Changes`.
"""
