"""The hand-written cues the kind model (``engage.nlp.kind``) sees beside the words.

Each cue is a regular expression on the normalised text (lowercase, straight apostrophes) and
becomes a 0/1 feature; a few more are derived from the others. Two families matter most for
telling a wish from praise or a complaint:

- *priority form*: the shape of an answer to "what matters to you?" — a gerund ("Having my
  baby close to home", "Being able to see the same GP"), "access to …", "close to home",
  "local …", "enough …", a thing with what it should do ("a pharmacy that opens late"), or a
  phrase with no verb at all ("Quick appointments");
- *report*: something that happened or is the case — a past or perfect verb ("was", "had",
  "we've waited", "last time", "when I …") or a present verdict ("is rude", "are brilliant").

Praise and complaint report; a priority names what is wanted and reports nothing. The patient
feedback the model partly learns from answers "What was good?" with verbless phrases
("Friendly staff") that are praise there but a priority in a consultation; ``is_fragment``
finds them so that training can weigh them down.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

#: Answers that carry nothing to classify.
_NOTHING = re.compile(
    r"^\W*(n\s*/?\s*a|none|no|nope|nil|nothing( (else|more|further))?( to (add|say|report))?|"
    r"no comments?|"
    r"(i )?(don'?t|do not) know|not sure|unsure|see (above|(my )?previous( answer)?)|"
    r"not applicable( to me)?|no (strong )?(views?|opinion)( either way)?|"
    r"i have no (strong )?(views?|opinion)( either way)?|as above|same as above)\W*$")

_GOOD = (r"excellent|brilliant|wonderful|fantastic|great|amazing|superb|lovely|marvellous|"
         r"outstanding|first class|first rate|fabulous|perfect|good|kind|helpful|caring|"
         r"friendly|fine|ok|okay|spot on|second to none|a (lifeline|godsend|credit)")
_BAD = (r"awful|terrible|dreadful|disgrace(ful)?|appalling|shocking|a nightmare|chaos|"
        r"impossible|useless|hopeless|rude|unhelpful|dismissive|poor|worst|unacceptable|"
        r"ridiculous|a joke|a battle|a struggle|dirty|filthy|too \w+|far too \w+|"
        r"not good enough|not fit for purpose|non-existent|gone|getting worse|worse")
#: A bad state named without a verb ("Long waits for …", "Lack of …", "No dentist in …").
_PROBLEM = (r"long (waits?|waiting|queues?|delays?)|lack of|shortage of|not enough|"
            r"no (\w+ )?(nhs )?(dentists?|bus|buses|beds?|appointments?|staff|doctors?|gps?|"
            r"nurses?|help|support|parking|one)\b|understaffed|short staffed")
#: Subjects of a clause that reports: a pronoun or a possessed or named thing.
_SUBJECT = (r"(i|we|he|she|they|you|it|nobody|no one|someone|everyone|everybody|staff|"
            r"nurses?|doctors?|my \w+|our \w+|his \w+|her \w+|their \w+|the \w+)")
_PAST = (r"\w+ed|got|felt|said|told|left|lost|sent|kept|found|made|put|thought|knew|brought|"
         r"came|went|saw|took|gave|rang|spent|ran|began|became|fell|held|met|paid|heard|"
         r"stood|sat|wrote|drove|broke")

#: (name, pattern on the normalised text). Each becomes a 0/1 feature, in this order.
CUES: tuple[tuple[str, str], ...] = (
    ("modal_wish", r"\b(should|ought to|must|could (we|you|they|there)|would (like|love|prefer|"
                   r"help|welcome|want)|it would be|would be (good|nice|great|better|helpful|"
                   r"wonderful|a start)|i wish|wish (there|we|you)|hope|if only|would make)\b"),
    ("need_want", r"\b(we|i|people|they|patients|carers|families|everyone|there) (need|needs|want|"
                  r"wants|deserve)\b|\bneed(s)? (to|more|a|an|better|proper)\b"),
    ("please", r"\bplease\b"),
    ("priority", r"\b(priority|priorities|prioritise|matters?|important|vital|essential|"
                 r"the key|focus on)\b"),
    ("purpose", r"\b(so (that )?(\w+ ){1,3}(can|could|would|will|don'?t|do not)|in order to|"
                r"to make sure|so people|so patients)\b"),
    ("opening_request", r"^\W*(more|better|fewer|less|extra|longer|shorter|cheaper|free|faster|"
                        r"quicker|keep|provide|make|give|stop|invest|focus|extend|train|pay|"
                        r"offer|bring|open|improve|increase|reduce|allow|let|ensure|have|"
                        r"put|use|listen|employ|build|fund|support|help|a|an|one)\b"),
    ("more_of", r"\b(more|better|extra|additional|longer|easier|quicker|faster|fairer|proper)"
                r" \w+"),
    ("question_mark", r"\?"),
    ("ends_question", r"\?\W*$"),
    ("wh_start", r"^\W*(why|how|when|what|who|where|which|will|is|are|can|does|do|would|has|"
                 r"have)\b"),
    ("why", r"\bwhy\b"),
    ("praise_word", r"\b(excellent|brilliant|wonderful|fantastic|great|amazing|superb|lovely|"
                    r"marvellous|outstanding|first class|fabulous|perfect|happy|pleased|"
                    r"impressed|grateful|thank(s| you)?|lifeline|saved my life|good|kind|"
                    r"helpful|caring|friendly|calm|reassuring|means the world|done wonders)\b"),
    ("bad_word", r"\b(awful|terrible|disgrace(ful)?|appalling|shocking|nightmare|chaos|"
                 r"impossible|useless|rude|dismissive|poor|worst|frightening|ashamed|"
                 r"frustrat\w*|unacceptable|ridiculous|fortune|stuck|left on|worse|no use|"
                 r"not good|never|nobody|no one|ignored|refused|cancelled|turned away|"
                 r"missed|exhausted|cut|too few|too long|full of|without any|"
                 r"too (?!(good|kind|nice|well)\b)\w+|expensive|overpriced|extortionate|"
                 r"costs? (a lot|so much|more than))\b"),
    ("happened", r"\b(i|we|my \w+|our \w+|he|she|they|it) (was|were|had|waited|got|rang|phoned|"
                 r"called|tried|went|spent|took|left|saw|couldn'?t|could not|didn'?t|did not|"
                 r"wasn'?t|haven'?t|have not|hasn'?t|has not|never|cannot|can'?t)\b"),
    ("waited_for", r"\b(waited|wait(ed)? (for )?\w+ (hours|weeks|months|years|days)|"
                   r"took \w+ (hours|weeks|months|years|days)|for (hours|weeks|months|years))\b"),
    ("contrast", r"\b(but|however|although|though|except|whereas|yet)\b"),
    ("negation", r"\b(not|no|never|nothing|nobody|none|n't|cannot)\b"),
    ("first_person_past", r"\b(i|we) (was|were|had|have been|'ve been)\b"),
    ("worry", r"\b(worry|worried|concern(ed)?|fear|afraid|scared)\b"),
    ("short", r"^\W*(\w+\W*){1,3}$"),
    ("nothing_start", r"^\W*(nothing|none|nil|no( further| more| other)? (comments?|thanks|"
                      r"views?|opinion)|not (really|at the moment|at this|now|sure|that i)|"
                      r"n\s*/?\s*a|(i )?(don'?t|do not) (know|have|think)|can'?t think|unsure)\b"),
    ("long", r"^\W*(\w+\W+){25,}"),
    # ----- priority form ---------------------------------------------------------------------
    ("gerund_start", r"^\W*(not )?(having|keeping|being|getting|seeing|staying|making|knowing|"
                     r"living|feeling|finding|talking|speaking|going|receiving|booking|"
                     r"reaching|looking|helping|supporting|protecting|giving|treating|"
                     r"able to|to be able|to (have|be|get|see|keep|know|stay))\b"),
    ("access_to", r"\b(access to|able to (get|see|access|have|talk|speak|book|park|stay|reach|"
                  r"visit|choose)|a choice of|choice (of|about|over))\b"),
    ("near_home", r"\b(close to home|closer to home|nearer (to )?home|near (to )?home|near "
                  r"(where|to where) (i|we|people|they) live|on (my|our|the) doorstep|"
                  r"in (my|our|the|each|every) (own )?(town|village|area|community|"
                  r"neighbourhood)|locally|local|within (walking|easy|reach|\w+ miles))\b"),
    ("enough", r"\b(enough|sufficient|plenty of|a proper|proper|reliable|affordable|regular|"
               r"consistent|named)\b"),
    ("relative_wish", r"^\W*(a|an|the|some|somewhere|someone|services?|support|help|care|"
                      r"\w+s) (\w+ ){0,3}(that|who|which|where|to) \w+"),
    # ----- report ------------------------------------------------------------------------------
    ("past_report", r"\b(was|were|wasn'?t|weren'?t|had|hadn'?t|did|didn'?t|went|came|saw|"
                    r"took|gave|rang|phoned|waited|arrived|happened|i'?ve|we'?ve|they'?ve|"
                    r"(has|have|'s) (been|had|got|gone|closed|stopped|moved|changed|lost|"
                    r"never|always|made|given|waited|tried|cut|left)|"
                    r"last (time|year|week|month|winter|summer|spring|autumn|night)|"
                    r"\w+ (days?|weeks?|months?|years?) ago|yesterday)\b"),
    ("subject_past", rf"\b{_SUBJECT} (\w+ly )?({_PAST})\b"),
    ("when_i", r"\b(when|after|since|before|until) (i|we|my|our|he|she|they|mum|dad)\b"),
    ("state_verdict", rf"\b(is|are|'s|'re|isn'?t|aren'?t|seems?|looks?|feels?|works?|"
                      rf"always|has been|have been) (\w+ ){{0,3}}?({_GOOD}|{_BAD})\b"),
    ("problem", rf"\b({_PROBLEM})"),
    ("verdict", rf"\b((very|really|so|extremely|incredibly|absolutely|always|quite|too|fully|"
                rf"truly|nothing but) (?!(that|the|a|an|we|i|you|they|it|he|she|people|as|to|on|"
                rf"in|of|many|much|far|long as)\b)\w+|"
                rf"excellent|brilliant|fantastic|amazing|superb|"
                rf"outstanding|wonderful|marvellous|fabulous|first class|first rate|faultless|"
                rf"terrible|awful|appalling|dreadful|shocking|disgraceful|{_BAD}|{_PROBLEM}|"
                rf"(everything|all) (was |is )?(good|fine|great|ok|okay)|"
                rf"no (problems?|complaints?|issues?)|can'?t fault|couldn'?t fault)\b"
                rf"|^\W*(everything|all of it)\W*$"),
    ("finite_verb", r"\b(is|are|am|'m|was|were|be|has|have|had|do|does|did|can|could|will|"
                    r"would|should|shall|may|might|must|need|needs|want|wants|'s|'re|'ve|'ll|"
                    r"'d|isn't|aren't|don't|doesn't|didn't|won't|can't|cannot|couldn't|"
                    r"wouldn't|shouldn't|get|gets|got|goes|went|takes|took|makes|made|seems|"
                    r"feel|feels|felt|think|know|knows|works|worked|helps|helped|keeps|kept)\b"
                    r"|\b(i|we|you|they|he|she|it|nobody|everyone|everybody) \w+"),
)
_COMPILED = [re.compile(pattern) for _name, pattern in CUES]
_INDEX = {name: j for j, (name, _pattern) in enumerate(CUES)}

WISH_CUES = ("modal_wish", "need_want", "please", "priority", "purpose", "opening_request",
             "more_of", "gerund_start", "access_to", "near_home", "enough", "relative_wish")
REPORT_CUES = ("happened", "waited_for", "first_person_past", "past_report", "subject_past",
               "when_i", "state_verdict")
#: Cues made from others:
#: - no_evaluation: no word of praise or blame;
#: - wish_without_report: one of the first seven WISH_CUES, and no "happened" or "waited_for";
#: - no_report: nothing happened or is judged to be the case;
#: - fragment: no verb at all ("Quick appointments", "Rude receptionists");
#: - fragment_good / fragment_bad: a verbless phrase with a word of praise / of blame;
#: - plain_fragment: a verbless phrase that passes no verdict ("Quick appointments", not
#:   "Very quick appointments" or "Excellent service");
#: - priority_form: a priority's shape (gerund, access to, close to home, …) and no report.
DERIVED_CUES = ("no_evaluation", "wish_without_report", "no_report", "fragment",
                "fragment_good", "fragment_bad", "plain_fragment", "priority_form")
_PRIORITY_FORM = ("gerund_start", "access_to", "near_home", "enough", "relative_wish")


def normalise(text: str) -> str:
    """Lowercase, straight apostrophes, squeezed spaces: what the cues and n-grams see."""
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'").lower()
    return " ".join(text.split())


def is_nothing(text: str) -> bool:
    """True for answers with nothing to classify ("n/a", "no comment", blank)."""
    text = normalise(text)
    return not re.search(r"[a-z]", text) or bool(_NOTHING.match(text))


def _found(text: str) -> set[int]:
    """Indices of the cues (``CUES`` then ``DERIVED_CUES``) found in normalised ``text``."""
    found = {j for j, pattern in enumerate(_COMPILED) if pattern.search(text)}
    has = lambda *names: any(_INDEX[n] in found for n in names)  # noqa: E731
    base = len(CUES)
    evaluated = has("praise_word", "bad_word")
    reported = has(*REPORT_CUES)
    # an answer with nothing in it is 'none' by rule, not a fragment to learn a kind from
    fragment = (not reported and not has("finite_verb", "question_mark")
                and not _NOTHING.match(text))
    derived = (not evaluated,
               not has("happened", "waited_for") and has(*WISH_CUES[:7]),
               not reported,
               fragment,
               fragment and has("praise_word"),
               fragment and has("bad_word", "problem"),
               fragment and not has("verdict"),
               not reported and has(*_PRIORITY_FORM))
    found.update(base + k for k, on in enumerate(derived) if on)
    return found


def is_fragment(text: str) -> bool:
    """True for a phrase with no verb, no report and no verdict ("Friendly staff", "Quick
    appointments"; not "Very friendly staff", "Excellent service")."""
    return len(CUES) + DERIVED_CUES.index("plain_fragment") in _found(normalise(text))


def reports(text: str) -> bool:
    """True when the text reports something that happened or is the case."""
    return len(CUES) + DERIVED_CUES.index("no_report") not in _found(normalise(text))


def cue_matrix(texts: Sequence[str]) -> sp.csr_matrix:
    """(comments × cues) 0/1 indicators for normalised ``texts``: one column per entry of
    ``CUES``, then the ``DERIVED_CUES``."""
    rows, cols = [], []
    for i, text in enumerate(texts):
        found = sorted(_found(text))
        rows.extend([i] * len(found))
        cols.extend(found)
    data = np.ones(len(rows), dtype=np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(CUES) + len(DERIVED_CUES)))
