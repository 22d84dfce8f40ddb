"""Line breaking for captions: where to split a caption's text into display lines.

The rules are the BBC's and Netflix's (docs/captions.md): keep one line when it fits; break after
punctuation and before conjunctions and prepositions; never separate an article or adjective
from its noun, a first name from a last name, an auxiliary from its verb, a subject pronoun from
its verb, a verb from its particle; never break inside a word; prefer a bottom-heavy pyramid.

There is no part-of-speech tagger offline, so the rules work on small closed word classes
(articles, pronouns, auxiliaries, prepositions) plus capitalisation; every candidate break is
scored and the cheapest layout wins. ``break_cost`` is shared with the caption builder, which
splits long sentences into captions by the same rules.
"""

from __future__ import annotations

from itertools import combinations

SENTENCE_END = (".", "!", "?", "…")
CLAUSE_END = (",", ";", ":", "—", "–", "-")
_CLOSERS = "\"'”’)]"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CONJUNCTIONS = _words(
    "and but or nor so yet because although though while whereas since unless until "
    "when whenever where wherever if then that which who whom whose"
)
PREPOSITIONS = _words(
    "about above across after against along among around at before behind below beneath "
    "beside besides between beyond by despite down during except for from in inside into like "
    "near of off on onto out outside over past per through throughout to toward towards under "
    "underneath unlike up upon with within without"
)
# Words that must stay with the noun (or adjective + noun) that follows them.
DETERMINERS = _words(
    "a an the this that these those my your his her its our their some any no every each "
    "another such what whose either neither both all few many much several"
)
ADJECTIVES = _words(
    "good bad big small little large old new young long short high low great first last next "
    "other same whole real own nice hard easy early late full poor sick ill best worst better "
    "worse right wrong main dear lovely awful terrible horrible proper only certain different "
    "important intensive medical general local"
)
NUMBERS = _words(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty "
    "hundred thousand million half couple"
)
SUBJECT_PRONOUNS = _words("i you he she we they it")
AUXILIARIES = _words(
    "am is are was were be been being have has had do does did will would shall should can "
    "could may might must i'm you're he's she's it's we're they're i've you've we've they've "
    "i'd you'd he'd she'd we'd they'd i'll you'll he'll she'll we'll they'll don't doesn't "
    "didn't won't wouldn't can't couldn't shouldn't isn't aren't wasn't weren't haven't hasn't "
    "hadn't mustn't"
)
# Negations and adverbs that sit between an auxiliary and its verb ("could not | walk").
_AUX_ADVERBS = _words("not never just always really still even ever also")
TITLES = _words("mr mrs ms miss dr doctor prof professor sister nurse st")
# Prepositional and phrasal verbs whose particle must stay with the verb, by verb stem.
PARTICLE_VERBS = {
    "look": {"after", "at", "for", "into", "up", "out"},
    "deal": {"with"},
    "dealt": {"with"},
    "care": {"for", "about"},
    "rely": {"on"},
    "reli": {"on"},
    "depend": {"on"},
    "wait": {"for"},
    "listen": {"to"},
    "ask": {"for", "about"},
    "talk": {"to", "about"},
    "spoke": {"to"},
    "speak": {"to"},
    "cope": {"with"},
    "cop": {"with"},
    "give": {"up"},
    "gave": {"up"},
    "find": {"out"},
    "found": {"out"},
    "pick": {"up"},
    "get": {"up", "through", "over"},
    "got": {"up", "through", "over"},
    "wake": {"up"},
    "woke": {"up"},
    "come": {"back", "round", "around"},
    "came": {"back", "round", "around"},
    "go": {"back", "through", "on"},
    "went": {"back", "through", "on"},
    "turn": {"out", "up"},
    "point": {"out"},
    "belong": {"to"},
}

_NOT_NOUN = SUBJECT_PRONOUNS | DETERMINERS | PREPOSITIONS | CONJUNCTIONS | AUXILIARIES

_LINKS = CONJUNCTIONS | PREPOSITIONS
_OBJECTS_TOO = frozenset(("you", "it"))

ORDINARY_BREAK = 10.0
FORBIDDEN = 60.0
# A layout with more lines than needed costs this much per extra line.
EXTRA_LINE = 40.0


def _bare(word: str) -> str:
    """The word lower-cased without surrounding punctuation, for the word-class tests."""
    return word.strip(_CLOSERS + "\"'“‘([").lower()


def _ends_with(word: str, marks: tuple[str, ...]) -> bool:
    return word.rstrip(_CLOSERS).endswith(marks)


def _capitalised(word: str) -> bool:
    core = word.lstrip("\"'“‘([")
    return bool(core) and core[0].isupper()


