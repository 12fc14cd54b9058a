"""AQL's string functions (ArangoDB 3.12 "String functions" page).

This module owns CHAR_LENGTH, CONCAT, CONCAT_SEPARATOR, CONTAINS, the hashes
(MD5, SHA1, SHA256, SHA512, CRC32, FNV64), the encoders (TO_BASE64, TO_HEX,
ENCODE_URI_COMPONENT, TO_CHAR), FIND_FIRST/FIND_LAST, the IPv4 helpers,
JSON_PARSE/JSON_STRINGIFY, LEFT/RIGHT/SUBSTRING/SUBSTRING_BYTES, LIKE, the
REGEX_* family, LOWER/UPPER, the TRIM family, LEVENSHTEIN_DISTANCE, the n-gram
similarities, RANDOM_TOKEN, REPEAT, SOUNDEX, SPLIT, STARTS_WITH, SUBSTITUTE,
TOKENS and UUID. (LENGTH, COUNT and REVERSE belong to the array family.)

Arguments are cast the way ArangoDB casts them: strings through
:func:`~..values.to_string` (null is ``""``, numbers print like JavaScript,
arrays and objects as JSON), integer arguments like ``AqlValue::toInt64``.
Positions and lengths count Unicode code points. Regular expressions use ICU
syntax in ArangoDB: ``regex_translation.py`` rewrites them (and LIKE patterns)
for Python's ``re``; TOKENS' Analyzers are in ``tokenizers.py`` and its stemmers
in ``stemmers.py``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import secrets
import struct
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from ...errors import (
    ERROR_BAD_PARAMETER,
    ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
    ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
    ERROR_QUERY_INVALID_REGEX,
    ERROR_RESOURCE_LIMIT,
    error_for,
)
from ..values import format_number, is_number, json_stringify, normalize_number, to_bool, to_string
from .arguments import ABSENT, INT64_MAX, INT64_MIN, warn
from .regex_translation import compile_icu, compile_like
from .registry import FunctionContext, aql_function, warn_invalid_argument
from .tokenizers import find_analyzer, tokens_of

_UINT32_MAX = 2**32 - 1
_REPEAT_LIMIT = 16 * 1024 * 1024
_RANDOM_TOKEN_MAX = 65536
_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


# --------------------------------------------------------------------------- helpers


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _from_utf8(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


def _clamp64(value: int) -> int:
    return max(INT64_MIN, min(INT64_MAX, value))


_LEADING_INT_RE = re.compile(r"[ \t\n\v\f\r]*([-+]?[0-9]+)")


def _to_int64(value: Any) -> int:
    """``AqlValue::toInt64``: truncated numbers, leading digits of strings, else 0."""
    t = type(value)
    if t is bool:
        return int(value)
    if t is int:
        return _clamp64(value)
    if t is float:
        if value != value:
            return 0
        if value in (float("inf"), float("-inf")):
            return INT64_MAX if value > 0 else INT64_MIN
        return _clamp64(int(value))
    if t is str:
        match = _LEADING_INT_RE.match(value)
        return _clamp64(int(match.group(1))) if match else 0
    if t is list and len(value) == 1:
        return _to_int64(value[0])
    return 0


def _to_int32(value: Any) -> int:
    """``static_cast<int32_t>(toInt64())``: wraps around like C++ does."""
    return ((_to_int64(value) + 2**31) % 2**32) - 2**31


def _optional_bool(value: Any) -> bool:
    return False if value is ABSENT else to_bool(value)


# --------------------------------------------------------------------------- concatenation


@aql_function("CONCAT", 1, None)
def concat(ctx: FunctionContext, *values: Any) -> str:
    """Concatenate the values cast to strings; nulls are skipped, one array is expanded."""
    if len(values) == 1 and type(values[0]) is list:
        values = tuple(values[0])
    return "".join(to_string(v) for v in values if v is not None)


@aql_function("CONCAT_SEPARATOR", 2, None)
def concat_separator(ctx: FunctionContext, separator: Any, *values: Any) -> str:
    """Join the values (or the members of a single array) with ``separator``; nulls skipped."""
    if len(values) == 1 and type(values[0]) is list:
        values = tuple(values[0])
    return to_string(separator).join(to_string(v) for v in values if v is not None)


@aql_function("CHAR_LENGTH", 1)
def char_length(ctx: FunctionContext, value: Any) -> int:
    """Characters of a string; arrays and objects count the bytes of their JSON (as ArangoDB does)."""
    t = type(value)
    if t is str:
        return len(value)
    if t is list or t is dict:
        return len(_utf8(json_stringify(value)))
    if value is None:
        return 0
    if t is bool:
        return 4 if value else 5
    return len(format_number(value))


# --------------------------------------------------------------------------- case and trimming


@aql_function("LOWER", 1)
def lower(ctx: FunctionContext, value: Any) -> str:
    """The string with all upper-case letters converted to lower case."""
    return to_string(value).lower()


@aql_function("UPPER", 1)
def upper(ctx: FunctionContext, value: Any) -> str:
    """The string with all lower-case letters converted to upper case."""
    return to_string(value).upper()


_DEFAULT_TRIM = "\r\n\t "


def _trim(text: str, chars: str, left: bool, right: bool) -> str:
    if left:
        text = text.lstrip(chars) if chars else text
    if right:
        text = text.rstrip(chars) if chars else text
    return text


@aql_function("TRIM", 1, 2)
def trim(ctx: FunctionContext, value: Any, how: Any = ABSENT) -> str:
    """Strip whitespace (or the characters ``how``) from both ends; numeric ``how`` 1/2 = left/right only."""
    text = to_string(value)
    chars = _DEFAULT_TRIM
    mode = 0
    if is_number(how):
        mode = _to_int64(how)
        if mode < 0 or mode > 2:
            mode = 0
    elif type(how) is str:
        chars = how
    return _trim(text, chars, mode in (0, 1), mode in (0, 2))


@aql_function("LTRIM", 1, 2)
def ltrim(ctx: FunctionContext, value: Any, chars: Any = ABSENT) -> str:
    """Strip whitespace (or ``chars``, cast to a string) from the start."""
    strip = _DEFAULT_TRIM if chars is ABSENT else to_string(chars)
    return _trim(to_string(value), strip, True, False)


@aql_function("RTRIM", 1, 2)
def rtrim(ctx: FunctionContext, value: Any, chars: Any = ABSENT) -> str:
    """Strip whitespace (or ``chars``, cast to a string) from the end."""
    strip = _DEFAULT_TRIM if chars is ABSENT else to_string(chars)
    return _trim(to_string(value), strip, False, True)


# --------------------------------------------------------------------------- substrings


@aql_function("LEFT", 2)
def left(ctx: FunctionContext, value: Any, n: Any) -> str:
    """The first ``n`` characters (none for a negative ``n``)."""
    count = _to_int32(n)
    return to_string(value)[: max(count, 0)]


@aql_function("RIGHT", 2)
def right(ctx: FunctionContext, value: Any, n: Any) -> str:
    """The last ``n`` characters (none for a negative ``n``)."""
    text = to_string(value)
    count = _to_int32(n)
    if count == -(2**31):
        return text
    if count <= 0:
        return ""
    return text[-count:]


@aql_function("SUBSTRING", 2, 3)
def substring(ctx: FunctionContext, value: Any, offset: Any, length: Any = ABSENT) -> str:
    """``length`` characters from ``offset`` (negative offsets count from the end)."""
    text = to_string(value)
    start = _to_int32(offset)
    start = max(len(text) + start, 0) if start < 0 else min(start, len(text))
    if length is ABSENT:
        return text[start:]
    count = _to_int32(length)
    if count <= 0:
        return ""
    return text[start : start + count]


def _is_continuation(data: bytes, index: int) -> bool:
    return index < len(data) and (data[index] & 0xC0) == 0x80


def _shift_left(data: bytes, pos: int, chars: int) -> int:
    while chars > 0 and pos != 0:
        chars -= 0 if _is_continuation(data, pos) else 1
        pos -= 1
    while pos != 0 and _is_continuation(data, pos):
        pos -= 1
    return pos


def _shift_right(data: bytes, pos: int, chars: int) -> int:
    end = len(data)
    while chars > 0 and pos != end:
        chars -= 0 if _is_continuation(data, pos) else 1
        pos += 1
    while pos != end and _is_continuation(data, pos):
        pos += 1
    return pos


@aql_function("SUBSTRING_BYTES", 2, 5)
def substring_bytes(ctx: FunctionContext, value: Any, *args: Any) -> str | None:
    """A substring by UTF-8 byte ``offset``/``length``, widened by ``left``/``right`` characters."""
    name = "SUBSTRING_BYTES"
    if type(value) is not str:
        warn(ctx, name, ERROR_BAD_PARAMETER, "bad parameter")
        return None
    data = _utf8(value)
    if not data:
        return ""
    size = len(data)
    offset = _to_int64(args[0])
    length = max(_to_int64(args[1]), 0) if len(args) > 1 else size
    extend_left = _to_int64(args[2]) if len(args) > 2 else 0
    extend_right = _to_int64(args[3]) if len(args) > 3 else extend_left
    offset = max(size + offset, 0) if offset < 0 else min(offset, size)
    begin = offset
    end = offset + min(length, size - offset)
    if _is_continuation(data, begin) or _is_continuation(data, end):
        warn(ctx, name, ERROR_BAD_PARAMETER, "bad parameter")
        return None
    begin = _shift_left(data, begin, extend_left)
    end = _shift_right(data, end, extend_right)
    return _from_utf8(data[begin:end])


# --------------------------------------------------------------------------- searching


@aql_function("CONTAINS", 2, 3)
def contains(ctx: FunctionContext, text: Any, search: Any, return_index: Any = ABSENT) -> Any:
    """Whether ``search`` occurs in ``text`` (or its character position, -1 if absent)."""
    haystack = to_string(text)
    needle = to_string(search)
    position = haystack.find(needle) if needle else -1
    if _optional_bool(return_index):
        return position
    return position != -1


def _occurrences(text: str, search: str) -> Iterator[int]:
    """Start positions of the non-overlapping occurrences of ``search`` (ICU StringSearch)."""
    pos = text.find(search)
    while pos != -1:
        yield pos
        pos = text.find(search, pos + len(search))


def _find_bounds(text: str, start: Any, end: Any) -> tuple[int, int, bool] | None:
    """``(start, maxEnd, endGiven)`` for FIND_FIRST/FIND_LAST, or None for a -1 result."""
    first = 0 if start is ABSENT else _to_int64(start)
    if first < 0:
        return None
    last = len(text)
    given = end is not ABSENT and end is not None
    if given:
        last = _to_int64(end)
        if last < first or last < 0:
            return None
    return first, last, given


@aql_function("FIND_FIRST", 2, 4)
def find_first(
    ctx: FunctionContext, text: Any, search: Any, start: Any = ABSENT, end: Any = ABSENT
) -> int:
    """Position of the first occurrence of ``search`` within ``[start, end]``, or -1."""
    haystack, needle = to_string(text), to_string(search)
    bounds = _find_bounds(haystack, start, end)
    if bounds is None:
        return -1
    first, last, _ = bounds
    if not needle:
        return first
    for pos in _occurrences(haystack, needle):
        if pos >= first and pos + len(needle) - 1 <= last:
            return pos
    return -1


@aql_function("FIND_LAST", 2, 4)
def find_last(
    ctx: FunctionContext, text: Any, search: Any, start: Any = ABSENT, end: Any = ABSENT
) -> int:
    """Position of the last occurrence of ``search`` within ``[start, end]``, or -1."""
    haystack, needle = to_string(text), to_string(search)
    bounds = _find_bounds(haystack, start, end)
    if bounds is None:
        return -1
    first, last, given = bounds
    if not needle:
        return last + 1 if given else last
    found = -1
    for pos in _occurrences(haystack, needle):
        if pos >= first and pos + len(needle) - 1 <= last:
            found = pos
    return found


@aql_function("STARTS_WITH", 2, 4)
def starts_with(
    ctx: FunctionContext, text: Any, prefixes: Any, min_match: Any = ABSENT, _limit: Any = ABSENT
) -> bool | None:
    """Whether ``text`` starts with ``prefixes`` (or with at least ``min_match`` of an array)."""
    name = "STARTS_WITH"
    if type(text) is not str:
        warn_invalid_argument(ctx, name)
        return None
    if type(prefixes) is str:
        return text.startswith(prefixes)
    if type(prefixes) is not list:
        warn_invalid_argument(ctx, name)
        return None
    wanted = 1
    if min_match is not ABSENT:
        if not is_number(min_match) or _to_int64(min_match) < 0:
            warn_invalid_argument(ctx, name)
            return None
        wanted = _to_int64(min_match)
    if wanted == 0:
        return True
    if wanted > len(prefixes):
        return False
    matched = 0
    for prefix in prefixes:
        if type(prefix) is not str:
            warn_invalid_argument(ctx, name)
            return None
        if text.startswith(prefix):
            matched += 1
            if matched == wanted:
                return True
    return False


# --------------------------------------------------------------------------- SUBSTITUTE

_DONE = -1


class _Substitution:
    """SUBSTITUTE's scan: the earliest match of any search string wins, ties to the first."""

    def __init__(self, text: str, searches: list[str]) -> None:
        self.text = text
        self.searches = searches

    def first(self, which: int) -> int:
        search = self.searches[which]
        return self.text.find(search) if search else 0

    def after(self, which: int, pos: int) -> int:
        """The next match once the match at ``pos`` was used."""
        search = self.searches[which]
        if not search:
            return pos + 1 if pos < len(self.text) else _DONE
        return self.text.find(search, pos + len(search))

    def following(self, which: int, pos: int) -> int:
        search = self.searches[which]
        if not search:
            return pos
        if pos >= len(self.text):
            return _DONE
        return self.text.find(search, pos)

    def run(self, replaces: list[str], plain: bool, limit: int) -> str:
        text = self.text
        positions = [self.first(i) for i in range(len(self.searches))]
        out: list[str] = []
        last = 0
        count = 0
        while limit == -1 or count < limit:
            candidates = [(pos, i) for i, pos in enumerate(positions) if pos != _DONE]
            if not candidates:
                break
            pos, which = min(candidates)
            out.append(text[last:pos])
            if which < len(replaces):
                out.append(replaces[which])
            elif plain:
                out.append(replaces[0])
            last = pos + len(self.searches[which])
            positions[which] = self.after(which, pos)
            for i, other in enumerate(positions):
                if other != _DONE and other < last:
                    positions[i] = self.following(i, last)
            count += 1
        out.append(text[last:])
        return "".join(out)


