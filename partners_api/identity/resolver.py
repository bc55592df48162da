"""Resolve free-text organization names to directory records, as pure Python with no database.

`NameIndex.build` reads plain records (active and archived organizations only: the statuses in
INDEXED_STATUSES) into normalized name variants, an inverted index from tokens to variants with
IDF weights, and the places (countries, cities) a query may name. `NameIndex.resolve` ranks
organizations for one string as ROR's affiliation matching does: a score in [0, 1], how the best
name matched, and `chosen` on at most one candidate, when the top score passes a threshold and
leads the next organization by a margin.
"""

from __future__ import annotations

import hashlib
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pycountry
from anyascii import anyascii
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from partners_api.arrays import Coded, Strings, StringsBuilder, distinct, from_array, narrowed

INDEXED_STATUSES = frozenset({"active", "archived"})
LABEL, ALIAS, ACRONYM = 0, 1, 2
MATCHING_TYPES = ("exact", "acronym", "alias", "phrase", "fuzzy")

# Function words in the directory's main languages weigh a fraction of their IDF; generic but
# meaningful words ("university", "institute") keep their IDF, which is low because common.
FUNCTION_WORDS = frozenset(
    [
        "the",
        "of",
        "for",
        "and",
        "in",
        "on",
        "at",
        "a",
        "an",
        "to",
        "by",
        "de",
        "la",
        "le",
        "les",
        "l",
        "d",
        "des",
        "du",
        "del",
        "y",
        "e",
        "et",
        "und",
        "fur",
        "der",
        "die",
        "das",
        "den",
        "do",
        "da",
        "dos",
        "em",
        "na",
        "no",
        "al",
        "el",
        "i",
    ]
)
FUNCTION_WEIGHT = 0.15

# How much a query token that the name lacks counts against it: fully for the name's own words,
# half for a place before or after the name (it may or may not be part of it) and for a later
# segment that is no known place ("…, Bamako, Mali" with no organization in Bamako), not at all
# for a place in its own segment or anything in parentheses ("…, Kampala, Uganda", "(KEMRI)").
CORE, SOFT, HARD = 1.0, 0.5, 0.0

COUNTRY_ALIASES = {
    "usa": "US",
    "united states": "US",
    "united states of america": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "england": "GB",
    "scotland": "GB",
    "russia": "RU",
    "south korea": "KR",
    "korea": "KR",
    "vietnam": "VN",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "ivory coast": "CI",
    "turkey": "TR",
    "czech republic": "CZ",
    "dr congo": "CD",
    "drc": "CD",
    "taiwan": "TW",
    "uae": "AE",
    "the netherlands": "NL",
    "holland": "NL",
    "brasil": "BR",
    "deutschland": "DE",
    "espana": "ES",
    "mexique": "MX",
    "maroc": "MA",
    "senegal": "SN",
}

# ASCII and typographic apostrophes and the modifier letters used for them.
_APOSTROPHES = re.compile("['`\u02bc\u2019\u2018\u02bb\u02bf\u02be]")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_PARENTHESES = re.compile(r"\(([^()]*)\)")
_SEGMENT = re.compile(r"[,;]")
_CODE = re.compile(r"^[A-Z]{2,3}$")


# CJK ideographs, transliterated one syllable per token.
_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff]")


class _Transliteration(dict):
    """Each character's ASCII transliteration by anyascii (which goes character by
    character), made once per character: str.translate with it spares a Python loop over
    every character of every name."""

    def __missing__(self, codepoint: int) -> str:
        self[codepoint] = ascii_text = anyascii(chr(codepoint))
        return ascii_text


_ASCII = _Transliteration()


def normalize(text: str) -> str:
    """ASCII, case-folded, without punctuation: 'Université Côte-d'Or' → 'universite cote dor'."""
    if not text.isascii():
        text = _CJK.sub(lambda ideograph: f" {ideograph.group()} ", text).translate(_ASCII)
    ascii_text = _APOSTROPHES.sub("", text).casefold()
    return " ".join(_NON_WORD.sub(" ", ascii_text).split())


def compact(tokens: Iterable[str]) -> str:
    """Tokens run together, so 'Bei Jing Da Xue' and 'Beijing Daxue' compare equal."""
    return "".join(tokens)


