"""Engage's thin Qt layer: item models over core queries, views, dialogs, one task runner."""