def _replacement_list(value: Any) -> list[str] | None:
    out: list[str] = []
    for item in value:
        if item is None:
            out.append("")
        elif type(item) is str:
            out.append(item)
        else:
            return None
    return out


@aql_function("SUBSTITUTE", 2, 4)
def substitute(ctx: FunctionContext, value: Any, search: Any, *rest: Any) -> str | None:
    """Replace occurrences of ``search`` (string, array or mapping object) in ``value``."""
    name = "SUBSTITUTE"
    limit = -1
    plain = False
    if type(search) is dict:
        if len(rest) > 1:
            warn(
                ctx,
                name,
                ERROR_QUERY_FUNCTION_ARGUMENT_NUMBER_MISMATCH,
                "invalid number of arguments",
            )
            return None
        if rest:
            limit = _to_int64(rest[0])
        searches = list(search.keys())
        replaces = _replacement_list(search.values())
        if replaces is None:
            warn_invalid_argument(ctx, name)
            return None
    else:
        if len(rest) > 1:
            limit = _to_int64(rest[1])
        if type(search) is list:
            if any(type(s) is not str for s in search):
                warn_invalid_argument(ctx, name)
                return None
            searches = list(search)
        elif type(search) is str:
            searches = [search]
        else:
            warn_invalid_argument(ctx, name)
            return None
        replaces = []
        if rest:
            replace = rest[0]
            if type(replace) is list:
                listed = _replacement_list(replace)
                if listed is None:
                    warn_invalid_argument(ctx, name)
                    return None
                replaces = listed
            elif type(replace) is str:
                replaces, plain = [replace], True
            else:
                warn_invalid_argument(ctx, name)
                return None
    text = to_string(value)
    if limit == 0 or not searches:
        return text
    return _Substitution(text, searches).run(replaces, plain, limit)


