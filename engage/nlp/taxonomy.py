"""Portfolios and themes: the codebook comments are coded against.

A taxonomy is two flat lists — portfolios, and themes that each name one portfolio — so it can
be edited, exchanged as JSON, or kept as a spreadsheet codebook (CSV) by people who never see
the app. Every way in goes through ``validate`` so a bad codebook fails with one line saying
which row is wrong rather than producing odd results later.

The default is Dorset ICS's five portfolios with the themes engagement officers meet; its
descriptions, seed terms and example comments are written for this project.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from engage.errors import EngageError

CSV_COLUMNS = ("portfolio", "theme", "description", "seed_terms", "examples")
SEED_SEPARATOR = ";"
EXAMPLE_SEPARATOR = " | "
DEFAULT_RESOURCE = "dorset_taxonomy.json"


class TaxonomyError(EngageError):
    """The taxonomy or codebook is inconsistent (names missing, repeated or unknown)."""


@dataclass
class Portfolio:
    name: str
    description: str = ""


@dataclass
class Theme:
    name: str
    portfolio: str
    description: str = ""
    seed_terms: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def seed_phrases(self) -> list[str]:
        """The seed terms without their context clauses: what the theme is 'about'."""
        return [parse_seed(term).phrase for term in self.seed_terms]


#: A seed term may carry context, written after it in brackets so an officer can read and edit
#: it in the codebook: "cut off (not near: phone, line, call)" does not count when one of those
#: words is within a few words of it (a phone line cutting off is not isolation);
#: "teams (only near: microsoft, video, call)" counts only beside one of them.
_CONTEXT = re.compile(r"\(\s*(not near|only near)\s*:\s*([^()]*)\)", re.IGNORECASE)


@dataclass(frozen=True)
class SeedTerm:
    phrase: str
    not_near: tuple[str, ...] = ()
    only_near: tuple[str, ...] = ()


def parse_seed(term: str) -> SeedTerm:
    """Split "phrase (not near: a, b) (only near: c)" into the phrase and its cue words."""
    not_near: list[str] = []
    only_near: list[str] = []
    for kind, cues in _CONTEXT.findall(term):
        target = not_near if kind.lower() == "not near" else only_near
        target.extend(cue.strip() for cue in cues.split(",") if cue.strip())
    phrase = " ".join(_CONTEXT.sub(" ", term).split())
    return SeedTerm(phrase, tuple(not_near), tuple(only_near))


def _key(name: str) -> str:
    """Names are compared ignoring case and surrounding space: "GP access" == "gp access "."""
    return " ".join(name.split()).casefold()


@dataclass
class Taxonomy:
    portfolios: list[Portfolio]
    themes: list[Theme]
    name: str = "Taxonomy"

    def __post_init__(self) -> None:
        self.validate()

    # -- queries -------------------------------------------------------------------------
    @property
    def theme_names(self) -> list[str]:
        return [theme.name for theme in self.themes]

    @property
    def portfolio_names(self) -> list[str]:
        return [portfolio.name for portfolio in self.portfolios]

    def theme(self, name: str) -> Theme:
        for theme in self.themes:
            if _key(theme.name) == _key(name):
                return theme
        raise TaxonomyError(f"No theme called '{name}' in the taxonomy")

    def has_theme(self, name: str) -> bool:
        return any(_key(theme.name) == _key(name) for theme in self.themes)

    def portfolio(self, name: str) -> Portfolio:
        for portfolio in self.portfolios:
            if _key(portfolio.name) == _key(name):
                return portfolio
        raise TaxonomyError(f"No portfolio called '{name}' in the taxonomy")

    def themes_in(self, portfolio: str) -> list[Theme]:
        return [theme for theme in self.themes if _key(theme.portfolio) == _key(portfolio)]

    def portfolio_terms(self, portfolio: str) -> list[str]:
        """The seed terms of every theme in a portfolio: what the portfolio is 'about'."""
        return [term for theme in self.themes_in(portfolio) for term in theme.seed_phrases]

    # -- edits (each keeps the taxonomy valid) -------------------------------------------
    def add_theme(self, theme: Theme) -> None:
        self.themes.append(theme)
        try:
            self.validate()
        except TaxonomyError:
            self.themes.pop()
            raise

    def remove_theme(self, name: str) -> Theme:
        theme = self.theme(name)
        self.themes.remove(theme)
        return theme

    # -- validation ----------------------------------------------------------------------
    def validate(self) -> None:
        """Raise TaxonomyError naming the first bad portfolio or theme (1-based position)."""
        seen_portfolios: dict[str, int] = {}
        for number, portfolio in enumerate(self.portfolios, start=1):
            name = (portfolio.name or "").strip()
            if not name:
                raise TaxonomyError(f"Portfolio {number} has an empty name")
            if _key(name) in seen_portfolios:
                raise TaxonomyError(
                    f"Portfolio {number} '{name}' repeats portfolio "
                    f"{seen_portfolios[_key(name)]}; portfolio names must be unique"
                )
            seen_portfolios[_key(name)] = number
        seen_themes: dict[str, int] = {}
        for number, theme in enumerate(self.themes, start=1):
            _validate_theme(theme, f"Theme {number}", seen_portfolios, self.portfolios)
            if _key(theme.name) in seen_themes:
                raise TaxonomyError(
                    f"Theme {number} '{theme.name.strip()}' repeats theme "
                    f"{seen_themes[_key(theme.name)]}; theme names must be unique"
                )
            seen_themes[_key(theme.name)] = number

    # -- JSON ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "version": 1,
            "portfolios": [asdict(p) for p in self.portfolios],
            "themes": [asdict(t) for t in self.themes],
        }

    @classmethod
    def from_dict(cls, data: dict, source: str = "taxonomy") -> Taxonomy:
        if not isinstance(data, dict) or "themes" not in data or "portfolios" not in data:
            raise TaxonomyError(f"{source}: expected an object with 'portfolios' and 'themes'")
        try:
            portfolios = [
                Portfolio(name=str(p.get("name") or ""), description=str(p.get("description", "")))
                for p in data["portfolios"]
            ]
            themes = [
                Theme(
                    name=str(t.get("name") or ""),
                    portfolio=str(t.get("portfolio") or ""),
                    description=str(t.get("description") or ""),
                    seed_terms=_string_list(t.get("seed_terms")),
                    examples=_string_list(t.get("examples")),
                )
                for t in data["themes"]
            ]
        except (AttributeError, TypeError) as exc:
            raise TaxonomyError(
                f"{source}: portfolios and themes must be lists of objects"
            ) from exc
        try:
            return cls(portfolios, themes, name=str(data.get("name") or "Taxonomy"))
        except TaxonomyError as exc:
            raise TaxonomyError(f"{source}: {exc}") from None

    def to_json(self, path: str | Path | None = None) -> str:
        """The taxonomy as JSON text; also written to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False)
        if path is not None:
            Path(path).write_text(text + "\n", encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> Taxonomy:
        """Read a taxonomy from a JSON file path or from JSON text."""
        text, label = _read_source(source, "{")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TaxonomyError(
                f"{label}: not valid JSON (line {exc.lineno}, column {exc.colno})"
            ) from None
        return cls.from_dict(data, source=label)

    # -- CSV codebook --------------------------------------------------------------------
    def to_csv(self, path: str | Path | None = None) -> str:
        """The codebook as CSV: one row per portfolio (theme blank), then one per theme."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for portfolio in self.portfolios:
            writer.writerow([portfolio.name, "", portfolio.description, "", ""])
        for theme in self.themes:
            writer.writerow(
                [
                    theme.portfolio,
                    theme.name,
                    theme.description,
                    f"{SEED_SEPARATOR} ".join(theme.seed_terms),
                    EXAMPLE_SEPARATOR.join(theme.examples),
                ]
            )
        text = buffer.getvalue()
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_csv(
        cls,
        source: str | Path,
        portfolios: list[Portfolio] | None = None,
        name: str = "Imported codebook",
    ) -> Taxonomy:
        """Read a codebook CSV (path or text).

        Rows with a portfolio and no theme (and no seed terms or examples) describe a
        portfolio. When ``portfolios`` is given, every theme must name one of them (the row is
        reported otherwise); when it is not, portfolios are taken from the file in order.
        """
        text, label = _read_source(source, None)
        reader = csv.DictReader(io.StringIO(text))
        header = {(column or "").strip().lower() for column in reader.fieldnames or []}
        missing = [column for column in ("portfolio", "theme") if column not in header]
        if missing:
            raise TaxonomyError(f"{label}: missing column(s) {', '.join(missing)}")
        known = {_key(p.name): p for p in portfolios} if portfolios is not None else None
        found: dict[str, Portfolio] = {}
        themes: list[Theme] = []
        seen_themes: dict[str, int] = {}
        for row_number, raw in enumerate(reader, start=2):
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
            if not any(row.values()):
                continue
            where = f"{label} row {row_number}"
            portfolio_name = row.get("portfolio", "")
            theme_name = row.get("theme", "")
            seeds = _split(row.get("seed_terms", ""), SEED_SEPARATOR)
            examples = _split(row.get("examples", ""), EXAMPLE_SEPARATOR.strip())
            if not portfolio_name:
                raise TaxonomyError(f"{where}: portfolio is empty")
            if not theme_name and not seeds and not examples:
                portfolio = _resolve_portfolio(portfolio_name, known, found, where)
                portfolio.description = row.get("description", "") or portfolio.description
                continue
            if not theme_name:
                raise TaxonomyError(f"{where}: theme name is empty")
            if _key(theme_name) in seen_themes:
                raise TaxonomyError(
                    f"{where}: theme '{theme_name}' already appears on row "
                    f"{seen_themes[_key(theme_name)]}; theme names must be unique"
                )
            seen_themes[_key(theme_name)] = row_number
            portfolio = _resolve_portfolio(portfolio_name, known, found, where)
            themes.append(
                Theme(theme_name, portfolio.name, row.get("description", ""), seeds, examples)
            )
        ordered = list(portfolios) if portfolios is not None else list(found.values())
        try:
            return cls(ordered, themes, name=name)
        except TaxonomyError as exc:
            raise TaxonomyError(f"{label}: {exc}") from None


def load_default() -> Taxonomy:
    """The Dorset ICS default taxonomy shipped with Engage (a fresh, editable copy)."""
    text = resources.files("engage.nlp.data").joinpath(DEFAULT_RESOURCE).read_text("utf-8")
    return Taxonomy.from_dict(json.loads(text), source=DEFAULT_RESOURCE)


def _validate_theme(
    theme: Theme, where: str, portfolio_keys: dict[str, int], portfolios: list[Portfolio]
) -> None:
    name = (theme.name or "").strip()
    if not name:
        raise TaxonomyError(f"{where} has an empty name")
    if not (theme.portfolio or "").strip():
        raise TaxonomyError(f"{where} '{name}' has no portfolio")
    for term in theme.seed_terms:
        if not parse_seed(term).phrase:
            raise TaxonomyError(
                f"{where} '{name}' has a seed term with context but no words: '{term}'")
    if _key(theme.portfolio) not in portfolio_keys:
        choices = ", ".join(p.name for p in portfolios) or "none defined"
        raise TaxonomyError(
            f"{where} '{name}' names portfolio '{theme.portfolio}', which is not one of: {choices}"
        )


def _resolve_portfolio(
    name: str, known: dict[str, Portfolio] | None, found: dict[str, Portfolio], where: str
) -> Portfolio:
    if known is not None:
        if _key(name) not in known:
            choices = ", ".join(p.name for p in known.values())
            raise TaxonomyError(f"{where}: unknown portfolio '{name}' (expected one of: {choices})")
        return known[_key(name)]
    return found.setdefault(_key(name), Portfolio(name))


def _split(value: str, separator: str) -> list[str]:
    return [part.strip() for part in value.split(separator) if part.strip()]


def _string_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return _split(value, SEED_SEPARATOR)
    return [str(item).strip() for item in value if str(item).strip()]


def _read_source(source: str | Path, text_marker: str | None) -> tuple[str, str]:
    """(text, label) from a path, or from literal text (several lines, or a JSON object)."""
    if isinstance(source, str) and (
        "\n" in source or (text_marker is not None and source.lstrip().startswith(text_marker))
    ):
        return source, "taxonomy text"
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8-sig"), path.name
    except FileNotFoundError:
        raise TaxonomyError(f"Taxonomy file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"Cannot read taxonomy file {path}: {exc}") from None