@dataclass(frozen=True)
class Candidate:
    """One organization proposed for a string: how well it matches and whether it is chosen."""

    organization_id: int
    score: float
    matching_type: str
    chosen: bool
    name: str


@dataclass(frozen=True)
class Settings:
    """The knobs of ranking and choosing, tuned on the benchmark's tuning seed."""

    threshold: float = 0.92
    margin: float = 0.04
    acronym_score: float = 0.87
    unique_acronym_score: float = 0.95
    country_bonus: float = 0.04
    city_bonus: float = 0.04
    country_penalty: float = 0.25
    city_penalty: float = 0.05
    rescored: int = 40


@dataclass(frozen=True)
class Query:
    """A parsed query: its tokens, how much each counts when missing, and the places it names."""

    tokens: tuple[str, ...]
    factors: tuple[float, ...]
    countries: frozenset[str]
    cities: frozenset[str]

    def core(self) -> str:
        """The name's own words (no place, no aside) run together."""
        return compact(t for t, f in zip(self.tokens, self.factors, strict=True) if f == CORE)


def _country_names() -> dict[str, str]:
    """Normalized country names (English name, common and official names, aliases) → alpha-2."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names[normalize(value)] = country.alpha_2
                names.setdefault(normalize(value.split(",")[0]), country.alpha_2)
    names.update(COUNTRY_ALIASES)
    return names


def _country_codes() -> dict[str, str]:
    """Alpha-2 and alpha-3 codes → alpha-2, recognized only as a whole upper-case segment."""
    codes = {}
    for country in pycountry.countries:
        codes[country.alpha_2] = country.alpha_2
        codes[country.alpha_3] = country.alpha_2
    return codes


class Places:
    """Countries and the directory's cities, for finding a place inside a query string."""

    def __init__(self, cities: Mapping[str, Iterable[str]]):
        self.countries = _country_names()
        self.codes = _country_codes()
        self.cities = {name: frozenset(codes) for name, codes in cities.items() if name}
        self.longest = max(len(name.split()) for name in [*self.countries, *self.cities, "x"])

    def leading(self, tokens: Sequence[str]) -> tuple[int, str | None]:
        """How many tokens a country named at the start takes (keeping one for the name), and it."""
        for n in range(min(self.longest, len(tokens) - 1), 0, -1):
            code = self.countries.get(" ".join(tokens[:n]))
            if code:
                return n, code
        return 0, None

    def trailing(self, tokens: Sequence[str], *, keep: int) -> tuple[int, set[str], set[str]]:
        """How many leading tokens remain once trailing places are peeled off, and the places."""
        end, countries, cities = len(tokens), set(), set()
        while end > keep:
            for n in range(min(self.longest, end - keep), 0, -1):
                phrase = " ".join(tokens[end - n : end])
                if phrase in self.countries:
                    countries.add(self.countries[phrase])
                elif phrase in self.cities:
                    cities.add(phrase)
                else:
                    continue
                end -= n
                break
            else:
                break
        return end, countries, cities


def parse_query(text: str, places: Places) -> Query:
    """Split a string into the name's tokens and the places and asides around it."""
    asides = _PARENTHESES.findall(text)
    segments = [s for s in _SEGMENT.split(_PARENTHESES.sub(",", text)) if s.strip()]
    tokens: dict[str, float] = {}
    countries: set[str] = set()
    cities: set[str] = set()

    def add(words: Iterable[str], factor: float) -> None:
        for word in words:
            tokens[word] = min(factor, tokens.get(word, factor))

    for position, segment in enumerate(segments):
        if position and segment.strip() in places.codes:
            countries.add(places.codes[segment.strip()])
            continue
        words = normalize(segment).split()
        first = not any(f == CORE for f in tokens.values())
        start, leading = places.leading(words) if first else (0, None)
        end, found_countries, found_cities = places.trailing(words, keep=start + 1 if first else 0)
        add(words[:start], SOFT)
        add(words[start:end], CORE if first else SOFT)
        add(words[end:], SOFT if end else HARD)
        countries |= {leading} if leading else set()
        countries |= found_countries
        cities |= found_cities
    for aside in asides:
        words = normalize(aside).split()
        end, found_countries, found_cities = places.trailing(words, keep=0)
        countries |= found_countries
        cities |= found_cities
        add(words, HARD)
    return Query(tuple(tokens), tuple(tokens.values()), frozenset(countries), frozenset(cities))