# --------------------------------------------------------------------------- hashes and encodings


def _hex_upper(number: int) -> str:
    return format(number, "X")


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()
# bytes a checksum loop reads between two looks at the query's deadline (~10 ms)
_CHECKED_BYTES = 1 << 16


def _chunks(data: bytes, checkpoint: Callable[[], None]) -> Iterator[bytes]:
    """``data`` in pieces, ``checkpoint`` (the query's deadline) called before each."""
    for start in range(0, len(data), _CHECKED_BYTES):
        checkpoint()
        yield data[start : start + _CHECKED_BYTES]


def _crc32c(data: bytes, checkpoint: Callable[[], None]) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for chunk in _chunks(data, checkpoint):
        for byte in chunk:
            crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _fnv1a64(data: bytes, checkpoint: Callable[[], None]) -> int:
    value = 0xCBF29CE484222325
    for chunk in _chunks(data, checkpoint):
        for byte in chunk:
            value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _hash_function(name: str, algorithm: str) -> None:
    def impl(ctx: FunctionContext, value: Any) -> str:
        return hashlib.new(algorithm, _utf8(to_string(value))).hexdigest()

    impl.__doc__ = f"The {name} digest of the value cast to a string, as lower-case hex."
    aql_function(name, 1)(impl)


_hash_function("MD5", "md5")
_hash_function("SHA1", "sha1")
_hash_function("SHA256", "sha256")
_hash_function("SHA512", "sha512")


