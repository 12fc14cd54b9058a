"""The built-in ArangoSearch Analyzers TOKENS() knows: ``identity`` and ``text_<lang>``.

A text Analyzer removes accents, lower-cases, splits words by a UAX #29-like rule (each
CJK ideograph its own token) and, for English and German, stems them (``stemmers.py``).
Numbers, booleans and null become ArangoSearch's base64-encoded terms; arrays are
tokenized element-wise. :func:`find_analyzer` finds an Analyzer by name, :func:`tokens_of`
applies one to an AQL value.
"""

from __future__ import annotations

import base64
import re
import struct
import unicodedata
from collections.abc import Callable
from typing import Any

from ...errors import ERROR_BAD_PARAMETER, error_for
from .stemmers import stem_english, stem_german

_STEMMERS: dict[str, Callable[[str], str]] = {"en": stem_english, "de": stem_german}
_TEXT_ANALYZERS = ("de", "en", "es", "fi", "fr", "it", "nl", "no", "pt", "ru", "sv", "zh")
_MID_LETTER = ":\u00b7\u0387\u05f4\u2027\ufe13\ufe55\uff1a.'\u2018\u2019\u2024\ufe52\uff07\uff0e"
_MID_NUMBER = ",;\u037e\u0589\u060c\u060d\u066c\u07f8\u2044\ufe10\ufe14\ufe50\ufe54\uff0c\uff1b.'\u2018\u2019\u2024\ufe52\uff07\uff0e"
_WORD_RE = re.compile(
    r"\w+(?:(?:(?<=[^\W\d_])[" + re.escape(_MID_LETTER) + r"](?=[^\W\d_])"
    r"|(?<=\d)[" + re.escape(_MID_NUMBER) + r"](?=\d))\w+)*"
)
_IDEOGRAPHIC = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_IDEOGRAPH_SPLIT_RE = re.compile(f"[{_IDEOGRAPHIC}]|[^{_IDEOGRAPHIC}]+")


def _fold_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def _text_tokens(text: str, language: str) -> list[str]:
    stem = _STEMMERS.get(language)
    tokens: list[str] = []
    for match in _WORD_RE.finditer(_fold_accents(text).lower()):
        word = match.group()
        if not any(ch.isalnum() for ch in word):
            continue
        for piece in _IDEOGRAPH_SPLIT_RE.findall(word):
            tokens.append(stem(piece) if stem else piece)
    return tokens


def _numeric_tokens(value: float) -> list[str]:
    """iresearch's numeric_token_stream terms of a double (precision step 16), base64."""
    bits = struct.unpack(">q", struct.pack(">d", float(value)))[0]
    if bits < 0:
        bits ^= 0x7FFFFFFFFFFFFFFF
    encoded = (bits & 0xFFFFFFFFFFFFFFFF) ^ (1 << 63)
    tokens = []
    for shift in (0, 16, 32, 48):
        masked = encoded & (0xFFFFFFFFFFFFFFFF ^ ((1 << shift) - 1))
        size = 1 + (63 - shift) // 8
        term = bytes([0xA0 + shift]) + masked.to_bytes(8, "big")[:size]
        tokens.append(base64.b64encode(term).decode("ascii"))
    return tokens


def find_analyzer(name: str) -> Callable[[str], list[str]] | None:
    bare = name.rpartition("::")[2]
    if bare == "identity":
        return lambda text: [text]
    if bare.startswith("text_") and bare[5:] in _TEXT_ANALYZERS:
        language = bare[5:]
        return lambda text: _text_tokens(text, language)
    return None


def tokens_of(value: Any, analyze: Callable[[str], list[str]]) -> list[Any]:
    t = type(value)
    if t is str:
        return list(analyze(value))
    if t is list:
        return [tokens_of(v, analyze) for v in value] if value else [[]]
    if value is None:
        return [""]
    if t is bool:
        return ["/w==" if value else "AA=="]
    if t is int or t is float:
        return _numeric_tokens(value)
    raise error_for(
        ERROR_BAD_PARAMETER,
        "unexpected parameter type 'object' while computing result for function 'TOKENS'",
    )