class _Variants:
    """Name variants in build order, as arrays that grow: each one's organization row, kind
    and words (numbered as first met, the rows of a compressed matrix), and the hashes of
    the compact names and acronyms with their variants or rows. No tuple of words is kept."""

    def __init__(self) -> None:
        self.rows, self.kinds, self.lengths, self.words = (array(c) for c in "ibii")
        self.number: dict[str, int] = {}  # word → its number
        self.compact = (array("q"), array("i"))  # hash of a compact name, variant
        self.acronyms = (array("q"), array("i"))  # hash of an acronym, row

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: int, kind: int, words: tuple[str, ...]) -> None:
        """One more variant: a normalized name of the organization in this row."""
        variant = len(self.rows)
        self.rows.append(row)
        self.kinds.append(kind)
        self.lengths.append(len(words))
        number = self.number
        self.words.extend([number.setdefault(w, len(number)) for w in words])
        # Run together with and without repeated words: the query's words are deduplicated,
        # but a Latin spelling of Chinese runs every syllable, repeated or not, together.
        whole = compact(words)
        for key in {whole, compact(dict.fromkeys(words))}:
            _append_pair(self.compact, _hash(key), variant)
        if kind == ACRONYM:
            _append_pair(self.acronyms, _hash(whole), row)


def _append_pair(pairs: tuple[array, array], first: int, second: int) -> None:
    """Append one pair to two aligned arrays."""
    pairs[0].append(first)
    pairs[1].append(second)


def _record_variants(record: Mapping) -> list[tuple[int, tuple[str, ...]]]:
    """The distinct normalized names of one record, each with its kind (label, alias, acronym)."""
    named = [(LABEL, record.get("name")), (ACRONYM, record.get("acronym"))]
    for entry in record.get("names") or ():
        types = entry.get("types") or ()
        kind = ACRONYM if "acronym" in types else LABEL if "label" in types else ALIAS
        named.append((kind, entry.get("value")))
    seen: dict[tuple[str, ...], int] = {}
    normalized: dict[str, tuple[str, ...]] = {}  # the name is often a label again
    for kind, value in named:
        if value and value not in normalized:
            normalized[value] = tuple(normalize(value).split())
        words = normalized[value] if value else ()
        if words and (words not in seen or kind < seen[words]):
            seen[words] = kind
    return [(kind, words) for words, kind in seen.items()]


def _numbers(tokens: Iterable[str]) -> tuple[str, ...]:
    """The numbers among a name's words, in order: names that differ in one ("Unit 7", "Unit
    8", "Team 1-0", "Team 0-1") name different organizations."""
    return tuple(token for token in tokens if token.isdigit())