@aql_function("CRC32", 1)
def crc32(ctx: FunctionContext, value: Any) -> str:
    """CRC-32C (Castagnoli) checksum as upper-case hex without leading zeros."""
    return _hex_upper(_crc32c(_utf8(to_string(value)), ctx.checkpoint))


@aql_function("FNV64", 1)
def fnv64(ctx: FunctionContext, value: Any) -> str:
    """FNV-1a 64-bit hash as upper-case hex without leading zeros."""
    return _hex_upper(_fnv1a64(_utf8(to_string(value)), ctx.checkpoint))


@aql_function("TO_BASE64", 1)
def to_base64(ctx: FunctionContext, value: Any) -> str:
    """Base64 of the UTF-8 bytes of the value cast to a string."""
    return base64.b64encode(_utf8(to_string(value))).decode("ascii")


@aql_function("TO_HEX", 1)
def to_hex(ctx: FunctionContext, value: Any) -> str:
    """Lower-case hex of the UTF-8 bytes of the value cast to a string."""
    return _utf8(to_string(value)).hex()


_URI_UNRESERVED = frozenset(
    b"-_.!~*()'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
)


@aql_function("ENCODE_URI_COMPONENT", 1)
def encode_uri_component(ctx: FunctionContext, value: Any) -> str:
    """JavaScript's encodeURIComponent of the value cast to a string."""
    return "".join(
        chr(byte) if byte in _URI_UNRESERVED else f"%{byte:02X}" for byte in _utf8(to_string(value))
    )


