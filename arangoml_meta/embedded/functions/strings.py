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
syntax in ArangoDB; :class:`_IcuTranslator` rewrites them into Python ``re``
syntax (line terminators, ``$``, ``\\p{..}``, ``\\x{..}``, named groups, nested
character classes, mid-pattern flags, ...).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
import secrets
import struct
import unicodedata
import uuid
import warnings
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
from ..values import (
    INT64_MAX,
    INT64_MIN,
    format_number,
    is_number,
    json_stringify,
    normalize_number,
    to_bool,
    to_string,
)
from .registry import FunctionContext, aql_function, warn_invalid_argument

_UINT32_MAX = 2**32 - 1
_REPEAT_LIMIT = 16 * 1024 * 1024
_RANDOM_TOKEN_MAX = 65536
_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class _Absent:
    """Marks an optional argument that was not passed."""


_ABSENT: Any = _Absent()


# --------------------------------------------------------------------------- helpers


def _warn(ctx: FunctionContext, name: str, code: int, message: str) -> None:
    ctx.warn(code, f"in function '{name}()': {message}")


def _invalid(ctx: FunctionContext, name: str) -> None:
    warn_invalid_argument(ctx, name)


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
    return False if value is _ABSENT else to_bool(value)


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
def trim(ctx: FunctionContext, value: Any, how: Any = _ABSENT) -> str:
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
def ltrim(ctx: FunctionContext, value: Any, chars: Any = _ABSENT) -> str:
    """Strip whitespace (or ``chars``, cast to a string) from the start."""
    strip = _DEFAULT_TRIM if chars is _ABSENT else to_string(chars)
    return _trim(to_string(value), strip, True, False)


@aql_function("RTRIM", 1, 2)
def rtrim(ctx: FunctionContext, value: Any, chars: Any = _ABSENT) -> str:
    """Strip whitespace (or ``chars``, cast to a string) from the end."""
    strip = _DEFAULT_TRIM if chars is _ABSENT else to_string(chars)
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
def substring(ctx: FunctionContext, value: Any, offset: Any, length: Any = _ABSENT) -> str:
    """``length`` characters from ``offset`` (negative offsets count from the end)."""
    text = to_string(value)
    start = _to_int32(offset)
    start = max(len(text) + start, 0) if start < 0 else min(start, len(text))
    if length is _ABSENT:
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
        _warn(ctx, name, ERROR_BAD_PARAMETER, "bad parameter")
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
        _warn(ctx, name, ERROR_BAD_PARAMETER, "bad parameter")
        return None
    begin = _shift_left(data, begin, extend_left)
    end = _shift_right(data, end, extend_right)
    return _from_utf8(data[begin:end])


# --------------------------------------------------------------------------- searching


@aql_function("CONTAINS", 2, 3)
def contains(ctx: FunctionContext, text: Any, search: Any, return_index: Any = _ABSENT) -> Any:
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
    first = 0 if start is _ABSENT else _to_int64(start)
    if first < 0:
        return None
    last = len(text)
    given = end is not _ABSENT and end is not None
    if given:
        last = _to_int64(end)
        if last < first or last < 0:
            return None
    return first, last, given


