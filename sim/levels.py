"""The ordinal alignment scales used by the model and by the reference timelines.

Each level has one name, and every output (tables, reports, figures, the browser page, the
command line) takes it from here, so that a reader meets "close partnership" under that name
wherever level 2 de facto is shown. The names are kept short enough for the axis of a small
panel; what a de jure level takes in is said once, here:

- de facto: militarised (-2, armed clashes or a military stand-off), tense (-1), distant
  (0), cooperative (1), close partnership (2), active alliance (3);
- de jure: hostile instrument (-1, sanctions), none (0), friendship / cooperation (1, a
  friendship treaty or a shared cooperation organisation), strategic partnership (2, basing
  agreements included), alliance treaty (3, collective defence included).
"""

DE_FACTO_MIN, DE_FACTO_MAX = -2, 3
DE_JURE_MIN, DE_JURE_MAX = -1, 3

DE_FACTO_NAMES = {
    -2: "militarised",
    -1: "tense",
    0: "distant",
    1: "cooperative",
    2: "close partnership",
    3: "active alliance",
}

DE_JURE_NAMES = {
    -1: "hostile instrument",
    0: "none",
    1: "friendship / cooperation",
    2: "strategic partnership",
    3: "alliance treaty",
}

#: Level -> name, by the column names the tables use for the two scales.
LEVEL_NAMES = {"de_facto": DE_FACTO_NAMES, "de_jure": DE_JURE_NAMES}

#: The choice set of a state's wanted level toward a partner (de facto scale).
LEVELS = tuple(range(DE_FACTO_MIN, DE_FACTO_MAX + 1))
