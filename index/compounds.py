"""Splitting German compounds into their parts, with a shipped noun lexicon.

``Sicherheitsgarantien`` is indexed as itself and, beside it, as its parts
``sicherheit`` and ``garantien``, so that a reader who searches ``Garantien``
finds it. The method is a dictionary splitter:

* the lexicon is every inflected form of the nouns (place and other proper
  names included, first and family names not) of the German Wiktionary
  (``index/data/nouns.txt.gz``, CC BY-SA 4.0; see ``scripts/build_lexicon.py``);
  place names themselves are never split (``Österreich``);
* a word of at least :data:`MIN_WORD` letters splits into a modifier and a
  head where the head is a noun form (at least :data:`MIN_HEAD` letters) and
  the modifier is one too, directly (``Bundes|kanzler``), after a linking
  element (``Sicherheit-s-|garantien``, ``Mensch-en-|rechte``) or with its
  final ``e`` dropped (``Grenz(e)|zaun``);
* the longest head wins; the modifier is split again (``Waffen|stillstand``);
* heads that are really suffixes (``-enten``, ``-schaft``, ``-ion``) and
  modifiers that are really prefixes are refused, which keeps derivations
  such as ``Konsumenten`` or ``Gesellschaft`` whole.

The lexicon is loaded on first use (about 60 ms).

>>> split_compound("sicherheitsgarantien")
('sicherheit', 'garantien')
>>> split_compound("waffenstillstandsabkommen")
('waffen', 'stillstands', 'waffenstillstands', 'abkommen')
>>> split_compound("verhandlungen")
()
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from .analysis import fold

__all__ = ["parts_of", "split_compound", "decompose", "lexicon", "MIN_WORD", "MIN_HEAD", "MIN_MODIFIER"]

MIN_WORD = 7
MIN_HEAD = 4
MIN_MODIFIER = 3
MIN_PART_SPLIT = 10
_DATA = Path(__file__).with_name("data")
# Linking elements (Fugenelemente), longest first.
_LINKS = ("ens", "es", "en", "er", "ns", "s", "n", "e")


def _folded(words: str) -> frozenset[str]:
    return frozenset(fold(w) for w in words.split())


# Noun forms that end words mostly as derivational suffixes, not as heads.
_SUFFIX_HEADS = _folded(
    "ente enten ant anten ist isten ion ionen tion tionen ismus ismen heit heiten keit keiten "
    "schaft schaften ling linge lingen nis tum tums ung ungen erin erinnen ment ments "
    "ante ei eien ier iers iere ieren ur uren ett ette etten schafts heits keits ungs lings tums nisses"
)
# Heads that are also inflection endings: only after a linking element
# (Jahres|ende, Kriegs|ende), never straight after a stem (Vorsitz|ende).
_ENDING_HEADS = _folded("ende enden")
# Three-letter heads common in compounds (Sicherheits|rat, Bundes|tag, Rechnungs|hof).
_SHORT_HEADS = _folded("rat rats tag tags hof hofs amt amts gas")
# Modifiers that are no nouns but common in compounds (Außenminister, Sozialstaat).
_OTHER_MODIFIERS = _folded(
    "außen innen frei groß klein hoch tief neu alt mittel nah fern voll halb ober "
    "ost west nord süd erst zweit dritt haupt sonder welt bundes "
    "sozial national international privat regional kommunal geheim falsch brutto netto höchst mindest"
)
# Noun forms that begin words mostly as prefixes, not as modifiers.
_PREFIX_MODIFIERS = _folded(
    "aus ab an auf bei ein mit nach vor zu uber unter um durch gegen wider miss ver zer ent "
    "emp ge be er ur un anti inter trans post pro kon kom nieder fort voraus ruck verb zuge"
)
# Rare nouns of the lexicon that, as parts, mostly cut common words wrongly
# (Mini|ster, Gege|tand, Gefahr|dung, Gene|ration, Rebe|llen). Found on the
# judged words of tests/data/compounds.tsv; see scripts/evaluate.py.
_NOT_PARTS = _folded(
    "ster mini tand dung rung rungen ischen ische arier ration rationen strophe zungen ellen eilung "
    "nachten stag tands sozia sozio sole kombi kilo gene lich liche lichen licher dings"
)
_NEVER_SPLIT = _folded("redaktion weihnachten")

_lexicon: frozenset[str] | None = None
_names: frozenset[str] | None = None


def _load(name: str) -> frozenset[str]:
    text = gzip.decompress((_DATA / name).read_bytes()).decode("utf-8")
    return frozenset(line for line in text.split("\n") if line and not line.startswith("#"))


def lexicon() -> frozenset[str]:
    """The folded noun forms the splitter knows (loaded once)."""
    global _lexicon
    if _lexicon is None:
        _lexicon = _load("nouns.txt.gz") | _OTHER_MODIFIERS
    return _lexicon


def proper_names() -> frozenset[str]:
    """Folded forms of place names, which are never split (``Österreich``, ``Frankreich``)."""
    global _names
    if _names is None:
        _names = _load("names.txt.gz")
    return _names


def _modifier_bases(modifier: str, words: frozenset[str], elision: bool) -> list[str]:
    """What a modifier may stand for: itself, itself without a linking element, with a dropped e restored."""
    if modifier in _PREFIX_MODIFIERS or modifier in _NOT_PARTS:
        return []
    bases = [modifier]
    for link in _LINKS:
        base = modifier[: -len(link)]
        if modifier.endswith(link) and len(base) >= MIN_MODIFIER and base not in _PREFIX_MODIFIERS:
            bases.append(base)
            if len(base) >= 4 and base + "e" in words:
                bases.append(base + "e")  # Hilf|s -> Hilfe
    if elision and modifier + "e" in words:
        bases.append(modifier + "e")
    return [b for b in bases if b not in _NOT_PARTS]


Tree = tuple  # ((modifier, subtree), (head, subtree)), or () for no split


def _part(word: str, words: frozenset[str], depth: int) -> tuple[str, Tree] | None:
    """``word`` as a part of a compound: a known noun, or itself a compound; else None."""
    # Parts are split again only when long: short nouns such as Minister or
    # Stillstand would otherwise fall apart into accidental words (Mini|ster).
    subtree = _split(word, words, depth) if len(word) >= MIN_PART_SPLIT else ()
    if subtree:
        return (word, subtree)
    if word in words:
        return (word, ())
    return None


@lru_cache(maxsize=65536)
def _split(word: str, words: frozenset[str], depth: int) -> Tree:
    """The best decomposition of ``word`` into a modifier and a head.

    Of the ways to cut the word, prefer those whose two sides are known nouns
    (over sides that are compounds themselves), then the one whose shorter
    side is longest: ``Bürgerkriegs|flüchtlinge`` over ``Bürger|kriegsflüchtlinge``,
    and no cut into accidental short words.
    """
    if len(word) < MIN_WORD or depth > 3:
        return ()
    if word in _NEVER_SPLIT:
        return ()
    best: tuple[tuple[int, int], Tree] | None = None
    for start in range(MIN_MODIFIER, len(word) - 3 + 1):
        head = word[start:]
        if head in _SUFFIX_HEADS or head in _NOT_PARTS:
            continue
        if len(head) < MIN_HEAD and head not in _SHORT_HEADS:
            continue
        head_part = _part(head, words, depth + 1)
        if head_part is None:
            continue
        for base in _modifier_bases(word[:start], words, elision=depth == 0):
            if head in _ENDING_HEADS and not word[:start].endswith(("s", "n")):
                continue  # Vorsitz|ende is Vorsitzende; Jahres|ende, Wochen|ende are compounds
            if len(base) < MIN_MODIFIER + 1 and base not in _OTHER_MODIFIERS:
                continue  # three-letter modifiers only from the known list (Ost, Neu)
            if base in _SUFFIX_HEADS:
                continue  # -schaft, -heit begin no word part
            modifier_part = _part(base, words, depth + 1)
            if modifier_part is None:
                continue
            known = (modifier_part[1] == ()) + (head_part[1] == ())
            score = (known, min(len(base), len(head)))
            if best is None or score > best[0]:
                best = (score, (modifier_part, head_part))
            break  # the first base that works is the most literal reading of this cut
    return best[1] if best else ()


# Endings that make words of place names: Österreichs, Hamburger, Wiener, österreichischen.
_PLACE_ENDINGS = ("s", "er", "ern", "ers", "erin", "erinnen", "isch", "ische", "ischen", "ischer", "isches")


def _is_place(folded: str) -> bool:
    names = proper_names()
    if folded in names:
        return True
    return any(folded.endswith(end) and folded[: -len(end)] in names for end in _PLACE_ENDINGS)


def _flatten(tree: Tree, leaves_only: bool) -> tuple[str, ...]:
    parts: list[str] = []
    for word, subtree in tree:
        if subtree:
            parts.extend(_flatten(subtree, leaves_only))
            if not leaves_only:
                parts.append(word)
        else:
            parts.append(word)
    return tuple(parts)


def forget_splits() -> None:
    """Empty the caches of the splits tried so far (to free their memory)."""
    _split.cache_clear()
    split_compound.cache_clear()


@lru_cache(maxsize=262144)
def split_compound(word: str) -> tuple[str, ...]:
    """The parts to index for a lower-case word, folded, or ``()`` when it is no compound.

    The parts are the smallest constituents, then the compound modifiers
    made of them (``Waffenstillstand`` in ``Waffenstillstandsabkommen``), so
    that both can be searched. A linking element stays where the form with it
    is itself a noun form (``menschen`` in ``Menschenrechte``); the stems,
    which are what is indexed, are the same either way.
    """
    folded = fold(word)
    if _is_place(folded):
        return ()
    return _flatten(_split(folded, lexicon(), 0), leaves_only=False)


def decompose(word: str) -> tuple[str, ...]:
    """The smallest constituents of a lower-case word, folded (for evaluating the splitter)."""
    folded = fold(word)
    if _is_place(folded):
        return ()
    return _flatten(_split(folded, lexicon(), 0), leaves_only=True)


def parts_of(written: str) -> tuple[str, ...]:
    """The parts to index for a word as the text wrote it: only capitalised words are split.

    German nouns are capitalised; a lower-case word (``natürlich``,
    ``ursprünglich``) is no compound noun and is left whole.

    >>> parts_of("Sicherheitsgarantien"), parts_of("natürlich")
    (('sicherheit', 'garantien'), ())
    """
    if len(written) < MIN_WORD or not written[:1].isupper():
        return ()
    return split_compound(written.lower())
