"""Trained NLP artefacts Engage ships (``models/default``: the model and its card).

A package only so the wheel installs the folder beside ``engage``: the code looks for
``models/default`` next to the ``engage`` package, which holds in a checkout, in an installed
wheel and in the desktop bundle alike. ``make models`` rebuilds it.
"""
