"""Co-production and places: who was heard, where, how deeply, and what changed.

The activity register (`store`), "you said, we did" actions (`actions`), place and postcode
editing (`placeadmin`), import of activity lists (`importer`) and the dashboard figures
(`dashboard`). No Qt here; `ui/coproduction` is the thin layer over it.

This package's `__init__` imports nothing, because the schema module loads `migration` while
the project module itself is still being imported.
"""