@aql_function("TO_CHAR", 1)
def to_char(ctx: FunctionContext, codepoint: Any) -> str | None:
    """The character with the given Unicode code point."""
    number = _to_int64(codepoint) if is_number(codepoint) else -1
    if number < 0 or number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
        warn_invalid_argument(ctx, "TO_CHAR")
        return None
    return chr(number)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_SOUNDEX_CODES = {
    **dict.fromkeys("bfpv", "1"),
    **dict.fromkeys("cgjkqsxz", "2"),
    **dict.fromkeys("dt", "3"),
    "l": "4",
    **dict.fromkeys("mn", "5"),
    "r": "6",
}


@aql_function("SOUNDEX", 1)
def soundex(ctx: FunctionContext, value: Any) -> str:
    """The Soundex code (ASCII letters only; the first letter's own code is not deduplicated)."""
    text = to_string(value).translate(_ASCII_LOWER).strip(" \t\n\r")
    start = next((i for i, ch in enumerate(text) if "a" <= ch <= "z"), None)
    if start is None:
        return ""
    result = text[start].upper()
    previous = ""
    for ch in text[start + 1 :]:
        code = _SOUNDEX_CODES.get(ch, "")
        if code and code != previous:
            result += code
            if len(result) >= 4:
                break
        previous = code
    return result.ljust(4, "0")


# --------------------------------------------------------------------------- IPv4


_IPV4_RE = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}")


def _parse_ipv4(value: Any) -> int | None:
    if type(value) is not str or not 7 <= len(_utf8(value)) <= 15 or not _IPV4_RE.fullmatch(value):
        return None
    parts = [int(part) for part in value.split(".")]
    if any(part > 255 for part in parts):
        return None
    return (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]


@aql_function("IS_IPV4", 1)
def is_ipv4(ctx: FunctionContext, value: Any) -> bool:
    """Whether ``value`` is a dotted-quad IPv4 address (no leading zeros)."""
    return _parse_ipv4(value) is not None


@aql_function("IPV4_TO_NUMBER", 1)
def ipv4_to_number(ctx: FunctionContext, value: Any) -> int | None:
    """The IPv4 address string as an unsigned 32-bit number."""
    number = _parse_ipv4(value)
    if number is None:
        warn_invalid_argument(ctx, "IPV4_TO_NUMBER")
    return number


@aql_function("IPV4_FROM_NUMBER", 1)
def ipv4_from_number(ctx: FunctionContext, value: Any) -> str | None:
    """The dotted-quad string of an unsigned 32-bit number."""
    number = _to_int64(value) if is_number(value) else -1
    if number < 0 or number > _UINT32_MAX:
        warn_invalid_argument(ctx, "IPV4_FROM_NUMBER")
        return None
    return ".".join(str((number >> shift) & 0xFF) for shift in (24, 16, 8, 0))


# --------------------------------------------------------------------------- JSON


def _reject_constant(name: str) -> Any:
    raise ValueError(f"invalid JSON constant {name}")


def _json_value(value: Any) -> Any:
    t = type(value)
    if t is int or t is float:
        number = normalize_number(value)
        if number is None:
            raise ValueError("number out of range")
        return number
    if t is list:
        return [_json_value(v) for v in value]
    if t is dict:
        return {k: _json_value(v) for k, v in value.items()}
    return value


@aql_function("JSON_PARSE", 1)
def json_parse(ctx: FunctionContext, text: Any) -> Any:
    """The value a JSON string describes; null with a warning for non-strings and invalid JSON."""
    if type(text) is not str:
        warn_invalid_argument(ctx, "JSON_PARSE")
        return None
    try:
        return _json_value(json.loads(text, parse_constant=_reject_constant))
    except (ValueError, RecursionError):
        warn_invalid_argument(ctx, "JSON_PARSE")
        return None


