"""The ordinal alignment scales used by the model and by the reference timelines."""

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
    1: "friendship / cooperation organisation",
    2: "strategic partnership / basing",
    3: "alliance treaty / collective defence",
}

#: The choice set of a state's wanted level toward a partner (de facto scale).
LEVELS = tuple(range(DE_FACTO_MIN, DE_FACTO_MAX + 1))
