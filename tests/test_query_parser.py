"""The query parser on its own: each syntax form and the tree it becomes, and every malformed input."""

from __future__ import annotations

from datetime import datetime

import pytest

from index.errors import QuerySyntaxError, SearchError
from searcher.query import (
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    And,
    DateRange,
    Field,
    Fuzzy,
    Not,
    Or,
    Phrase,
    Prefix,
    Word,
    parse_query,
)

# -- words and operators --------------------------------------------------------


def test_a_single_word() -> None:
    assert parse_query("Lawrow") == Word("Lawrow", 0)


def test_words_side_by_side_are_all_required() -> None:
    assert parse_query("Lawrow Treffen") == And((Word("Lawrow", 0), Word("Treffen", 7)))


@pytest.mark.parametrize("op", ["AND", "UND", "&&"])
def test_and_in_every_spelling(op: str) -> None:
    query = f"Lawrow {op} Treffen"
    assert parse_query(query) == And((Word("Lawrow", 0), Word("Treffen", query.index("Treffen"))))


@pytest.mark.parametrize("op", ["OR", "ODER", "||"])
def test_or_in_every_spelling(op: str) -> None:
    query = f"Rubio {op} Kallas"
    assert parse_query(query) == Or((Word("Rubio", 0), Word("Kallas", query.index("Kallas"))))


@pytest.mark.parametrize("query", ["Selenskyj NOT Trump", "Selenskyj NICHT Trump", "Selenskyj AND NOT Trump", "Selenskyj ! Trump"])
def test_not_in_every_spelling(query: str) -> None:
    assert parse_query(query) == And((Word("Selenskyj", 0), Not(Word("Trump", query.index("Trump")))))


@pytest.mark.parametrize("query", ["Selenskyj -Trump", "Selenskyj !Trump"])
def test_minus_and_bang_exclude_the_word_they_stick_to(query: str) -> None:
    assert parse_query(query) == And((Word("Selenskyj", 0), Not(Word("Trump", 11))))


def test_plus_marks_a_word_as_plainly_required() -> None:
    assert parse_query("+Selenskyj") == Word("Selenskyj", 1)


def test_minus_excludes_a_phrase_a_group_and_a_field() -> None:
    assert parse_query('-"Treffen ohne Putin"') == Not(Phrase("Treffen ohne Putin", 1))
    assert parse_query("-(Trump OR Lawrow)") == Not(Or((Word("Trump", 2), Word("Lawrow", 11))))
    assert parse_query("-title:Trump") == Not(Field("title", Word("Trump", 7)))


def test_a_hyphen_inside_a_word_is_part_of_the_word() -> None:
    assert parse_query("US-Präsident") == Word("US-Präsident", 0)
    assert parse_query("Selenskyj-Putin-Treffen") == Word("Selenskyj-Putin-Treffen", 0)


def test_and_binds_tighter_than_or() -> None:
    assert parse_query("a OR b c") == Or((Word("a", 0), And((Word("b", 5), Word("c", 7)))))
    assert parse_query("a b OR c") == Or((And((Word("a", 0), Word("b", 2))), Word("c", 7)))


def test_parentheses_group() -> None:
    assert parse_query("(Rubio OR Kallas) AND Lawrow") == And(
        (Or((Word("Rubio", 1), Word("Kallas", 10))), Word("Lawrow", 22))
    )
    assert parse_query("NOT (a OR b)") == Not(Or((Word("a", 5), Word("b", 10))))


def test_chains_of_one_operator_are_flat() -> None:
    assert parse_query("a OR b OR c") == Or((Word("a", 0), Word("b", 5), Word("c", 10)))
    assert parse_query("a AND b AND c") == And((Word("a", 0), Word("b", 6), Word("c", 12)))


def test_an_id_or_url_value_is_taken_as_it_stands() -> None:
    assert parse_query("url:https://example.org/a?b=c") == Field("url", Word("https://example.org/a?b=c", 4))
    assert parse_query("id:feed:2025:17") == Field("id", Word("feed:2025:17", 3))


def test_a_word_ending_in_a_colon_that_names_no_field_is_a_word() -> None:
    assert parse_query("Hinweis: NATO") == And((Word("Hinweis:", 0), Word("NATO", 9)))


def test_plus_makes_a_word_required_among_optional_ones() -> None:
    assert parse_query("+Lawrow Treffen Gipfel", any_terms=True) == And(
        (Or((Word("Treffen", 8), Word("Gipfel", 16))), Word("Lawrow", 1))
    )


def test_any_terms_makes_plain_words_optional_but_keeps_negations() -> None:
    assert parse_query("Kallas Rubio", any_terms=True) == Or((Word("Kallas", 0), Word("Rubio", 7)))
    assert parse_query("Kallas Rubio -Lawrow", any_terms=True) == And(
        (Or((Word("Kallas", 0), Word("Rubio", 7))), Not(Word("Lawrow", 14)))
    )
    # An explicit AND still binds.
    assert parse_query("a AND b c", any_terms=True) == Or((And((Word("a", 0), Word("b", 6))), Word("c", 8)))