@aql_function("JSON_STRINGIFY", 1)
def json_stringify_(ctx: FunctionContext, value: Any) -> str:
    """The compact JSON text of ``value``."""
    return json_stringify(value)


# --------------------------------------------------------------------------- REPEAT, RANDOM_TOKEN, UUID


@aql_function("REPEAT", 2, 3)
def repeat(ctx: FunctionContext, value: Any, count: Any, separator: Any = ABSENT) -> str | None:
    """``value`` repeated ``count`` times, joined by ``separator``; null past 16 MB of output."""
    times = _to_int64(count)
    if times == 0:
        return ""
    if times < 0:
        warn_invalid_argument(ctx, "REPEAT")
        return None
    text = to_string(value)
    sep = "" if separator is ABSENT else to_string(separator)
    size = len(_utf8(text)) * times + len(_utf8(sep)) * (times - 1)
    if size == 0:
        return ""
    if size > _REPEAT_LIMIT:
        warn(
            ctx,
            "REPEAT",
            ERROR_RESOURCE_LIMIT,
            "Output string of AQL REPEAT function was limited to 16MB.",
        )
        return None
    return sep.join([text] * times)


@aql_function("RANDOM_TOKEN", 1, deterministic=False)
def random_token(ctx: FunctionContext, length: Any) -> str:
    """A random string of ``length`` (0..65536) letters and digits; other lengths fail the query."""
    size = _to_int64(length)
    if size < 0 or size > _RANDOM_TOKEN_MAX:
        raise error_for(
            ERROR_QUERY_FUNCTION_ARGUMENT_TYPE_MISMATCH,
            "invalid argument type in call to function 'RANDOM_TOKEN()'",
        )
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(size))


@aql_function("UUID", 0, deterministic=False)
def uuid_(ctx: FunctionContext) -> str:
    """A random (version 4) UUID string."""
    return str(uuid.uuid4())


# --------------------------------------------------------------------------- distances


def _levenshtein(a: str, b: str, checkpoint: Callable[[], None]) -> int:
    """ArangoDB's edit distance (an adjacent swap costs one edit), transcribed exactly;
    ``checkpoint`` is called once a row (the query's deadline)."""
    if not a or not b:
        return len(a) or len(b)
    if len(a) < len(b):
        a, b = b, a
    costs = [*range(len(b)), 0]
    result = 0
    for i, char_a in enumerate(a):
        checkpoint()
        current = i + 1
        for j, char_b in enumerate(b):
            same = char_a == char_b or (
                i > 0 and j > 0 and a[i - 1] == char_b and char_a == b[j - 1]
            )
            result = min(costs[j + 1] + 1, current + 1, costs[j] + (0 if same else 1))
            costs[j] = current
            current = result
        costs[len(b)] = result
    return result


@aql_function("LEVENSHTEIN_DISTANCE", 2)
def levenshtein_distance(ctx: FunctionContext, value1: Any, value2: Any) -> int:
    """The Damerau-Levenshtein distance between the two values cast to strings."""
    return _levenshtein(to_string(value1), to_string(value2), ctx.checkpoint)


def _f32(value: float) -> float:
    """Round to single precision (the n-gram similarity is computed in ``float``)."""
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    return result


def _ngram_similarity(
    target: str, source: str, size: int, binary: bool, checkpoint: Callable[[], None]
) -> float:
    """iresearch's ``ngram_similarity`` (Kondrak), including its float arithmetic;
    ``checkpoint`` is called once a row (the query's deadline)."""
    if not binary and len(target) > len(source):
        target, source = source, target
    t_len, s_len = len(target), len(source)
    if t_len < size or s_len < size:
        if binary:
            return 1.0 if t_len == s_len and target == source else 0.0
        if t_len == 0 and s_len == 0:
            return 1.0
        matched = sum(1 for x, y in zip(target, source, strict=False) if x == y)
        return _f32(matched / s_len)
    t_count = t_len - size + 1
    s_count = s_len - size + 1
    cache = [0.0] * (s_count + 1)
    diagonal = 0.0
    for t in range(t_count):
        checkpoint()
        t_gram = target[t : t + size]
        for s in range(1, s_count + 1):
            s_gram = source[s - 1 : s - 1 + size]
            if binary:
                similarity = 1.0 if t_gram == s_gram else 0.0
            else:
                similarity = _f32(
                    sum(1 for x, y in zip(t_gram, s_gram, strict=True) if x == y) / size
                )
            previous = cache[s]
            cache[s] = max(cache[s - 1], cache[s], _f32(diagonal + similarity))
            diagonal = previous
    return _f32(cache[s_count] / (t_count if binary else s_count))


