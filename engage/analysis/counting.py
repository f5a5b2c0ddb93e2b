"""The one counting rule behind every figure Engage shows: views, reports and exports.

Before this module the Overview counted every comment and the report silently set aside exact
and near-identical repeats by a second rule, so the same theme read 296 in one place and 170 in
another. Now every figure names the rule below and reads it from here.

- A **respondent** is one person in an imported file (one row of a wide export, one id of a
  long one). Every respondent counts in the totals, whatever they wrote.
- A **comment** is one answer to one open question. An answer with no content ("n/a", "no
  comment", "nothing to add") is kept but is *not counted*: it can carry no theme.
- A **repeat** is a comment whose text (ignoring case, spacing and punctuation) is the same as
  an earlier comment *by the same respondent*, e.g. one answer pasted into two questions. The
  first is counted, the repeat is not. The same words from *different* people are separate
  voices and all count: many people writing "Quick access to my GP" is agreement, not a repeat.
- A **campaign response** is one of many near-identical, substantial texts sent by different
  people: a near-duplicate group (see `engage.nlp.duplicates`) from at least
  `CAMPAIGN_MIN_RESPONDENTS` respondents whose text runs to at least `CAMPAIGN_MIN_WORDS`
  words. A campaign's text is counted once (its earliest response); the other responses are
  reported as campaign responses, with how many people sent them. Short identical answers are
  never a campaign, however many people give them.
- A **counted comment** is everything else. Theme, portfolio, sentiment, place and word figures
  are over counted comments, and shares are of *respondents with a counted comment*.

The rule depends only on the comment and its consultation, never on the filter in use, so
figures for parts (places, groups) add up to the whole and a click on a number shows the same
comments (`CommentFilter(counted_only=True)`).

SQL here expects the comments table under the alias given (default ``m``).
"""

from __future__ import annotations

from dataclasses import dataclass

from engage.project import Project

RULE_NAME = "Engage counting rule"
#: A near-duplicate group is a campaign from this many different respondents …
CAMPAIGN_MIN_RESPONDENTS = 10
#: … when its text has at least this many words.
CAMPAIGN_MIN_WORDS = 12

#: Why a comment is not counted (its `status`); None means counted.
NO_CONTENT = "no_content"
REPEAT = "repeat"
CAMPAIGN = "campaign"
STATUS_LABELS = {None: "counted", NO_CONTENT: "no content", REPEAT: "repeat",
                 CAMPAIGN: "campaign response"}

RULE_SUMMARY = (
    "Every respondent counts. A comment counts unless it has no content (\u201cn/a\u201d), "
    "repeats the same respondent\u2019s earlier answer, or is one of many near-identical "
    f"campaign texts (at least {CAMPAIGN_MIN_WORDS} words, from {CAMPAIGN_MIN_RESPONDENTS} or "
    "more people), which counts once. The same short answer from different people counts for "
    "each of them. Shares are of respondents with a counted comment.")


def words_sql(column: str) -> str:
    """Words in a text column, as SQL: spaces + 1 (the text is trimmed first)."""
    return f"(length(trim({column})) - length(replace(trim({column}), ' ', '')) + 1)"


#: Campaign groups: (group, consultation, first comment id, responses, respondents, words).
#: Only groups big enough to be one are read in full (the index alone finds them), so the
#: rule costs little on every figure.
CAMPAIGN_GROUPS_SQL = f"""
    SELECT g.near_dup_group AS grp, gm.consultation_id AS consultation_id,
           min(g.comment_id) AS first_id, count(*) AS responses,
           count(DISTINCT gm.respondent_id) AS respondents,
           min({words_sql('gm.text')}) AS words
    FROM comment_analysis g JOIN comments gm ON gm.id = g.comment_id
    WHERE g.near_dup_group IN (
        SELECT near_dup_group FROM comment_analysis WHERE near_dup_group IS NOT NULL
        GROUP BY near_dup_group HAVING count(*) >= {CAMPAIGN_MIN_RESPONDENTS})
      AND gm.substantive = 1
    GROUP BY g.near_dup_group, gm.consultation_id
    HAVING count(DISTINCT gm.respondent_id) >= {CAMPAIGN_MIN_RESPONDENTS}
       AND min({words_sql('gm.text')}) >= {CAMPAIGN_MIN_WORDS}"""

#: Ids of campaign responses after each campaign's first (the ones not counted).
CAMPAIGN_COPIES_SQL = f"""
    SELECT cc.comment_id FROM comment_analysis cc JOIN comments cm ON cm.id = cc.comment_id
    JOIN ({CAMPAIGN_GROUPS_SQL}) cg
      ON cg.grp = cc.near_dup_group AND cg.consultation_id = cm.consultation_id
    WHERE cc.comment_id != cg.first_id AND cm.substantive = 1"""


