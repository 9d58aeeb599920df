"""VAGUE_DESCRIPTION and HTS_DESCRIPTION_MISMATCH: judged once per distinct description (and
chapter), then joined back onto the lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import polars as pl

from ace321.risk.text import letters, stem, words
from ace321.risk.vocabulary import Vocabulary, load_vocabulary

_RAW_WORD = re.compile(r"[a-z]+")


def dotted(hts: str) -> str:
    """An HTS code in its dotted form.

    >>> dotted("6109100012"), dotted("610910")
    ('6109.10.00.12', '6109.10')
    """
    parts = [hts[:4], hts[4:6], hts[6:8], hts[8:10]]
    return ".".join(p for p in parts if p)


def vague_reason(description: str | None, generic: frozenset[str], min_letters: int) -> str | None:
    """Why a description identifies no goods, or None when it does."""
    if description is None:
        return None
    if letters(description) < min_letters:
        return f'description "{description}" is too short to identify the goods'
    raw = _RAW_WORD.findall(description.lower())
    if raw and all(word in generic or stem(word) in generic for word in raw):
        return (f'description "{description}" names no goods, only generic words CBP does not '
                "accept (say what the goods are and what they are made of)")
    return None


def vague_lines(descriptions: pl.Series, generic: Iterable[str], min_letters: int) -> pl.DataFrame:
    """description -> message, for the distinct descriptions that are vague."""
    generic_set = frozenset(word.lower() for word in generic)
    found = {}
    for description in descriptions.unique().drop_nulls().to_list():
        reason = vague_reason(description, generic_set, min_letters)
        if reason is not None:
            found[description] = reason
    return pl.DataFrame({"description": list(found), "message": list(found.values())},
                        schema={"description": pl.String, "message": pl.String})


def declared_vocabulary(population: pl.DataFrame, *, min_persons: int, weight: float
                        ) -> dict[str, dict[str, float]]:
    """word -> {chapter: weight} for words declared under a chapter by ``min_persons`` or more
    persons (stored history and batch): the tenant's own names for its goods.

    Persons are counted per distinct description and summed over the descriptions that use a
    word (one person declaring two descriptions with the word counts twice): a word joins a
    chapter a little more easily, which only makes a mismatch rarer.
    """
    counted = population.lazy().filter(pl.col("description").is_not_null()).group_by(
        "description", pl.col("hts").str.slice(0, 2).alias("chapter")
    ).agg(pl.col("person").hash().n_unique().alias("persons")).drop_nulls().collect()
    if not counted.height:
        return {}
    distinct = counted["description"].unique().to_list()
    exploded = counted.join(
        pl.DataFrame({"description": distinct, "word": [list(words(d)) for d in distinct]},
                     schema={"description": pl.String, "word": pl.List(pl.String)}),
        on="description",
    ).explode("word").drop_nulls("word")
    summed = exploded.group_by("word", "chapter").agg(pl.col("persons").sum()) \
        .filter(pl.col("persons") >= min_persons)
    declared: dict[str, dict[str, float]] = {}
    for word, chapter, _ in summed.sort("word", "chapter").iter_rows():
        declared.setdefault(word, {})[chapter] = weight
    return declared


def mismatch_fits(pairs: pl.DataFrame, vocabulary: Vocabulary) -> pl.DataFrame:
    """For distinct (description, hts): the declared chapter's fit, the best other chapter,
    its fit and the words it matched."""
    rows: list[dict[str, Any]] = []
    for description, hts in pairs.select("description", "hts").iter_rows():
        described = words(description)
        fits = vocabulary.fits(described)
        declared = hts[:2]
        others = [(fit, chapter) for chapter, fit in fits.items() if chapter != declared]
        if not others:
            continue
        best_fit, best = max(others, key=lambda item: (item[0], [-ord(c) for c in item[1]]))
        matched = [w for w in described if best in vocabulary.uses.get(w, {})]
        rows.append({
            "description": description, "hts": hts, "declared_fit": fits.get(declared, 0.0),
            "best_chapter": best, "best_fit": best_fit, "best_words": ", ".join(matched),
            "best_count": len(matched),
        })
    return pl.DataFrame(rows, schema={
        "description": pl.String, "hts": pl.String, "declared_fit": pl.Float64,
        "best_chapter": pl.String, "best_fit": pl.Float64, "best_words": pl.String,
        "best_count": pl.Int64,
    })


def base_vocabulary() -> Vocabulary:
    return load_vocabulary()