def _ngram(ctx: FunctionContext, name: str, args: tuple[Any, ...], binary: bool) -> Any:
    attribute, target, size = args
    if type(attribute) is not str or type(target) is not str or not is_number(size):
        warn_invalid_argument(ctx, name)
        return None
    ngram_size = _to_int64(size)
    if ngram_size < 1:
        warn(ctx, name, ERROR_BAD_PARAMETER, "Invalid ngram size. Should be 1 or greater")
        return None
    return normalize_number(
        _ngram_similarity(target, attribute, ngram_size, binary, ctx.checkpoint)
    )


@aql_function("NGRAM_SIMILARITY", 3)
def ngram_similarity(ctx: FunctionContext, *args: Any) -> Any:
    """Longest run of fully matching n-grams, divided by ``target``'s n-gram count."""
    return _ngram(ctx, "NGRAM_SIMILARITY", args, True)


@aql_function("NGRAM_POSITIONAL_SIMILARITY", 3)
def ngram_positional_similarity(ctx: FunctionContext, *args: Any) -> Any:
    """Like NGRAM_SIMILARITY, counting partial n-gram matches, divided by the longer count."""
    return _ngram(ctx, "NGRAM_POSITIONAL_SIMILARITY", args, False)


def _regex(
    ctx: FunctionContext, name: str, pattern: Any, case_insensitive: Any
) -> re.Pattern[str] | None:
    compiled = compile_icu(to_string(pattern), _optional_bool(case_insensitive))
    if compiled is None:
        warn(ctx, name, ERROR_QUERY_INVALID_REGEX, "invalid regex value")
    return compiled


def _split_by(regex: re.Pattern[str], text: str) -> list[str]:
    """ICU ``RegexMatcher::split``: fields and captured groups, a trailing empty field kept."""
    out: list[str] = []
    last = 0
    for match in regex.finditer(text):
        out.append(text[last : match.start()])
        out.extend(group or "" for group in match.groups())
        last = match.end()
        if last == len(text):
            break
    out.append(text[last:])
    return out


def _split_result(
    regex: re.Pattern[str], text: str, empty_expression: bool, limit: int
) -> list[str]:
    if not empty_expression and not text:
        return [""]
    pieces = _split_by(regex, text)
    if empty_expression:
        pieces = pieces[1:-1]
    return pieces if limit < 0 else pieces[:limit]


def _split_limit(ctx: FunctionContext, name: str, limit: Any) -> int | list[str] | None:
    """The limit argument: an int, None (null result) or [] (zero limit)."""
    if limit is ABSENT:
        return -1
    if not is_number(limit):
        warn_invalid_argument(ctx, name)
        return None
    number = _to_int64(limit)
    if number < 0:
        return None
    return [] if number == 0 else number


@aql_function("REGEX_TEST", 2, 3)
def regex_test(
    ctx: FunctionContext, text: Any, search: Any, case_insensitive: Any = ABSENT
) -> bool | None:
    """Whether the regular expression matches anywhere in ``text``."""
    regex = _regex(ctx, "REGEX_TEST", search, case_insensitive)
    if regex is None:
        return None
    return regex.search(to_string(text)) is not None


@aql_function("REGEX_MATCHES", 2, 3)
def regex_matches(
    ctx: FunctionContext, text: Any, search: Any, case_insensitive: Any = ABSENT
) -> list[str] | None:
    """The first match and its groups (unmatched groups as ""), or null without a match."""
    regex = _regex(ctx, "REGEX_MATCHES", search, case_insensitive)
    if regex is None:
        return None
    match = regex.search(to_string(text))
    if match is None:
        return None
    return [match.group(0), *(group or "" for group in match.groups())]


@aql_function("REGEX_SPLIT", 2, 4)
def regex_split(
    ctx: FunctionContext,
    text: Any,
    search: Any,
    case_insensitive: Any = ABSENT,
    limit: Any = ABSENT,
) -> list[str] | None:
    """Split ``text`` at the matches of the regular expression (captured groups are kept)."""
    name = "REGEX_SPLIT"
    count = _split_limit(ctx, name, limit)
    if count is None or isinstance(count, list):
        return count
    regex = _regex(ctx, name, search, case_insensitive)
    if regex is None:
        return None
    return _split_result(regex, to_string(text), to_string(search) == "", count)


class _ReplacementError(Exception):
    """An invalid ICU replacement string."""


def _replacement(regex: re.Pattern[str], template: str) -> Callable[[re.Match[str]], str]:
    """Compile an ICU replacement (``$n``, ``${name}``, backslash escapes) into a function."""
    parts: list[str | int] = []
    pos = 0
    while pos < len(template):
        ch = template[pos]
        pos += 1
        if ch == "\\":
            if pos >= len(template):
                break
            escaped = re.match(r"u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})", template[pos:])
            if escaped and int(escaped.group(1) or escaped.group(2), 16) <= 0x10FFFF:
                parts.append(chr(int(escaped.group(1) or escaped.group(2), 16)))
                pos += escaped.end()
            else:
                parts.append(template[pos])
                pos += 1
        elif ch == "$":
            pos = _replacement_group(regex, template, pos, parts)
        else:
            parts.append(ch)

    def expand(match: re.Match[str]) -> str:
        return "".join(p if type(p) is str else (match.group(p) or "") for p in parts)

    return expand


