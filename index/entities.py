"""Which known people, places and organisations an article names.

The names are those of the alias table (:mod:`index.aliases`): an article that
writes ``Lawrow``, ``Sergej Lawrows`` or ``Lavrov`` names the person
``Sergej Lawrow``; one that writes ``Kyiv`` names the place ``Kiew``. The
indexer records the canonical names, per kind, in the fields ``people``,
``places`` and ``orgs``; they are facets and can be searched
(``person:Lawrow``).

>>> table = AliasTable.from_lines([
...     "person\\tSergej Lawrow\\tLawrow | Sergey Lavrov",
...     "place\\tKiew\\tKyiv | Kyjiw",
...     "org\\tVereinte Nationen\\tUN | United Nations",
... ], source="example")
>>> found = find_entities("Sergej Lawrow in Kyjiw. Lawrows Rede vor den Vereinten Nationen", table)
>>> found["person"], found["place"], found["org"]
(('Sergej Lawrow',), ('Kiew',), ('Vereinte Nationen',))

How a name is found, so that facets count what the article is about:

* Words are compared folded (:func:`index.analysis.fold`): case, umlaut
  spellings and diacritics do not matter, and a genitive ``s`` is allowed; a
  name of several words may be declined (``der Vereinten Nationen``, ``des
  Islamischen Staates``).
* At each word the longest name wins: ``United Nations`` is one organisation,
  ``Sergej Lawrow`` one person.
* A name begins with a capital letter as written (``kurz`` is not the
  chancellor ``Kurz``), unless the table writes it with a small one
  (``von der Leyen``, ``al-Assad``).
* A person named by one word alone counts when that word is not also a German
  noun (``Frieden``, ``Kern``), not the first name of another person of the
  table (``Gabriel``, ``Martin``), does not begin a sentence (``Kurz darauf
  ...``; the headline is no sentence), is not cut short (``Kurz- und
  Langstrecken``), and does not stand beside a capitalised word that is no
  noun, which is most likely a first name (``Olli Schulz`` is not ``Martin
  Schulz``, ``Novak Djokovic`` not ``Katalin Novák``). Such a person still
  counts when the article names them once otherwise: in full, or by the
  surname after a noun (``Präsident Hofer``) or in a compound
  (``Selenskyj-Putin-Treffen``); but a surname the article gives to someone
  else (``IHS-Ökonom Helmut Hofer ... sagt Hofer``) is that someone throughout.

Finding names is a dictionary lookup per capitalised word, with no regular
expression per name, so that it costs little beside the rest of indexing.
"""

from __future__ import annotations

import re
import weakref
from functools import lru_cache
from typing import Any, Iterable, Iterator, NamedTuple

from whoosh.analysis import Filter, RegexTokenizer, Token

from .aliases import KINDS, AliasTable
from .analysis import WORD_PATTERN, fold, is_stopword

__all__ = ["find_entities", "entity_fields", "name_key", "entity_analyzer", "FIELD_OF_KIND", "WORD_MARK"]

#: The index field of each kind of entity; the kind is also the name a query
#: uses (``person:Lawrow`` searches ``people``).
FIELD_OF_KIND = {"person": "people", "place": "places", "org": "orgs"}

# Words (with the hyphen that joins a word to the next: "Selenskyj-", "Kurz-"),
# and the marks that end a sentence or a clause (a name never spans one; a
# dash follows a dateline: "Wien – Kurz vor ...").
_TOKENS = re.compile(f"(?:{WORD_PATTERN})-?|[.!?:\n–—]")
_MARKS = frozenset(".!?:\n–—")
# Small words between a first name and a surname (Danny da Costa).
_PARTICLES = frozenset("al bin da de del della di dos du el ibn la le van von zu".split())
_WORD = re.compile(WORD_PATTERN)


def name_key(name: str) -> str:
    """The indexed form of a name: its folded words, joined by spaces.

    >>> name_key("Wolodymyr Selenskyj"), name_key("UN-Sicherheitsrat")
    ('wolodymyr selenskyj', 'un sicherheitsrat')
    """
    return " ".join(fold(word.lower()) for word in _WORD.findall(name))


class _Name(NamedTuple):  # a NamedTuple: defining a dataclass costs about 1 ms of every search's start
    kind: str
    canonical: str
    #: A person's one-word name that often means something else: a German
    #: noun or place, or the first name of another person of the table.
    doubtful_alone: bool


