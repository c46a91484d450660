"""Turning a parsed query into a Whoosh query, and into the list of what to mark.

Words go through the same German analysis as the indexed text
(:func:`index.analysis.german_analyzer`). Prefix and fuzzy terms are matched
against the folded, *unstemmed* words of the text (``title_words``,
``body_words``), and expanded here, against the index's own word list, so that
their cost is bounded (:data:`MAX_EXPANSIONS`) and the highlighter knows the
exact words they matched.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

from whoosh import query as wq
from whoosh.query import spans as wspans

from index.aliases import AliasTable
from index.analysis import WORD_PATTERN, fold, german_analyzer, simple_analyzer
from index.entities import FIELD_OF_KIND, WORD_MARK
from index.stems import Stemmer
from index.errors import QuerySyntaxError

from .phrases import ExactPhrase
from .query import And, DateRange, Field, Fuzzy, Node, Not, Or, Phrase, Prefix, Word

__all__ = ["CompiledQuery", "MarkPlan", "compile_query", "TITLE_BOOST", "MAX_EXPANSIONS"]

#: How much more a match in the headline counts than one in the body.
TITLE_BOOST = 2.0
#: How much a match inside a compound counts (``Garantien`` in ``Sicherheitsgarantien``):
#: below a whole word in the body.
PART_BOOST = 0.2
#: The most words one prefix or fuzzy term may expand to (the most frequent win).
MAX_EXPANSIONS = 256

_TEXT_FIELDS = ("title", "body")
_MAX_NAME_WORDS = 4  # the longest run of query words looked up as a name
# Whoosh intersects the parts of an AND one after another, one stack frame per
# part: groups of this many keep a query of a thousand words from exhausting the stack.
_AND_GROUP = 32
# Spelling suggestions are looked for among this many words, each at most this
# long: the lookup costs time per word and per letter, outside the time limit.
_SUGGEST_WORDS = 16
_SUGGEST_LENGTH = 64
_WORDS_FIELD = {"title": "title_words", "body": "body_words"}
_SIMPLE = simple_analyzer()


class MarkPlan:
    """What the highlighter marks, per text field (``title``, ``body``).

    ``stems``: analysed terms of plain words; ``parts``: the same for matches
    inside compounds (``Garantien`` marks ``Sicherheitsgarantien``); ``words``: folded written words
    that prefix and fuzzy terms matched; ``phrases``: analysed term sequences
    with their slop (0 = exact, in order) -- a phrase is marked only where the
    whole phrase occurs.
    """

    # Plain classes, not dataclasses: defining one costs about 1 ms of every search's start.
    def __init__(self) -> None:
        self.stems: dict[str, set[str]] = {f: set() for f in _TEXT_FIELDS}
        #: Stems that may also match as a part of a compound (the whole compound is marked).
        self.parts: set[str] = set()
        self.words: dict[str, set[str]] = {f: set() for f in _TEXT_FIELDS}
        self.phrases: dict[str, list[tuple[tuple[str, ...], int]]] = {f: [] for f in _TEXT_FIELDS}


class CompiledQuery:
    """A Whoosh query, what to highlight, and notes on how the query was read."""

    def __init__(self, query: Any, marks: MarkPlan, notes: list[str], terms: list[tuple[str, str, int]]) -> None:
        self.query = query
        self.marks = marks
        self.notes = notes
        #: (field, written word, position) of positive plain words, for suggestions.
        self.terms = terms


_WORD = re.compile(WORD_PATTERN)


def _folded_words(text: str) -> tuple[str, ...]:
    """The folded, unstemmed words of a text: how alias names are compared."""
    return tuple(fold(word.lower()) for word in _WORD.findall(text))


class _Compiler:
    def __init__(self, reader: Any, max_expansions: int, aliases: AliasTable | None, stemmer: Stemmer) -> None:
        self.reader = reader
        self.stemmer = stemmer
        self.analyzer = german_analyzer(stemmer)
        self.aliases = aliases
        self.max_expansions = max_expansions
        self.marks = MarkPlan()
        self.notes: list[str] = []
        self.terms: list[tuple[str, str, int]] = []
        self.stop_words = False  # a word was dropped as a stop word

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    # Every method returns a Whoosh query or None (nothing left to search, e.g. a stop word).

    def compile(self, node: Node, fieldname: str | None = None, positive: bool = True) -> Any:
        if isinstance(node, And):
            return self.compound(node.items, wq.And, node.boost, fieldname, positive)
        if isinstance(node, Or):
            return self.compound(node.items, wq.Or, node.boost, fieldname, positive)
        if isinstance(node, Not):
            inner = self.compile(node.node, fieldname, positive=False)
            return None if inner is None else wq.Not(inner)
        if isinstance(node, Field):
            return self.compile(node.node, node.name, positive)
        if isinstance(node, DateRange):
            return wq.DateRange("date", node.start, node.end, startexcl=False, endexcl=node.end is not None)
        fields = _TEXT_FIELDS if fieldname is None else (fieldname,)
        if fieldname in ("id", "url"):
            return self.exact(node, fieldname)
        if fieldname in ("source", "category"):
            return self.metadata(node, fieldname)
        if fieldname in FIELD_OF_KIND:
            return self.entity(node, fieldname, positive)
        if isinstance(node, Word):
            return self.word(node, fields, positive)
        if isinstance(node, Phrase):
            return self.phrase(node, fields, positive)
        if isinstance(node, Prefix):
            return self.expanded(node, fields, positive, self.prefix_words(node, fields))
        if isinstance(node, Fuzzy):
            return self.expanded(node, fields, positive, self.fuzzy_words(node, fields))
        raise TypeError(f"unknown query node {node!r}")

    def compound(self, items: Iterable[Node], kind: Any, boost: float, fieldname: str | None, positive: bool) -> Any:
        compiled = self.names_in_run(list(items), fieldname, positive) if kind is wq.And else None
        if compiled is None:
            compiled = [self.compile(item, fieldname, positive) for item in items]
        parts = [q for q in compiled if q is not None]
        if not parts:
            return None
        if kind is wq.And and all(isinstance(p, wq.Not) for p in parts):
            parts.insert(0, wq.Every())  # "-Trump" alone: everything but
        if len(parts) == 1 and boost == 1.0:
            return parts[0]
        if kind is wq.And:
            while len(parts) > _AND_GROUP:
                groups = [parts[i : i + _AND_GROUP] for i in range(0, len(parts), _AND_GROUP)]
                parts = [group[0] if len(group) == 1 else wq.And(group) for group in groups]
        return kind(parts, boost=boost)

    def names_in_run(self, items: list[Node], fieldname: str | None, positive: bool) -> list[Any] | None:
        """Compile words side by side that together are a name (``United Nations``), or None if none are.

        Such a run matches as before (all its words) or as any name of the
        entity: ``United Nations`` also finds ``Vereinte Nationen`` and ``UNO``.
        """
        if self.aliases is None or fieldname not in (None, "title", "body"):
            return None
        fields = _TEXT_FIELDS if fieldname is None else (fieldname,)
        out: list[Any] = []
        found = False
        i = 0
        while i < len(items):
            for length in range(min(_MAX_NAME_WORDS, len(items) - i), 1, -1):
                run = items[i : i + length]
                if not all(isinstance(n, Word) and n.boost == 1.0 for n in run):
                    continue
                key = tuple(w for n in run for w in _folded_words(n.text))  # type: ignore[union-attr]
                if not self.aliases.lookup(key):
                    continue
                words = [self.compile(n, fieldname, positive) for n in run]
                together = wq.And([w for w in words if w is not None])
                # A person's full name stays a full name, as when quoted.
                out.append(self.with_aliases(together, key, fields, 1.0, positive, exact=True))
                i += length
                found = True
                break
            else:
                out.append(self.compile(items[i], fieldname, positive))
                i += 1
        return out if found else None

    def per_field(self, fields: Iterable[str], make: Any) -> Any:
        fields = tuple(fields)
        # The headline outweighs the body only when both are searched.
        queries = [make(f, TITLE_BOOST if f == "title" and len(fields) > 1 else 1.0) for f in fields]
        return queries[0] if len(queries) == 1 else wq.Or(queries)

    def word(self, node: Word, fields: tuple[str, ...], positive: bool) -> Any:
        stems = self.analyse(node.text, phrase=False)
        if not stems:
            if self.analyse(node.text, phrase=True):
                self.stop_words = True
                self.note(f"{node.text!r} is a stop word and was ignored; quote it to search for it")
            return None
        if positive and len(node.text) <= _SUGGEST_LENGTH and len(self.terms) < _SUGGEST_WORDS * len(fields):
            self.terms.extend((f, node.text, node.position) for f in fields)
        query = self.sequence(stems, fields, node.boost, positive)
        if len(stems) == 1 and fields == _TEXT_FIELDS:
            # Also as a part of a compound, counting less than the whole word.
            if positive:
                self.marks.parts.add(stems[0])
            query = wq.Or([query, wq.Term("parts", stems[0], boost=PART_BOOST * node.boost)])
        return self.with_aliases(query, _folded_words(node.text), fields, node.boost, positive)

    def analyse(self, text: str, *, phrase: bool) -> list[str]:
        """The indexed terms of query text; stop words are dropped unless in a phrase."""
        return [t.text for t in self.analyzer(text, mode="query", removestops=not phrase)]

    def terms_of(self, folded_words: Sequence[str]) -> tuple[str, ...]:
        """The indexed terms of a name's folded words (``Vereinte Nationen``: ``vereint``, ``nation``)."""
        return tuple(self.stemmer.token(word) for word in folded_words)

    def sequence(self, stems: Sequence[str], fields: tuple[str, ...], boost: float, positive: bool) -> Any:
        """One analysed term, or the exact phrase of several (a hyphenated word is the phrase of its parts)."""
        if positive:
            for f in fields:
                if len(stems) == 1:
                    self.marks.stems[f].add(stems[0])
                else:
                    self.marks.phrases[f].append((tuple(stems), 0))
        if len(stems) == 1:
            return self.per_field(fields, lambda f, b: wq.Term(f, stems[0], boost=b * boost))
        return self.per_field(fields, lambda f, b: ExactPhrase(f, list(stems), boost=b * boost))

    def with_aliases(
        self, query: Any, key: tuple[str, ...], fields: tuple[str, ...], boost: float, positive: bool, exact: bool = False
    ) -> Any:
        """``query`` or any other name of the entity it names (``Kyiv``: also ``Kiew``, ``Kiev``)."""
        if self.aliases is None:
            return query
        if not self.aliases.lookup(key) and key and key[-1].endswith("s"):
            key = (*key[:-1], key[-1][:-1])  # a genitive: Selenskyjs
        alternatives = self.aliases.alternatives(key, exact=exact)
        # A longer name that holds a single-word one adds nothing ("Sergej Lawrow"
        # beside "Lawrow") but would mark the first name too.
        singles = {names[0] for names in [key, *alternatives] if len(names) == 1}
        names = [alt for alt in alternatives if len(alt) == 1 or not singles.intersection(alt)]
        alternatives = [self.terms_of(alt) for alt in names]
        if not alternatives:
            return query
        # The best-matching name counts, not the sum: an article naming an entity
        # three ways is no better a match than one naming it once.
        return wq.DisjunctionMax([query, *(self.sequence(alt, fields, boost, positive) for alt in alternatives)])

    def phrase(self, node: Phrase, fields: tuple[str, ...], positive: bool) -> Any:
        stems = self.analyse(node.words, phrase=True)
        if not stems:
            raise QuerySyntaxError(f"the phrase at position {node.position + 1} has no words", node.position)
        if positive:
            for f in fields:
                if len(stems) == 1:
                    self.marks.stems[f].add(stems[0])
                else:
                    self.marks.phrases[f].append((tuple(stems), node.slop))
        if node.slop == 0 or len(stems) == 1:
            exact = self.sequence(stems, fields, node.boost, False)
            return self.with_aliases(exact, _folded_words(node.words), fields, node.boost, positive, exact=True)

        def near(f: str, b: float) -> Any:
            terms = [wq.Term(f, s) for s in stems]
            # Whoosh's slop counts positions; "~N" allows N words between, in any order.
            return wspans.SpanNear2(terms, slop=node.slop + 1, ordered=False).with_boost(b * node.boost)

        return self.per_field(fields, near)

    def prefix_words(self, node: Prefix, fields: tuple[str, ...]) -> list[str]:
        prefix = fold(node.text.lower())
        found: dict[str, int] = {}
        for f in fields:
            words_field = _WORDS_FIELD[f]
            # Each segment's words in order with their counts: one pass over
            # its word list instead of a lookup per word and segment.
            counts: dict[str, int] = {}
            for leaf, _ in self.reader.leaf_readers():
                for raw, terminfo in leaf.iter_prefix(words_field, prefix):
                    word = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                    counts[word] = counts.get(word, 0) + terminfo.doc_frequency()
            for word, count in counts.items():
                found.setdefault(word, count)
        return self.most_frequent(found, f"{node.text}*")

    def fuzzy_words(self, node: Fuzzy, fields: tuple[str, ...]) -> list[str]:
        word = fold(node.text.lower())
        distance = node.distance
        if distance is None:  # as Elasticsearch's AUTO: longer words tolerate more edits
            distance = 0 if len(word) <= 2 else 1 if len(word) <= 5 else 2
        found: dict[str, int] = {}
        for f in fields:
            words_field = _WORDS_FIELD[f]
            # A shared first letter keeps the scan of the word list short.
            for candidate in self.reader.terms_within(words_field, word, distance, prefix=1):
                if candidate not in found:
                    found[candidate] = self.reader.doc_frequency(words_field, candidate)
        return self.most_frequent(found, f"{node.text}~")

    def most_frequent(self, found: dict[str, int], shown: str) -> list[str]:
        if len(found) > self.max_expansions:
            self.note(
                f"{shown} matches {len(found):,} words; searching the {self.max_expansions} most frequent"
            )
            return sorted(found, key=lambda w: (-found[w], w))[: self.max_expansions]
        return sorted(found)

    def expanded(self, node: Prefix | Fuzzy, fields: tuple[str, ...], positive: bool, words: list[str]) -> Any:
        if not words:
            return wq.NullQuery
        if positive:
            for f in fields:
                self.marks.words[f].update(words)

        def make(f: str, b: float) -> Any:
            terms = [wq.Term(_WORDS_FIELD[f], w) for w in words]
            return wq.Or(terms, boost=b * node.boost) if len(terms) > 1 else terms[0].with_boost(b * node.boost)

        return self.per_field(fields, make)

    def metadata(self, node: Node, fieldname: str) -> Any:
        if isinstance(node, (Word, Phrase)):
            text = node.text if isinstance(node, Word) else node.words
            words = [t.text for t in _SIMPLE(text)]
            if not words:
                return None
            if len(words) == 1:
                return wq.Term(fieldname, words[0], boost=node.boost)
            return wq.Phrase(fieldname, words, boost=node.boost)
        if isinstance(node, Prefix):
            return wq.Prefix(fieldname, fold(node.text.lower()), boost=node.boost)
        if isinstance(node, Fuzzy):
            distance = 1 if node.distance is None else node.distance
            return wq.FuzzyTerm(fieldname, fold(node.text.lower()), maxdist=distance, prefixlength=1, boost=node.boost)
        raise QuerySyntaxError(f"unsupported value for {fieldname}:", None)

    def entity(self, node: Node, kind: str, positive: bool) -> Any:
        """``person:Lawrow``: articles that name the entity one of whose names is the value.

        A value the alias table does not know matches a recorded name with
        that word (``person:Sergej``) or, of several words, that whole name;
        a prefix or fuzzy value matches words of recorded names. The names of
        a known entity are marked where the text writes them.
        """
        fieldname = FIELD_OF_KIND[kind]
        if isinstance(node, (Word, Phrase)):
            key = _folded_words(node.text if isinstance(node, Word) else node.words)
            if not key:
                return None
            names = self.aliases.names_of(key) if self.aliases is not None else []
            if not names and self.aliases is not None and key[-1].endswith("s"):
                names = self.aliases.names_of((*key[:-1], key[-1][:-1]))  # a genitive: Lawrows
            if names:
                if positive:
                    self.mark_names(names)
                terms = [wq.Term(fieldname, " ".join(name), boost=node.boost) for name in names]
                return terms[0] if len(terms) == 1 else wq.Or(terms)
            if len(key) == 1:
                return wq.Term(fieldname, WORD_MARK + key[0], boost=node.boost)
            return wq.Term(fieldname, " ".join(key), boost=node.boost)
        if isinstance(node, Prefix):
            return wq.Prefix(fieldname, WORD_MARK + fold(node.text.lower()), boost=node.boost)
        if isinstance(node, Fuzzy):
            distance = 1 if node.distance is None else node.distance
            word = WORD_MARK + fold(node.text.lower())
            return wq.FuzzyTerm(fieldname, word, maxdist=distance, prefixlength=2, boost=node.boost)
        raise QuerySyntaxError(f"unsupported value for {kind}:", None)

    def mark_names(self, names: Iterable[Sequence[str]]) -> None:
        """Mark where headline and body write any of these names (folded words)."""
        for name in names:
            terms = self.terms_of(name)
            for f in _TEXT_FIELDS:
                if len(terms) == 1:
                    self.marks.stems[f].add(terms[0])
                else:
                    self.marks.phrases[f].append((terms, 0))

    def exact(self, node: Node, fieldname: str) -> Any:
        if isinstance(node, Word):
            return wq.Term(fieldname, node.text, boost=node.boost)
        if isinstance(node, Phrase):
            return wq.Term(fieldname, node.words, boost=node.boost)
        if isinstance(node, Prefix):
            return wq.Prefix(fieldname, node.text, boost=node.boost)
        raise QuerySyntaxError(f"{fieldname}: takes an exact value or a prefix", getattr(node, "position", None))


def compile_query(
    node: Node,
    reader: Any,
    *,
    max_expansions: int = MAX_EXPANSIONS,
    aliases: AliasTable | None = None,
    stemmer: Stemmer | None = None,
) -> CompiledQuery:
    """Compile a parsed query against an open index reader.

    :param node: the tree from :func:`searcher.query.parse_query`.
    :param reader: a Whoosh reader of the index (prefix and fuzzy terms expand against it).
    :param aliases: names to expand into all the names of their entity, or None.
    :param stemmer: stems words (from the index's stem store); NLTK alone when None.
    :raises QuerySyntaxError: when nothing searchable is left (only stop words).
    """
    compiler = _Compiler(reader, max_expansions, aliases, stemmer or Stemmer(None))
    compiled = compiler.compile(node)
    if compiled is None:
        if not compiler.stop_words:
            raise QuerySyntaxError("the query has no words to search for, only punctuation or symbols", 0)
        raise QuerySyntaxError(
            "the query has only stop words (der, die, und, ...); quote them to search for them as a phrase", 0
        )
    return CompiledQuery(compiled, compiler.marks, compiler.notes, compiler.terms)
