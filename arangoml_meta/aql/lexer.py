"""AQL tokenizer, driven by declarative tables.

Turns query text into :class:`Token` objects: keywords (case-insensitive),
identifiers (also backtick- and forward-tick-quoted), quoted strings with
escapes, integer and double literals (decimal, ``0x`` hex, ``0b`` binary), bind
parameters ``@name`` / ``@@collection``, operators and punctuation. ``NOT IN``
and ``AT LEAST`` become single tokens, as in ArangoDB's lexer. Comments
(``//`` and ``/* */``) are skipped. Errors are :class:`AQLSyntaxError` (1501)
with line and column.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from enum import Enum

from ..errors import AQLSyntaxError

KEYWORDS = frozenset(
    [
        "FOR",
        "LET",
        "FILTER",
        "RETURN",
        "COLLECT",
        "SORT",
        "LIMIT",
        "WINDOW",
        "DISTINCT",
        "AGGREGATE",
        "ASC",
        "DESC",
        "NOT",
        "AND",
        "OR",
        "IN",
        "INTO",
        "WITH",
        "REMOVE",
        "INSERT",
        "UPDATE",
        "REPLACE",
        "UPSERT",
        "GRAPH",
        "SHORTEST_PATH",
        "K_SHORTEST_PATHS",
        "K_PATHS",
        "ALL_SHORTEST_PATHS",
        "OUTBOUND",
        "INBOUND",
        "ANY",
        "ALL",
        "NONE",
        "LIKE",
        "NULL",
        "TRUE",
        "FALSE",
    ]
)

# Longest operators first, so that e.g. "==" wins over "=".
OPERATORS = (
    "=~", "!~", "==", "!=", ">=", "<=", "&&", "||", "::", "..",
    ">", "<", "=", "!", "+", "-", "*", "/", "%", "?", ":", ",", "(", ")", "{", "}", "[", "]", ".",
)  # fmt: skip

_SYMBOLIC_KEYWORDS = {"&&": "AND", "||": "OR", "!": "NOT"}

_IDENT_RE = re.compile(r"\$?[a-zA-Z][_a-zA-Z0-9]*|_+[a-zA-Z]+[_a-zA-Z0-9]*")
_NUMBER_RE = re.compile(
    r"0[xX][0-9a-fA-F]+|0[bB][01]+|(?:(?:0|[1-9][0-9]*)(?:\.[0-9]+)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
)
_PARAM_RE = re.compile(r"@@?(?:_+[a-zA-Z0-9]+[a-zA-Z0-9_]*|[a-zA-Z0-9][a-zA-Z0-9_]*)")
_SPACE_RE = re.compile(r"[ \t\r\n]+")
_AT_LEAST_RE = re.compile(r"(?i:AT)[ \t\r\n]+(?i:LEAST)(?![_a-zA-Z0-9])")
_NOT_IN_RE = re.compile(r"(?i:NOT)[ \t\r\n]+(?i:IN)(?![_a-zA-Z0-9])")

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "/": "/", "\\": "\\"}


class TokenKind(str, Enum):
    """What a token is (a ``str``, equal to its name)."""

    KEYWORD = "KEYWORD"  # value: the keyword upper-cased ("NOT IN", "AT LEAST" are one token)
    IDENT = "IDENT"  # value: the name as written (unquoted)
    STRING = "STRING"  # value: the text, escapes resolved
    NUMBER = "NUMBER"  # value: an int or a float
    PARAM = "PARAM"  # value: the name after "@" ("@name" for a collection parameter)
    OP = "OP"  # value: the operator or punctuation
    EOF = "EOF"


# the kinds as plain names: looking up an Enum's member costs ~10x a global
_KEYWORD, _IDENT, _STRING, _NUMBER, _PARAM, _OP, _EOF = (
    TokenKind.KEYWORD, TokenKind.IDENT, TokenKind.STRING, TokenKind.NUMBER,
    TokenKind.PARAM, TokenKind.OP, TokenKind.EOF,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token of a kind (see :class:`TokenKind`)."""

    kind: TokenKind
    value: object
    pos: int
    line: int
    column: int
    text: str  # the source text of the token, for error messages

    def is_op(self, op: str) -> bool:
        return self.kind is _OP and self.value == op

    def is_keyword(self, *words: str) -> bool:
        return self.kind is _KEYWORD and self.value in words


def _unescape(body: str) -> str:
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\" or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u" and i + 5 < n + 0 and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            code = int(body[i + 2 : i + 6], 16)
            i += 6
            if 0xD800 <= code < 0xDC00 and body[i : i + 2] == "\\u":
                low_text = body[i + 2 : i + 6]
                if re.fullmatch(r"[0-9a-fA-F]{4}", low_text):
                    low = int(low_text, 16)
                    if 0xDC00 <= low < 0xE000:
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
            if 0xD800 <= code < 0xE000:
                code = 0xFFFD  # an unpaired surrogate cannot be represented
            out.append(chr(code))
            continue
        out.append(_ESCAPES.get(nxt, nxt))
        i += 2
    return "".join(out)