class _Matcher:
    """The alias table arranged for finding names in text: by first word, longest first."""

    def __init__(self, table: AliasTable) -> None:
        from .compounds import lexicon, proper_names, split_compound

        self._split_compound = split_compound

        nouns, places = lexicon(), proper_names()
        self.nouns = nouns
        named = list(table.named())
        # Words that begin a multi-word name of a person, by the person (canonical name).
        first_names: dict[str, set[str]] = {}
        for key, entity in named:
            if len(key) > 1 and entity.kind == "person":
                first_names.setdefault(key[0], set()).add(entity.canonical)
        self.names: dict[tuple[str, ...], _Name] = {}
        sizes: dict[str, set[int]] = {}
        for key, entity in named:
            doubtful = False
            if len(key) == 1 and entity.kind == "person":
                word = key[0]
                others = first_names.get(word, set()) - {entity.canonical}
                doubtful = bool(others) or word in nouns or word in places
            self.names[key] = _Name(entity.kind, entity.canonical, doubtful)
            sizes.setdefault(key[0], set()).add(len(key))
        self.first_names = frozenset(first_names)
        # Names of several words, declined: "der Vereinten Nationen", "der Europäischen Union".
        self.declined: dict[tuple[str, ...], _Name] = {}
        for key, name in self.names.items():
            if len(key) > 1:
                self.declined.setdefault(_undeclined(key), name)
                stem = _undeclined(key)[0]
                for ending in ("", *_ADJECTIVE_ENDINGS):
                    sizes.setdefault(stem + ending, set()).add(len(key))
        # First word -> the lengths of the names it may begin, longest first.
        self.sizes = {word: tuple(sorted(found, reverse=True)) for word, found in sizes.items()}
        # Names the table writes with a small first letter, as written in text ("al-" too).
        small = {
            first.lower()
            for entity in table.entities
            for name in entity.names
            for first in _WORD.findall(name)[:1]
            if first[:1].islower()
        }
        self.small_first = frozenset(small | {word + "-" for word in small})
        # Most capitalised words begin no name; asking once per distinct word is enough.
        self._start = lru_cache(maxsize=65536)(self._start_of)

    def _start_of(self, word: str) -> tuple[str, tuple[int, ...]] | None:
        """The folded word and the lengths of the names it may begin, or None if it begins none."""
        folded = fold(word.rstrip("-").lower())
        sizes = self.sizes.get(folded)
        if sizes is None and folded.endswith("s") and folded[:-1] in self.sizes:
            sizes = (1,)  # a genitive: Lawrows
        return None if sizes is None else (folded, sizes)

    def _lookup(self, key: tuple[str, ...]) -> _Name | None:
        name = self.names.get(key)
        if name is None and len(key[-1]) > 3 and key[-1].endswith("s"):
            name = self.names.get((*key[:-1], key[-1][:-1]))  # a genitive: Lawrows, Wladimir Putins
        if name is None and len(key) > 1:
            name = self.declined.get(_undeclined(key))
        return name

    def _first_name_like(self, word: str) -> bool:
        """A capitalised word, not joined by a hyphen and no stop word, that begins a person's
        name in the table or is no noun (the lexicon holds nouns and places, not first names,
        and compounds of them are nouns too)."""
        if word in _MARKS or word[-1] == "-" or not word[0].isupper():
            return False
        lower = word.lower()
        if is_stopword(lower):
            return False  # "Dem Merkel-Berater": a sentence's first word
        folded = fold(lower)
        if folded in self.first_names:
            return True
        # Nor a noun, a compound noun included ("Parlamentschef Schulz").
        return folded not in self.nouns and not self._split_compound(folded)

    def _beside_a_first_name(self, tokens: list[str], i: int) -> bool:
        """The surname at ``tokens[i]`` is cut short (``Kurz- und Langstrecken``) or
        stands beside what looks like a first name (``Olli Schulz``, ``Danny da
        Costa``, ``Novak Djokovic``): most likely someone or something else."""
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tokens[i][-1] == "-":
            # Joined to the next word: cut short, or a compound (Putin-Biografie,
            # but also Arantxa Sanchez-Vicario).
            if not after[:1].isupper():
                return True
        elif after and self._first_name_like(after):
            return True
        j = i - 1
        while j > 0 and tokens[j] in _PARTICLES:
            j -= 1
        return j >= 0 and self._first_name_like(tokens[j])

    def find(self, text: str) -> dict[str, tuple[str, ...]]:
        tokens = _TOKENS.findall(text)
        found: dict[str, dict[str, None]] = {kind: {} for kind in KINDS}
        small_first, start_of = self.small_first, self._start
        count = len(tokens)
        # The headline (the first line) is no sentence: "Lawrow dämpft Erwartungen".
        sentence_start = False
        skip_to = 0  # the words of a name just found
        named_in_full: set[str] = set()
        someone_else: set[str] = set()  # surnames seen with another first name
        for i, word in enumerate(tokens):
            if i < skip_to:
                continue
            if word in _MARKS:
                sentence_start = True
                continue
            if not word[0].isupper() and word not in small_first:
                sentence_start = False
                continue
            start = start_of(word)
            if start is None:
                sentence_start = False
                continue
            first, candidates = start
            for size in candidates:
                if i + size > count:
                    continue
                if size == 1:
                    key: tuple[str, ...] = (first,)
                else:
                    key = (first, *(fold(w.rstrip("-").lower()) for w in tokens[i + 1 : i + size]))
                name = self._lookup(key)
                if name is None:
                    continue
                skip_to = i + size
                if size > 1 or name.kind != "person":
                    found[name.kind][name.canonical] = None
                    named_in_full.add(name.canonical)
                elif self._beside_a_first_name(tokens, i):
                    someone_else.add(name.canonical)
                elif not (name.doubtful_alone or sentence_start):
                    found[name.kind][name.canonical] = None
                break
            sentence_start = False
        # A surname the article also gives another first name ("Helmut Hofer ...
        # sagt Hofer") is that other person throughout the article.
        for canonical in someone_else - named_in_full:
            found["person"].pop(canonical, None)
        return {kind: tuple(names) for kind, names in found.items()}