class NameIndex:
    """Every indexed organization's names, searchable by token, acronym, typo and place."""

    def __init__(self, records: Iterable[Mapping], settings: Settings):
        self.settings = settings
        ids = array("q")
        names = StringsBuilder()
        countries: list[str | None] = []
        cities: list[str] = []
        variants = _Variants()
        city_countries: dict[str, set[str]] = defaultdict(set)
        city_names: dict[str, str] = {}  # each city as given, normalized once
        for record in records:
            if record.get("status", "active") not in INDEXED_STATUSES:
                continue
            row = len(ids)
            ids.append(int(record["id"]))
            names.append(record.get("name") or "")
            country = (record.get("country_code") or "").upper() or None
            given = record.get("city") or ""
            city = city_names.get(given)
            if city is None:
                city = city_names[given] = normalize(given)
            countries.append(country)
            cities.append(city)
            if city and country:
                city_countries[city].add(country)
            for kind, words in _record_variants(record):
                variants.add(row, kind, words)
        self.ids = from_array(ids, np.int64)
        self.names = Strings.of(names)
        self.countries = Coded(countries, np.int16)
        self.cities = Coded(cities, np.int32)
        self.places = Places(city_countries)
        self._index_variants(variants)

    @classmethod
    def build(cls, records: Iterable[Mapping], *, settings: Settings | None = None) -> NameIndex:
        """Build the index of active and archived records' names (other statuses are left out)."""
        return cls(records, settings or Settings())

    def _index_variants(self, variants: _Variants) -> None:
        """Postings, IDF, variant weights, the compact-name table and the typo vocabulary.

        Stored as arrays rather than dicts of lists: a word's number in `words`, each
        variant's word numbers in one array (rows of a compressed matrix), each word's
        variants likewise, and the compact names and acronyms as sorted hashes beside
        their variants or rows; one dict only, from each word to its number.
        """
        self.variant_word = from_array(variants.words, np.int32)
        self.word_number = variants.number
        self.words = list(variants.number)
        self.variant_pointer = _pointer(variants.lengths)
        count = max(len(variants), 1)
        owner = np.repeat(np.arange(len(variants)), np.diff(self.variant_pointer))
        pairs = distinct(self.variant_word.astype(np.int64) * count + owner)  # by word
        pair_word, pair_variant = np.divmod(pairs, count)
        self.posting_pointer = _pointer(np.bincount(pair_word, minlength=len(self.words)))
        self.posting_variant = pair_variant.astype(np.int32)
        weights = np.array([FUNCTION_WEIGHT if w in FUNCTION_WORDS else 1.0 for w in self.words])
        self.word_idf = np.log(1 + count / np.maximum(np.diff(self.posting_pointer), 1)) * weights
        self.max_idf = math.log(1 + count)
        self.variant_weight = np.bincount(
            pair_variant, weights=self.word_idf[pair_word], minlength=len(variants)
        )
        self.variant_row = from_array(variants.rows, np.int32)
        self.variant_kind = from_array(variants.kinds, np.int8)
        self.compact = _HashedKeys(*variants.compact)
        self.acronym_rows = _HashedKeys(*variants.acronyms)
        self.rare = max(50, count // 50)
        vocabulary = sorted((w for w in self.words if len(w) >= 3), key=lambda w: (len(w), w))
        self.vocabulary = vocabulary
        lengths = np.asarray([len(w) for w in vocabulary])
        self.vocabulary_from = {n: int(np.searchsorted(lengths, n)) for n in range(0, 64)}

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (postings, per-variant arrays, hashed keys)."""
        arrays = [
            self.variant_pointer,
            self.variant_word,
            self.posting_pointer,
            self.posting_variant,
            self.word_idf,
            self.variant_row,
            self.variant_kind,
            self.variant_weight,
            self.ids,
            *self.compact.arrays(),
            *self.acronym_rows.arrays(),
        ]
        held = self.names.nbytes() + self.countries.nbytes() + self.cities.nbytes()
        return held + sum(a.nbytes for a in arrays)

    def idf(self, word: str) -> float | None:
        """A directory word's weight; None for a word the directory lacks."""
        number = self.word_number.get(word)
        return None if number is None else float(self.word_idf[number])

    def posting(self, word: str) -> np.ndarray:
        """The ascending variants holding a directory word."""
        number = self.word_number[word]
        return self.posting_variant[self.posting_pointer[number] : self.posting_pointer[number + 1]]

    def variant_tokens(self, variant: int) -> tuple[str, ...]:
        """A variant's words, in order."""
        numbers = self.variant_word[
            self.variant_pointer[variant] : self.variant_pointer[variant + 1]
        ]
        return tuple(self.words[n] for n in numbers.tolist())

    def similar(self, word: str) -> list[tuple[str, float]]:
        """Directory tokens within one edit (two for words of six letters or more) of a word."""
        length = len(word)
        if length < 4:
            return []
        edits = 1 if length <= 5 else 2
        start = self.vocabulary_from.get(length - edits, 0)
        stop = self.vocabulary_from.get(length + edits + 1, len(self.vocabulary))
        found = process.extract(
            word, self.vocabulary[start:stop], scorer=OSA.distance, score_cutoff=edits, limit=4
        )
        return [(w, 1 - d / max(length, len(w))) for w, d, _ in found]

    def _alternatives(self, query: Query) -> list[tuple[float, float, list[tuple[str, float]]]]:
        """Per query token: its weight, how much it counts when missing, and the index tokens
        (itself, or near spellings for a word the directory lacks) with their similarity."""
        expanded = []
        for word, factor in zip(query.tokens, query.factors, strict=True):
            weight = self.idf(word)
            if weight is not None:
                expanded.append((weight, factor, [(word, 1.0)]))
                continue
            near = self.similar(word)
            weight = self.idf(near[0][0]) if near else self.max_idf
            expanded.append((weight, factor, near))
        return expanded

    def _candidates(self, expanded, exact: list[int]) -> np.ndarray:
        """Variants sharing a distinctive token with the query (else its rarest), and exact ones."""
        options = [(len(self.posting(w)), w) for _, _, near in expanded for w, _ in near]
        if not options and not exact:
            return np.empty(0, dtype=np.int32)
        rare = [self.posting(w) for n, w in options if n <= self.rare]
        if not rare and options:
            rare = [self.posting(min(options)[1])]
        return distinct(np.concatenate([*rare, np.asarray(exact, dtype=np.int32)]))

    def _token_scores(self, expanded, variants: np.ndarray) -> np.ndarray:
        """IDF-weighted F1 of the query's tokens found in each variant and the variant's found."""
        overlap = np.zeros(len(variants))
        missing = np.zeros(len(variants))
        for weight, factor, near in expanded:
            found = np.zeros(len(variants))
            for word, similarity in near:
                posting = self.posting(word)
                at = np.minimum(np.searchsorted(posting, variants), len(posting) - 1)
                found = np.maximum(found, (posting[at] == variants) * self.idf(word) * similarity)
            overlap += found
            missing += factor * np.maximum(weight - found, 0.0)
        query_share = overlap / np.maximum(overlap + missing, 1e-9)
        variant_share = np.minimum(overlap / self.variant_weight[variants], 1.0)
        return 2 * query_share * variant_share / np.maximum(query_share + variant_share, 1e-9)

    def _scope(self, query: Query, country: str | None) -> frozenset[str]:
        """The countries a query is confined to: the filter's, else those its places name."""
        if country:
            return frozenset({country.upper()})
        in_cities = (self.places.cities.get(city, frozenset()) for city in query.cities)
        return query.countries.union(*in_cities)

    def _acronym_score(self, query: Query, variant: int, token_score: float, scope) -> float:
        """An acronym's score: high when the string is just an acronym that names this
        organization alone (within the countries the query names), lower when shared."""
        key = compact(self.variant_tokens(variant))
        if query.core() != key:
            return self.settings.acronym_score * token_score
        row = int(self.variant_row[variant])
        rows = sorted(set(self.acronym_rows.get(key)))
        if scope:
            rows = [r for r in rows if self.countries[r] in scope]
        return self.settings.unique_acronym_score if rows == [row] else self.settings.acronym_score

    def _rescore(self, query: Query, variant: int, token_score: float, scope) -> tuple[float, str]:
        """A variant's score from its token score and string similarity, and how it matched."""
        kind = int(self.variant_kind[variant])
        words = self.variant_tokens(variant)
        present = set(words)
        used = [w for w, f in zip(query.tokens, query.factors, strict=True) if f or w in present]
        if kind == ACRONYM:
            return self._acronym_score(query, variant, token_score, scope), "acronym"
        if {compact(used), query.core()} & {compact(words), compact(dict.fromkeys(words))}:
            return 1.0, "exact" if kind == LABEL else "alias"
        similarity = fuzz.token_sort_ratio(" ".join(used), " ".join(words)) / 100
        score = min(0.99, 0.75 * token_score + 0.25 * similarity)
        core = {w for w, f in zip(query.tokens, query.factors, strict=True) if f == CORE}
        if present <= set(used) or core <= present:
            return score, "alias" if kind == ALIAS else "phrase"
        return score, "fuzzy"

    def _place_adjustment(self, query: Query, row: int, variant: int) -> float:
        """Bonus when a place in the query agrees with the organization's, penalty if not; no
        bonus when the place words are the matched name's own ('Tanzania Ministry of …')."""
        s, country, city = self.settings, self.countries[row], self.cities[row]
        places = {w for w, f in zip(query.tokens, query.factors, strict=True) if f == SOFT}
        own = bool(places) and places <= set(self.variant_tokens(variant))
        adjustment = 0.0
        if query.countries:
            agrees = country in query.countries
            adjustment += (0.0 if own else s.country_bonus) if agrees else -s.country_penalty
        if query.cities:
            if city in query.cities:
                adjustment += 0.0 if own else s.city_bonus
            elif not any(country in self.places.cities[c] for c in query.cities):
                adjustment -= s.country_penalty if not query.countries else 0.0
            else:
                adjustment -= s.city_penalty
        return adjustment

    def _score_rows(self, query: Query, country: str | None) -> dict[int, tuple[float, str]]:
        """The best raw score and matching type of each candidate organization row."""
        expanded = self._alternatives(query)
        named = compact(t for t, f in zip(query.tokens, query.factors, strict=True) if f)
        exact = [*self.compact.get(named), *self.compact.get(query.core())]
        variants = self._candidates(expanded, exact)
        if country:
            wanted = self.countries.number.get(country.upper(), -1)
            variants = variants[self.countries.numbers[self.variant_row[variants]] == wanted]
        if not len(variants):
            return {}
        scores = self._token_scores(expanded, variants)
        scores[np.isin(variants, exact)] = 1.0
        keep = min(self.settings.rescored, len(variants))
        top = np.argpartition(-scores, keep - 1)[:keep]
        best: dict[int, tuple[float, str, int]] = {}
        scope = self._scope(query, country)
        for position in top:
            variant = int(variants[position])
            score, how = self._rescore(query, variant, float(scores[position]), scope)
            row = int(self.variant_row[variant])
            if row not in best or score > best[row][0]:
                best[row] = (score, how, variant)
        return {
            row: (score + self._place_adjustment(query, row, variant), how)
            for row, (score, how, variant) in best.items()
        }

    def resolve(self, text: str, *, country: str | None = None, limit: int = 5) -> list[Candidate]:
        """Ranked candidates for one string; `chosen` on the first when confident and clear."""
        query = parse_query(text or "", self.places)
        if not query.tokens:
            return []
        scored = self._score_rows(query, country)
        ranked = sorted(scored.items(), key=lambda item: (-item[1][0], self.ids[item[0]]))
        top = ranked[0][1][0] if ranked else 0.0
        runner_up = ranked[1][1][0] if len(ranked) > 1 else 0.0
        confident = (
            top >= self.settings.threshold
            and top - runner_up >= self.settings.margin
            and _numbers(query.tokens) == _numbers(normalize(self.names[ranked[0][0]]).split())
        )
        return [
            Candidate(
                organization_id=int(self.ids[row]),
                score=round(min(1.0, max(0.0, score)), 4),
                matching_type=how,
                chosen=confident and position == 0,
                name=self.names[row],
            )
            for position, (row, (score, how)) in enumerate(ranked[:limit])
        ]

    def resolve_many(
        self, texts: Iterable[str], *, country: str | None = None, limit: int = 5
    ) -> list[list[Candidate]]:
        """Candidates for each of several strings, in order."""
        return [self.resolve(text, country=country, limit=limit) for text in texts]


def _pointer(lengths) -> np.ndarray:
    """Row pointers of a compressed matrix whose rows have these lengths."""
    pointer = np.zeros(len(lengths) + 1, dtype=np.int64)
    pointer[1:] = np.cumsum(lengths)
    return narrowed(pointer)


class _HashedKeys:
    """Strings to numbers, many to many, as sorted 64-bit hashes beside their numbers:
    a fraction of the memory of a dict of lists (strings are hashed by blake2b, the same
    in every process)."""

    def __init__(self, hashes: array, numbers: array):
        hashed = from_array(hashes, np.int64)
        numbered = from_array(numbers, np.int32)
        order = np.lexsort((numbered, hashed))
        self.hashes = hashed[order]
        self.numbers = numbered[order]

    def get(self, key: str) -> list[int]:
        """The numbers of a key, ascending (none for an unknown key)."""
        hashed = _hash(key)
        start = np.searchsorted(self.hashes, hashed, side="left")
        stop = np.searchsorted(self.hashes, hashed, side="right")
        return self.numbers[start:stop].tolist()

    def arrays(self) -> list[np.ndarray]:
        """The arrays held."""
        return [self.hashes, self.numbers]


def _hash(key: str) -> int:
    """A signed 64-bit digest of a string."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)
