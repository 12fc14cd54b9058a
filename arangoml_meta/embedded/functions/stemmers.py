"""The Snowball English (Porter2) and German stemmers, for TOKENS' ``text_en`` and ``text_de``.

Written from the Snowball algorithm descriptions (snowballstem.org): regions R1/R2, the
step-by-step suffix removal, English's exceptional forms and German's umlaut handling.
Each stemmer takes one lower-cased word and returns its stem.
"""

from __future__ import annotations

from typing import Any


def _by_length(suffixes: Any) -> tuple[str, ...]:
    """Suffixes longest first, as Snowball's ``among`` tries them."""
    return tuple(sorted(suffixes, key=len, reverse=True))


def _longest_suffix(word: str, suffixes: tuple[str, ...]) -> str | None:
    return next((suffix for suffix in suffixes if word.endswith(suffix)), None)


_EN_VOWELS = frozenset("aeiouy")
_EN_DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
_EN_EXCEPTIONS = {
    "skis": "ski",
    "skies": "sky",
    "dying": "die",
    "lying": "lie",
    "tying": "tie",
    "idly": "idl",
    "gently": "gentl",
    "ugly": "ugli",
    "early": "earli",
    "only": "onli",
    "singly": "singl",
    **{w: w for w in ("sky", "news", "howe", "atlas", "cosmos", "bias", "andes")},
}
_EN_INVARIANT_AFTER_1A = frozenset(
    ("inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed")
)
_EN_STEP2 = {
    "tional": "tion",
    "enci": "ence",
    "anci": "ance",
    "abli": "able",
    "entli": "ent",
    "izer": "ize",
    "ization": "ize",
    "ational": "ate",
    "ation": "ate",
    "ator": "ate",
    "alism": "al",
    "aliti": "al",
    "alli": "al",
    "fulness": "ful",
    "ousli": "ous",
    "ousness": "ous",
    "iveness": "ive",
    "iviti": "ive",
    "biliti": "ble",
    "bli": "ble",
    "ogi": "og",
    "fulli": "ful",
    "lessli": "less",
    "li": "",
}
_EN_STEP3 = {
    "tional": "tion",
    "ational": "ate",
    "alize": "al",
    "icate": "ic",
    "iciti": "ic",
    "ical": "ic",
    "ful": "",
    "ness": "",
    "ative": "",
}
_EN_STEP4 = _by_length(
    (
        *("al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment"),
        *("ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion"),
    )
)
_EN_STEP1B = _by_length(("eed", "eedly", "ed", "edly", "ing", "ingly"))
_EN_STEP2_SUFFIXES = _by_length(_EN_STEP2)
_EN_STEP3_SUFFIXES = _by_length(_EN_STEP3)
_DE_STEP1 = _by_length(("em", "ern", "er", "e", "en", "es", "s"))
_DE_STEP2 = _by_length(("en", "er", "est", "st"))
_DE_STEP3 = _by_length(("end", "ung", "ig", "ik", "isch", "lich", "heit", "keit"))
_DE_STEP3_INNER = _by_length(("lich", "ig"))


def _region(word: str, start: int, vowels: frozenset[str]) -> int:
    """Snowball's ``gopast v gopast non-v`` from ``start``: where R1/R2 begins."""
    i = start
    while i < len(word) and word[i] not in vowels:
        i += 1
    i += 1
    while i < len(word) and word[i] in vowels:
        i += 1
    return min(i + 1, len(word))


def _en_short_syllable(word: str) -> bool:
    v = _EN_VOWELS
    if (
        len(word) >= 3
        and word[-1] not in v
        and word[-1] not in "wxY"
        and word[-2] in v
        and word[-3] not in v
    ):
        return True
    return len(word) == 2 and word[0] in v and word[1] not in v


def _en_prepare(word: str) -> tuple[str, int, int]:
    if word.startswith("'"):
        word = word[1:]
    chars = list(word)
    for i, ch in enumerate(chars):
        if ch == "y" and (i == 0 or chars[i - 1] in _EN_VOWELS):
            chars[i] = "Y"
    word = "".join(chars)
    prefix = next((p for p in ("gener", "commun", "arsen") if word.startswith(p)), None)
    r1 = len(prefix) if prefix else _region(word, 0, _EN_VOWELS)
    return word, r1, _region(word, r1, _EN_VOWELS)


def _en_step1(word: str, r1: int) -> str | None:
    """Steps 0, 1a, 1b and 1c; None when the word is one of the post-1a invariants."""
    for apostrophe in ("'s'", "'s", "'"):
        if word.endswith(apostrophe):
            word = word[: -len(apostrophe)]
            break
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith(("ied", "ies")):
        word = word[:-2] if len(word) >= 5 else word[:-1]
    elif word.endswith(("us", "ss")):
        pass
    elif word.endswith("s") and any(ch in _EN_VOWELS for ch in word[:-2]):
        word = word[:-1]
    if word in _EN_INVARIANT_AFTER_1A:
        return None
    suffix = _longest_suffix(word, _EN_STEP1B)
    if suffix in ("eed", "eedly"):
        if len(word) - len(suffix) >= r1:
            word = word[: -len(suffix)] + "ee"
    elif suffix and any(ch in _EN_VOWELS for ch in word[: -len(suffix)]):
        word = word[: -len(suffix)]
        if word.endswith(("at", "bl", "iz")):
            word += "e"
        elif word.endswith(_EN_DOUBLES):
            word = word[:-1]
        elif r1 >= len(word) and _en_short_syllable(word):
            word += "e"
    if len(word) > 2 and word[-1] in "yY" and word[-2] not in _EN_VOWELS:
        word = word[:-1] + "i"
    return word