@aql_function("FIND_FIRST", 2, 4)
def find_first(
    ctx: FunctionContext, text: Any, search: Any, start: Any = _ABSENT, end: Any = _ABSENT
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
    ctx: FunctionContext, text: Any, search: Any, start: Any = _ABSENT, end: Any = _ABSENT
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
    ctx: FunctionContext, text: Any, prefixes: Any, min_match: Any = _ABSENT, _limit: Any = _ABSENT
) -> bool | None:
    """Whether ``text`` starts with ``prefixes`` (or with at least ``min_match`` of an array)."""
    name = "STARTS_WITH"
    if type(text) is not str:
        _invalid(ctx, name)
        return None
    if type(prefixes) is str:
        return text.startswith(prefixes)
    if type(prefixes) is not list:
        _invalid(ctx, name)
        return None
    wanted = 1
    if min_match is not _ABSENT:
        if not is_number(min_match) or _to_int64(min_match) < 0:
            _invalid(ctx, name)
            return None
        wanted = _to_int64(min_match)
    if wanted == 0:
        return True
    if wanted > len(prefixes):
        return False
    matched = 0
    for prefix in prefixes:
        if type(prefix) is not str:
            _invalid(ctx, name)
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
            _warn(
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
            _invalid(ctx, name)
            return None
    else:
        if len(rest) > 1:
            limit = _to_int64(rest[1])
        if type(search) is list:
            if any(type(s) is not str for s in search):
                _invalid(ctx, name)
                return None
            searches = list(search)
        elif type(search) is str:
            searches = [search]
        else:
            _invalid(ctx, name)
            return None
        replaces = []
        if rest:
            replace = rest[0]
            if type(replace) is list:
                listed = _replacement_list(replace)
                if listed is None:
                    _invalid(ctx, name)
                    return None
                replaces = listed
            elif type(replace) is str:
                replaces, plain = [replace], True
            else:
                _invalid(ctx, name)
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
        _invalid(ctx, "TO_CHAR")
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
        _invalid(ctx, "IPV4_TO_NUMBER")
    return number


@aql_function("IPV4_FROM_NUMBER", 1)
def ipv4_from_number(ctx: FunctionContext, value: Any) -> str | None:
    """The dotted-quad string of an unsigned 32-bit number."""
    number = _to_int64(value) if is_number(value) else -1
    if number < 0 or number > _UINT32_MAX:
        _invalid(ctx, "IPV4_FROM_NUMBER")
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
        _invalid(ctx, "JSON_PARSE")
        return None
    try:
        return _json_value(json.loads(text, parse_constant=_reject_constant))
    except (ValueError, RecursionError):
        _invalid(ctx, "JSON_PARSE")
        return None


@aql_function("JSON_STRINGIFY", 1)
def json_stringify_(ctx: FunctionContext, value: Any) -> str:
    """The compact JSON text of ``value``."""
    return json_stringify(value)


# --------------------------------------------------------------------------- REPEAT, RANDOM_TOKEN, UUID


@aql_function("REPEAT", 2, 3)
def repeat(ctx: FunctionContext, value: Any, count: Any, separator: Any = _ABSENT) -> str | None:
    """``value`` repeated ``count`` times, joined by ``separator``; null past 16 MB of output."""
    times = _to_int64(count)
    if times == 0:
        return ""
    if times < 0:
        _invalid(ctx, "REPEAT")
        return None
    text = to_string(value)
    sep = "" if separator is _ABSENT else to_string(separator)
    size = len(_utf8(text)) * times + len(_utf8(sep)) * (times - 1)
    if size == 0:
        return ""
    if size > _REPEAT_LIMIT:
        _warn(
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
        _invalid(ctx, name)
        return None
    ngram_size = _to_int64(size)
    if ngram_size < 1:
        _warn(ctx, name, ERROR_BAD_PARAMETER, "Invalid ngram size. Should be 1 or greater")
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


# --------------------------------------------------------------------------- Unicode properties


@functools.lru_cache(maxsize=1)
def _category_runs() -> tuple[tuple[int, int, str], ...]:
    """Runs ``(first, last, general category)`` covering all code points."""
    runs: list[tuple[int, int, str]] = []
    start, current = 0, unicodedata.category("\x00")
    for cp in range(1, 0x110000):
        category = unicodedata.category(chr(cp))
        if category != current:
            runs.append((start, cp - 1, current))
            start, current = cp, category
    runs.append((start, 0x10FFFF, current))
    return tuple(runs)


Ranges = tuple[tuple[int, int], ...]


def _merge(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if merged and lo <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def _complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    next_start = 0
    for lo, hi in ranges:
        if lo > next_start:
            out.append((next_start, lo - 1))
        next_start = hi + 1
    if next_start <= 0x10FFFF:
        out.append((next_start, 0x10FFFF))
    return tuple(out)


def _categories(*prefixes: str) -> Ranges:
    return _merge([(lo, hi) for lo, hi, cat in _category_runs() if cat.startswith(prefixes)])


def _chars(text: str) -> Ranges:
    return _merge([(ord(ch), ord(ch)) for ch in text])


_WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

_GENERAL_CATEGORIES = {
    "letter": "L",
    "casedletter": "LC",
    "uppercaseletter": "Lu",
    "lowercaseletter": "Ll",
    "titlecaseletter": "Lt",
    "modifierletter": "Lm",
    "otherletter": "Lo",
    "mark": "M",
    "combiningmark": "M",
    "nonspacingmark": "Mn",
    "spacingmark": "Mc",
    "enclosingmark": "Me",
    "number": "N",
    "decimalnumber": "Nd",
    "letternumber": "Nl",
    "othernumber": "No",
    "punctuation": "P",
    "connectorpunctuation": "Pc",
    "dashpunctuation": "Pd",
    "openpunctuation": "Ps",
    "closepunctuation": "Pe",
    "initialpunctuation": "Pi",
    "finalpunctuation": "Pf",
    "otherpunctuation": "Po",
    "symbol": "S",
    "mathsymbol": "Sm",
    "currencysymbol": "Sc",
    "modifiersymbol": "Sk",
    "othersymbol": "So",
    "separator": "Z",
    "spaceseparator": "Zs",
    "lineseparator": "Zl",
    "paragraphseparator": "Zp",
    "other": "C",
    "control": "Cc",
    "format": "Cf",
    "surrogate": "Cs",
    "privateuse": "Co",
    "unassigned": "Cn",
}
_CATEGORY_CODES = {code.lower(): code for code in _GENERAL_CATEGORIES.values()}


def _binary_property(key: str) -> Ranges | None:
    """Binary and POSIX-like properties (approximated from general categories)."""
    if key == "any":
        return ((0, 0x10FFFF),)
    if key == "ascii":
        return ((0, 0x7F),)
    if key == "assigned":
        return _complement(_categories("Cn"))
    if key in ("alphabetic", "alpha"):
        return _categories("L", "Nl")
    if key in ("whitespace", "space", "wspace"):
        return _chars(_WHITE_SPACE)
    if key in ("uppercase", "upper"):
        return _categories("Lu")
    if key in ("lowercase", "lower"):
        return _categories("Ll")
    if key in ("digit",):
        return _categories("Nd")
    if key == "alnum":
        return _merge([*_categories("L", "Nl"), *_categories("Nd")])
    if key == "xdigit":
        return _merge([*_categories("Nd"), (0x41, 0x46), (0x61, 0x66)])
    if key == "blank":
        return _merge([*_categories("Zs"), (0x09, 0x09)])
    if key in ("punct",):
        return _categories("P")
    if key in ("cntrl",):
        return _categories("Cc")
    if key in ("word",):
        return _merge([*_categories("L", "M", "Nd", "Pc"), (0x200C, 0x200D)])
    if key in ("graph", "print"):
        invisible = [*_chars(_WHITE_SPACE), *_categories("Cc", "Cs", "Cn")]
        graph = _complement(_merge(invisible))
        return _merge([*graph, *_categories("Zs")]) if key == "print" else graph
    return None


@functools.lru_cache(maxsize=1)
def _scripts_by_name() -> dict[str, Ranges]:
    """Scripts approximated by character names: the code points named ``<SCRIPT> ...``."""
    found: dict[str, list[tuple[int, int]]] = {}
    for cp in range(0x110000):
        name = unicodedata.name(chr(cp), "")
        if name.startswith(("CJK UNIFIED IDEOGRAPH", "CJK COMPATIBILITY IDEOGRAPH")):
            found.setdefault("han", []).append((cp, cp))
        elif name:
            found.setdefault(name.split(" ", 1)[0].lower(), []).append((cp, cp))
    return {script: _merge(cps) for script, cps in found.items()}


def _script_ranges(script: str) -> Ranges | None:
    return _scripts_by_name().get("han" if script == "hani" else script)


@functools.lru_cache(maxsize=256)
def _property_ranges(name: str) -> Ranges:
    """The code point ranges of ``\\p{name}`` (ICU loose matching of the name)."""
    key = re.sub(r"[\s_\-]", "", name).lower()
    for prefix in ("generalcategory=", "gc="):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    script = None
    for prefix in ("script=", "sc="):
        if key.startswith(prefix):
            script = key[len(prefix) :]
    if script is None:
        code = _CATEGORY_CODES.get(key) or _GENERAL_CATEGORIES.get(key)
        if key == "l&":
            code = "LC"
        if code == "LC":
            return _categories("Lu", "Ll", "Lt")
        if code is not None:
            return _categories(code)
        binary = _binary_property(key)
        if binary is not None:
            return binary
        script = key
    ranges = _script_ranges(script) if script.isalpha() else None
    if ranges is None:
        raise _RegexError(f"unknown property {name}")
    return ranges


# --------------------------------------------------------------------------- ICU regex translation


class _RegexError(Exception):
    """An ICU pattern that cannot be translated (ArangoDB: invalid regex)."""


_LT = "\n\x0b\x0c\r\x85\u2028\u2029"  # ICU line terminators
_LT_CLASS = r"\n\x0b\x0c\r\x85\u2028\u2029"
_DOT = f"[^{_LT_CLASS}]"
_ANY = r"[\s\S]"
_DOLLAR = rf"(?=(?:\r\n|[{_LT_CLASS}])?\Z)"
_DOLLAR_MULTILINE = rf"(?:(?=[{_LT_CLASS}])(?!(?<=\r)\n)|\Z)"
_CARET_MULTILINE = rf"(?:\A|(?<=[{_LT_CLASS}])(?!(?<=\r)\n)(?!\Z))"
_ICU_SPACE = r"\t\n\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_H_SPACE = r"\t \xa0\u1680\u180e\u2000-\u200a\u202f\u205f\u3000"
_V_SPACE = _LT_CLASS
# class escapes usable inside a Python character class: (positive, negated)
_CLASS_ESCAPES = {
    "d": r"\d",
    "w": r"\w",
    "s": _ICU_SPACE,
    "h": _H_SPACE,
    "v": _V_SPACE,
}
_SIMPLE_ESCAPES = {"a": "\x07", "e": "\x1b", "f": "\x0c", "n": "\n", "r": "\r", "t": "\t"}
_FLAG_LETTERS = frozenset("imswx")
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_INTERVAL_RE = re.compile(r"\{\d+(?:,\d*)?\}")


def _class_char(code: int) -> str:
    """A code point written so it is literal inside a Python character class."""
    ch = chr(code)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _class_ranges(ranges: Ranges) -> str:
    return "".join(
        _class_char(lo) if lo == hi else f"{_class_char(lo)}-{_class_char(hi)}" for lo, hi in ranges
    )


class _Frame:
    """One group level: its flags and the flag-scoping groups opened inside it."""

    __slots__ = ("dotall", "extended", "multiline", "wrappers")

    def __init__(self, dotall: bool, multiline: bool, extended: bool) -> None:
        self.dotall = dotall
        self.multiline = multiline
        self.extended = extended
        self.wrappers: list[str] = []

    def child(self) -> _Frame:
        return _Frame(self.dotall, self.multiline, self.extended)


class _ClassBuilder:
    """The members of one bracket expression: Python class text plus nested atoms."""

    def __init__(self) -> None:
        self.simple: list[str] = []
        self.nested: list[str] = []

    def union(self) -> str:
        parts = [f"[{''.join(self.simple)}]"] if self.simple else []
        parts.extend(self.nested)
        if not parts:
            return "(?!)"
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


class _IcuTranslator:
    """Rewrite an ICU regular expression into an equivalent Python ``re`` pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.pos = 0
        self.out: list[str] = []
        self.frames = [_Frame(False, False, False)]

    # -- driver

    def translate(self) -> str:
        while self.pos < len(self.pattern):
            self._step()
        if len(self.frames) != 1:
            raise _RegexError("missing closing parenthesis")
        self.out.append(")" * len(self.frames[0].wrappers))
        return "".join(self.out)

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.pattern[index] if index < len(self.pattern) else ""

    def _take(self) -> str:
        if self.pos >= len(self.pattern):
            raise _RegexError("unexpected end of pattern")
        ch = self.pattern[self.pos]
        self.pos += 1
        return ch

    def _step(self) -> None:
        frame = self.frames[-1]
        ch = self._take()
        if frame.extended and (ch in _WHITE_SPACE or ch == "#"):
            if ch == "#":
                while self.pos < len(self.pattern) and self.pattern[self.pos] not in _LT:
                    self.pos += 1
            return
        if ch == "\\":
            self.out.append(self._escape())
        elif ch == "[":
            self.out.append(self._bracket())
        elif ch == "(":
            self._open_group()
        elif ch == ")":
            self._close_group()
        elif ch == "|":
            self.out.append(")" * len(frame.wrappers) + "|" + "".join(frame.wrappers))
        elif ch == ".":
            self.out.append(_ANY if frame.dotall else _DOT)
        elif ch == "^":
            self.out.append(_CARET_MULTILINE if frame.multiline else r"\A")
        elif ch == "$":
            self.out.append(_DOLLAR_MULTILINE if frame.multiline else _DOLLAR)
        elif ch in "*+?":
            self.out.append(ch)
        elif ch == "{":
            interval = _INTERVAL_RE.match(self.pattern, self.pos - 1)
            if interval is None:
                raise _RegexError("invalid interval")
            self.out.append(interval.group())
            self.pos = interval.end()
        else:
            self.out.append(re.escape(ch))

    # -- groups and flags

    def _open_group(self) -> None:
        frame = self.frames[-1]
        if self._peek() != "?":
            self.frames.append(frame.child())
            self.out.append("(")
            return
        self.pos += 1
        kind = self._take()
        if kind == "#":
            end = self.pattern.find(")", self.pos)
            if end < 0:
                raise _RegexError("unterminated comment")
            self.pos = end + 1
            return
        simple = {":": "(?:", "=": "(?=", "!": "(?!", ">": "(?>"}
        if kind in simple:
            self.frames.append(frame.child())
            self.out.append(simple[kind])
        elif kind == "<" and self._peek() in ("=", "!"):
            self.frames.append(frame.child())
            self.out.append("(?<" + self._take())
        elif kind == "<":
            name = _NAME_RE.match(self.pattern, self.pos)
            if name is None or not self.pattern.startswith(">", name.end()):
                raise _RegexError("invalid group name")
            self.pos = name.end() + 1
            self.frames.append(frame.child())
            self.out.append(f"(?P<{name.group()}>")
        elif kind in _FLAG_LETTERS or kind == "-":
            self.pos -= 1
            self._flags(frame)
        else:
            raise _RegexError(f"unsupported group (?{kind}")

    def _flags(self, frame: _Frame) -> None:
        on: set[str] = set()
        off: set[str] = set()
        target = on
        while True:
            ch = self._take()
            if ch == "-" and target is on:
                target = off
            elif ch in _FLAG_LETTERS:
                target.add(ch)
            elif ch in ":)":
                break
            else:
                raise _RegexError("invalid flag")
        scoped = ch == ":"
        state = frame.child() if scoped else frame
        for letter, value in [(f, True) for f in on] + [(f, False) for f in off]:
            if letter == "s":
                state.dotall = value
            elif letter == "m":
                state.multiline = value
            elif letter == "x":
                state.extended = value
        case = "i" if "i" in on else ("-i" if "i" in off else "")
        opener = f"(?{case}:" if case else "(?:"
        if scoped:
            self.frames.append(state)
            self.out.append(opener)
        elif case:
            frame.wrappers.append(opener)
            self.out.append(opener)

    def _close_group(self) -> None:
        if len(self.frames) == 1:
            raise _RegexError("unbalanced parenthesis")
        frame = self.frames.pop()
        self.out.append(")" * len(frame.wrappers) + ")")

    # -- escapes

    def _hex(self, digits: int) -> int:
        text = self.pattern[self.pos : self.pos + digits]
        if len(text) != digits or not all(c in "0123456789abcdefABCDEF" for c in text):
            raise _RegexError("invalid hex escape")
        self.pos += digits
        return int(text, 16)

    def _code_escape(self, letter: str) -> int | None:
        """The code point of a character escape (after the backslash), or None."""
        if letter in _SIMPLE_ESCAPES:
            return ord(_SIMPLE_ESCAPES[letter])
        if letter == "c":
            return ord(self._take()) & 0x1F
        if letter == "x":
            if self._peek() == "{":
                end = self.pattern.find("}", self.pos)
                digits = self.pattern[self.pos + 1 : end] if end > 0 else ""
                if (
                    not digits
                    or len(digits) > 6
                    or any(c not in "0123456789abcdefABCDEF" for c in digits)
                ):
                    raise _RegexError("invalid \\x{...}")
                self.pos = end + 1
                code = int(digits, 16)
            else:
                code = self._hex(2)
        elif letter == "u":
            code = self._hex(4)
        elif letter == "U":
            code = self._hex(8)
        elif letter == "N":
            end = self.pattern.find("}", self.pos)
            if self._peek() != "{" or end < 0:
                raise _RegexError("invalid \\N{...}")
            try:
                code = ord(unicodedata.lookup(self.pattern[self.pos + 1 : end]))
            except KeyError as exc:
                raise _RegexError("unknown character name") from exc
            self.pos = end + 1
        elif letter == "0":
            digits = ""
            while len(digits) < 3 and self._peek() and self._peek() in "01234567":
                digits += self._take()
            code = int(digits or "0", 8)
        else:
            return None
        if code > 0x10FFFF:
            raise _RegexError("code point out of range")
        return code

    def _property(self, negated: bool) -> Ranges:
        if self._peek() == "{":
            end = self.pattern.find("}", self.pos)
            if end < 0:
                raise _RegexError("invalid property")
            name = self.pattern[self.pos + 1 : end]
            self.pos = end + 1
        else:
            name = self._take()
        if name.startswith("^"):
            negated, name = not negated, name[1:]
        ranges = _property_ranges(name)
        return _complement(ranges) if negated else ranges

    def _quoted(self) -> str:
        end = self.pattern.find("\\E", self.pos)
        end = len(self.pattern) if end < 0 else end
        text = self.pattern[self.pos : end]
        self.pos = min(end + 2, len(self.pattern))
        return text

    def _escape(self) -> str:
        letter = self._take()
        lower = letter.lower()
        if lower in _CLASS_ESCAPES:
            body = _CLASS_ESCAPES[lower]
            if lower in "dw":
                return "\\" + letter
            return f"[^{body}]" if letter.isupper() else f"[{body}]"
        if letter in "pP":
            return f"[{_class_ranges(self._property(letter == 'P'))}]"
        if letter in "AbB":
            return "\\" + letter
        if letter == "Z":
            return _DOLLAR
        if letter == "z":
            return r"\Z"
        if letter == "R":
            return rf"(?:\r\n|[{_LT_CLASS}])"
        if letter == "X":
            marks = _class_ranges(_categories("M"))
            return rf"(?:\r\n|[^{marks}][{marks}]*|[{marks}]+)"
        if letter == "Q":
            return re.escape(self._quoted())
        if letter == "E":
            return ""
        if letter == "k":
            name = _NAME_RE.match(self.pattern, self.pos + 1)
            if self._peek() != "<" or name is None or not self.pattern.startswith(">", name.end()):
                raise _RegexError("invalid \\k<name>")
            self.pos = name.end() + 1
            return f"(?P={name.group()})"
        if letter.isdigit() and letter != "0":
            digits = letter
            while self._peek().isdigit():
                digits += self._take()
            return f"(?:\\{int(digits)})"
        code = self._code_escape(letter)
        if code is not None:
            return re.escape(chr(code))
        if letter.isascii() and letter.isalpha():
            raise _RegexError(f"unknown escape \\{letter}")
        return re.escape(letter)

    # -- bracket expressions

    def _class_member_escape(self, builder: _ClassBuilder) -> int | None:
        """Handle an escape inside brackets; the code point if it is a single character."""
        letter = self._take()
        lower = letter.lower()
        if lower in _CLASS_ESCAPES:
            body = _CLASS_ESCAPES[lower]
            if lower in "dw":
                builder.simple.append("\\" + letter)
            elif letter.isupper():
                builder.nested.append(f"[^{body}]")
            else:
                builder.simple.append(body)
            return None
        if letter in "pP":
            builder.simple.append(_class_ranges(self._property(letter == "P")))
            return None
        if letter == "Q":
            builder.simple.extend(_class_char(ord(ch)) for ch in self._quoted())
            return None
        code = self._code_escape(letter)
        if code is not None:
            return code
        if letter.isascii() and letter.isalpha():
            raise _RegexError(f"unknown escape \\{letter}")
        return ord(letter)

    def _class_item(self, builder: _ClassBuilder) -> int | None:
        """Parse one member; returns its code point when it can start a range."""
        ch = self._take()
        if ch == "[":
            if self._peek() == ":":
                end = self.pattern.find(":]", self.pos)
                if end < 0:
                    raise _RegexError("invalid POSIX class")
                name = self.pattern[self.pos + 1 : end]
                self.pos = end + 2
                negated = name.startswith("^")
                ranges = _property_ranges(name.lstrip("^"))
                builder.simple.append(_class_ranges(_complement(ranges) if negated else ranges))
                return None
            builder.nested.append(self._bracket())
            return None
        if ch == "\\":
            return self._class_member_escape(builder)
        return ord(ch)

    def _bracket(self) -> str:
        """Translate a bracket expression (after its ``[``) into one Python atom."""
        negated = self._peek() == "^"
        if negated:
            self.pos += 1
        builder = _ClassBuilder()
        first = True
        while True:
            if self.pos >= len(self.pattern):
                raise _RegexError("missing ]")
            ch = self._peek()
            if ch == "]" and not first:
                self.pos += 1
                break
            if (ch == "&" and self._peek(1) == "&") or (
                ch == "-" and self._peek(1) == "-" and not first
            ):
                self.pos += 2
                builder = self._set_operation(builder, "&" if ch == "&" else "-")
                first = False
                continue
            first = False
            code = self._class_item(builder)
            if code is None:
                continue
            if self._peek() == "-" and self._peek(1) not in ("]", "-", ""):
                self.pos += 1
                end = self._class_item(builder)
                if end is None or end < code:
                    raise _RegexError("invalid range")
                builder.simple.append(f"{_class_char(code)}-{_class_char(end)}")
            else:
                builder.simple.append(_class_char(code))
        union = builder.union()
        if not negated:
            return union
        if not builder.nested:
            return f"[^{''.join(builder.simple)}]" if builder.simple else _ANY
        return f"(?:(?!{union}){_ANY})"

    def _set_operation(self, builder: _ClassBuilder, op: str) -> _ClassBuilder:
        """``[A&&B]`` (intersection) and ``[A--B]`` (difference) with one operand B."""
        operand = _ClassBuilder()
        code = self._class_item(operand)
        if code is not None:
            operand.simple.append(_class_char(code))
        look = "(?=" if op == "&" else "(?!"
        combined = _ClassBuilder()
        combined.nested.append(f"(?:{look}{operand.union()}){builder.union()})")
        return combined


@functools.lru_cache(maxsize=512)
def _compile_icu(pattern: str, case_insensitive: bool) -> re.Pattern[str] | None:
    """The compiled translation of an ICU pattern, or None when it is invalid."""
    try:
        translated = _IcuTranslator(pattern).translate()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(translated, re.IGNORECASE if case_insensitive else 0)
    except (_RegexError, re.error, OverflowError, RecursionError, ValueError, IndexError):
        return None


def _regex(
    ctx: FunctionContext, name: str, pattern: Any, case_insensitive: Any
) -> re.Pattern[str] | None:
    compiled = _compile_icu(to_string(pattern), _optional_bool(case_insensitive))
    if compiled is None:
        _warn(ctx, name, ERROR_QUERY_INVALID_REGEX, "invalid regex value")
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
    if limit is _ABSENT:
        return -1
    if not is_number(limit):
        _invalid(ctx, name)
        return None
    number = _to_int64(limit)
    if number < 0:
        return None
    return [] if number == 0 else number


@aql_function("REGEX_TEST", 2, 3)
def regex_test(
    ctx: FunctionContext, text: Any, search: Any, case_insensitive: Any = _ABSENT
) -> bool | None:
    """Whether the regular expression matches anywhere in ``text``."""
    regex = _regex(ctx, "REGEX_TEST", search, case_insensitive)
    if regex is None:
        return None
    return regex.search(to_string(text)) is not None


@aql_function("REGEX_MATCHES", 2, 3)
def regex_matches(
    ctx: FunctionContext, text: Any, search: Any, case_insensitive: Any = _ABSENT
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
    case_insensitive: Any = _ABSENT,
    limit: Any = _ABSENT,
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
    ctx: FunctionContext, text: Any, search: Any, replacement: Any, case_insensitive: Any = _ABSENT
) -> str | None:
    """Replace every match of the regular expression (``$1``, ``${name}`` refer to groups)."""
    name = "REGEX_REPLACE"
    regex = _regex(ctx, name, search, case_insensitive)
    if regex is None:
        return None
    try:
        expand = _replacement(regex, to_string(replacement))
    except _ReplacementError:
        _warn(ctx, name, ERROR_QUERY_INVALID_REGEX, "invalid regex value")
        return None
    return regex.sub(expand, to_string(text))


_LIKE_ANY = "[^\x0b\x0c\x85\u2028\u2029]"  # ICU "(.|[\r\n])"
_LIKE_SPECIAL = frozenset("?+[(){}^$|\\.*")


@functools.lru_cache(maxsize=512)
def _compile_like(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if ch == "\\":
            if escaped:
                out.append(r"\\")
            escaped = not escaped
            continue
        if ch in "%_":
            out.append(re.escape(ch) if escaped else _LIKE_ANY + ("*" if ch == "%" else ""))
        else:
            if escaped and ch not in _LIKE_SPECIAL:
                out.append(r"\\")
            out.append(re.escape(ch))
        escaped = False
    return re.compile("".join(out), re.IGNORECASE if case_insensitive else 0)


@aql_function("LIKE", 2, 3)
def like(ctx: FunctionContext, text: Any, search: Any, case_insensitive: Any = _ABSENT) -> bool:
    """Whether all of ``text`` matches the pattern (``%`` any run, ``_`` one character)."""
    regex = _compile_like(to_string(search), _optional_bool(case_insensitive))
    return regex.fullmatch(to_string(text)) is not None


@aql_function("SPLIT", 1, 3)
def split(ctx: FunctionContext, value: Any, separator: Any = _ABSENT, limit: Any = _ABSENT) -> Any:
    """Split at ``separator`` (a string or an array of strings; "" splits into characters)."""
    name = "SPLIT"
    count = _split_limit(ctx, name, limit)
    if count is None or isinstance(count, list):
        return count
    if type(separator) is dict:
        _invalid(ctx, name)
        return None
    if separator is _ABSENT:
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


def _stem_english(word: str) -> str:
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


def _stem_german(word: str) -> str:
    """The Snowball German stemmer."""
    word, p1, p2 = _de_prepare(word)
    word = _de_step3(_de_step1_2(word, p1), p1, p2)
    return word.translate(str.maketrans("UYäöü", "uyaou"))


_STEMMERS: dict[str, Callable[[str], str]] = {"en": _stem_english, "de": _stem_german}
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


def _analyzer(name: str) -> Callable[[str], list[str]] | None:
    bare = name.rpartition("::")[2]
    if bare == "identity":
        return lambda text: [text]
    if bare.startswith("text_") and bare[5:] in _TEXT_ANALYZERS:
        language = bare[5:]
        return lambda text: _text_tokens(text, language)
    return None


def _tokens_of(value: Any, analyze: Callable[[str], list[str]]) -> list[Any]:
    t = type(value)
    if t is str:
        return list(analyze(value))
    if t is list:
        return [_tokens_of(v, analyze) for v in value] if value else [[]]
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


@aql_function("TOKENS", 1, 2)
def tokens(ctx: FunctionContext, value: Any, analyzer: Any = _ABSENT) -> list[Any]:
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
    name = "identity" if analyzer is _ABSENT else analyzer
    if type(name) is not str:
        raise error_for(
            ERROR_BAD_PARAMETER,
            "invalid analyzer name argument type while computing result for function 'TOKENS', "
            "string expected",
        )
    analyze = _analyzer(name)
    if analyze is None:
        raise error_for(
            ERROR_BAD_PARAMETER,
            f"failure to find arangosearch analyzer with name '{name}' while computing result "
            "for function 'TOKENS'",
        )
    return _tokens_of(value, analyze)
