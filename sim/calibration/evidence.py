"""The evidence ledger: coded claims from the source documents, checked before use.

Why a ledger: every number a state agent carries must be traceable to something a scholar
can open and check. Claims taken from the documents are coded one per row (who, what
dimension, which direction, how strong, when, where in the text) so that the calibration
rules in :mod:`sim.calibration.rules` can turn them into parameters, and ``explain-param`` can
point back at them. Rows whose ``use`` is ``reference`` record alignment *outcomes*; they
are kept for validation and are never read as model inputs.

This module also holds the helper behind ``alliance-sim evidence suggest``: a crude finder
of candidate passages (sentences naming two states together with a cue word) for a person
to review and code. It suggests; it never writes to the ledger.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path


from sim.calibration.paths import DEFAULT_DOCUMENTS, DEFAULT_LEDGER
from sim.errors import InputError

#: Project root (the directory holding ``seeds/``).

#: State ids the ledger may name (Correlates of War abbreviations). The nine of the Central
#: Asia system, plus states the documents use as examples or as crisis settings.
KNOWN_STATES = {
    "USA": "United States", "RUS": "Russia", "AFG": "Afghanistan", "TKM": "Turkmenistan",
    "TAJ": "Tajikistan", "KYR": "Kyrgyzstan", "UZB": "Uzbekistan", "KZK": "Kazakhstan",
    "CHN": "China", "UKG": "United Kingdom", "GRG": "Georgia", "UKR": "Ukraine",
}

#: Dimension vocabulary. ``arity``: 1 = a state's own trait, 2 = about a pair.
#: ``directed``: for pairs, the first actor is the holder/perceiver and order matters.
DIMENSIONS = {
    "interest_convergence": {"arity": 2, "directed": False,
                             "meaning": "how far the pair's foreign-policy interests coincide (+) or collide (-)"},
    "perceived_intent": {"arity": 2, "directed": True,
                         "meaning": "first actor perceives aggressive intent / regime-change pressure from the others (+)"},
    "ideology_values": {"arity": 2, "directed": False,
                        "meaning": "shared (+) or opposed (-) political and cultural values"},
    "economic_dependence": {"arity": 2, "directed": True,
                            "meaning": "first actor depends economically on the others (+), or less than expected (-)"},
    "leader_affinity": {"arity": 1, "directed": True,
                        "meaning": "personal regard between leaders, or a leader change (+ warm / - cold)"},
    "security_cooperation": {"arity": 2, "directed": False,
                             "meaning": "military or security cooperation as an input claim (not an outcome)"},
    "shared_threat": {"arity": 2, "directed": False,
                      "meaning": "the actors face a common threat (+)"},
    "doctrine_neutrality": {"arity": 1, "directed": False,
                            "meaning": "declared permanent neutrality, no formal alliances (+)"},
    "doctrine_multivector": {"arity": 1, "directed": False,
                             "meaning": "multi-vector doctrine: balancing ties with several great powers (+)"},
    "autonomy_sensitivity": {"arity": 1, "directed": False,
                             "meaning": "fear of domination or entrapment by a stronger partner (+)"},
    "bandwagon_propensity": {"arity": 1, "directed": False,
                             "meaning": "readiness to lean on a stronger neighbour rather than balance it (+)"},
    "alignment_outcome": {"arity": 2, "directed": False,
                          "meaning": "a documented alignment outcome (treaty, cooling, break); reference only"},
}

#: Strength scale: 1 weak (hedged, one mention), 2 moderate (clear claim), 3 strong (a
#: central, repeated or documented-by-instrument claim).
STRENGTHS = (1, 2, 3)
USES = ("calibration", "event", "reference")
COLUMNS = ["id", "doc", "passage", "actors", "dimension", "direction", "strength",
           "period_start", "period_end", "paraphrase", "confidence", "use"]
YEAR_RANGE = (1800, 2100)


@dataclass(frozen=True)
class Evidence:
    """One coded claim. ``actors[0]`` is the holder/perceiver for directed dimensions."""

    id: str
    doc: str
    passage: str
    actors: tuple[str, ...]
    dimension: str
    direction: int
    strength: int
    period_start: int
    period_end: int
    paraphrase: str
    confidence: float
    use: str
    line: int

    def covers(self, year: int) -> bool:
        return self.period_start <= year <= self.period_end

    def involves_pair(self, a: str, b: str) -> bool:
        """True if the record speaks about the pair (a, b).

        Undirected dimensions match any two of the actors; directed ones need ``a`` to be the
        first actor (the perceiver) and ``b`` among the others.
        """
        if DIMENSIONS[self.dimension]["directed"]:
            return self.actors[0] == a and b in self.actors[1:]
        return a in self.actors and b in self.actors and a != b


def load_documents(path: str | Path = DEFAULT_DOCUMENTS) -> dict[str, dict]:
    """Read the bibliography; each entry needs a title, authors and a year."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, None, "an existing documents.yaml file")
    from sim.reading import load_yaml, read_text  # bounded, one document, no key twice, lines
    data = load_yaml(read_text(path, kind="yaml", what="a documents YAML file"), path) or {}
    docs = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(docs, dict) or not docs:
        raise InputError(path, "documents", "a mapping of document ids to entries")
    for key, entry in docs.items():
        for field in ("title", "authors", "year"):
            if not isinstance(entry, dict) or not entry.get(field):
                raise InputError(path, f"documents.{key}.{field}", "a non-empty value")
    return docs