# Endings of declined adjectives (Vereinte, Vereinten; Europäische, Europäischen),
# and of a genitive noun (des Islamischen Staates).
_ADJECTIVE_ENDINGS = ("en", "em", "er", "es", "e")
_GENITIVE_ENDINGS = ("es", "s")


def _ending_dropped(word: str, endings: tuple[str, ...]) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _undeclined(key: tuple[str, ...]) -> tuple[str, ...]:
    """A name of several words without the endings of declension, to compare declined forms."""
    *leading, last = key
    return (*(_ending_dropped(word, _ADJECTIVE_ENDINGS) for word in leading), _ending_dropped(last, _GENITIVE_ENDINGS))


_matchers: "weakref.WeakKeyDictionary[AliasTable, _Matcher]" = weakref.WeakKeyDictionary()


def find_entities(text: str, table: AliasTable) -> dict[str, tuple[str, ...]]:
    """The canonical names of the people, places and organisations of ``table`` that ``text`` names.

    :param text: an article's headline and body (a line break between them).
    :param table: the alias table; it is arranged for lookups on first use and
        kept for the next calls with the same table.
    :returns: ``{"person": (...), "place": (...), "org": (...)}``, each name
        once, in the order of first mention.

    >>> table = AliasTable.from_lines(["person\\tLuc Frieden\\tFrieden", "person\\tSebastian Kurz\\tKurz"], source="t")
    >>> find_entities("Ohne Frieden keine Zukunft. Kurz darauf sprach Außenminister Kurz.", table)["person"]
    ('Sebastian Kurz',)
    >>> find_entities("Premier Luc Frieden sprach vom Frieden.", table)["person"]
    ('Luc Frieden',)
    """
    matcher = _matchers.get(table)
    if matcher is None:
        matcher = _matchers[table] = _Matcher(table)
    return matcher.find(text)


def entity_fields(title: str, body: str, table: AliasTable) -> dict[str, str]:
    """The entity fields of an article (``people``, ``places``, ``orgs``), the names one a line.

    A kind the article names nobody of is left out: an empty field would
    cost an analysis and read back the same.

    >>> table = AliasTable.from_lines(["person\\tSergej Lawrow\\tLawrow", "org\\tNATO"], source="t")
    >>> entity_fields("Lawrow bei der NATO", "Sergej Lawrow sprach.", table)
    {'people': 'Sergej Lawrow', 'orgs': 'NATO'}
    """
    found = find_entities(title + "\n" + body, table)
    return {fieldname: "\n".join(found[kind]) for kind, fieldname in FIELD_OF_KIND.items() if found[kind]}


# -- the index fields --------------------------------------------------------


#: Marks a single word of a name in the entity fields (``_lawrow``), apart
#: from whole names (``sergej lawrow``, ``nato``); no folded word contains it.
WORD_MARK = "_"


class NameKeysFilter(Filter):
    """Replaces each name (one a line) by its key, followed by each of its words, marked.

    The key (``sergej lawrow``) is what ``person:Lawrow`` looks for, by way of
    the alias table; the marked words (``_sergej``, ``_lawrow``) let a prefix
    (``person:Law*``) or a name the table does not know (``person:Sergej``)
    find it too, while ``person:Trump`` (a known name) finds Donald Trump
    alone, not every Trump.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as Whoosh's own filters
        for t in tokens:
            key = name_key(t.text)
            if not key:
                continue
            t.text = key
            yield t
            for word in key.split(" "):
                # Whoosh reuses one token object; each extra token is a copy.
                extra = t.copy()
                extra.text = WORD_MARK + word
                yield extra


def entity_analyzer() -> Any:
    """The analyzer of the ``people``, ``places`` and ``orgs`` fields: one name a line.

    >>> [t.text for t in entity_analyzer()("Sergej Lawrow\\nNATO")]
    ['sergej lawrow', '_sergej', '_lawrow', 'nato', '_nato']
    """
    return RegexTokenizer(r"[^\n]+") | NameKeysFilter()