class Lexer:
    """Splits a query string into tokens (see the module docstring)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line_column(self, pos: int) -> tuple[int, int]:
        """1-based line and column of offset ``pos``."""
        line = bisect.bisect_right(self._line_starts, pos)
        return line, pos - self._line_starts[line - 1] + 1

    def _error(self, message: str, pos: int) -> AQLSyntaxError:
        line, column = self.line_column(pos)
        return AQLSyntaxError.at(message, line, column, self.text[pos : pos + 20])

    def _token(self, kind: TokenKind, value: object, start: int) -> Token:
        line, column = self.line_column(start)
        return Token(kind, value, start, line, column, self.text[start : self.pos])

    def _skip_space_and_comments(self) -> None:
        text = self.text
        while self.pos < len(text):
            m = _SPACE_RE.match(text, self.pos)
            if m:
                self.pos = m.end()
                continue
            if text.startswith("//", self.pos):
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
                continue
            if text.startswith("/*", self.pos):
                end = text.find("*/", self.pos + 2)
                if end < 0:
                    raise self._error(
                        "unexpected end of query string, unterminated comment", self.pos
                    )
                self.pos = end + 2
                continue
            return

    def _quoted(self, quote: str, start: int) -> str:
        text = self.text
        i = start + len(quote)
        while i < len(text):
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                self.pos = i + len(quote)
                return _unescape(text[start + len(quote) : i])
            i += 1
        raise self._error("unexpected end of query string, unterminated quoted text", start)

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        text = self.text
        while True:
            self._skip_space_and_comments()
            start = self.pos
            if start >= len(text):
                out.append(self._token(_EOF, None, start))
                return out
            ch = text[start]
            if ch in "\"'":
                value = self._quoted(ch, start)
                out.append(self._token(_STRING, value, start))
                continue
            if ch in "`\u00b4":  # backtick or forward tick quote an identifier
                value = self._quoted(ch, start)
                out.append(self._token(_IDENT, value, start))
                continue
            if ch == "@":
                m = _PARAM_RE.match(text, start)
                if not m:
                    raise self._error("invalid bind parameter name", start)
                self.pos = m.end()
                out.append(self._token(_PARAM, m.group(0)[1:], start))
                continue
            if ch.isdigit() or (
                ch == "."
                and start + 1 < len(text)
                and text[start + 1].isdigit()
                and not (out and out[-1].is_op(".."))
            ):
                m = _NUMBER_RE.match(text, start)
                if m and m.end() > start:
                    self.pos = m.end()
                    literal = m.group(0)
                    out.append(self._token(_NUMBER, _number_value(literal), start))
                    continue
            if ch.isalpha() or ch in "_$":
                if ch in "aA":
                    m = _AT_LEAST_RE.match(text, start)
                    if m:
                        self.pos = m.end()
                        out.append(self._token(_KEYWORD, "AT LEAST", start))
                        continue
                if ch in "nN":
                    m = _NOT_IN_RE.match(text, start)
                    if m:
                        self.pos = m.end()
                        out.append(self._token(_KEYWORD, "NOT IN", start))
                        continue
                m = _IDENT_RE.match(text, start)
                if m:
                    self.pos = m.end()
                    word = m.group(0)
                    upper = word.upper()
                    if upper in KEYWORDS:
                        out.append(self._token(_KEYWORD, upper, start))
                    else:
                        out.append(self._token(_IDENT, word, start))
                    continue
                raise self._error("unexpected character", start)
            for op in OPERATORS:
                if text.startswith(op, start):
                    self.pos = start + len(op)
                    if op in _SYMBOLIC_KEYWORDS:
                        out.append(self._token(_KEYWORD, _SYMBOLIC_KEYWORDS[op], start))
                    else:
                        out.append(self._token(_OP, op, start))
                    break
            else:
                raise self._error("unexpected character", start)


def _number_value(literal: str) -> int | float:
    lower = literal.lower()
    if lower.startswith("0x"):
        return int(literal[2:], 16)
    if lower.startswith("0b"):
        return int(literal[2:], 2)
    if re.fullmatch(r"[0-9]+", literal):
        value = int(literal)
        if value > 2**63 - 1:
            return float(value)
        return value
    try:
        return float(literal)
    except OverflowError:  # pragma: no cover - float() returns inf instead
        return float("inf")


def tokenize(text: str) -> list[Token]:
    """All tokens of ``text``, ending with an EOF token."""
    return Lexer(text).tokens()
