"""The query language: parsing a query string into a tree, strictly.

The syntax is close to Lucene's and Elasticsearch's ``query_string``::

    Lawrow Treffen              all words (or any, with any_terms=True)
    Putin OR Selenskyj          also UND / ODER / NICHT, && || !, AND NOT
    Selenskyj -Trump            minus excludes a word
    "Treffen mit Putin"         phrase; "Rutte Selenskyj"~5 proximity
    title:NATO body:"..."       fields: title body source category id url date
    person:Lawrow place:Kyiv    people, places, organisations named (org:UNO)
    date:2025-08 date:>=2025-08-01 date:[2025-08-01 TO 2025-08-31]
    Sicherheits*                prefix of a written word (not of a stem)
    Selenskij~  Selenskij~2     fuzzy word, edit distance 1-2 (default by length)
    NATO^2  (a OR b)^3          boost

Malformed input is an error, never silently repaired: an unclosed quote or
bracket, a dangling operator, an unknown field or an invalid date raises
:class:`~index.errors.QuerySyntaxError` with the position where it went wrong.

>>> parse_query('title:NATO "Treffen mit Putin"')
And(items=(Field(name='title', node=Word(text='NATO', ...)), Phrase(words='Treffen mit Putin', ...)), boost=1.0)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, NamedTuple, Union

from index.errors import QuerySyntaxError
from index.schema import QUERY_FIELDS

__all__ = [
    "Node",
    "Word",
    "Phrase",
    "Prefix",
    "Fuzzy",
    "DateRange",
    "Field",
    "And",
    "Or",
    "Not",
    "parse_query",
    "MAX_QUERY_LENGTH",
    "MAX_TERMS",
    "MAX_EXPANDING",
    "MAX_FUZZY_LENGTH",
]

#: Longer queries are refused; nobody types them, and they cost memory to expand.
MAX_QUERY_LENGTH = 10000
#: Deeper nesting of brackets and NOTs is refused (it would exhaust the stack).
MAX_DEPTH = 64
#: ``"a b"~`` without a number: the words within this many words of each other.
DEFAULT_PROXIMITY = 5
#: The largest fuzzy edit distance.
MAX_FUZZY = 2
#: More terms (words, phrases, prefixes, fuzzy words, dates) are refused: each
#: costs time before the search's time limit starts counting.
MAX_TERMS = 2048
#: More prefix, fuzzy and date terms are refused: each stands for up to
#: hundreds of indexed words or dates.
MAX_EXPANDING = 64
#: Longer fuzzy words are refused: the automaton that matches them grows with
#: their length, and no real word is this long.
MAX_FUZZY_LENGTH = 64

_OPERATORS_AND = {"AND", "UND", "&&"}
_OPERATORS_OR = {"OR", "ODER", "||"}
_OPERATORS_NOT = {"NOT", "NICHT", "!"}
_FIELD_RE = re.compile(r"([A-Za-z_]+):(?=\S)")
_BOOST_RE = re.compile(r"\^(\d+(?:\.\d+)?)$")
_FUZZY_RE = re.compile(r"~(\d*)$")
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Word:
    """A plain word, analysed like the text (inflections match)."""

    text: str
    position: int
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Words in this order, next to each other (``slop`` 0) or within ``slop`` words."""

    words: str
    position: int
    slop: int = 0
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Written words starting with ``text`` (``Sicherheits*``)."""

    text: str
    position: int
    boost: float = 1.0


@dataclass(frozen=True)
class Fuzzy:
    """Written words within ``distance`` edits of ``text``; None means by length."""

    text: str
    position: int
    distance: int | None = None
    boost: float = 1.0


@dataclass(frozen=True)
class DateRange:
    """Dates from ``start`` (inclusive) to ``end`` (exclusive); None is open."""

    start: datetime | None
    end: datetime | None
    position: int


@dataclass(frozen=True)
class Field:
    """A query restricted to one field (``title:NATO``)."""

    name: str
    node: "Node"


@dataclass(frozen=True)
class And:
    items: tuple["Node", ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Or:
    items: tuple["Node", ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    node: "Node"


Node = Union[Word, Phrase, Prefix, Fuzzy, DateRange, Field, And, Or, Not]

# -- lexing --------------------------------------------------------------------


class _Token(NamedTuple):  # a NamedTuple: defining a dataclass costs about 1 ms of every search's start
    kind: str  # "word", "phrase", "lparen", "rparen", "range", "field", "prefix"
    text: str
    position: int
    suffix: str = ""  # what follows a phrase, bracket or range: ~N and/or ^N


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        start = i
        if ch == "(":
            tokens.append(_Token("lparen", ch, start))
            i += 1
        elif ch == ")":
            i += 1
            suffix, i = _read_suffix(query, i)
            _expect_separator(query, i, "')'")
            tokens.append(_Token("rparen", ch, start, suffix))
        elif ch in "\"“„”":
            close = query.find('"', i + 1) if ch == '"' else _find_any(query, i + 1, "\"“”")
            if close < 0:
                raise QuerySyntaxError(f"unclosed quote at position {start + 1}", start)
            text = query[i + 1 : close]
            i = close + 1
            suffix, i = _read_suffix(query, i)
            _expect_separator(query, i, "a phrase")
            tokens.append(_Token("phrase", text, start, suffix))
        elif ch in "-+!" and i + 1 < n and not query[i + 1].isspace() and query[i + 1] not in "-+!)":
            # A prefix operator applies to whatever follows it: a word, a
            # "phrase", a (group) or a field:value.
            tokens.append(_Token("prefix", ch, start))
            i += 1
        elif ch in "[{" and tokens and tokens[-1].kind == "field":
            close = _find_any(query, i + 1, "]}")
            if close < 0:
                raise QuerySyntaxError(f"unclosed range bracket at position {start + 1}", start)
            tokens.append(_Token("range", query[i : close + 1], start))
            i = close + 1
        else:
            end = i
            while end < n and not query[end].isspace() and query[end] not in "()\"“„”":
                end += 1
            text = query[i:end]
            after_field = bool(tokens) and tokens[-1].kind == "field"
            # An id or url is taken as it stands: url:https://... is one value.
            literal = after_field and tokens[-1].text.lower() in ("id", "url")
            match = None if literal else _FIELD_RE.match(query, i)
            if match:
                tokens.append(_Token("field", match.group(1), start))
                i += len(match.group(0))
                continue
            if not after_field:
                _check_word(text, start)
            tokens.append(_Token("word", text, start))
            i = end
    return tokens


def _expect_separator(query: str, i: int, what: str) -> None:
    """After a phrase or a bracket (and its ~N or ^N) comes a space, ')' or the end."""
    if i < len(query) and not query[i].isspace() and query[i] != ")":
        raise QuerySyntaxError(f"unexpected {query[i]!r} after {what} at position {i + 1}", i)


def _check_word(text: str, position: int) -> None:
    """Refuse what would otherwise be read as a plain word by mistake."""
    if text in _OPERATORS_NOT | _OPERATORS_AND | _OPERATORS_OR:
        return
    if text[0] in "-+!":
        raise QuerySyntaxError(
            f"misplaced operator {text[0]!r}: write it right before the word it applies to, "
            f"as in -Trump, at position {position + 1}",
            position,
        )
    name, colon, rest = text.partition(":")
    if colon and not rest and name.lower() in QUERY_FIELDS:
        raise QuerySyntaxError(
            f"{name}: needs a value right after the colon, as in {name}:NATO, at position {position + 1}", position
        )


def _find_any(text: str, start: int, chars: str) -> int:
    positions = [p for p in (text.find(c, start) for c in chars) if p >= 0]
    return min(positions) if positions else -1


def _read_suffix(query: str, i: int) -> tuple[str, int]:
    """Read ``~N`` and ``^N`` directly after a phrase or a bracket."""
    match = re.match(r"(?:~\d*)?(?:\^\d+(?:\.\d+)?)?", query[i:])
    suffix = match.group(0) if match else ""
    return suffix, i + len(suffix)


# -- parsing -------------------------------------------------------------------


class _Parser:
    def __init__(self, query: str, any_terms: bool) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.index = 0
        self.any_terms = any_terms
        self.depth = 0
        self.terms = 0
        self.expanding = 0
        self.required: set[int] = set()  # ids of +term nodes: required even with any_terms

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, position: int) -> QuerySyntaxError:
        return QuerySyntaxError(f"{message} at position {position + 1}", position)

    def is_op(self, token: _Token | None, ops: set[str]) -> bool:
        return token is not None and token.kind == "word" and token.text in ops

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("empty query", 0)
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            if token.kind == "rparen":
                raise self.error("unmatched ')'", token.position)
            raise self.error(f"unexpected {token.text!r}", token.position)
        return node

    def parse_or(self) -> Node:
        items = [self.parse_and()]
        while self.is_op(self.peek(), _OPERATORS_OR):
            op = self.next()
            if self.peek() is None or self.peek().kind == "rparen":  # type: ignore[union-attr]
                raise self.error(f"{op.text} needs a term after it", op.position)
            items.append(self.parse_and())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self) -> Node:
        units: list[Node] = []
        unit = self.parse_unary()
        while True:
            token = self.peek()
            if token is None or token.kind == "rparen" or self.is_op(token, _OPERATORS_OR):
                break
            if self.is_op(token, _OPERATORS_AND):
                op = self.next()
                following = self.peek()
                if following is None or following.kind == "rparen" or self.is_op(following, _OPERATORS_OR):
                    raise self.error(f"{op.text} needs a term after it", op.position)
                unit = _and(unit, self.parse_unary())
            else:
                units.append(unit)
                unit = self.parse_unary()
        units.append(unit)
        if len(units) == 1:
            return units[0]
        if not self.any_terms:
            return And(tuple(units))
        # --any: words side by side are optional and ranked by how many match;
        # negations, +terms and explicit AND groups still constrain.
        required = [u for u in units if isinstance(u, Not) or id(u) in self.required]
        optional = [u for u in units if not (isinstance(u, Not) or id(u) in self.required)]
        if not optional:
            return And(tuple(required))
        either = optional[0] if len(optional) == 1 else Or(tuple(optional))
        return And((either, *required)) if required else either

    def parse_unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("query ends where a term was expected", len(self.query))
        if self.is_op(token, _OPERATORS_NOT):
            op = self.next()
            following = self.peek()
            if following is None or following.kind == "rparen" or self.is_op(following, _OPERATORS_OR | _OPERATORS_AND):
                raise self.error(f"{op.text} needs a term after it", op.position)
            return Not(self.nested(self.parse_unary))
        if token.kind == "prefix":
            self.next()
            node = self.nested(lambda: self.parse_primary(None))
            if token.text == "+":
                self.required.add(id(node))
                return node
            return Not(node)
        if self.is_op(token, _OPERATORS_AND | _OPERATORS_OR):
            raise self.error(f"{token.text} needs a term before it", token.position)
        return self.parse_primary(None)

    def nested(self, parse: Callable[[], Node]) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            # The bracket, NOT or field that went one level too deep.
            raise self.error(f"query nested deeper than {MAX_DEPTH} levels", self.tokens[self.index - 1].position)
        try:
            return parse()
        finally:
            self.depth -= 1

    def parse_primary(self, field: str | None) -> Node:
        token = self.next()
        if token.kind == "lparen":
            if self.peek() is None:
                raise self.error("unclosed '('", token.position)
            if self.peek().kind == "rparen":  # type: ignore[union-attr]
                raise self.error("empty brackets", token.position)
            inner = self.nested(self.parse_or)
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise self.error("unclosed '('", token.position)
            self.next()
            _, boost = _split_suffix(closing.suffix, closing.position, allow_slop=False)
            if field is not None:
                inner = _apply_field(field, inner)
            return _boosted(inner, boost)
        if token.kind == "rparen":
            raise self.error("unmatched ')'", token.position)
        if token.kind == "field":
            name = token.text
            if name.lower() not in QUERY_FIELDS:
                raise self.error(
                    f"unknown field {name!r}; fields are {', '.join(QUERY_FIELDS)}", token.position
                )
            name = name.lower()
            if field is not None:
                raise self.error("a field inside a field", token.position)
            following = self.peek()
            if following is None:
                raise self.error(f"{name}: needs a value", token.position)
            if name == "date":
                value = self.next()
                node = self.date_value(value)
                self.count_term(value, node)
                return node
            return self.nested(lambda: self.parse_primary(name))
        if token.kind == "range":
            raise self.error("a range is only allowed after date:", token.position)
        return self.term(field, token)

    def count_term(self, token: _Token, node: Node) -> None:
        """Refuse a query with too many terms, or too many that expand to many words."""
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(f"query has more than {MAX_TERMS} terms", token.position)
        if isinstance(node, (Prefix, Fuzzy, DateRange)):
            self.expanding += 1
            if self.expanding > MAX_EXPANDING:
                raise self.error(f"query has more than {MAX_EXPANDING} prefix, fuzzy or date terms", token.position)

    def term(self, field: str | None, token: _Token) -> Node:
        node: Node
        if token.kind == "phrase":
            slop_text, boost = _split_suffix(token.suffix, token.position, allow_slop=True)
            if not token.text.strip():
                raise self.error("empty phrase", token.position)
            slop = int(slop_text) if slop_text else 0
            node = Phrase(token.text, token.position, slop, boost)
        elif token.kind == "word" and field in ("id", "url"):
            # Exact values: only a final * (a prefix) is special.
            text = token.text
            node = Prefix(text[:-1], token.position) if len(text) > 1 and text.endswith("*") else Word(text, token.position)
        elif token.kind == "word":
            node = _word_node(token)
        else:
            raise self.error(f"unexpected {token.text!r}", token.position)
        self.count_term(token, node)
        return Field(field, node) if field else node

    def date_value(self, token: _Token) -> Node:
        if token.kind == "range":
            return _date_range_from_brackets(token)
        if token.kind != "word":
            raise self.error("date: needs a date, a comparison or a [FROM TO TO] range", token.position)
        text = token.text
        match = re.match(r"(>=|<=|>|<)", text)
        if match:
            op = match.group(1)
            value = text[len(op) :]
            start, end = _date_span(value, token.position + len(op))
            if op == ">=":
                return DateRange(start, None, token.position)
            if op == ">":
                return DateRange(end, None, token.position)
            if op == "<":
                return DateRange(None, start, token.position)
            return DateRange(None, end, token.position)
        start, end = _date_span(text, token.position)
        return DateRange(start, end, token.position)


def _and(left: Node, right: Node) -> Node:
    items = left.items if isinstance(left, And) and left.boost == 1.0 else (left,)
    return And((*items, right))


def _boosted(node: Node, boost: float) -> Node:
    if boost == 1.0:
        return node
    if isinstance(node, (Word, Phrase, Prefix, Fuzzy)):
        return type(node)(**{**node.__dict__, "boost": boost})
    if isinstance(node, (And, Or)):
        return type(node)(node.items, boost)
    if isinstance(node, Field):
        return Field(node.name, _boosted(node.node, boost))
    return node


def _apply_field(field: str, node: Node) -> Node:
    """Push a field over a bracketed group down to its terms: ``title:(a OR b)``."""
    if isinstance(node, (And, Or)):
        return type(node)(tuple(_apply_field(field, item) for item in node.items), node.boost)
    if isinstance(node, Not):
        return Not(_apply_field(field, node.node))
    if isinstance(node, Field):
        raise QuerySyntaxError(f"a field inside {field}:(...)", None)
    if isinstance(node, DateRange):
        raise QuerySyntaxError(f"a date inside {field}:(...)", node.position)
    return Field(field, node)


def _split_suffix(suffix: str, position: int, allow_slop: bool) -> tuple[str, float]:
    slop = ""
    boost = 1.0
    match = re.fullmatch(r"(?:~(\d*))?(?:\^(\d+(?:\.\d+)?))?", suffix)
    if match:
        if match.group(1) is not None:
            if not allow_slop:
                raise QuerySyntaxError(f"'~' only follows a word or a phrase at position {position + 1}", position)
            slop = match.group(1) or str(DEFAULT_PROXIMITY)
        if match.group(2):
            boost = float(match.group(2))
    return slop, boost


def _word_node(token: _Token) -> Node:
    text = token.text
    boost = 1.0
    match = _BOOST_RE.search(text)
    if match:
        boost = float(match.group(1))
        text = text[: match.start()]
    if not text:
        raise QuerySyntaxError(f"a boost needs a word before '^' at position {token.position + 1}", token.position)
    match = _FUZZY_RE.search(text)
    if match:
        word = text[: match.start()]
        if not word or not any(c.isalnum() for c in word):
            raise QuerySyntaxError(f"'~' needs a word before it at position {token.position + 1}", token.position)
        distance = int(match.group(1)) if match.group(1) else None
        if distance is not None and distance > MAX_FUZZY:
            raise QuerySyntaxError(
                f"fuzzy distance {distance} is too large, at most {MAX_FUZZY} at position {token.position + 1}",
                token.position,
            )
        if "*" in word or "?" in word:
            raise QuerySyntaxError(f"a word cannot be both fuzzy and a prefix at position {token.position + 1}", token.position)
        if len(word) > MAX_FUZZY_LENGTH:
            raise QuerySyntaxError(
                f"a fuzzy word has at most {MAX_FUZZY_LENGTH} characters at position {token.position + 1}",
                token.position,
            )
        return Fuzzy(word, token.position, distance, boost)
    if "*" in text or "?" in text:
        stem = text[:-1]
        if "~" in stem or "^" in stem:
            raise QuerySyntaxError(f"a word cannot be both fuzzy and a prefix at position {token.position + 1}", token.position)
        if not text.endswith("*") or "*" in stem or "?" in stem or not stem:
            raise QuerySyntaxError(
                f"wildcards are only allowed at the end of a word (as in Sicherheits*) at position {token.position + 1}",
                token.position,
            )
        return Prefix(stem, token.position, boost)
    if "^" in text or "~" in text:
        raise QuerySyntaxError(f"misplaced '^' or '~' in {token.text!r} at position {token.position + 1}", token.position)
    return Word(text, token.position, boost)


# -- dates -------------------------------------------------------------------

_DATE_FORMS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), "day"),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), "day_de"),
    (re.compile(r"(\d{4})-(\d{1,2})"), "month"),
    (re.compile(r"(\d{4})"), "year"),
)


def _date_span(text: str, position: int) -> tuple[datetime, datetime]:
    """The interval ``[start, end)`` a date value covers: a day, a month or a year."""
    for pattern, form in _DATE_FORMS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        try:
            if form == "year":
                year = int(match[1])
                return datetime(year, 1, 1), datetime(year + 1, 1, 1)
            if form == "month":
                year, month = int(match[1]), int(match[2])
                start = datetime(year, month, 1)
                return start, datetime(year + month // 12, month % 12 + 1, 1)
            if form == "day":
                start = datetime(int(match[1]), int(match[2]), int(match[3]))
            else:
                start = datetime(int(match[3]), int(match[2]), int(match[1]))
            return start, start + timedelta(days=1)
        except ValueError:
            break
    raise QuerySyntaxError(
        f"invalid date {text!r} at position {position + 1}; use YYYY, YYYY-MM or YYYY-MM-DD", position
    )


def _date_range_from_brackets(token: _Token) -> DateRange:
    text = token.text
    inner = text[1:-1].strip()
    parts = re.split(r"\s+TO\s+", inner)
    if len(parts) != 2:
        raise QuerySyntaxError(
            f"a date range is [FROM TO TO], e.g. [2025-08-01 TO 2025-08-31] at position {token.position + 1}",
            token.position,
        )
    low, high = (part.strip() for part in parts)
    start = end = None
    if low != "*":
        low_start, low_end = _date_span(low, token.position + 1)
        start = low_end if text[0] == "{" else low_start
    if high != "*":
        high_start, high_end = _date_span(high, token.position + 1)
        end = high_start if text[-1] == "}" else high_end
    if start is not None and end is not None and start >= end:
        raise QuerySyntaxError(f"the date range {text} is empty at position {token.position + 1}", token.position)
    return DateRange(start, end, token.position)


def parse_query(query: str, *, any_terms: bool = False) -> Node:
    """Parse a query string into a tree of nodes.

    :param query: the query, in the syntax of this module's docstring.
    :param any_terms: words without an operator are optional (OR) instead of
        all required (AND); documents matching more of them rank higher.
    :raises QuerySyntaxError: for malformed queries, with ``position`` set.

    >>> parse_query("Lawrow UND Treffen")
    And(items=(Word(text='Lawrow', position=0, boost=1.0), Word(text='Treffen', position=11, boost=1.0)), boost=1.0)
    >>> parse_query('"Treffen mit Putin')
    Traceback (most recent call last):
    ...
    index.errors.QuerySyntaxError: unclosed quote at position 1
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"query longer than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH)
    if "\x00" in query:
        raise QuerySyntaxError("query contains a NUL character", query.index("\x00"))
    surrogate = _SURROGATE.search(query)
    if surrogate:
        # What undecodable bytes of a command line become: no character at all.
        raise QuerySyntaxError(
            f"query contains {surrogate.group()!r}, which is no character (bytes that are not UTF-8?) "
            f"at position {surrogate.start() + 1}",
            surrogate.start(),
        )
    if not query.strip():
        raise QuerySyntaxError("empty query", 0)
    try:
        return _Parser(query, any_terms).parse()
    except RecursionError:
        raise QuerySyntaxError(f"query nested deeper than {MAX_DEPTH} levels", None) from None
