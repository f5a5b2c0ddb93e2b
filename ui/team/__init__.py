"""Team coding in the window: File → Share Out for Coding…, Merge Coding…, Conflicts…, and
Import REFI-QDA Project…; the officer-vs-officer panel of the Agreement tab."""

from ui.team.actions import TeamActions

__all__ = ["TeamActions"]