def _int(value: str, path: Path, line: int, field: str, expected: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(path, field, expected, line=line, got=value) from None
    if number != int(number):
        raise InputError(path, field, expected, line=line, got=value)
    return int(number)


def _record_actors(row: dict[str, str], value: str, dimension: str, path: Path, line: int) -> tuple[str, ...]:
    """Known COW ids, each once, and two or more for a pair dimension."""
    actors = tuple(a.strip() for a in value.split(";") if a.strip())
    for actor in actors:
        if actor not in KNOWN_STATES:
            raise InputError(path, "actors", f"COW state ids from {', '.join(sorted(KNOWN_STATES))}",
                             line=line, got=actor)
    if len(set(actors)) != len(actors):
        raise InputError(path, "actors", "each state at most once", line=line, got=row["actors"])
    if DIMENSIONS[dimension]["arity"] == 2 and len(actors) < 2:
        raise InputError(path, "actors", f"at least two states for the pair dimension {dimension}",
                         line=line, got=row["actors"])
    if one_state(dimension) and len(actors) != 1:
        # the calibration credits such a claim to actors[0] alone: a second state's share
        # was dropped without a word (leader_affinity, directed, names its counterparts)
        raise InputError(path, "actors", f"exactly one state for the state dimension {dimension} "
                         "(a trait of one state; code a claim about several states as one record each)",
                         line=line, got=row["actors"])
    return actors


def one_state(dimension: str) -> bool:
    """True for a dimension that is one state's own trait with no counterpart (a doctrine,
    a disposition): its records name exactly one actor. ``leader_affinity`` is a state's
    too but directed: its first actor holds the regard, the others are its objects."""
    spec = DIMENSIONS[dimension]
    return spec["arity"] == 1 and not spec["directed"]


def _record_period(text, path: Path, line: int) -> tuple[int, int]:
    """Whole years inside ``YEAR_RANGE``, the end not before the start (``text`` reads a
    required field of the row)."""
    start = _int(text("period_start"), path, line, "period_start", "a year")
    end = _int(text("period_end"), path, line, "period_end", "a year")
    for field, year in (("period_start", start), ("period_end", end)):
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise InputError(path, field, f"a year in {YEAR_RANGE[0]}-{YEAR_RANGE[1]}", line=line, got=year)
    if end < start:
        raise InputError(path, "period_end", f"a year not before period_start ({start})", line=line, got=end)
    return start, end


def parse_record(row: dict[str, str], path: Path, line: int, documents: dict) -> Evidence:
    """Check one ledger row and turn it into an :class:`Evidence`.

    Raises:
        InputError: naming the file, the line and the first field that is wrong.
    """
    def text(field: str) -> str:
        value = (row.get(field) or "").strip()
        if not value:
            raise InputError(path, field, "a non-empty value", line=line, got=row.get(field))
        return value

    rid = text("id")
    if not re.fullmatch(r"E\d{3,}", rid):
        raise InputError(path, "id", "an id like E001", line=line, got=rid)
    doc = text("doc")
    if doc not in documents:
        raise InputError(path, "doc", f"a document id from documents.yaml ({', '.join(sorted(documents))})",
                         line=line, got=doc)
    passage = text("passage")
    dimension = text("dimension")
    if dimension not in DIMENSIONS:
        raise InputError(path, "dimension", f"one of {', '.join(DIMENSIONS)}", line=line, got=dimension)
    actors = _record_actors(row, text("actors"), dimension, path, line)
    direction = _int(text("direction"), path, line, "direction", "+1 or -1")
    if direction not in (1, -1):
        raise InputError(path, "direction", "+1 or -1", line=line, got=row["direction"])
    strength = _int(text("strength"), path, line, "strength", "1 (weak), 2 (moderate) or 3 (strong)")
    if strength not in STRENGTHS:
        raise InputError(path, "strength", "1 (weak), 2 (moderate) or 3 (strong)", line=line, got=row["strength"])
    start, end = _record_period(text, path, line)
    paraphrase = text("paraphrase")
    try:
        confidence = float(text("confidence"))
    except ValueError:
        raise InputError(path, "confidence", "a number in 0-1", line=line, got=row["confidence"]) from None
    if not 0.0 <= confidence <= 1.0:
        raise InputError(path, "confidence", "a number in 0-1", line=line, got=row["confidence"])
    use = text("use")
    if use not in USES:
        raise InputError(path, "use", f"one of {', '.join(USES)}", line=line, got=use)
    if dimension == "alignment_outcome" and use != "reference":
        raise InputError(path, "use", "'reference' for an alignment_outcome (outcomes are never inputs)",
                         line=line, got=use)
    return Evidence(rid, doc, passage, actors, dimension, direction, strength, start, end,
                    paraphrase, confidence, use, line)


def load_ledger(path: str | Path = DEFAULT_LEDGER,
                documents: str | Path | dict = DEFAULT_DOCUMENTS) -> list[Evidence]:
    """Read and validate a whole ledger; the first problem stops it with an InputError."""
    path = Path(path)
    docs = documents if isinstance(documents, dict) else load_documents(documents)
    if not path.exists():
        raise InputError(path, None, "an existing evidence CSV file")
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InputError(path, missing[0], f"a header with columns {', '.join(COLUMNS)}", line=1)
        records, seen = [], {}
        for row in reader:
            line = reader.line_num
            if None in row:  # more cells than header columns
                raise InputError(path, "row", f"{len(COLUMNS)} cells (quote paraphrases that contain commas)",
                                 line=line)
            record = parse_record(row, path, line, docs)
            if record.id in seen:
                raise InputError(path, "id", f"a unique id (already used on line {seen[record.id]})",
                                 line=line, got=record.id)
            seen[record.id] = line
            records.append(record)
    return records


# --------------------------------------------------------------------------- suggest

#: How each state shows up in prose: names, adjectives, demonyms, capitals, leaders' seats.
STATE_ALIASES = {
    "RUS": ["Russia", "Russian", "Russians", "Moscow", "Kremlin", "Soviet", "USSR"],
    "KZK": ["Kazakhstan", "Kazakh", "Kazakhs", "Kazakhstani", "Astana", "Nur-Sultan", "Almaty"],
    "UZB": ["Uzbekistan", "Uzbek", "Uzbeks", "Uzbekistani", "Tashkent"],
    "KYR": ["Kyrgyzstan", "Kyrgyz", "Kyrgyzstani", "Bishkek", "Kirghizia"],
    "TAJ": ["Tajikistan", "Tajik", "Tajiks", "Dushanbe"],
    "TKM": ["Turkmenistan", "Turkmen", "Ashgabat", "Ashkhabad"],
    "USA": ["United States", "U.S.", "US", "USA", "America", "American", "Americans", "Washington"],
    "CHN": ["China", "Chinese", "Beijing", "PRC"],
    "AFG": ["Afghanistan", "Afghan", "Afghans", "Kabul", "Taliban"],
}

#: Cue words (regex stems) -> (dimension, direction). First match wins, so more specific
#: cues come first.
CUES = [
    (r"mistrust|distrust|suspic", ("perceived_intent", 1)),
    (r"threat|fear|interven|interfer|menac|brink of war|aggress", ("perceived_intent", 1)),
    (r"collid|clash|contradict|conflict|dispute|rival|disagree", ("interest_convergence", -1)),
    (r"converg|coincid|common interest|shared interest|similar position|overlapping interest",
     ("interest_convergence", 1)),
    (r"neutral", ("doctrine_neutrality", 1)),
    (r"multi-vector|diversif|balance .* powers", ("doctrine_multivector", 1)),
    (r"distance|distant|avoid|independen|sovereign", ("autonomy_sensitivity", 1)),
    (r"\bvalues?\b|ideolog|democra|authoritarian|\bcultur", ("ideology_values", 1)),
    (r"depend|trade|economic|donor|supplier", ("economic_dependence", 1)),
    (r"militar|security|defen[cs]e|alliance|allied|ally|allies|treaty|partnership|cooperat",
     ("security_cooperation", 1)),
]


def _alias_pattern() -> list[tuple[str, re.Pattern]]:
    out = []
    for state, names in STATE_ALIASES.items():
        alts = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        # 'US' only in capitals and as a word; other names case-insensitive.
        out.append((state, re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])")))
    return out


_ALIASES = _alias_pattern()
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")


@dataclass(frozen=True)
class Suggestion:
    line: int
    states: tuple[str, ...]
    dimension: str
    direction: int
    cue: str
    sentence: str


def suggest(text: str) -> list[Suggestion]:
    """Candidate passages: sentences naming two or more known states plus a cue word.

    Args:
        text: Plain text of a document.

    Returns:
        One suggestion per qualifying sentence, in text order, with the line it starts on.
        Directions and dimensions are guesses for a human coder, not codings.
    """
    suggestions = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        for sentence in _SENTENCE.split(line):
            states = tuple(s for s, pattern in _ALIASES if pattern.search(sentence))
            if len(states) < 2:
                continue
            lowered = sentence.lower()
            for cue, (dimension, direction) in CUES:
                match = re.search(cue, lowered)
                if match:
                    suggestions.append(Suggestion(line_no, states, dimension, direction,
                                                  match.group(0), sentence.strip()))
                    break
    return suggestions
