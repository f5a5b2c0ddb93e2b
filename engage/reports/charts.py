"""Charts and word clouds for reports, drawn off-screen as PNG bytes.

matplotlib is used through `Figure` + the Agg canvas directly, never `pyplot`, so no GUI
backend is chosen or started (the core must not touch Qt, and reports run in worker threads).
Colours follow the NHS identity palette; sentiment uses a blue–grey–orange scale that people
with red–green colour blindness can read.
"""

from __future__ import annotations

import io
import zlib
from functools import lru_cache

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from engage.reports import fmt
from engage.reports.summary import ConsultationSummary

NHS_BLUE = "#005EB8"
NHS_DARK_BLUE = "#003087"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_PALE_GREY = "#E8EDEE"
PORTFOLIO_COLOURS = ("#005EB8", "#00A499", "#ED8B00", "#330072", "#AE2573", "#41B6E6",
                     "#768692", "#7C2855")
SENTIMENT3_COLOURS = {"positive": "#0072CE", "neutral": "#AEB7BD", "negative": "#ED8B00"}
UNDER_HEARD_COLOUR = "#DA291C"
DPI = 160
WIDTH_IN = 7.0  # matches the text width of an A4 page with 2 cm margins


def _figure(height_in: float) -> Figure:
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)
    fig.patch.set_facecolor("white")
    return fig