# -- phrases and proximity --------------------------------------------------------


def test_phrases_keep_their_words_as_typed() -> None:
    assert parse_query('"Treffen mit Putin"') == Phrase("Treffen mit Putin", 0)
    assert parse_query("„Treffen mit Putin“") == Phrase("Treffen mit Putin", 0)


def test_proximity() -> None:
    assert parse_query('"Rutte Selenskyj"~5') == Phrase("Rutte Selenskyj", 0, slop=5)
    assert parse_query('"Rutte Selenskyj"~12') == Phrase("Rutte Selenskyj", 0, slop=12)


def test_proximity_without_a_number_uses_the_default() -> None:
    assert parse_query('"Rutte Selenskyj"~') == Phrase("Rutte Selenskyj", 0, slop=5)


# -- fields ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:NATO", Field("title", Word("NATO", 6))),
        ("body:NATO", Field("body", Word("NATO", 5))),
        ("source:tagesschau", Field("source", Word("tagesschau", 7))),
        ("category:politik", Field("category", Word("politik", 9))),
        ("id:rutte-kyjiw.txt", Field("id", Word("rutte-kyjiw.txt", 3))),
        ('body:"Treffen mit Putin"', Field("body", Phrase("Treffen mit Putin", 5))),
        ("TITLE:NATO", Field("title", Word("NATO", 6))),
    ],
)
def test_fields(query: str, expected: object) -> None:
    assert parse_query(query) == expected


def test_a_field_applies_to_each_term_of_its_group() -> None:
    assert parse_query("title:(Lawrow OR NATO)") == Or(
        (Field("title", Word("Lawrow", 7)), Field("title", Word("NATO", 17)))
    )


def test_a_field_next_to_a_free_word() -> None:
    assert parse_query("source:tagesschau Verhandlung") == And(
        (Field("source", Word("tagesschau", 7)), Word("Verhandlung", 18))
    )


# -- dates: each form is the half-open interval [start, end) it covers ---------------------


def _d(*parts: int) -> datetime:
    return datetime(*parts)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("date:2025-08-22", _d(2025, 8, 22), _d(2025, 8, 23)),
        ("date:22.08.2025", _d(2025, 8, 22), _d(2025, 8, 23)),
        ("date:2025-08", _d(2025, 8, 1), _d(2025, 9, 1)),
        ("date:2025-12", _d(2025, 12, 1), _d(2026, 1, 1)),
        ("date:2025", _d(2025, 1, 1), _d(2026, 1, 1)),
        ("date:[2025-08-01 TO 2025-08-31]", _d(2025, 8, 1), _d(2025, 9, 1)),
        ("date:{2025-08-01 TO 2025-08-31}", _d(2025, 8, 2), _d(2025, 8, 31)),
        ("date:[2025-08 TO 2025-09]", _d(2025, 8, 1), _d(2025, 10, 1)),
        ("date:[2025-08-01 TO *]", _d(2025, 8, 1), None),
        ("date:[* TO 2024]", None, _d(2025, 1, 1)),
        ("date:>=2025-08-01", _d(2025, 8, 1), None),
        ("date:>2025-08-01", _d(2025, 8, 2), None),
        ("date:<2026", None, _d(2026, 1, 1)),
        ("date:<=2025-08", None, _d(2025, 9, 1)),
    ],
)
def test_date_forms(query: str, start: datetime | None, end: datetime | None) -> None:
    assert parse_query(query) == DateRange(start, end, 5)


# -- prefixes, fuzzy words, boosts --------------------------------------------------------


def test_prefix() -> None:
    assert parse_query("Sicherheits*") == Prefix("Sicherheits", 0)


def test_fuzzy_with_and_without_a_distance() -> None:
    assert parse_query("Selenskij~") == Fuzzy("Selenskij", 0, None)
    assert parse_query("Selenskij~1") == Fuzzy("Selenskij", 0, 1)
    assert parse_query("Selenskij~2") == Fuzzy("Selenskij", 0, 2)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NATO^2", Word("NATO", 0, boost=2.0)),
        ("NATO^1.5", Word("NATO", 0, boost=1.5)),
        ('"Treffen mit Putin"^2', Phrase("Treffen mit Putin", 0, boost=2.0)),
        ('"Rutte Selenskyj"~3^2', Phrase("Rutte Selenskyj", 0, slop=3, boost=2.0)),
        ("Sicherheits*^2", Prefix("Sicherheits", 0, boost=2.0)),
        ("Selenskij~1^3", Fuzzy("Selenskij", 0, 1, boost=3.0)),
        ("title:NATO^2", Field("title", Word("NATO", 6, boost=2.0))),
        ("(Rubio OR Kallas)^3", Or((Word("Rubio", 1), Word("Kallas", 10)), boost=3.0)),
    ],
)
def test_boosts(query: str, expected: object) -> None:
    assert parse_query(query) == expected


def test_nesting_up_to_the_limit_is_fine() -> None:
    query = "(" * MAX_DEPTH + "Lawrow" + ")" * MAX_DEPTH
    assert parse_query(query) == Word("Lawrow", MAX_DEPTH)


