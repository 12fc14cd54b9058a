"""ArangoDB's regular expressions (ICU syntax) and LIKE patterns, translated for Python's ``re``.

ArangoDB matches REGEX_* and ``=~`` with ICU; :class:`_IcuTranslator` rewrites an ICU
pattern into ``re`` syntax (line terminators, ``$``, ``\\p{..}``, ``\\x{..}``, named groups,
nested character classes with ``&&`` and ``--``, mid-pattern flags, ...):
:func:`compile_icu` gives the compiled translation or None for a pattern ICU would reject.
:func:`compile_like` turns a LIKE pattern (``%``, ``_``, backslash escapes) into a regex.
Both cache their results.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings

from .unicode_properties import WHITE_SPACE, Ranges, categories, complement, property_ranges


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
        if frame.extended and (ch in WHITE_SPACE or ch == "#"):
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
        ranges = property_ranges(name)
        return complement(ranges) if negated else ranges

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
            marks = _class_ranges(categories("M"))
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
                ranges = property_ranges(name.lstrip("^"))
                builder.simple.append(_class_ranges(complement(ranges) if negated else ranges))
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
def compile_icu(pattern: str, case_insensitive: bool) -> re.Pattern[str] | None:
    """The compiled translation of an ICU pattern, or None when it is invalid."""
    try:
        translated = _IcuTranslator(pattern).translate()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(translated, re.IGNORECASE if case_insensitive else 0)
    except (_RegexError, re.error, OverflowError, RecursionError, ValueError, IndexError):
        return None


_LIKE_ANY = "[^\x0b\x0c\x85\u2028\u2029]"  # ICU "(.|[\r\n])"
_LIKE_SPECIAL = frozenset("?+[(){}^$|\\.*")


@functools.lru_cache(maxsize=512)
def compile_like(pattern: str, case_insensitive: bool) -> re.Pattern[str]:
    """The regex of a LIKE pattern: ``%`` any run, ``_`` one character, ``\\`` escapes."""
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