def break_cost(left: str, right: str) -> float:
    """The cost of a break between two adjacent words; lower is better.

    Used both for line breaks inside a caption and for splitting a sentence between captions.

    >>> break_cost("tired.", "Then") < break_cost("tired,", "then") < break_cost("tired", "and")
    True
    >>> break_cost("the", "nurse") > break_cost("nurse", "came")
    True
    """
    if _ends_with(left, SENTENCE_END):
        return 0.0
    if _ends_with(left, CLAUSE_END) or right in ("—", "–", "-"):
        return 2.0
    a, b = _bare(left), _bare(right)
    cost = ORDINARY_BREAK
    if b in CONJUNCTIONS:
        cost = 4.0
    elif b in PREPOSITIONS:
        cost = 5.0
    # "that" and "all" are determiners only before a noun phrase ("that nurse", not "that I").
    if (a in DETERMINERS or a in ADJECTIVES or a in NUMBERS) and b not in _NOT_NOUN:
        cost += FORBIDDEN
    if _capitalised(right) and (a in TITLES or (_capitalised(left) and a != "i")):
        cost += FORBIDDEN  # a first and last name, or a title and a name
    # An auxiliary or a subject pronoun belongs with its verb ("I was | in" is a copula, and
    # "it | in" an object: both fine).
    if a in AUXILIARIES and b in DETERMINERS and b not in _LINKS:
        # Before a noun phrase the "auxiliary" is the main verb ("is | a nurse", "had | no
        # plan"): a poorer break than most, but nothing is torn apart.
        cost += ORDINARY_BREAK
    elif b not in _LINKS and (a in AUXILIARIES or a in _AUX_ADVERBS or a in SUBJECT_PRONOUNS):
        # "you" and "it" are objects as often as subjects ("for you | ask what...").
        cost += FORBIDDEN / 2 if a in _OBJECTS_TOO else FORBIDDEN
    elif b in AUXILIARIES and a not in _LINKS:
        cost += FORBIDDEN / 2  # most likely a noun subject and its verb: "your country | can"
    if (a in PREPOSITIONS and a not in PARTICLE_ONLY) or a in CONJUNCTIONS:
        cost += FORBIDDEN / 2  # a preposition belongs with its object, a conjunction its clause
    if b == "else":
        cost += FORBIDDEN  # "nothing | else"
    if b in PREPOSITIONS and _particle_of(a, b):
        cost += FORBIDDEN
    return cost


# Prepositions that often end a verb phrase ("she woke up | and"): breaking after them is fine.
PARTICLE_ONLY = _words("up out back down off on over")


def _particle_of(verb: str, particle: str) -> bool:
    for stem, particles in PARTICLE_VERBS.items():
        if verb.startswith(stem) and len(verb) - len(stem) <= 3 and particle in particles:
            return True
    return False


def _shape_cost(lengths: list[int]) -> float:
    """Prefer balanced lines, and a bottom-heavy pyramid over a top-heavy one."""
    cost = 0.0
    for upper, lower in zip(lengths, lengths[1:], strict=False):
        cost += 0.15 * abs(upper - lower)
        if upper > lower:
            cost += 0.1 * (upper - lower)
    return cost


def best_layout(
    text: str, max_chars: int, max_lines: int, *, indent: int = 0
) -> tuple[list[str], float] | None:
    """The cheapest layout of ``text`` and its cost, or None when it cannot fit.

    ``indent`` reserves characters at the start of the first line (a speaker label).
    """
    words = text.split()
    if not words:
        return [], 0.0
    if any(len(word) > max_chars for word in words) or len(words[0]) + indent > max_chars:
        return None
    joined = " ".join(words)
    if len(joined) + indent <= max_chars:
        return [joined], 0.0
    costs = [break_cost(a, b) for a, b in zip(words, words[1:], strict=False)]
    best: tuple[list[str], float] | None = None
    for count in range(2, max_lines + 1):
        for cuts in combinations(range(1, len(words)), count - 1):
            bounds = (0, *cuts, len(words))
            lines = [" ".join(words[s:e]) for s, e in zip(bounds, bounds[1:], strict=False)]
            lengths = [len(line) for line in lines]
            lengths[0] += indent
            if max(lengths) > max_chars:
                continue
            cost = sum(costs[c - 1] for c in cuts) + _shape_cost(lengths)
            cost += EXTRA_LINE * (count - 2)
            if best is None or cost < best[1]:
                best = (lines, cost)
        if best is not None:
            return best
    return None


def break_lines(text: str, max_chars: int, max_lines: int, *, indent: int = 0) -> list[str] | None:
    """Split caption text into at most ``max_lines`` lines of at most ``max_chars`` characters.

    Returns None when the text cannot fit without breaking inside a word.

    >>> break_lines("I was in intensive care for three weeks.", 42, 2)
    ['I was in intensive care for three weeks.']
    >>> break_lines("I was scared, but the nurses were wonderful to me.", 37, 2)
    ['I was scared,', 'but the nurses were wonderful to me.']
    >>> break_lines("When I woke up, I didn't know where I was.", 37, 2)
    ['When I woke up,', "I didn't know where I was."]
    >>> break_lines("The consultant was Pablo Molina and he was very kind to us", 37, 2)
    ['The consultant was Pablo Molina', 'and he was very kind to us']
    >>> break_lines("a" * 50, 42, 2) is None
    True
    """
    layout = best_layout(text, max_chars, max_lines, indent=indent)
    return None if layout is None else layout[0]
