"""Word clouds for the workbench: a deterministic picture plus where each word was put.

The layout comes from the wordcloud package (its `layout_`). Boxes alone cannot say which word
was clicked: wordcloud packs small words into the empty corners of big words' boxes. So each
word is also drawn into a map of labels, pixel for pixel where the picture has its letters,
and a click reads that map (with a few pixels' grace between letters). Words
are coloured by the average feeling of the comments that use them, on the same blue–grey–orange
scale as the reports, in shades that stay readable on a light or a dark background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engage.analysis.explore import WordCount

#: Mean sentiment 1 (very positive) … 5 (very negative) → colour, for each background.
SENTIMENT_INK = {
    "light": ("#00508f", "#2f78b5", "#5b6770", "#b35f00", "#a33a06"),
    "dark": ("#7cc0f5", "#a9d4f5", "#c4ccd1", "#f5b85c", "#ff8c4d"),
}
UNKNOWN_INK = {"light": "#5b6770", "dark": "#c4ccd1"}
#: Words that fill a sentence without saying what it is about: intensifiers, hedges, discourse
#: markers and all-purpose verbs and nouns. Stop-word lists keep them (they are not grammar
#: words), so without this rule "honestly", "really" and "simple" outgrow "GP" and "parking".
#: The last line holds words every health and care comment uses ("people", "time", "help"),
#: which drew the biggest letters and said least. Stored tokens are lemmas, so one form of
#: each is enough. The reports may use `is_filler` too.
FILLER_WORDS = frozenset("""
    honestly really actually basically literally simply simple just quite very truly totally
    absolutely definitely certainly probably perhaps maybe generally usually especially
    particularly extremely incredibly fairly pretty rather somewhat bit lot lots much many
    thing stuff something anything everything way kind sort also even still already yet
    though although however anyway overall obviously clearly frankly genuinely seriously
    get go make do take give put say tell think feel know want need seem try come use let
    well okay ok like able sure honest sadly mean matter real folk idea suggestion
    people time day week month year work help service
""".split())
RANDOM_STATE = 2013  # a fixed seed: the same selection always gives the same picture
GRACE = 4  # layout pixels around a letter that still count as a click on its word


@dataclass(frozen=True)
class WordBox:
    """One placed word and its rectangle, in layout pixels (the picture is `scale` times
    larger)."""

    word: WordCount
    left: int
    top: int
    width: int
    height: int
    font_size: int
    vertical: bool

    def contains(self, x: float, y: float) -> bool:
        return self.left <= x < self.left + self.width and self.top <= y < self.top + self.height


@dataclass(frozen=True)
class Cloud:
    width: int          # layout size; the picture is width*scale × height*scale
    height: int
    scale: int
    rgba: bytes         # the picture, 8-bit RGBA, rows top to bottom
    boxes: list[WordBox]
    labels: np.ndarray  # height × width: 1 + index into boxes where a letter is, else 0

    @property
    def image_size(self) -> tuple[int, int]:
        return self.width * self.scale, self.height * self.scale

    def word_at(self, x: float, y: float) -> WordCount | None:
        """The word drawn at layout point (x, y): the one whose letters are there, else the
        one with most letter pixels within `GRACE` pixels, else none."""
        col, row = int(x), int(y)
        if not (0 <= col < self.width and 0 <= row < self.height):
            return None
        label = int(self.labels[row, col])
        if not label:
            near = self.labels[max(row - GRACE, 0):row + GRACE + 1,
                               max(col - GRACE, 0):col + GRACE + 1]
            found = np.bincount(near.ravel(), minlength=2)
            found[0] = 0
            label = int(found.argmax()) if found.any() else 0
        return self.boxes[label - 1].word if label else None

    def point_on(self, box_index: int) -> tuple[int, int] | None:
        """A layout point on one of the word's letters (for tests and keyboard focus)."""
        rows, cols = np.nonzero(self.labels == box_index + 1)
        if not len(rows):
            return None
        middle = len(rows) // 2
        return int(cols[middle]), int(rows[middle])


def font_path() -> str | None:
    """DejaVu Sans from matplotlib (installed for the reports); else wordcloud's own font."""
    try:
        import matplotlib
    except ModuleNotFoundError:
        return None
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return str(path) if path.exists() else None


def ink(sentiment: float | None, background: str = "light") -> str:
    """The colour for a word whose comments average `sentiment` (None: unknown): the level
    the average rounds to, so five clear colours rather than muddy blends between them."""
    if sentiment is None:
        return UNKNOWN_INK[background]
    level = min(max(int(sentiment + 0.5), 1), 5)
    return SENTIMENT_INK[background][level - 1]


def is_filler(token: str) -> bool:
    """A word (or phrase made only of such words) that says nothing about the subject."""
    parts = [part for part in token.lower().replace("_", " ").split() if part]
    return bool(parts) and all(part in FILLER_WORDS for part in parts)


def cloud_words(words: Sequence[WordCount]) -> list[WordCount]:
    """The words worth drawing: filler words left out, order kept."""
    return [word for word in words if not is_filler(word.token)]


def draw_cloud(words: Sequence[WordCount], width: int = 900, height: int = 480, scale: int = 2,
               background_colour: str = "#ffffff", background: str = "light",
               max_words: int = 120) -> Cloud | None:
    """Lay out and draw the words (most common first); None when there are none to draw."""
    from wordcloud import WordCloud

    by_text: dict[str, WordCount] = {}
    for word in cloud_words(words):
        if word.comments > 0:
            by_text.setdefault(word.text, word)
    if not by_text:
        return None
    frequencies = {text: word.comments for text, word in list(by_text.items())[:max_words]}

    def colour(word, **_kwargs) -> str:
        return ink(by_text[word].sentiment, background)

    path = font_path()
    cloud = WordCloud(width=width, height=height, scale=scale, margin=6,
                      background_color=background_colour, mode="RGBA", max_words=max_words,
                      prefer_horizontal=0.9, min_font_size=9, random_state=RANDOM_STATE,
                      color_func=colour, collocations=False, font_path=path)
    cloud.generate_from_frequencies(frequencies)
    image = cloud.to_image().convert("RGBA")
    boxes, labels = _boxes_and_labels(cloud, by_text, width, height)
    return Cloud(width, height, scale, image.tobytes(), boxes, labels)


def _boxes_and_labels(cloud, by_text: dict[str, WordCount], width: int,
                      height: int) -> tuple[list[WordBox], np.ndarray]:
    """Each placed word's box, and a label map drawn the way `WordCloud.to_image` draws."""
    from PIL import Image, ImageDraw, ImageFont

    labels = np.zeros((height, width), dtype=np.int16)
    boxes = []
    for index, ((text, _freq), size, (row, column), orientation, _colour) in enumerate(
            cloud.layout_):
        font = ImageFont.TransposedFont(ImageFont.truetype(cloud.font_path, size),
                                        orientation=orientation)
        mask = Image.new("L", (width, height))
        draw = ImageDraw.Draw(mask)
        draw.text((int(column), int(row)), text, fill=255, font=font)
        labels[np.asarray(mask) > 96] = index + 1
        _left, _top, right, bottom = draw.textbbox((0, 0), text, font=font, anchor="lt")
        boxes.append(WordBox(by_text[text], int(column), int(row), int(right), int(bottom),
                             int(size), orientation is not None))
    return boxes, labels
