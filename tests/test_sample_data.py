"""The sample consultation: reproducible, big enough, and as awkward as a real export."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from pathlib import Path

import pytest

from sample_data import generate as gen

SAMPLE_DIR = Path(gen.__file__).parent
EXPECTED_HEADER = [
    "Respondent ID", "Date submitted", "Postcode", "Locality", "Age band", "Sex", "Ethnicity",
    "Disability", "Carer",
    "Q1 What matters most to you about health and care in Dorset?",
    "Q2 What would make the biggest difference to you and your family?",
    "Q3 Is there anything else you would like to tell us?",
]
LOCALITIES = {
    "Weymouth & Portland", "Dorset West", "Mid Dorset", "North Dorset", "Purbeck", "East Dorset",
    "Christchurch", "Bournemouth North", "Bournemouth East", "Central Bournemouth", "Poole North",
    "Poole Central", "Poole Bay",
}
NON_ANSWERS = {"n/a", "nothing", "no comment", "-", "none", "did not answer", "no", "."}
# Words an analyst would search for in each Dorset ICS portfolio (chosen here, independently
# of the generator's own theme list).
PORTFOLIO_KEYWORDS = {
    "prevention": [r"exercise|walking group", r"smok", r"obesity|overweight|lose weight",
                   r"lonel|isolat", r"wellbeing", r"early help|prevention"],
    "community": [r"gp appointment", r"named gp|same (doctor|gp)", r"district nurse|community nurse",
                  r"social care", r"discharg", r"carers?\b", r"mental health", r"dementia",
                  r"pharmac"],
    "acute": [r"a&e|casualty", r"merg", r"travel", r"ambulance", r"maternity|midwi", r"cancer",
              r"waiting list"],
    "digital": [r"online", r"records?\b", r"video|skype", r"story once|shared (care )?record",
                r"internet|computer|smartphone", r"broadband"],
    "workforce": [r"short-staffed|staff shortages|not enough gps", r"recruit|agency",
                  r"morale|not valued", r"listen|consulted", r"waste|fund", r"together",
                  r"volunteer"],
}


@pytest.fixture(scope="module")
def sample():
    return gen.generate_rows()


@pytest.fixture(scope="module")
def comments(sample):
    _, rows = sample
    return [cell for row in rows for cell in row[9:] if cell.strip()]


@pytest.fixture(scope="module")
def substantive(comments):
    return [c for c in comments if c.strip().lower() not in NON_ANSWERS]


def _read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _nhs_number_is_valid(digits: str) -> bool:
    total = sum(int(d) * (10 - k) for k, d in enumerate(digits[:9]))
    check = 11 - total % 11
    return check != 10 and check % 11 == int(digits[9])


def test_same_seed_gives_same_rows_and_another_seed_does_not():
    assert gen.generate_rows(300, seed=7) == gen.generate_rows(300, seed=7)
    assert gen.generate_rows(300, seed=7)[1] != gen.generate_rows(300, seed=8)[1]


def test_streamed_rows_match_the_list(sample):
    _, rows = sample
    assert list(gen.iter_rows()) == rows


def test_header_and_shape(sample):
    header, rows = sample
    assert header == EXPECTED_HEADER
    assert all(len(row) == len(header) for row in rows)
    ids = [row[0] for row in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"BA-\d{6}", i) for i in ids)


def test_default_output_is_big_enough(sample, substantive):
    _, rows = sample
    assert len(rows) >= 3000
    assert len(substantive) >= 6000


def test_some_questions_are_skipped_and_q3_most_often(sample):
    _, rows = sample
    answered = [sum(1 for row in rows if row[col].strip()) for col in (9, 10, 11)]
    assert all(n < len(rows) for n in answered)
    assert answered[2] < min(answered[0], answered[1])


def test_dates_are_early_2013_in_id_order(sample):
    _, rows = sample
    dates = [dt.date.fromisoformat(row[1]) for row in rows]
    assert dates == sorted(dates)
    assert dt.date(2013, 1, 1) <= dates[0] and dates[-1] <= dt.date(2013, 3, 31)


def test_all_localities_present_with_some_blanks_and_variants(sample):
    _, rows = sample
    counts = Counter(row[3] for row in rows)
    assert set(counts) >= LOCALITIES
    assert counts[""] > 0
    variants = set(counts) - LOCALITIES - {""}
    assert variants and sum(counts[v] for v in variants) < 0.05 * len(rows)


def test_postcodes_look_like_dorset(sample):
    _, rows = sample
    postcodes = [row[2] for row in rows]
    assert "" in postcodes
    pattern = re.compile(r"(DT\d{1,2}|BH\d{1,2}|SP[78]) ?\d[A-Z]{2}")
    assert all(pattern.fullmatch(p.upper()) for p in postcodes if p)


def test_weymouth_postcodes_belong_to_weymouth(sample):
    _, rows = sample
    weymouth = [row[2].upper() for row in rows if row[3] == "Weymouth & Portland" and row[2]]
    assert weymouth and all(p[:3] in {"DT3", "DT4", "DT5"} for p in weymouth)


def test_respondents_skew_older(sample):
    _, rows = sample
    ages = Counter(row[4] for row in rows)
    assert ages["65-74"] + ages["75+"] > ages["Under 18"] + ages["18-24"] + ages["25-34"]


@pytest.mark.parametrize("portfolio", sorted(PORTFOLIO_KEYWORDS))
def test_every_portfolio_keyword_is_mentioned(substantive, portfolio):
    text = [c.lower() for c in substantive]
    missing = [kw for kw in PORTFOLIO_KEYWORDS[portfolio]
               if sum(1 for c in text if re.search(kw, c)) < 10]
    assert not missing


def test_comment_lengths_vary(substantive):
    words = [len(c.split()) for c in substantive]
    assert min(words) >= 3
    assert max(words) <= 100
    assert sum(1 for w in words if w >= 50) > 50
    assert sum(1 for w in words if w <= 6) > 300


def test_placeholders_are_about_two_percent(comments):
    share = sum(1 for c in comments if c.strip().lower() in NON_ANSWERS) / len(comments)
    assert 0.005 < share < 0.04


def test_some_comments_carry_personal_data(substantive):
    emails = [c for c in substantive if re.search(r"[\w.]+@example\.(com|org|net)", c)]
    phones = [c for c in substantive if re.search(r"(01632|07700|0117)\s?\d", c)]
    nhs = [m.replace(" ", "") for c in substantive
           for m in re.findall(r"\b\d{3} ?\d{3} ?\d{4}\b", c)]
    titled = [c for c in substantive if re.search(r"\b(Dr|Nurse|Sister|Mr|Mrs) [A-Z]", c)]
    assert emails and phones and nhs and titled
    assert all(_nhs_number_is_valid(n) for n in nhs)
    flagged = len(set(emails) | set(phones) | set(titled))
    assert flagged / len(substantive) < 0.03


def test_an_organised_campaign_with_a_near_identical_variant(sample):
    _, rows = sample
    (top, top_n), (second, second_n) = Counter(row[10] for row in rows if row[10]).most_common(2)
    assert 30 <= top_n <= 60 and 20 <= second_n <= top_n
    a, b = top.split(), second.split()
    assert len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def test_text_needs_a_proper_encoding(substantive):
    joined = "".join(substantive)
    assert "—" in joined and "’" in joined and "“" in joined
    assert re.search(r"[éëüñâ]", joined)


def test_wave2_overlaps_then_adds_new_respondents(sample):
    _, rows = sample
    header, wave2 = gen.generate_wave2_rows()
    assert header == EXPECTED_HEADER
    by_id = {row[0]: row for row in rows}
    repeated = [row for row in wave2 if row[0] in by_id]
    assert 350 <= len(wave2) <= 450 and 100 <= len(repeated) <= 200
    assert all(by_id[row[0]] == row for row in repeated)
    new_dates = [row[1] for row in wave2 if row[0] not in by_id]
    assert min(new_dates) > max(row[1] for row in rows)


def test_committed_csv_files_equal_a_fresh_generation(tmp_path):
    fresh = tmp_path / "main.csv"
    gen.write_csv(fresh)
    committed = SAMPLE_DIR / gen.MAIN_CSV
    assert committed.read_bytes() == fresh.read_bytes()
    assert committed.read_bytes().startswith(b"\xef\xbb\xbf")

    _, wave2 = gen.generate_wave2_rows()
    fresh_wave2 = tmp_path / "wave2.csv"
    gen.write_csv(fresh_wave2, rows=wave2)
    assert (SAMPLE_DIR / gen.WAVE2_CSV).read_bytes() == fresh_wave2.read_bytes()


def test_csv_reads_back_to_the_generated_rows(sample):
    header, rows = sample
    assert _read_csv(SAMPLE_DIR / gen.MAIN_CSV) == [header, *rows]


def test_committed_xlsx_holds_the_same_responses(sample):
    openpyxl = pytest.importorskip("openpyxl")
    header, rows = sample
    workbook = openpyxl.load_workbook(SAMPLE_DIR / gen.MAIN_XLSX, read_only=True)
    try:
        assert workbook.sheetnames == ["Responses", "About"]
        read = [["" if v is None else v.date().isoformat() if isinstance(v, dt.datetime) else v
                 for v in values] for values in workbook["Responses"].iter_rows(values_only=True)]
        about = [r[0] for r in workbook["About"].iter_rows(values_only=True)]
    finally:
        workbook.close()
    assert read == [header, *rows]
    assert len(about) >= 3


def test_cli_writes_the_requested_formats(tmp_path, capsys):
    assert gen.main(["--respondents", "60", "--seed", "5", "--out-dir", str(tmp_path),
                     "--formats", "csv"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [gen.MAIN_CSV]
    assert _read_csv(tmp_path / gen.MAIN_CSV)[1:] == gen.generate_rows(60, seed=5)[1]