def _en_step2_to_5(word: str, r1: int, r2: int) -> str:
    suffix = _longest_suffix(word, _EN_STEP2_SUFFIXES)
    if suffix and len(word) - len(suffix) >= r1:
        stem = word[: -len(suffix)]
        if suffix == "ogi":
            word = stem + "og" if stem.endswith("l") else word
        elif suffix == "li":
            word = stem if stem[-1:] and stem[-1] in "cdeghkmnrt" else word
        else:
            word = stem + _EN_STEP2[suffix]
    suffix = _longest_suffix(word, _EN_STEP3_SUFFIXES)
    if suffix and len(word) - len(suffix) >= (r2 if suffix == "ative" else r1):
        word = word[: -len(suffix)] + _EN_STEP3[suffix]
    suffix = _longest_suffix(word, _EN_STEP4)
    stem = word[: -len(suffix)] if suffix else word
    if suffix and len(stem) >= r2 and (suffix != "ion" or stem.endswith(("s", "t"))):
        word = stem
    if word.endswith("e"):
        stem = word[:-1]
        if len(stem) >= r2 or (len(stem) >= r1 and not _en_short_syllable(stem)):
            word = stem
    elif word.endswith("ll") and len(word) - 1 >= r2:
        word = word[:-1]
    return word


def stem_english(word: str) -> str:
    """The Snowball English (Porter2) stemmer."""
    if word in _EN_EXCEPTIONS:
        return _EN_EXCEPTIONS[word]
    if len(word) < 3:
        return word
    word, r1, r2 = _en_prepare(word)
    stemmed = _en_step1(word, r1)
    if stemmed is not None:
        word = _en_step2_to_5(stemmed, r1, r2)
    return word.replace("Y", "y")


_DE_VOWELS = frozenset("aeiouyäöü")
_DE_S_ENDING = frozenset("bdfghklmnrt")
_DE_ST_ENDING = frozenset("bdfghklmnt")


def _de_prepare(word: str) -> tuple[str, int, int]:
    chars = list(word.replace("ß", "ss"))
    for i in range(1, len(chars) - 1):
        if chars[i] in "uy" and chars[i - 1] in _DE_VOWELS and chars[i + 1] in _DE_VOWELS:
            chars[i] = chars[i].upper()
    word = "".join(chars)
    p1 = _region(word, 0, _DE_VOWELS)
    p2 = _region(word, p1, _DE_VOWELS)
    return word, max(p1, 3), p2


def _de_step1_2(word: str, p1: int) -> str:
    suffix = _longest_suffix(word, _DE_STEP1)
    if suffix and len(word) - len(suffix) >= p1:
        if suffix in ("em", "ern", "er"):
            word = word[: -len(suffix)]
        elif suffix in ("e", "en", "es"):
            word = word[: -len(suffix)]
            if word.endswith("niss"):
                word = word[:-1]
        elif len(word) >= 2 and word[-2] in _DE_S_ENDING:
            word = word[:-1]
    suffix = _longest_suffix(word, _DE_STEP2)
    if suffix and len(word) - len(suffix) >= p1:
        if suffix != "st":
            word = word[: -len(suffix)]
        elif len(word) >= 6 and word[-3] in _DE_ST_ENDING:
            word = word[:-2]
    return word


def _de_step3(word: str, p1: int, p2: int) -> str:
    suffix = _longest_suffix(word, _DE_STEP3)
    if not suffix or len(word) - len(suffix) < p2:
        return word
    stem = word[: -len(suffix)]
    if suffix in ("end", "ung"):
        if stem.endswith("ig") and not stem.endswith("eig") and len(stem) - 2 >= p2:
            stem = stem[:-2]
        return stem
    if suffix in ("ig", "ik", "isch"):
        return word if stem.endswith("e") else stem
    if suffix in ("lich", "heit"):
        if stem.endswith(("er", "en")) and len(stem) - 2 >= p1:
            stem = stem[:-2]
        return stem
    inner = _longest_suffix(stem, _DE_STEP3_INNER)
    if inner and len(stem) - len(inner) >= p2:
        stem = stem[: -len(inner)]
    return stem


def stem_german(word: str) -> str:
    """The Snowball German stemmer."""
    word, p1, p2 = _de_prepare(word)
    word = _de_step3(_de_step1_2(word, p1), p1, p2)
    return word.translate(str.maketrans("UYäöü", "uyaou"))
