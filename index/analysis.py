"""German text analysis: one definition, used when indexing and when querying.

The pipeline is ``tokenizer | lowercase | stop words | fold and stem``:

>>> [t.text for t in german_analyzer()("Die Außenminister trafen sich")]
['_die', 'aussenminist', 'traf', '_sich']
>>> [t.text for t in german_analyzer()("Die Aussenminister", mode="query")]
['aussenminist']

Stop words stay in the index, in their own namespace (a leading ``_``, which no
token can otherwise start with), so that a phrase keeps its exact word
positions: ``"Treffen mit Putin"`` does not match ``Treffen ohne Putin``. In
query mode they are dropped outside phrases.

Folding rule (applied before stemming, and to the unstemmed word fields):

* lower case; ``ß`` becomes ``ss``;
* ``ae``, ``oe``, ``ue`` are read as ``ä``, ``ö``, ``ü`` (so ``Praesident`` is
  ``Präsident``), except ``ue`` after a vowel or ``q`` (``Steuer``,
  ``Quelle``) -- the rule of Snowball's "german2" variant;
* the Snowball stemmer then maps ``ä ö ü`` to ``a o u``;
* other diacritics are dropped (``Erdoğan`` is ``erdogan``), with a small table
  for letters Unicode does not decompose (``ł``, ``ø``, ``đ``, ``æ``, ``œ``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, Token
from whoosh.lang.stopwords import stoplists

__all__ = [
    "STOP_PREFIX",
    "WORD_PATTERN",
    "fold",
    "german_analyzer",
    "is_stopword",
    "stem",
    "stem_folded",
    "unstemmed_analyzer",
    "parts_analyzer",
    "simple_analyzer",
    "stop_pairs_analyzer",
    "stop_pair",
]

#: A word is a run of letters and digits; hyphens, apostrophes and
#: punctuation separate words, so ``Selenskyj-Putin-Treffen`` is three
#: consecutive tokens and a hyphenated query becomes a phrase of its parts.
WORD_PATTERN = r"[^\W_]+"

#: Stop words are indexed as ``_`` + folded word; see the module docstring.
STOP_PREFIX = "_"

# Snowball's German stop-word list, as shipped by Whoosh (whoosh.lang.stopwords),
# plus the folded spellings so that "dass"/"daß" and "fuer"/"für" agree.
_STOPWORDS = frozenset(stoplists["de"])

# Letters that NFKD does not split into base letter + combining mark.
_EXTRA_FOLDS = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ħ": "h",
        "ı": "i",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
        "ð": "d",
    }
)
_GERMAN_LETTERS = "äöü"
_DIGRAPH = re.compile(r"(?<![aeiouäöüq])ue|ae|oe")
_DIGRAPH_TO_UMLAUT = {"ae": "ä", "oe": "ö", "ue": "ü"}


def _strip_foreign_diacritics(word: str) -> str:
    """Remove diacritics other than the German umlauts from a lower-case word."""
    if word.isascii():
        return word
    word = word.translate(_EXTRA_FOLDS)
    out = []
    for ch in word:
        if ch in _GERMAN_LETTERS or ord(ch) < 128:
            out.append(ch)
            continue
        decomposed = unicodedata.normalize("NFKD", ch)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def _german2(word: str) -> str:
    """Lower-case word with ß and the ae/oe/ue transliterations turned into umlauts."""
    word = word.replace("ß", "ss")
    if "e" in word:
        word = _DIGRAPH.sub(lambda m: _DIGRAPH_TO_UMLAUT[m.group(0)], word)
    return _strip_foreign_diacritics(word)


@lru_cache(maxsize=262144)
def fold(word: str) -> str:
    """Fold a lower-case word to its spelling-neutral form, without stemming.

    >>> fold("außenminister"), fold("aussenminister")
    ('aussenminister', 'aussenminister')
    >>> fold("präsident"), fold("praesident"), fold("erdoğan")
    ('prasident', 'prasident', 'erdogan')
    """
    word = _german2(word)
    return word.replace("ä", "a").replace("ö", "o").replace("ü", "u")


_stemmer: Any = None


def _snowball_stem(word: str) -> str:
    # NLTK is imported on first use only: importing it costs far more than
    # opening an index, and many commands never stem anything.
    global _stemmer
    if _stemmer is None:
        from nltk.stem.snowball import GermanStemmer

        _stemmer = GermanStemmer()
    return _stemmer.stem(word)


@lru_cache(maxsize=262144)
def stem(word: str) -> str:
    """Fold and stem a lower-case word with NLTK's German Snowball stemmer.

    The stem depends only on the folded word (:func:`stem_folded`), so an
    index can keep the stems of its folded words and answer queries without
    NLTK (see :mod:`index.stems`).

    >>> stem("verhandlungen") == stem("verhandlung")
    True
    >>> stem("gespräche") == stem("gespraeche")
    True
    """
    return stem_folded(fold(word))


@lru_cache(maxsize=262144)
def stem_folded(folded: str) -> str:
    """The stem of a word already folded by :func:`fold`."""
    return _snowball_stem(_german2(folded))


def is_stopword(word: str) -> bool:
    """True when the lower-case ``word`` is on the German stop-word list."""
    return word in _STOPWORDS or fold(word) in _FOLDED_STOPWORDS


_FOLDED_STOPWORDS = frozenset(fold(w) for w in _STOPWORDS)


class GermanStopFilter(Filter):
    """Marks stop words; keeps them (prefixed) when indexing, drops them in queries.

    A query analysis called with ``removestops=False`` (a phrase) keeps them, so
    that they take part in the phrase as they did in the indexed text.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as Whoosh's own filters
        for t in tokens:
            if is_stopword(t.text):
                if t.mode == "query" and t.removestops:
                    continue
                t.stopped = True
            else:
                t.stopped = False
            yield t