def repeat_sql(m: str = "m") -> str:
    """True for a repeat: an earlier comment by the same respondent has the same text key.

    `duplicate_of` (set at import for any earlier comment with the key) screens first, so the
    lookup runs only for comments that have a twin somewhere; it reads the respondent's own
    few comments (their index), never every copy of a common short answer, which made the
    Overview five times slower on 29,000 comments."""
    return (f"({m}.duplicate_of IS NOT NULL AND EXISTS (SELECT 1 FROM comments e "
            f"INDEXED BY idx_comments_respondent_id WHERE e.respondent_id = {m}.respondent_id "
            f"AND e.dup_key = {m}.dup_key AND e.consultation_id = {m}.consultation_id "
            f"AND e.id < {m}.id))")


#: Ids of repeats, as one list a statement builds once (a few milliseconds on 29,000).
REPEATS_SQL = f"SELECT rp.id FROM comments rp NOT INDEXED WHERE {repeat_sql('rp')}"
#: Ids of every substantive comment that is not counted (repeats and campaign copies).
NOT_COUNTED_SQL = f"{REPEATS_SQL} UNION ALL {CAMPAIGN_COPIES_SQL}"


def counted_sql(m: str = "m") -> str:
    """SQL condition: the comment (alias `m`) is a counted comment.

    The ids not counted are a list SQLite builds once per statement, so a scan of every
    coding checks each row against it in constant time."""
    return f"({m}.substantive = 1 AND {m}.id NOT IN ({NOT_COUNTED_SQL}))"


def status_sql(m: str = "m") -> str:
    """SQL expression: NULL for a counted comment, else why not ('no_content', 'repeat',
    'campaign')."""
    return (f"CASE WHEN {m}.substantive = 0 THEN '{NO_CONTENT}' "
            f"WHEN {m}.id IN ({REPEATS_SQL}) THEN '{REPEAT}' "
            f"WHEN {m}.id IN ({CAMPAIGN_COPIES_SQL}) THEN '{CAMPAIGN}' END")


@dataclass(frozen=True)
class Campaign:
    """One campaign: its counted first response and how many people sent it."""

    group: int
    consultation_id: int
    first_comment_id: int
    responses: int
    respondents: int
    words: int
    text: str

    @property
    def not_counted(self) -> int:
        return self.responses - 1


def campaigns(project: Project, consultation_id: int | None = None) -> list[Campaign]:
    """Campaigns in the project (or one consultation), largest first."""
    where, params = ("WHERE cg.consultation_id = ?", [consultation_id]) \
        if consultation_id is not None else ("", [])
    rows = project.db.execute(f"""
        SELECT cg.grp, cg.consultation_id, cg.first_id, cg.responses, cg.respondents, cg.words,
               m.text
        FROM ({CAMPAIGN_GROUPS_SQL}) cg JOIN comments m ON m.id = cg.first_id {where}
        ORDER BY cg.responses DESC, cg.first_id""", params).fetchall()
    return [Campaign(*row) for row in rows]


@dataclass(frozen=True)
class Counts:
    """The headline figures of the rule for one set of respondents."""

    respondents: int             # people in scope
    respondents_commenting: int  # with at least one answer that has content
    respondents_counted: int     # with at least one counted comment: the base of shares
    comments: int                # every answer read
    no_content: int
    repeats: int
    campaign: int                # campaign responses not counted (all but each first)
    counted: int

    @property
    def not_counted(self) -> int:
        return self.no_content + self.repeats + self.campaign


def counts(project: Project, consultation_id: int | None = None) -> Counts:
    """The rule's figures for a consultation (None: the whole project). Three scans of the
    comments (no join): the Overview asks for them on every refresh."""
    where, params = ("AND +m.consultation_id = ?", [consultation_id]) \
        if consultation_id is not None else ("", [])
    by_status = {status: (n, people) for status, n, people in project.db.execute(f"""
        SELECT status, count(*), count(DISTINCT respondent_id) FROM (
            SELECT m.respondent_id, {status_sql('m')} AS status FROM comments m NOT INDEXED
            WHERE 1 {where}) GROUP BY status""", params)}
    commenting = project.db.execute(
        f"SELECT count(DISTINCT m.respondent_id) FROM comments m NOT INDEXED "
        f"WHERE m.substantive = 1 {where}", params).fetchone()[0]
    respondents = project.db.execute(
        "SELECT count(*) FROM respondents" + (" WHERE consultation_id = ?" if params else ""),
        params).fetchone()[0]

    def n(status: str | None) -> int:
        return int(by_status.get(status, (0, 0))[0])

    return Counts(int(respondents), int(commenting or 0),
                  int(by_status.get(None, (0, 0))[1]), sum(v[0] for v in by_status.values()),
                  n(NO_CONTENT), n(REPEAT), n(CAMPAIGN), n(None))
