"""E-mail addresses that imitate others: normalisation, mixed scripts and look-alike domains (SPEC 20).

``acme.test`` written with a Cyrillic ``а`` is another domain that reads the same: an address there would become
a new member who looks like a colleague. Addresses are normalised (NFKC, so full-width letters become plain
ones; lower case). A domain that mixes alphabets is refused, and so is a non-ASCII domain whose *skeleton*
(each letter replaced by the Latin letter it looks like, after Unicode's confusables, for the scripts that
imitate Latin) equals the skeleton of a domain already in use but is not that domain.
"""

# ruff: noqa: RUF001, RUF002  (the look-alike letters are the point)
from __future__ import annotations

import unicodedata

# The letters of Cyrillic, Greek and other scripts (and Latin variants) that read as a Latin letter.
# A subset of Unicode's confusables.txt: the ones that fool a reader at a glance.
CONFUSABLES = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "с": "c",
    "ԁ": "d",
    "е": "e",
    "ё": "e",
    "һ": "h",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "к": "k",
    "ӏ": "l",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "ԛ": "q",
    "г": "r",
    "ѕ": "s",
    "т": "t",
    "ц": "u",
    "ѵ": "v",
    "ԝ": "w",
    "х": "x",
    "у": "y",
    "ү": "y",
    "ʐ": "z",
    "ɡ": "g",
    # Greek
    "α": "a",
    "β": "b",
    "ϲ": "c",
    "ε": "e",
    "η": "n",
    "ι": "i",
    "κ": "k",
    "ν": "v",
    "ο": "o",
    "ρ": "p",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "γ": "y",
    "ω": "w",
    "ζ": "z",
    # Armenian, Latin variants
    "օ": "o",
    "ս": "u",
    "ց": "g",
    "ı": "i",
    "ȷ": "j",
    "ɩ": "i",
    "ɑ": "a",
    "ǀ": "l",
}
NEUTRAL = set("0123456789-.")


def normalise(address: str) -> str:
    """NFKC, stripped, lower case: ``Ａdmin@ACME.test `` is ``admin@acme.test``."""
    return unicodedata.normalize("NFKC", address or "").strip().lower()


def script_of(char: str) -> str:
    """The script of a letter, by the first word of its Unicode name (LATIN, CYRILLIC, GREEK...)."""
    if char in NEUTRAL or char.isascii():
        return "LATIN" if char.isalpha() else ""
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def scripts_of(text: str) -> set[str]:
    return {script for char in text if (script := script_of(char))}


def skeleton(text: str) -> str:
    """What the text looks like to a reader, in Latin letters (``аcme.test`` -> ``acme.test``)."""
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(CONFUSABLES.get(char, char) for char in plain)


def imitation_problem(domain: str, known_domains: set[str]) -> str | None:
    """Why ``domain`` may not be used (mixed alphabets, imitation of a known domain), or ``None``."""
    if domain.isascii():
        return None
    for label in domain.split("."):
        scripts = scripts_of(label)
        if len(scripts) > 1:
            names = " and ".join(sorted(script.title() for script in scripts))
            return f"mixes letters of different alphabets ({names})"
    look = skeleton(domain)
    for known in sorted(known_domains):
        if known != domain and skeleton(known) == look:
            return f"imitates {known} with look-alike letters"
    return None
