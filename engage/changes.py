"""What a write changed, so each view decides whether to refresh (Anki's changes record).

Views never poke each other: the code that wrote returns a `Changes`, the UI broadcasts it,
and every view looks at the flags it cares about.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    consultations: bool = False
    questions: bool = False
    respondents: bool = False
    comments: bool = False
    places: bool = False
    taxonomy: bool = False
    codings: bool = False
    sentiment: bool = False
    topics: bool = False
    activities: bool = False
    actions: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def any(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @classmethod
    def everything(cls) -> Changes:
        return cls(**{f.name: True for f in fields(cls)})
