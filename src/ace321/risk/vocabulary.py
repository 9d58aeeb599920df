"""Which HTS chapters a description's words belong to: the vocabulary behind HTS_DESCRIPTION_MISMATCH.

Built from the HTS schedule's own descriptions, each line read with its ancestors ("Other" under
"T-shirts ...: Of cotton" reads as all three): for every word, how many headings of each
chapter use it. The package ships the result (``data/hts_vocabulary.tsv``, built from USITC HTS
2026 revision 4, a US government work) because the schedule itself is not installed with it;
``python -m ace321.risk.vocabulary HTS.csv`` rebuilds it from a newer revision.

A chapter's fit to a description is the sum over the description's words of the share of that
word's uses that fall in the chapter (a word used only in chapter 61 gives chapter 61 a full 1.0).
A tenant's stored history and the batch add their own words: a word declared under a chapter by
enough different people joins that chapter's vocabulary (``with_declared``).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ace321.risk.text import words

VOCABULARY_FILE = Path(__file__).parent / "data" / "hts_vocabulary.tsv"
SOURCE = "USITC Harmonized Tariff Schedule 2026 revision 4 (hts.usitc.gov CSV export, US government work)"


@dataclass(frozen=True)
class Vocabulary:
    """word -> {chapter: headings using it}; ``source`` names where the counts came from."""

    uses: Mapping[str, Mapping[str, float]]
    source: str = SOURCE
    _totals: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    def total(self, word: str) -> float:
        found = self._totals.get(word)
        if found is None:
            found = self._totals[word] = float(sum(self.uses.get(word, {}).values()))
        return found

    def fits(self, description_words: Iterable[str]) -> dict[str, float]:
        """Each chapter's fit: the summed share of each known word's uses in that chapter."""
        fit: dict[str, float] = defaultdict(float)
        for word in description_words:
            chapters = self.uses.get(word)
            if not chapters:
                continue
            total = self.total(word)
            for chapter, count in chapters.items():
                fit[chapter] += count / total
        return dict(fit)

    def known(self, description_words: Iterable[str]) -> list[str]:
        return [word for word in description_words if word in self.uses]

    def with_declared(self, declared: Mapping[str, Mapping[str, float]]) -> Vocabulary:
        """This vocabulary plus words declared under chapters (word -> {chapter: weight})."""
        if not declared:
            return self
        merged: dict[str, dict[str, float]] = {w: dict(c) for w, c in self.uses.items()}
        for word, chapters in declared.items():
            slot = merged.setdefault(word, {})
            for chapter, weight in chapters.items():
                slot[chapter] = slot.get(chapter, 0.0) + weight
        return Vocabulary(merged, self.source + " + declared history")


_LOADED: Vocabulary | None = None


def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The shipped vocabulary (read once per process when ``path`` is the default)."""
    global _LOADED
    if path == VOCABULARY_FILE and _LOADED is not None:
        return _LOADED
    uses: dict[str, dict[str, float]] = {}
    source = SOURCE
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if line.startswith("# source: "):
                source = line.removeprefix("# source: ")
            continue
        word, _, counts = line.partition("\t")
        uses[word] = {ch: float(n) for ch, _, n in (pair.partition(":") for pair in counts.split())}
    vocabulary = Vocabulary(uses, source)
    if path == VOCABULARY_FILE:
        _LOADED = vocabulary
    return vocabulary


# Chapters 98 and 99 hold special provisions and temporary duties, not kinds of goods.
SPECIAL_CHAPTERS = ("98", "99")


def build_counts(hts_csv: Path) -> dict[str, Counter[str]]:
    """word -> Counter(chapter -> headings (four digits) with a line whose full description
    uses the word). Headings, not lines: a heading with sixty statistical lines would
    otherwise outweigh the one heading that names the goods."""
    from ace321.intake.hts_table import read_hts_table

    table = read_hts_table(hts_csv)
    headings: dict[str, set[str]] = defaultdict(set)
    for hts, full in table.select("hts", "full_description").iter_rows():
        if len(hts) < 4 or hts[:2] in SPECIAL_CHAPTERS:
            continue
        for word in words(full):
            headings[word].add(hts[:4])
    counts: dict[str, Counter[str]] = {}
    for word, found in headings.items():
        counts[word] = Counter(heading[:2] for heading in found)
    return counts


def write_vocabulary(hts_csv: Path, out: Path = VOCABULARY_FILE) -> int:
    counts = build_counts(hts_csv)
    lines = [
        f"# source: {SOURCE}",
        f"# built by: python -m ace321.risk.vocabulary {hts_csv.name}",
        "# word<TAB>chapter:headings ... (four-digit headings of the chapter with a line whose description, with its ancestors, uses the word)",
    ]
    for word in sorted(counts):
        pairs = " ".join(f"{ch}:{n}" for ch, n in sorted(counts[word].items()))
        lines.append(f"{word}\t{pairs}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(counts)


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    print(write_vocabulary(Path(sys.argv[1])), "words written to", VOCABULARY_FILE)
