"""Name inventories and value samplers for the synthetic news corpus.

Names are composed from parts (first name x surname, stem x suffix), giving tens of thousands
of people, places and organisations, so that an entity rarely repeats across documents and a
model must copy names from the document instead of memorising them.
"""

from __future__ import annotations

import random
from functools import lru_cache

FIRST_NAMES = """
Aaron Abigail Adrian Aisha Alan Alberto Alice Amara Amir Ana Andrea Angus Anika Anton Arjun
Astrid Barnaby Beatrice Bilal Bruno Caleb Camille Carla Carlos Cecile Chen Chiara Colin Cormac
Dalia Damien Daniela Darius Declan Delphine Dmitri Eamon Edith Elena Elif Emeka Emil Esther
Fatima Felix Fergus Fiona Florian Freya Gareth Gemma Gideon Greta Gustavo Hamza Hana Hector
Helga Hugo Idris Imogen Ines Ingrid Isaac Ivan Jakub Jamal Janek Jasmine Joaquin Jonas Josef
Kaito Karim Katya Keira Kenji Kofi Lars Leila Lena Leon Lorenzo Lucia Magnus Maira Malik Marek
Marta Mateo Maya Milan Miriam Nadia Naveen Nina Niamh Noor Olga Omar Oskar Pablo Paloma Petra
Priya Quentin Rafael Rania Rashid Renata Rhys Rosa Rufus Sade Samir Sanna Sergei Shauna Silas
Sofia Stellan Sunil Tamsin Tariq Teodor Thea Tobias Tomas Ursula Valentin Vera Viktor Wanjiru
Wilhelm Xavier Yara Yusuf Zainab Zofia Zoran
""".split()

SURNAMES = """
Abbott Achebe Adeyemi Alvarez Amsel Andersen Arkwright Ashdown Baptiste Barlow Becker Bellamy
Bergstrom Blackwood Bonnet Bramley Brennan Calloway Carvalho Castellano Chadwick Chowdhury
Cosgrove Crawley Dalgleish Delacroix Desai Dimitrov Dunmore Eastwood Ekwueme Engel Falconer
Farrow Fenwick Ferreira Fitzroy Forsyth Galloway Garrido Goldberg Greaves Haddad Hallam Hargreave
Hartigan Hashemi Holloway Horvath Huxley Ibsen Iqbal Jablonski Jansen Kader Kavanagh Keane
Kowalski Kruger Lachance Langford Larsson Lindqvist Lockhart Lombardi Lowry Macleod Madsen
Malone Marchetti Mbeki Mendoza Merriman Moreau Mulligan Nakamura Navarro Nkemelu Novak Nyberg
Oakley Obi Okafor Olsen Ortega Osei Pacheco Pemberton Petrov Pinsent Quaid Quigley Radcliffe
Ramos Ravenscroft Reyes Rinaldi Rookwood Rosen Sadler Salgado Santoro Schofield Sedgwick Shah
Silva Sinclair Soto Stanek Strand Sutherland Takahashi Tanaka Thornbury Tolland Trent Ulrich
Valdez Vance Varga Vasquez Voss Wakefield Walcott Weller Whitlock Winslow Wojcik Yamada Yilmaz
Zamora Zeller
""".split()

PLACE_STEMS = """
Ash Bal Bram Brook Cal Carr Clay Cold Dun Elm Fair Fern Glen Gold Hal Hart Haw High Kel King
Lang Lark Lind Mar Mill Moor Nor Oak Pen Red Ren Rock Ros Sal Shel Stan Stone Thorn Wal West
Whit Wick Wil Wood Yar
""".split()

PLACE_SUFFIXES = """
bury borough bridge brook by caster combe dale den field ford gate ham haven hurst ley lington
mere minster mouth ridge stead ston thorpe ton wick worth
""".split()

CLUB_SUFFIXES = "United,Rovers,City,Athletic,Town,Wanderers,Albion,Rangers".split(",")

COMPANY_STEMS = """
Aster Axion Beacon Bluefin Brightwater Cinder Clearpath Copperline Corvid Crestmark Datura
Everline Falconry Fieldstone Flintlock Foxglove Glasswing Granite Halcyon Harbourline Helix
Ironbark Juniper Kestrel Keystone Lanternfish Larchwood Lumen Meridian Mosswood Nimbus Northwind
Oakhaven Obsidian Orchid Palisade Pinecrest Quarry Quillon Redstart Riverbend Saltmarsh Sable
Silverleaf Skylark Sparrowhawk Starling Stillwater Sundial Tamarind Thistle Tidewater Torchlight
Umber Verdant Vireo Waymark Willowby Wintergreen Zephyr
""".split()

COMPANY_SUFFIXES = """
Holdings,Systems,Labs,Group,Foods,Motors,Energy,Analytics,Pharma,Logistics,Media,Robotics,
Textiles,Airways,Foundry,Software
""".replace("\n", "").split(",")

PARTY_NAMES = """
Progress Party,Unity Alliance,Green Front,Civic Union,Liberal League,Labour Movement,
Heritage Party,Reform Bloc,People's Coalition,Democratic Forum,Rural Alliance,New Centre
""".replace("\n", "").split(",")