def _replacement_group(
    regex: re.Pattern[str], template: str, pos: int, parts: list[str | int]
) -> int:
    if template.startswith("{", pos):
        end = template.find("}", pos)
        name = template[pos + 1 : end] if end > 0 else ""
        if not name or name not in regex.groupindex:
            raise _ReplacementError("invalid capture group name")
        parts.append(regex.groupindex[name])
        return end + 1
    number, digits = 0, 0
    while pos < len(template) and template[pos].isdigit():
        candidate = number * 10 + int(template[pos])
        if candidate > regex.groups:
            break
        number, digits, pos = candidate, digits + 1, pos + 1
    if digits == 0:
        raise _ReplacementError("invalid capture group")
    parts.append(number)
    return pos


@aql_function("REGEX_REPLACE", 3, 4)
def regex_replace(
    ctx: FunctionContext, text: Any, search: Any, replacement: Any, case_insensitive: Any = ABSENT
) -> str | None:
    """Replace every match of the regular expression (``$1``, ``${name}`` refer to groups)."""
    name = "REGEX_REPLACE"
    regex = _regex(ctx, name, search, case_insensitive)
    if regex is None:
        return None
    try:
        expand = _replacement(regex, to_string(replacement))
    except _ReplacementError:
        warn(ctx, name, ERROR_QUERY_INVALID_REGEX, "invalid regex value")
        return None
    return regex.sub(expand, to_string(text))


@aql_function("LIKE", 2, 3)
def like(ctx: FunctionContext, text: Any, search: Any, case_insensitive: Any = ABSENT) -> bool:
    """Whether all of ``text`` matches the pattern (``%`` any run, ``_`` one character)."""
    regex = compile_like(to_string(search), _optional_bool(case_insensitive))
    return regex.fullmatch(to_string(text)) is not None


@aql_function("SPLIT", 1, 3)
def split(ctx: FunctionContext, value: Any, separator: Any = ABSENT, limit: Any = ABSENT) -> Any:
    """Split at ``separator`` (a string or an array of strings; "" splits into characters)."""
    name = "SPLIT"
    count = _split_limit(ctx, name, limit)
    if count is None or isinstance(count, list):
        return count
    if type(separator) is dict:
        warn_invalid_argument(ctx, name)
        return None
    if separator is ABSENT:
        return [value]
    empty = False
    if type(separator) is list:
        empty = any(type(s) is not str or not s for s in separator)
        pattern = "" if empty else "|".join(re.escape(s) for s in separator)
    elif type(separator) is str:
        empty = not separator
        pattern = re.escape(separator)
    else:
        pattern = ""
    return _split_result(_compile_literal(pattern), to_string(value), empty, count)


@functools.lru_cache(maxsize=256)
def _compile_literal(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --------------------------------------------------------------------------- TOKENS


@aql_function("TOKENS", 1, 2)
def tokens(ctx: FunctionContext, value: Any, analyzer: Any = ABSENT) -> list[Any]:
    """Split text into tokens with a built-in Analyzer (default ``identity``).

    Approximates ArangoSearch's built-in ``text_<lang>`` Analyzers without ICU
    or libstemmer: accents are removed (NFD, drop non-spacing marks), text is
    lower-cased and split into words by a UAX #29-like rule (letters and digits,
    joined across ``.`` ``'`` ``:`` between letters and ``.`` ``,`` ``;`` between
    digits; each CJK ideograph is its own token). ``text_en`` and ``text_de`` are
    stemmed with the Snowball English (Porter2) and German stemmers; the other
    languages are not stemmed. No stop words are removed (as in the built-ins).
    Numbers, booleans and null produce ArangoSearch's base64-encoded terms;
    arrays are tokenized element-wise, keeping their nesting.
    """
    name = "identity" if analyzer is ABSENT else analyzer
    if type(name) is not str:
        raise error_for(
            ERROR_BAD_PARAMETER,
            "invalid analyzer name argument type while computing result for function 'TOKENS', "
            "string expected",
        )
    analyze = find_analyzer(name)
    if analyze is None:
        raise error_for(
            ERROR_BAD_PARAMETER,
            f"failure to find arangosearch analyzer with name '{name}' while computing result "
            "for function 'TOKENS'",
        )
    return tokens_of(value, analyze)
