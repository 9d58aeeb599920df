"""A small X12 reader: segments and envelope checks for one interchange.

``parse_interchange`` reads the separators from the ISA (element separator at position 4,
sub-element separator ISA16, segment terminator right after it, repetition separator ISA11
from version 00402 on), splits the text into segments, nests them as
interchange > functional groups > transaction sets, and checks the envelope: ISA13 = IEA02,
IEA01 = number of groups, GS06 = GE02, GE01 = number of transaction sets, ST02 = SE02,
SE01 = number of segments from ST to SE inclusive. Envelope faults come back as ``problems``
(text), not exceptions; only text that does not start with an ISA raises ``ValueError``.

Used to re-read every 309 we write, and later for CBP's 997, 355 and 350.

>>> text = ("ISA*00*          *00*          *ZZ*MAPL           *ZZ*CBP-ACE-TEST   "
...         "*261122*0930*^*00502*000000007*0*T*>~GS*AQ*MAPL*CBP-ACE-TEST*20261122*0930*7*X*005020~"
...         "ST*309*0007~M10*MAPL~SE*3*0007~GE*1*7~IEA*1*000000007~")
>>> interchange = parse_interchange(text)
>>> interchange.problems
[]
>>> [s.tag for s in interchange.groups[0].transaction_sets[0].segments]
['ST', 'M10', 'SE']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ace321.exports.x12.syntax import Segment, Separators


@dataclass
class TransactionSet:
    """ST...SE: ``segments`` holds both ends."""

    segments: list[Segment]

    @property
    def code(self) -> str:
        """ST01, e.g. ``"309"``."""
        return self.segments[0].element(1)

    @property
    def control_number(self) -> str:
        return self.segments[0].element(2)

    @property
    def body(self) -> list[Segment]:
        """The segments between ST and SE."""
        end = -1 if self.segments[-1].tag == "SE" else len(self.segments)
        return self.segments[1:end]


@dataclass
class FunctionalGroup:
    header: Segment
    transaction_sets: list[TransactionSet] = field(default_factory=list)
    trailer: Segment | None = None

    @property
    def functional_identifier(self) -> str:
        """GS01, e.g. ``"AQ"`` for 309s."""
        return self.header.element(1)

    @property
    def control_number(self) -> str:
        return self.header.element(6)


@dataclass
class Interchange:
    separators: Separators
    header: Segment
    groups: list[FunctionalGroup] = field(default_factory=list)
    trailer: Segment | None = None
    segments: list[Segment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def control_number(self) -> str:
        """ISA13."""
        return self.header.element(13)

    @property
    def sender_id(self) -> str:
        return self.header.element(6).strip()

    @property
    def receiver_id(self) -> str:
        return self.header.element(8).strip()

    @property
    def transaction_sets(self) -> list[TransactionSet]:
        return [ts for group in self.groups for ts in group.transaction_sets]


def detect_separators(text: str) -> Separators:
    """The separators an ISA declares. ``text`` must start with the ISA.

    The ISA is read by counting element separators rather than by fixed positions, so that an
    ISA whose fields are not padded is still read (and then reported by the envelope checks).
    """
    if not text.startswith("ISA") or len(text) < 4:
        raise ValueError("not an X12 interchange: it does not start with an ISA segment")
    element = text[3]
    end, count = 3, 1
    while count < 16:
        end = text.find(element, end + 1)
        if end < 0:
            raise ValueError("not an X12 interchange: the ISA has fewer than 16 elements")
        count += 1
    if len(text) < end + 3:
        raise ValueError("not an X12 interchange: the ISA is cut short")
    sub_element, segment = text[end + 1], text[end + 2]
    fields = text[: end + 2].split(element)
    version, repetition = fields[12], fields[11]
    has_repetition = version >= "00402" and len(repetition) == 1 and not repetition.isalnum()
    return Separators(element, sub_element, segment, repetition if has_repetition else None)


def split_segments(text: str, separators: Separators) -> list[Segment]:
    """The segments of ``text``; line breaks between segments are ignored."""
    out = []
    for raw in text.split(separators.segment):
        token = raw.strip("\r\n") if separators.segment not in "\r\n" else raw
        if not token:
            continue
        tag, *elements = token.split(separators.element)
        out.append(Segment(tag, tuple(elements)))
    return out


def parse_interchange(text: str) -> Interchange:
    """Read one interchange; see the module docstring for what is checked."""
    text = text.lstrip("\ufeff\r\n\t ")
    separators = detect_separators(text)
    segments = split_segments(text, separators)
    interchange = Interchange(separators, header=segments[0], segments=segments)
    problems = interchange.problems
    _check_isa(interchange.header, problems)

    group: FunctionalGroup | None = None
    transaction: TransactionSet | None = None
    for position, segment in enumerate(segments[1:], start=2):
        where = f"segment {position} ({segment.tag})"
        if interchange.trailer is not None:
            problems.append(f"{where}: after the IEA")
            continue
        if transaction is not None:
            transaction.segments.append(segment)
            if segment.tag == "SE":
                _check_transaction(transaction, problems)
                transaction = None
            elif segment.tag in ("ISA", "GS", "GE", "IEA", "ST"):
                problems.append(
                    f"{where}: inside transaction set {transaction.control_number} before its SE"
                )
            continue
        if segment.tag == "GS":
            if group is not None:
                problems.append(f"{where}: GS before the GE of group {group.control_number}")
            group = FunctionalGroup(header=segment)
            interchange.groups.append(group)
        elif segment.tag == "ST":
            if group is None:
                problems.append(f"{where}: ST outside a functional group")
                group = FunctionalGroup(header=Segment("GS"))
                interchange.groups.append(group)
            transaction = TransactionSet([segment])
            group.transaction_sets.append(transaction)
        elif segment.tag == "GE":
            if group is None:
                problems.append(f"{where}: GE without a GS")
                continue
            group.trailer = segment
            _check_group(group, problems)
            group = None
        elif segment.tag == "IEA":
            if group is not None:
                problems.append(f"group {group.control_number}: no GE")
                group = None
            interchange.trailer = segment
        else:
            problems.append(f"{where}: outside a transaction set")
    if transaction is not None:
        problems.append(f"transaction set {transaction.control_number}: no SE")
    if group is not None and interchange.trailer is None:
        problems.append(f"group {group.control_number}: no GE")
    _check_iea(interchange, problems)
    return interchange


def _check_isa(isa: Segment, problems: list[str]) -> None:
    widths = (2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1)
    if len(isa.elements) != 16:
        problems.append(f"ISA: {len(isa.elements)} elements, not 16")
        return
    for position, (value, width) in enumerate(zip(isa.elements, widths, strict=True), start=1):
        if len(value) != width:
            problems.append(f"ISA{position:02d}: {len(value)} characters, not {width}")
    if not isa.element(13).isdigit():
        problems.append(f"ISA13 {isa.element(13)!r} is not 9 digits")


def _check_transaction(transaction: TransactionSet, problems: list[str]) -> None:
    st, se = transaction.segments[0], transaction.segments[-1]
    label = f"transaction set {st.element(2)}"
    if se.element(2) != st.element(2):
        problems.append(f"{label}: SE02 {se.element(2)!r} does not match ST02 {st.element(2)!r}")
    if se.element(1) != str(len(transaction.segments)):
        problems.append(
            f"{label}: SE01 says {se.element(1)!r} segments, ST to SE counts "
            f"{len(transaction.segments)}"
        )


def _check_group(group: FunctionalGroup, problems: list[str]) -> None:
    assert group.trailer is not None
    label = f"group {group.control_number}"
    if group.trailer.element(2) != group.control_number:
        problems.append(
            f"{label}: GE02 {group.trailer.element(2)!r} does not match GS06 "
            f"{group.control_number!r}"
        )
    if group.trailer.element(1) != str(len(group.transaction_sets)):
        problems.append(
            f"{label}: GE01 says {group.trailer.element(1)!r} transaction sets, the group "
            f"holds {len(group.transaction_sets)}"
        )


def _check_iea(interchange: Interchange, problems: list[str]) -> None:
    iea = interchange.trailer
    if iea is None:
        problems.append("no IEA")
        return
    if iea.element(2) != interchange.control_number:
        problems.append(
            f"IEA02 {iea.element(2)!r} does not match ISA13 {interchange.control_number!r}"
        )
    if iea.element(1) != str(len(interchange.groups)):
        problems.append(
            f"IEA01 says {iea.element(1)!r} groups, the interchange holds {len(interchange.groups)}"
        )