PRODUCTS = """
phone,tablet,electric car,smartwatch,drone,laptop,e-bike,headset,robot vacuum,camera,
games console,heat pump
""".replace("\n", "").split(",")

AWARDS = """
Golden Quill,Silver Lens,Harrow Prize,Meridian Medal,Northern Star award,Beacon Prize,
Lighthouse award,Crown Laurel
""".replace("\n", "").split(",")

MONTHS = """January February March April May June July August September October November
December""".split()

ENTITY_TYPES = ("person", "org", "place", "date", "number", "money", "thing")


def person(rng: random.Random) -> str:
    """Return a full name, first name and surname."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def place(rng: random.Random) -> str:
    """Return a town name composed of a stem and a suffix, such as 'Ashbury'."""
    return rng.choice(PLACE_STEMS) + rng.choice(PLACE_SUFFIXES)


def club(rng: random.Random) -> str:
    """Return a sports club named after a town, such as 'Ashbury Rovers'."""
    return f"{place(rng)} {rng.choice(CLUB_SUFFIXES)}"


def company(rng: random.Random) -> str:
    """Return a company name, such as 'Kestrel Analytics'."""
    return f"{rng.choice(COMPANY_STEMS)} {rng.choice(COMPANY_SUFFIXES)}"


def party(rng: random.Random) -> str:
    """Return a political party name."""
    return rng.choice(PARTY_NAMES)


def date(rng: random.Random) -> str:
    """Return a day and month, such as '12 March'."""
    return f"{rng.randint(1, 28)} {rng.choice(MONTHS)}"


def score(rng: random.Random) -> str:
    """Return a match score with the winner's goals first, such as '3-1'."""
    winner = rng.randint(1, 5)
    return f"{winner}-{rng.randint(0, winner - 1)}"


def money(rng: random.Random) -> str:
    """Return a sum of money in millions, such as '£4.5m'."""
    return f"£{rng.randint(2, 95)}.{rng.randint(1, 9)}m"


def count(rng: random.Random) -> str:
    """Return a count written with a thousands separator, such as '12,400'."""
    return f"{rng.randint(2, 60)},{rng.randint(0, 9)}00"


def age(rng: random.Random) -> str:
    """Return an age in years, 19-78."""
    return str(rng.randint(19, 78))


def years(rng: random.Random) -> str:
    """Return a prison sentence in years, 2-14."""
    return str(rng.randint(2, 14))


def percent(rng: random.Random) -> str:
    """Return a vote share in percent, such as '52%'."""
    return f"{rng.randint(34, 71)}%"


def product(rng: random.Random) -> str:
    """Return a kind of product."""
    return rng.choice(PRODUCTS)


def award(rng: random.Random) -> str:
    """Return the name of a prize."""
    return rng.choice(AWARDS)


# A sampler per value kind; each kind maps to one entity type used for swaps and by the oracle.
SAMPLERS = {
    "person": (person, "person"),
    "place": (place, "place"),
    "club": (club, "org"),
    "company": (company, "org"),
    "party": (party, "org"),
    "date": (date, "date"),
    "score": (score, "number"),
    "money": (money, "money"),
    "count": (count, "number"),
    "age": (age, "number"),
    "years": (years, "number"),
    "percent": (percent, "number"),
    "product": (product, "thing"),
    "award": (award, "thing"),
}


def sample(kind: str, rng: random.Random, used: list[str]) -> str:
    """Return a value of ``kind`` that neither contains nor is contained in a ``used`` value
    (case-insensitive), and append it to ``used``."""
    draw, _ = SAMPLERS[kind]
    for _ in range(200):
        value = draw(rng)
        low = value.lower()
        if not any(low in u.lower() or u.lower() in low for u in used):
            used.append(value)
            return value
    raise RuntimeError(f"could not sample a fresh {kind!r} value")


@lru_cache(maxsize=None)
def name_words() -> frozenset[str]:
    """Every word (lower case) that is part of some name of the inventories."""
    parts = FIRST_NAMES + SURNAMES + CLUB_SUFFIXES + COMPANY_STEMS + COMPANY_SUFFIXES
    phrases = PARTY_NAMES + AWARDS + PRODUCTS
    return frozenset(w.lower() for w in parts + [w for p in phrases for w in p.split()])


def entity_type(kind: str) -> str:
    """Return the entity type (person, org, place, date, number, money, thing) of a kind."""
    return SAMPLERS[kind][1]


def name_type(name: str) -> str | None:
    """The world's named-entity tagger: ``person``, ``org``, ``place`` or ``thing`` for a name
    the inventories could have made, else ``None`` (the part spaCy's NER plays on real text)."""
    words = name.split()
    if len(words) == 2 and words[0] in FIRST_NAMES and words[1] in SURNAMES:
        return "person"
    if name in PARTY_NAMES or (len(words) == 2 and words[1] in CLUB_SUFFIXES + COMPANY_SUFFIXES):
        return "org"
    if name in AWARDS or name.lower() in PRODUCTS:
        return "thing"
    if len(words) == 1 and any(name.startswith(s) and name[len(s):] in PLACE_SUFFIXES
                               for s in PLACE_STEMS):
        return "place"
    return None