class GermanStemFilter(Filter):
    """Replaces each word by its folded stem; stop words by ``_`` + folded form.

    Stop words get their own namespace so that a stem such as ``sich`` (the
    Snowball stem of ``Sicherheit``) never matches the pronoun ``sich``.
    """

    is_morph = True

    def __init__(self, stemfn: Callable[[str], str] | None = None) -> None:
        # A searcher passes a stemmer that asks the index's stem store first.
        self.stemfn = stemfn or stem

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_stem_filter_from_pickle, ())

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as Whoosh's own filters
        stemfn = self.stemfn
        for t in tokens:
            if t.stopped:
                t.text = STOP_PREFIX + fold(t.text)
                # Whoosh's formats drop stopped tokens; these are to be indexed.
                t.stopped = False
            else:
                t.text = stemfn(t.text)
            yield t


def _stem_filter_from_pickle() -> GermanStemFilter:
    """Unpickles a :class:`GermanStemFilter` (from an index's stored schema).

    diplosearch itself passes the schema in code; the stored copy is read by
    the worker processes of a two-process index run, which must exit if the
    run is killed (see :func:`index._workers.exit_with_parent`).
    """
    from ._workers import exit_with_parent

    exit_with_parent()
    return GermanStemFilter()


class FoldFilter(Filter):
    """Replaces each word by its folded, unstemmed form (for prefix and fuzzy terms)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as Whoosh's own filters
        for t in tokens:
            t.text = fold(t.text)
            yield t


class CompoundPartsFilter(Filter):
    """Replaces each compound noun by the stems of its parts, and drops every other word.

    ``Sicherheitsgarantien`` becomes ``sich`` and ``garanti``: the stems a
    search for ``Sicherheit`` or ``Garantien`` looks for. Only capitalised
    words are split (German nouns are), which keeps adverbs such as
    ``natürlich`` whole; it must therefore see the text before lower-casing.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as Whoosh's own filters
        from .compounds import parts_of

        for t in tokens:
            for part in parts_of(t.text):
                # Whoosh reuses one token object; each extra token is a copy.
                extra = t.copy()
                extra.text = stem(part)
                yield extra


def german_analyzer(stemfn: Callable[[str], str] | None = None) -> Any:
    """The analyzer of the ``title`` and ``body`` fields.

    :param stemfn: what stems a lower-case word; :func:`stem` by default.
    :returns: a Whoosh analyzer; tokens carry positions and character offsets
        into the original text when asked for (``chars=True``).

    >>> [(t.text, t.startchar, t.endchar) for t in
    ...  german_analyzer()("US-Präsident", chars=True)]
    [('us', 0, 2), ('prasident', 3, 12)]
    """
    return (
        RegexTokenizer(WORD_PATTERN)
        | LowercaseFilter()
        | GermanStopFilter()
        | GermanStemFilter(stemfn)
    )


def stop_pair(stop_term: str, next_term: str) -> str:
    """The term of a stop word followed by another word, as the ``*_pairs`` fields index it.

    >>> stop_pair("_der", "stadt")
    '_der stadt'
    """
    return stop_term + " " + next_term


class StopPairFilter(Filter):
    """Replaces the analysed words by each stop word joined with the word after it.

    A phrase with a stop word (``"in der Stadt"``) would otherwise have to
    compare the positions of ``der`` in nearly every article; the pairs
    ``_in _der`` and ``_der stadt`` are rare by comparison. Each pair stands
    at the position of its stop word, so pairs and words line up in a phrase.
    """

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:  # type: ignore[override]  # as Whoosh's own filters
        stop_before: str | None = None
        for t in tokens:
            if stop_before is not None:
                # Whoosh reuses one token object; the pair is a copy.
                pair = t.copy()
                pair.text = stop_pair(stop_before, t.text)
                pair.pos = t.pos - 1
                yield pair
            stop_before = t.text if t.text.startswith(STOP_PREFIX) else None


def stop_pairs_analyzer() -> Any:
    """The analyzer of the ``title_pairs`` and ``body_pairs`` fields: stop-word pairs with positions.

    >>> [(t.text, t.pos) for t in stop_pairs_analyzer()("Sie trafen sich in der Stadt", positions=True)]
    [('_sie traf', 0), ('_sich _in', 2), ('_in _der', 3), ('_der stadt', 4)]
    """
    return german_analyzer() | StopPairFilter()


def unstemmed_analyzer() -> Any:
    """The analyzer of the unstemmed word fields that prefix and fuzzy terms use.

    >>> [t.text for t in unstemmed_analyzer()("Sicherheitsgarantien für Kyjiw")]
    ['sicherheitsgarantien', 'fur', 'kyjiw']
    """
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | FoldFilter()


def parts_analyzer() -> Any:
    """The analyzer of the ``parts`` field: the stems of the parts of compounds.

    >>> [t.text for t in parts_analyzer()("Die Sicherheitsgarantien der USA")]
    ['sich', 'garanti']
    """
    return RegexTokenizer(WORD_PATTERN) | CompoundPartsFilter()


def simple_analyzer() -> Any:
    """The analyzer of metadata fields (``source``, ``category``): words, folded.

    >>> [t.text for t in simple_analyzer()("Euronews Deutsch")]
    ['euronews', 'deutsch']
    """
    return unstemmed_analyzer()
