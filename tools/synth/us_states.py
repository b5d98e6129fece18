"""Approximate looks and formats of US plates, per state of issuance.

Each entry is a rough description of the common passenger designs of the 2000s-2010s
(colours, where the state name sits and how it is lettered, a slogan, the serial formats):
enough for a classifier to learn "red script name on white" vs "gold on dark blue", not a
faithful reproduction. Formats: L = letter, D = digit, X = either, other characters are
separators that are drawn but not part of the plate text.
"""
from __future__ import annotations

from dataclasses import dataclass, field

RGB = tuple[int, int, int]

WHITE: RGB = (246, 246, 242)
NAVY: RGB = (25, 35, 100)
BLACK: RGB = (20, 20, 20)
RED: RGB = (170, 25, 30)
MAROON: RGB = (110, 20, 30)
GREEN: RGB = (20, 90, 50)
BLUE: RGB = (30, 70, 160)


@dataclass
class StateLook:
    name: str  # as printed on the plate
    name_style: str = "sans"  # sans | serif | script | narrow
    name_ink: RGB = NAVY
    name_pos: str = "top"  # top | bottom
    slogan: str = ""
    slogan_pos: str = "bottom"
    slogan_ink: RGB = NAVY
    bg_top: RGB = WHITE
    bg_bottom: RGB = WHITE
    ink: tuple[RGB, ...] = (NAVY,)
    formats: tuple[str, ...] = ("LLL DDD",)
    band_top: RGB | None = None  # a solid colour band behind the top text
    band_bottom: RGB | None = None
    extras: tuple[str, ...] = field(default_factory=tuple)  # scene hints: mountains, sun, waves, stars