def test_a_query_of_the_maximum_length_is_fine() -> None:
    query = ("Lawrow " * MAX_QUERY_LENGTH)[: MAX_QUERY_LENGTH - 1] + "x"
    assert len(query) == MAX_QUERY_LENGTH
    assert isinstance(parse_query(query), And)


# -- malformed input: a QuerySyntaxError that says what and where ------------------------------


def _error(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    return info.value


@pytest.mark.parametrize(
    ("query", "position", "says"),
    [
        ('"Treffen mit Putin', 0, "unclosed quote"),
        ('Lawrow "Treffen', 7, "unclosed quote"),
        ("(Lawrow OR Rubio", 0, "unclosed '('"),
        ("Lawrow (", 7, "unclosed '('"),
        ("Lawrow OR Rubio)", 15, "unmatched ')'"),
        ("()", 0, "empty brackets"),
        ("date:[2025-08-01 TO 2025-08-31", 5, "unclosed range bracket"),
        ("Lawrow AND", 7, "AND needs a term after it"),
        ("Lawrow UND", 7, "UND needs a term after it"),
        ("AND Lawrow", 0, "AND needs a term before it"),
        ("Lawrow OR", 7, "OR needs a term after it"),
        ("ODER Lawrow", 0, "ODER needs a term before it"),
        ("Lawrow AND OR Rubio", 7, "AND needs a term after it"),
        ("Lawrow NOT", 7, "NOT needs a term after it"),
        ("NICHT", 0, "NICHT needs a term after it"),
        ("(Lawrow NOT)", 8, "NOT needs a term after it"),
        ("date:2025-13-45", 5, "invalid date '2025-13-45'"),
        ("date:2025-02-30", 5, "invalid date '2025-02-30'"),
        ("date:August", 5, "invalid date 'August'"),
        ("date:[2025-09-01 TO 2025-08-01]", 5, "is empty"),
        ("date:[2025-08-01 2025-08-31]", 5, "[FROM TO TO]"),
        ("source:[a TO b]", 7, "a range is only allowed after date:"),
        ("title:date:2025", 6, "a field inside a field"),
        ("*a*", 0, "wildcards are only allowed at the end of a word"),
        ("*Sicherheit", 0, "wildcards are only allowed at the end of a word"),
        ("Sich*heit", 0, "wildcards are only allowed at the end of a word"),
        ("Lawrow Selenskij~3", 7, "fuzzy distance 3 is too large, at most 2"),
        ("Selenskij*~", 0, "both fuzzy and a prefix"),
        ('"  "', 0, "empty phrase"),
        ("", 0, "empty query"),
        ("   ", 0, "empty query"),
        ("Rubio^", 0, "misplaced '^'"),
        ("title:", 0, "title: needs a value right after the colon"),
        ("Lawrow title: NATO", 7, "title: needs a value right after the colon"),
        ('"Treffen mit Putin"~x', 20, "unexpected 'x' after a phrase"),
        ("(Lawrow OR Rubio)x", 17, "unexpected 'x' after ')'"),
        ("Selenskij~*", 0, "both fuzzy and a prefix"),
        ("--Trump", 0, "misplaced operator '-'"),
        ("Ukraine - Russland", 8, "misplaced operator '-'"),
    ],
)
def test_malformed_queries(query: str, position: int, says: str) -> None:
    error = _error(query)
    assert says in error.message
    assert error.position == position
    if query.strip():
        # Positions in messages count from 1, as a person counts characters.
        assert str(error).endswith(f"at position {position + 1}") or f"at position {position + 1};" in str(error)


def test_an_unknown_field_lists_the_valid_ones() -> None:
    error = _error("Lawrow titel:NATO")
    assert error.position == 7
    assert str(error) == (
        "unknown field 'titel'; fields are title, body, source, category, id, date, url, person, place, org at position 8"
    )


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("(" * (MAX_DEPTH + 1) + "a" + ")" * (MAX_DEPTH + 1), MAX_DEPTH),
        ("NOT " * (MAX_DEPTH + 1) + "a", 4 * MAX_DEPTH),
        ("-" + "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH, MAX_DEPTH),
    ],
)
def test_nesting_deeper_than_the_limit(query: str, position: int) -> None:
    error = _error(query)
    assert f"nested deeper than {MAX_DEPTH} levels" in error.message
    # Where it went one level too deep: the last bracket or NOT.
    assert error.position == position


def test_deep_nesting_far_beyond_the_limit_is_a_syntax_error_not_a_crash() -> None:
    error = _error("(" * 4000 + "a" + ")" * 4000)
    assert "nested deeper" in error.message


def test_a_query_over_the_length_limit() -> None:
    error = _error("a" * (MAX_QUERY_LENGTH + 1))
    assert error.message == f"query longer than {MAX_QUERY_LENGTH} characters"
    assert error.position == MAX_QUERY_LENGTH


def test_syntax_errors_belong_to_the_library_hierarchy() -> None:
    assert isinstance(_error("titel:NATO"), SearchError)