def _png(fig: Figure) -> tuple[bytes, float]:
    """PNG bytes and the image's height/width ratio."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    width, height = fig.get_size_inches()
    return buffer.getvalue(), height / width


def _style(ax) -> None:
    ax.xaxis.set_major_formatter(
        lambda x, _pos: f"{x:,.0f}" if float(x).is_integer() else f"{x:,.3g}")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(NHS_MID_GREY)
    ax.spines["bottom"].set_color(NHS_MID_GREY)
    ax.tick_params(colors=NHS_DARK_GREY, labelsize=8)
    ax.xaxis.label.set_color(NHS_DARK_GREY)


def _short(name: str, limit: int = 42) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def themes_chart(summary: ConsultationSummary) -> tuple[bytes, float] | None:
    """Comments per theme, grouped and coloured by portfolio, largest portfolio order kept."""
    rows = [(t.name, t.comments, i) for i, p in enumerate(summary.portfolios)
            for t in p.themes]
    if not any(n for _name, n, _i in rows):
        return None
    fig = _figure(0.8 + 0.24 * len(rows))
    ax = fig.add_subplot(1, 1, 1)
    positions = list(range(len(rows)))[::-1]
    colours = [PORTFOLIO_COLOURS[i % len(PORTFOLIO_COLOURS)] for _n, _c, i in rows]
    ax.barh(positions, [n for _name, n, _i in rows], color=colours, height=0.72)
    ax.set_yticks(positions, [_short(name) for name, _n, _i in rows])
    peak = max(n for _name, n, _i in rows)
    for y, (_name, n, _i) in zip(positions, rows, strict=True):
        ax.text(n + peak * 0.01, y, fmt.count(n), va="center", fontsize=7, color=NHS_DARK_GREY)
    ax.set_xlim(0, peak * 1.12)
    ax.set_xlabel("Comments")
    _style(ax)
    handles = [ax.bar(0, 0, color=PORTFOLIO_COLOURS[i % len(PORTFOLIO_COLOURS)],
                      label=_short(p.name, 48)) for i, p in enumerate(summary.portfolios)]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=7, frameon=False)
    fig.subplots_adjust(left=0.36, right=0.97, top=0.98,
                        bottom=(0.5 + 0.16 * ((len(handles) + 1) // 2)) / (0.8 + 0.24 * len(rows)))
    return _png(fig)


def sentiment_chart(summary: ConsultationSummary) -> tuple[bytes, float] | None:
    """Share of positive, neutral and negative comments for each theme, all comments first."""
    bars = [("All comments", summary.sentiment)] + [
        (t.name, t.sentiment) for t in summary.themes if t.sentiment.rated]
    if not summary.sentiment.rated:
        return None
    height = 0.9 + 0.24 * len(bars)
    fig = _figure(height)
    ax = fig.add_subplot(1, 1, 1)
    positions = list(range(len(bars)))[::-1]
    left = [0.0] * len(bars)
    for key, label in (("positive", "Positive (1–2)"), ("neutral", "Neutral or mixed (3)"),
                       ("negative", "Negative (4–5)")):
        shares = [s.share(getattr(s, key)) for _name, s in bars]
        ax.barh(positions, shares, left=left, color=SENTIMENT3_COLOURS[key], height=0.72,
                label=label)
        for y, x0, share in zip(positions, left, shares, strict=True):
            if share >= 0.08:
                ax.text(x0 + share / 2, y, f"{100 * share:.0f}%", ha="center", va="center",
                        fontsize=6.5, color="white" if key != "neutral" else NHS_DARK_GREY)
        left = [a + b for a, b in zip(left, shares, strict=True)]
    ax.set_yticks(positions, [_short(name) for name, _s in bars])
    ax.set_xlim(0, 1)
    _style(ax)
    ax.xaxis.set_major_formatter(lambda x, _pos: f"{100 * x:.0f}%")
    for label in ax.get_yticklabels():
        if label.get_text() == "All comments":
            label.set_fontweight("bold")
    fig.legend(loc="lower center", ncol=3, fontsize=7, frameon=False)
    fig.subplots_adjust(left=0.36, right=0.97, top=0.98, bottom=0.55 / height)
    return _png(fig)


def places_chart(summary: ConsultationSummary) -> tuple[bytes, float] | None:
    """Respondents per place, and responses per 1,000 people where the population is known."""
    places = summary.places
    if not places:
        return None
    height = 0.9 + 0.26 * len(places)
    fig = _figure(height)
    left_ax = fig.add_subplot(1, 2, 1)
    right_ax = fig.add_subplot(1, 2, 2, sharey=left_ax)
    positions = list(range(len(places)))[::-1]
    colours = [NHS_MID_GREY if p.place_id is None else NHS_BLUE for p in places]
    left_ax.barh(positions, [p.respondents for p in places], color=colours, height=0.72)
    left_ax.set_yticks(positions, [_short(p.name, 34) for p in places])
    left_ax.set_xlabel("Respondents")
    rates = [p.rate_per_1000 or 0 for p in places]
    right_ax.barh(positions, rates, height=0.72,
                  color=[UNDER_HEARD_COLOUR if p.under_heard else NHS_DARK_BLUE for p in places])
    if summary.overall_rate_per_1000:
        right_ax.axvline(summary.overall_rate_per_1000, color=NHS_DARK_GREY, linestyle="--",
                         linewidth=1)
        right_ax.text(summary.overall_rate_per_1000, len(places) - 0.4,
                      f" all localities {fmt.rate(summary.overall_rate_per_1000)}", fontsize=6.5,
                      color=NHS_DARK_GREY, va="bottom")
    right_ax.set_xlabel("Responses per 1,000 people")
    right_ax.tick_params(labelleft=False)
    for ax in (left_ax, right_ax):
        _style(ax)
    fig.subplots_adjust(left=0.27, right=0.97, top=1 - 0.3 / height, bottom=0.5 / height,
                        wspace=0.08)
    return _png(fig)


@lru_cache(maxsize=1)
def _font_path() -> str:
    from matplotlib import font_manager

    return font_manager.findfont("DejaVu Sans")


def word_cloud(frequencies: dict[str, int], colour: str = NHS_BLUE) -> tuple[bytes, float] | None:
    """A word cloud in two tones of one colour; None when there are too few words to draw."""
    if len(frequencies) < 5:
        return None
    from wordcloud import WordCloud

    accents = (colour, NHS_DARK_BLUE, NHS_DARK_GREY)

    def colour_of(word, font_size, position, orientation, random_state=None, **kwargs):
        return accents[zlib.crc32(word.encode()) % len(accents)] if font_size < 40 else colour

    cloud = WordCloud(width=600, height=300, scale=2, background_color="white", max_words=60,
                      prefer_horizontal=0.92, random_state=7, font_path=_font_path(),
                      color_func=colour_of, collocations=False)
    image = cloud.generate_from_frequencies(frequencies).to_image()
    image = image.quantize(colors=24)  # a few flat colours: a far smaller PNG, same look
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), image.height / image.width
