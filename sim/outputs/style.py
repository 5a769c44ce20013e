"""One visual vocabulary for every figure: colours, type sizes and names in words.

Every figure module (run folders, sweeps, sensitivity, history, the dashboard)
takes its colours and labels from here, so that the United States is the same
blue and a drill the same colour in all of them, and a reader meets channel and
actor names, not codes.

The palette is Okabe and Ito's, chosen to stay distinguishable under the common
colour-vision deficiencies (Okabe, M. & Ito, K. (2008), "Color Universal Design
(CUD): how to make figures and presentations that are friendly to colorblind
people", https://jfly.uni-koeln.de/color/; recommended by Wong, B. (2011),
"Points of view: color blindness", *Nature Methods* 8: 441). Where more kinds
must be told apart than the palette has colours, marker shapes tell them apart
too (``KIND_STYLES``).

Imports only matplotlib-free core modules (the vocabulary), so that tables and
tests can use the names without loading matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.vocabulary import load_vocabulary

# Okabe-Ito: the eight colours, by their published names.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7F7F7F"
LIGHT_GREY = "#DDDDDD"

# The two governments keep one colour each in every figure; the regional states take the rest.
ACTOR_COLORS = {"USA": BLUE, "CHN": VERMILLION}
_REGION_CYCLE = (BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, "#8C6D31", GREY, YELLOW)

# A dialogue channel's status: open, suspended, not founded yet (or not simulated yet).
STATUS_COLORS = {"open": BLUISH_GREEN, "suspended": VERMILLION, "absent": LIGHT_GREY}
STATUS_LABELS = {"open": "open", "suspended": "suspended", "absent": "not founded yet"}

# One colour per issue area (sim.core.vocabulary.AREAS).
AREA_COLORS = {"security": VERMILLION, "economy": BLUISH_GREEN, "diplomacy": BLUE}

# Type sizes in points, for figures printed at their native size or projected.
TITLE_SIZE, LABEL_SIZE, TICK_SIZE, LEGEND_SIZE, NOTE_SIZE = 13, 11, 10, 10, 9


@dataclass(frozen=True)
class MarkerStyle:
    """How one signal kind is marked in a time-series figure: colour and marker shape."""

    color: str
    marker: str


# Kinds a reader must tell apart in the tension figure. Families share a hue (military acts
# vermillion/orange, economic pressure purple/blue, channels black/green) and differ in shape,
# so two kinds never look alike even in greyscale.
KIND_STYLES: dict[str, MarkerStyle] = {
    "military_drill": MarkerStyle(VERMILLION, "^"),
    "interception": MarkerStyle(ORANGE, "v"),
    "surveillance_incident": MarkerStyle(YELLOW, "D"),
    "sanction": MarkerStyle(REDDISH_PURPLE, "s"),
    "export_control": MarkerStyle(BLUE, "s"),
    "tariff": MarkerStyle(SKY_BLUE, "s"),
    "visa_restriction": MarkerStyle(REDDISH_PURPLE, "P"),
    "channel_suspension": MarkerStyle(BLACK, "X"),
    "meeting_rejection": MarkerStyle(GREY, "x"),
    "visit_postponed": MarkerStyle(GREY, "+"),
    "channel_resumption": MarkerStyle(BLUISH_GREEN, "o"),
    "ministerial_meeting": MarkerStyle(BLUISH_GREEN, "h"),
    "defense_cooperation": MarkerStyle(SKY_BLUE, "p"),
    "rhetoric_condemnation": MarkerStyle(GREY, "."),
}
DEFAULT_KIND_STYLE = MarkerStyle(GREY, "o")


def kind_style(kind: str) -> MarkerStyle:
    """The marker of one signal kind (a kind without its own: grey dots)."""
    return KIND_STYLES.get(kind, DEFAULT_KIND_STYLE)


def region_colors(codes: list[str] | tuple[str, ...]) -> dict[str, str]:
    """A colour per regional state, in the order given, distinct from the two governments'."""
    return {code: ACTOR_COLORS.get(code, _REGION_CYCLE[i % len(_REGION_CYCLE)]) for i, code in enumerate(codes)}


def actor_name(code: str) -> str:
    """An actor's name ("United States") from ``sim/data/actors.csv``; the code if unknown."""
    spec = load_vocabulary().actors.get(code)
    return spec.name if spec else code


def channel_name(code: str) -> str:
    """A channel's name in words ("senior military talks") from ``sim/data/channels.csv``."""
    spec = load_vocabulary().channels.get(code)
    return spec.label if spec and spec.label else code.replace("_", " ")


def kind_name(kind: str) -> str:
    """A signal kind in words ("military drill")."""
    return kind.replace("_", " ")


def actor_words(code: str) -> tuple[str, str]:
    """An actor inside a sentence and as a modifier (``("the United States", "US")``), from
    ``sim/data/actors.csv``; the code itself, twice, if it is unknown."""
    spec = load_vocabulary().actors.get(code)
    if spec is None:
        return code, code
    noun = spec.noun or spec.name
    return noun, spec.adjective or noun


def fill(template: str, kind: str, receiver: str, channel: str | None) -> str:
    """A kind's ``verb`` or ``noun`` template (``sim/data/signal_kinds.csv``) filled with the receiver
    and the channel in words (``"talks"`` when the signal concerns none)."""
    noun, adjective = actor_words(receiver)
    words = channel_name(channel) if isinstance(channel, str) and channel else "talks"
    return template.format(receiver=noun, receiver_adjective=adjective, channel=words, kind=kind_name(kind))


def event_name(kind: str, sender: str, receiver: str, channel: str | None = None) -> str:
    """A signal named in words: the sender's adjective and the kind's noun ("US arms sale to Taiwan")."""
    spec = load_vocabulary().kinds.get(kind)
    return f"{actor_words(sender)[1]} {fill(spec.noun if spec and spec.noun else '{kind}', kind, receiver, channel)}"


# Kinds the rules decide that KIND_STYLES leaves grey: their own colour and shape in the tension figure.
KIND_STYLES.update({
    "economic_cooperation": MarkerStyle(BLUISH_GREEN, "d"),
    "working_group": MarkerStyle(SKY_BLUE, "h"),
    "ease_restrictions": MarkerStyle(SKY_BLUE, "o"),
    "symbolic_contact": MarkerStyle(BLUE, "o"),
    "apology": MarkerStyle(BLUISH_GREEN, "*"),
})