STATES: dict[str, StateLook] = {
    "al": StateLook("Alabama", "script", RED, "bottom", "Stars Fell On", "top", NAVY, WHITE, (235, 238, 245),
                    (MAROON, RED), ("DLDDDDL", "DDLDDDL", "LLLDDL", "DLDDDDD")),
    "ak": StateLook("ALASKA", "sans", NAVY, "top", "The Last Frontier", "bottom", NAVY, (245, 205, 40), (245, 205, 40),
                    (NAVY,), ("LLL DDD",)),
    "az": StateLook("ARIZONA", "sans", MAROON, "top", "Grand Canyon State", "bottom", MAROON, (245, 240, 225), (220, 140, 90),
                    (MAROON, GREEN), ("LLL DDDD", "DDL LLL"), extras=("sun", "mountains")),
    "ar": StateLook("Arkansas", "serif", NAVY, "top", "The Natural State", "bottom", NAVY, WHITE, (235, 235, 240),
                    (RED,), ("DDD LLL", "DDD DLL")),
    "ca": StateLook("California", "script", RED, "top", "", "bottom", NAVY, WHITE, WHITE,
                    (NAVY,), ("DLLLDDD", "DLLLDDD", "DLLDDDD")),
    "co": StateLook("COLORADO", "sans", (245, 245, 245), "top", "", "bottom", GREEN, (245, 245, 245), (40, 110, 60),
                    (GREEN, BLACK), ("LLL-DDD", "DDD-LLL", "LLL-LDD"), band_top=(40, 110, 60), extras=("mountains",)),
    "ct": StateLook("Connecticut", "serif", NAVY, "top", "Constitution State", "bottom", NAVY, (235, 240, 250), (170, 200, 235),
                    (NAVY,), ("DDD-LLL", "LLDDDDD", "DLLDDD")),
    "de": StateLook("DELAWARE", "sans", (225, 190, 90), "bottom", "THE FIRST STATE", "top", (225, 190, 90), (30, 50, 110),
                    (40, 60, 125), ((225, 190, 90),), ("DDDDDD", "LDDDDD", "DDDDDDD", "LLDDDD")),
    "dc": StateLook("DISTRICT OF COLUMBIA", "sans", RED, "top", "Taxation Without Representation", "bottom", BLUE,
                    WHITE, WHITE, (RED, BLUE), ("LL-DDDD", "LL DDDD")),
    "fl": StateLook("MYFLORIDA.COM", "sans", GREEN, "top", "SUNSHINE STATE", "bottom", GREEN, WHITE, (240, 240, 225),
                    (GREEN,), ("DDD LLL", "LLL LDD", "LDDLLL", "LLLL DD", "DLLLL"), extras=("orange",)),
    "ga": StateLook("GEORGIA", "sans", NAVY, "top", "", "bottom", NAVY, WHITE, (240, 230, 215),
                    (BLACK, NAVY), ("LLL DDDD", "LLL DDD", "DDDLLL"), extras=("peach",)),
    "hi": StateLook("HAWAII", "sans", BLACK, "bottom", "Aloha State", "bottom", BLACK, WHITE, WHITE,
                    (BLACK,), ("LLL DDD", "LLLDDD"), extras=("rainbow",)),
    "id": StateLook("IDAHO", "sans", RED, "top", "Famous Potatoes", "bottom", RED, WHITE, (225, 235, 250),
                    (RED, NAVY), ("DL DDDDD", "DL DDDD", "DLL DDD"), extras=("mountains",)),
    "il": StateLook("Illinois", "script", BLUE, "top", "Land of Lincoln", "bottom", BLACK, WHITE, (238, 238, 238),
                    (MAROON, RED), ("LDD DDDD", "LL DDDDD", "LLL DDD", "DDDDDDD")),
    "in": StateLook("INDIANA", "sans", NAVY, "top", "In God We Trust", "bottom", NAVY, WHITE, (215, 225, 245),
                    (NAVY, BLACK), ("DDDL", "DDDLLL", "DDDLL")),
    "ia": StateLook("IOWA", "sans", NAVY, "top", "", "bottom", NAVY, WHITE, (220, 230, 215),
                    (BLACK,), ("LLL DDD", "DDD LLL"), extras=("fields",)),
    "ks": StateLook("KANSAS", "sans", NAVY, "top", "", "bottom", NAVY, (225, 235, 250), WHITE,
                    (NAVY,), ("DDD LLL", "DDD LDL")),
    "ky": StateLook("Kentucky", "script", NAVY, "top", "Unbridled Spirit", "bottom", NAVY, WHITE, (225, 235, 250),
                    (BLACK,), ("DDD LLL", "DDDLLL")),
    "la": StateLook("Louisiana", "script", RED, "top", "SPORTSMAN'S PARADISE", "bottom", BLUE, WHITE, (225, 235, 250),
                    (BLUE, NAVY), ("LDDDDDD", "DDD LLL", "LLL DDD")),
    "me": StateLook("MAINE", "sans", NAVY, "top", "VACATIONLAND", "bottom", NAVY, WHITE, (245, 245, 235),
                    (BLACK,), ("DDDD LL", "DDDDLL", "DDD LLL")),
    "md": StateLook("Maryland", "serif", BLACK, "top", "", "bottom", BLACK, WHITE, WHITE,
                    (BLACK,), ("DLLDDDD", "DLL DDDD", "DDLDDDD")),
    "ma": StateLook("Massachusetts", "serif", RED, "top", "The Spirit of America", "bottom", RED, WHITE, WHITE,
                    (RED, MAROON), ("DLL DDD", "DDD LL D", "DDLLDD", "DLLDDD")),
    "mi": StateLook("Michigan", "script", NAVY, "bottom", "Pure Michigan", "bottom", NAVY, WHITE, (220, 230, 245),
                    (NAVY, BLACK), ("LLL DDDD", "DLLLDD", "LLL DDD")),
    "mn": StateLook("Minnesota", "script", NAVY, "top", "10,000 lakes", "bottom", NAVY, WHITE, (215, 230, 245),
                    (NAVY,), ("DDD LLL", "LLL DDD", "DDD-LLL")),
    "ms": StateLook("MISSISSIPPI", "serif", GREEN, "top", "", "bottom", GREEN, WHITE, (235, 240, 230),
                    (BLACK, GREEN), ("LLL DDD", "LDDDD", "LLDDDDD")),
    "mo": StateLook("MISSOURI", "sans", GREEN, "top", "SHOW-ME STATE", "bottom", NAVY, WHITE, (200, 220, 245),
                    (NAVY,), ("LLD LDL", "DDD LLL", "LL D LDL")),
    "mt": StateLook("MONTANA", "sans", WHITE, "bottom", "", "top", WHITE, (40, 60, 120), (90, 130, 190),
                    (WHITE, BLACK), ("D-DDDDDL", "DD-DDDDL", "DDDDDDL")),
    "ne": StateLook("Nebraska", "script", RED, "top", "", "bottom", NAVY, WHITE, (240, 235, 225),
                    (BLUE, NAVY), ("LLL DDD", "DDD LLL", "D-LDDDD")),
    "nv": StateLook("NEVADA", "sans", NAVY, "top", "", "bottom", NAVY, (200, 220, 245), (235, 210, 180),
                    (NAVY,), ("DDL DDD", "DDDLLL", "LLL DDD"), extras=("mountains",)),
    "nh": StateLook("New Hampshire", "serif", GREEN, "bottom", "LIVE FREE OR DIE", "top", GREEN, (235, 240, 245), WHITE,
                    (GREEN,), ("DDDDDDD", "DLDDD", "DDD DDDD"), extras=("mountains",)),
    "nj": StateLook("New Jersey", "serif", BLACK, "top", "Garden State", "bottom", BLACK, (245, 240, 190), (220, 215, 150),
                    (BLACK,), ("LLL DDL", "LDDLLL", "LLL-DDL", "LDD-LLL")),
    "nm": StateLook("NEW MEXICO", "sans", RED, "bottom", "LAND OF ENCHANTMENT", "bottom", RED, (250, 215, 40), (250, 215, 40),
                    (RED,), ("LLL DDD", "DDD LLL", "LLL-DDD")),
    "ny": StateLook("NEW YORK", "sans", NAVY, "top", "EMPIRE STATE", "bottom", NAVY, (245, 215, 90), (245, 230, 150),
                    (NAVY,), ("LLL DDDD", "LLL-DDDD", "LLL DDD")),
    "nc": StateLook("NORTH CAROLINA", "sans", RED, "top", "FIRST IN FLIGHT", "bottom", NAVY, WHITE, (235, 235, 240),
                    (NAVY,), ("LLL DDDD", "LLL-DDDD", "LLL DDD")),
    "nd": StateLook("NORTH DAKOTA", "sans", WHITE, "bottom", "PEACE GARDEN STATE", "bottom", WHITE, (230, 235, 245), (230, 190, 120),
                    (BLACK,), ("LLL DDD", "DDD LLL"), band_bottom=(30, 40, 90)),
    "oh": StateLook("OHIO", "sans", NAVY, "top", "Birthplace of Aviation", "bottom", RED, WHITE, (230, 230, 240),
                    (NAVY, BLACK), ("LLL DDDD", "LLL DDD", "LL DDDDD")),
    "ok": StateLook("OKLAHOMA", "sans", NAVY, "top", "Native America", "bottom", NAVY, WHITE, (200, 225, 240),
                    (NAVY,), ("LLL DDD", "DDD LLL")),
    "or": StateLook("OREGON", "sans", NAVY, "top", "", "bottom", NAVY, (240, 235, 220), (225, 225, 235),
                    (NAVY, GREEN), ("DDD LLL", "LLL DDD", "DDD DLL"), extras=("tree",)),
    "pa": StateLook("PENNSYLVANIA", "sans", WHITE, "top", "visitPA.com", "bottom", NAVY, WHITE, WHITE,
                    (NAVY,), ("LLL-DDDD", "LLL DDDD"), band_top=(30, 50, 120), band_bottom=(240, 200, 40)),
    "ri": StateLook("Rhode Island", "serif", NAVY, "top", "Ocean State", "bottom", NAVY, WHITE, (205, 220, 240),
                    (NAVY,), ("LL-DDD", "DDD-DDD", "DDDDDD", "LL-DDDD"), extras=("waves",)),
    "sc": StateLook("SOUTH CAROLINA", "sans", NAVY, "top", "While I Breathe I Hope", "bottom", NAVY, WHITE, (235, 225, 210),
                    (BLACK, NAVY), ("LLL DDD", "DDD LLL"), extras=("tree",)),
    "sd": StateLook("SOUTH DAKOTA", "sans", NAVY, "top", "Great Faces. Great Places.", "bottom", NAVY, WHITE, (220, 230, 245),
                    (NAVY, BLUE), ("DLL DDD", "DL DDDD", "DDL DDD")),
    "tn": StateLook("Tennessee", "script", BLACK, "top", "", "bottom", BLACK, WHITE, (215, 235, 215),
                    (BLACK,), ("DDD LLL", "DDD-LLL", "LDD-DDL"), extras=("fields",)),
    "tx": StateLook("TEXAS", "sans", BLACK, "top", "The Lone Star State", "bottom", BLACK, WHITE, (238, 238, 238),
                    (BLACK,), ("LLL-DDDD", "LLL DDDD", "DLLLDDD", "LLD-DDDD")),
    "ut": StateLook("UTAH", "sans", NAVY, "top", "Life Elevated", "bottom", NAVY, WHITE, (235, 215, 200),
                    (BLACK, NAVY), ("LDDD LL", "DDD LLL", "LDDDL")),
    "vt": StateLook("VERMONT", "sans", WHITE, "top", "GREEN MOUNTAIN STATE", "bottom", WHITE, (25, 95, 55), (25, 95, 55),
                    ((245, 245, 245),), ("LLL DDD", "DDDLDDD", "LLL DDL")),
    "va": StateLook("VIRGINIA", "sans", NAVY, "top", "", "bottom", NAVY, WHITE, WHITE,
                    (NAVY,), ("LLL-DDDD", "LLL-DDD", "LLL DDDD")),
    "wa": StateLook("Washington", "script", RED, "top", "", "bottom", NAVY, WHITE, (225, 235, 245),
                    (NAVY,), ("LLL DDDD", "DDD LLL", "LLLDDDD"), extras=("mountains",)),
    "wv": StateLook("West Virginia", "serif", NAVY, "top", "Wild, Wonderful", "bottom", NAVY, WHITE, WHITE,
                    (NAVY,), ("DLDDDD", "DL DDDD", "DLL DDD", "LLL DDD"), band_top=(240, 200, 60), band_bottom=(30, 50, 120)),
    "wi": StateLook("WISCONSIN", "sans", BLACK, "top", "America's Dairyland", "bottom", RED, WHITE, (235, 235, 240),
                    (BLACK,), ("DDD-LLL", "LLL-DDDD", "LLL DDDD"), extras=("fields",)),
    "wy": StateLook("WYOMING", "sans", NAVY, "top", "", "bottom", NAVY, WHITE, (240, 230, 215),
                    (NAVY, MAROON), ("D-DDDDD", "DD-DDDDL", "DD DDDD", "D DDDDD")),
}

# Vanity plates: any 2-8 characters (7-8 are rare; real ones are mostly words).
VANITY_FORMATS = ("XXXX", "XXXXX", "XXXXXX", "XXXXXXX", "LLLLLL", "LLLLLLL", "XX", "XXX", "XXXXXXXX", "LLLLL")

STATE_CODES: tuple[str, ...] = tuple(sorted(STATES))
