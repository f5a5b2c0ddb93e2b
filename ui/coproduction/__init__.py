"""Co-production and places, as one widget the main window can add as a tab or dock.

    widget = CoproductionWidget(project, parent)
    widget.changed.connect(main_window.apply_changes)          # writes made in the widget
    main_window.changed.connect(widget.on_changes)             # writes made elsewhere
    widget.comments_requested.connect(show_comments)           # a CommentFilter to browse
    widget.set_project(other_project_or_None)                  # when the project changes
"""

from ui.coproduction.widget import CoproductionWidget

__all__ = ["CoproductionWidget"]
