"""Deterministic synthetic order lines in the canonical CSV, for the bulk-screening benchmark.

A Canadian 3PL ships to US consumers by truck: about 0.3 shipments per line (1-6 lines each),
about 15 % as many distinct consignees as lines (so some people get several shipments, some on
the same day), arrival dates spread over 2025-06-01..03, ~2 % of orders split into two
shipments, ~10 % of shipments priced in CAD, ~1 % of gifts, origins CA/US/CN/MX/VN, about 200
real ten-digit HTS codes drawn from the USITC schedule at generation time (including a few
wines, cigars and alcoholic perfumes), and ~1 % of broken rows (bad HTS, bad ZIP, quantity 0).

Every phone number is valid for the US per libphonenumber (real area codes, exchanges 200-999
without N11 and 555), written in mixed formats. The same seed and line count always give the
same file. Run ``python benchmarks/generate_orders.py --lines 10000`` to write a small one.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import random
import re
import time
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import polars as pl

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
HTS_CSV = HERE.parent.parent / "shared" / "data" / "hts_2026_revision_4.csv"

# The canonical order-line columns, in the order ace321 documents them.
COLUMNS = (
    "order_id", "shipment_id", "arrival_date", "shipper_name", "shipper_address", "shipper_city",
    "shipper_state", "shipper_postal_code", "shipper_country", "consignee_name",
    "consignee_address", "consignee_address2", "consignee_city", "consignee_state",
    "consignee_postal_code", "consignee_country", "consignee_phone", "consignee_email", "sku",
    "description", "quantity", "unit_price", "currency", "country_of_origin", "hts_code", "weight",
    "weight_unit", "is_gift", "adcvd_case", "hazmat_un", "marks",
)

SHIPPER = {
    "shipper_name": "Maple Fulfilment Inc.",
    "shipper_address": "2500 Dixie Rd",
    "shipper_city": "Mississauga",
    "shipper_state": "ON",
    "shipper_postal_code": "L4Y 2A1",
    "shipper_country": "CA",
}

ARRIVAL_DATES = ("2025-06-01", "2025-06-02", "2025-06-03")
CAD_RATES = (("2025-05-01", "0.73"), ("2025-06-01", "0.72"))
CAD_PER_USD = 1.37

LINES_PER_SHIPMENT = (1, 2, 3, 4, 5, 6)
LINES_WEIGHTS = (20, 17, 17, 16, 15, 15)  # mean ~3.34 lines per shipment
CONSIGNEES_PER_LINE = 0.15
SPLIT_ORDER_SHARE = 0.02
CAD_SHARE = 0.10
GIFT_SHARE = 0.01
BAD_ZIP_SHARE = 0.001  # of shipments (all their lines)
BAD_HTS_SHARE = 0.004  # of lines
ZERO_QTY_SHARE = 0.003  # of lines
# Country of origin of each SKU (a product always has the same origin).
ORIGINS = (("CA", 52), ("CN", 15), ("US", 13), ("VN", 11), ("MX", 9))

# Chapters and headings of goods a consumer 3PL ships; the draw takes ten-digit lines from these.
CONSUMER_PREFIXES = (
    "3304", "3305", "3401", "3406", "3924", "3926", "42", "4820", "49", "61", "62", "63", "64",
    "65", "6911", "6912", "7113", "7117", "7323", "8211", "8215", "8471", "8508", "8509", "8510",
    "8516", "8517", "8518", "8519", "8525", "8528", "9004", "9006", "9102", "9403", "9404",
    "9405", "95", "9603", "9608", "9615",
)
EXCLUDED_PREFIXES = ("22042150", "24021080", "33030030")  # wine, cigars, alcoholic perfume

# (city, state, ZIP ranges, area codes): real cities, ZIP prefixes and area codes.
CITIES = (
    ("Buffalo", "NY", ((14201, 14226),), ("716",)),
    ("Niagara Falls", "NY", ((14301, 14305),), ("716",)),
    ("Rochester", "NY", ((14604, 14626),), ("585",)),
    ("Syracuse", "NY", ((13202, 13224),), ("315",)),
    ("Watertown", "NY", ((13601, 13601),), ("315",)),
    ("Albany", "NY", ((12202, 12210),), ("518",)),
    ("Plattsburgh", "NY", ((12901, 12901),), ("518",)),
    ("New York", "NY", ((10001, 10040),), ("212", "646", "917")),
    ("Brooklyn", "NY", ((11201, 11238),), ("718", "347")),
    ("Pittsburgh", "PA", ((15201, 15235),), ("412",)),
    ("Philadelphia", "PA", ((19102, 19154),), ("215", "267")),
    ("Erie", "PA", ((16501, 16511),), ("814",)),
    ("Harrisburg", "PA", ((17101, 17112),), ("717",)),
    ("Allentown", "PA", ((18101, 18109),), ("610",)),
    ("Scranton", "PA", ((18503, 18510),), ("570",)),
    ("Detroit", "MI", ((48201, 48235),), ("313",)),
    ("Ann Arbor", "MI", ((48103, 48108),), ("734",)),
    ("Grand Rapids", "MI", ((49503, 49508),), ("616",)),
    ("Lansing", "MI", ((48906, 48912),), ("517",)),
    ("Flint", "MI", ((48503, 48507),), ("810",)),
    ("Royal Oak", "MI", ((48067, 48067), (48073, 48073)), ("248",)),
    ("Marquette", "MI", ((49855, 49855),), ("906",)),
    ("Cleveland", "OH", ((44102, 44135),), ("216",)),
    ("Columbus", "OH", ((43201, 43235),), ("614",)),
    ("Toledo", "OH", ((43604, 43623),), ("419",)),
    ("Akron", "OH", ((44301, 44320),), ("330",)),
    ("Cincinnati", "OH", ((45202, 45238),), ("513",)),
    ("Dayton", "OH", ((45402, 45420),), ("937",)),
    ("Burlington", "VT", ((5401, 5401), (5408, 5408)), ("802",)),
    ("Montpelier", "VT", ((5602, 5602),), ("802",)),
    ("Rutland", "VT", ((5701, 5701),), ("802",)),
    ("St. Albans", "VT", ((5478, 5478),), ("802",)),
    ("Chicago", "IL", ((60601, 60661),), ("312", "773")),
    ("Boston", "MA", ((2108, 2136),), ("617",)),
    ("San Francisco", "CA", ((94102, 94134),), ("415",)),
    ("Seattle", "WA", ((98101, 98126),), ("206",)),
    ("Minneapolis", "MN", ((55401, 55419),), ("612",)),
)
# Weight of each city in the consignee draw (border states first).
CITY_WEIGHTS = tuple(
    {"NY": 6, "PA": 4, "MI": 5, "OH": 4, "VT": 2}.get(state, 2) for _, state, _, _ in CITIES
)

_FIRST_NAMES_TEXT = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Christopher Karen Charles Lisa Daniel Nancy "
    "Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily Paul "
    "Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah Timothy "
    "Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Amy Jacob Kathleen "
    "Gary Angela Nicholas Shirley Eric Brenda Jonathan Emma Stephen Anna Larry Pamela Justin "
    "Nicole Scott Samantha Brandon Katherine Benjamin Christine Samuel Helen Gregory Debra "
    "Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia Dennis Heather "
    "Jerry Diane Tyler Julie Aaron Joyce José Zoë Chloé Renée André François Noël Siobhán "
    "Priya Wei Mei Hiroshi Aisha Omar Fatima Mateo Sofía Lucía Ngozi Anh Minh Jesús María"
)
FIRST_NAMES = tuple(_FIRST_NAMES_TEXT.split())
_LAST_NAMES_TEXT = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen "
    "Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez "
    "Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy "
    "Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox "
    "Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price "
    "Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell "
    "Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons Romero "
    "Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole Hayes "
    "O'Brien O'Neill O'Connor McDonald MacLeod Kowalski Nowak Wiśniewski Müller Schröder "
    "Lefebvre Gagnon Côté Bouchard Tremblay Pelletier Nguyễn Tran Pham Chen Wang Zhang Liu Singh"
)
LAST_NAMES = tuple(_LAST_NAMES_TEXT.split())
STREETS = (
    "Main St", "Elmwood Ave", "Delaware Ave", "Maple St", "Oak St", "Park Ave", "Lake Rd",
    "Washington St", "Lincoln Ave", "Church St", "High St", "Broadway", "Market St",
    "Franklin St", "Jefferson Ave", "Woodward Ave", "Grand River Ave", "Euclid Ave",
    "Murray Ave", "Forbes Ave", "Liberty Ave", "State St", "Pine St", "Cedar St", "Walnut St",
    "Chestnut St", "Spruce St", "Ridge Rd", "Hillside Ave", "Sunset Blvd", "River Rd",
    "Prospect Ave", "Union St", "College Ave", "Center St", "Madison Ave", "Monroe St",
    "Jackson St", "Adams St", "Water St", "Mill St", "Spring St", "Court St", "Genesee St",
    "Niagara St", "Erie Blvd", "Peach St", "Clinton Ave", "Lexington Ave", "Colonial Dr",
)
UNITS = ("Apt 1", "Apt 2B", "Apt 3C", "Unit 4", "Apt 12", "Suite 200", "Apt 5F", "Unit 7")
PHONE_FORMATS = (
    "({a}) {e}-{n}",
    "{a}-{e}-{n}",
    "+1{a}{e}{n}",
    "{a}.{e}.{n}",
    "1 {a} {e} {n}",
    "{a}{e}{n}",
)
PHONE_FORMAT_WEIGHTS = (35, 30, 20, 7, 4, 4)


@dataclass(frozen=True)
class Product:
    sku: str
    description: str
    hts10: str
    base_cents: int
    unit_kg: float
    origin: str
    excluded: bool


def _clean(text: str) -> str:
    text = re.sub(r"\s*\(\d{3}\)\s*$", "", text.strip())  # textile category numbers, "(338)"
    return text.rstrip(":").strip()


def _first_clause(text: str) -> str:
    return re.split(r"[,;:(]", text, maxsplit=1)[0].strip()


def _shorten(text: str, limit: int = 45) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0].rstrip(",;:- ")


def hts_pool(rng: random.Random, path: Path = HTS_CSV, size: int = 200) -> list[tuple[str, str]]:
    """About ``size`` real ten-digit HTS lines with a readable description (at most 45 chars).

    Lines are drawn evenly from consumer-goods headings (apparel alone has thousands of lines);
    the pool also holds five excluded codes (wine, cigars, alcoholic perfume) so that the
    screening meets them. A description is the heading's first words plus the line's own text,
    or its nearest ancestor's when the line says only "Other".
    """
    if not path.is_file():
        raise SystemExit(f"HTS schedule not found: {path} (pass --hts PATH to the USITC CSV export)")
    described: dict[str, str] = {}
    chain: list[tuple[int, str]] = []
    heading = ""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            try:
                indent = int(row["Indent"])
            except ValueError:
                continue
            text, number = _clean(row["Description"]), row["HTS Number"]
            while chain and chain[-1][0] >= indent:
                chain.pop()
            chain.append((indent, text))
            if re.fullmatch(r"\d{4}", number) or indent == 0:
                heading = _first_clause(text)
            if not re.fullmatch(r"\d{4}\.\d{2}\.\d{2}\.\d{2}", number):
                continue
            leaf = next(
                (t for _, t in reversed(chain) if t and t.lower() != "other" and t != heading),
                "",
            )
            own = heading if indent == 0 else f"{heading}, {leaf}" if leaf else heading
            described[number] = _shorten(own)
    groups: dict[str, list[str]] = {}
    for number in sorted(described):
        prefix = next((p for p in CONSUMER_PREFIXES if number.startswith(p)), None)
        if prefix:
            groups.setdefault(prefix, []).append(number)
    for members in groups.values():
        rng.shuffle(members)
    excluded: list[str] = []
    for prefix in EXCLUDED_PREFIXES:
        members = sorted(n for n in described if n.replace(".", "").startswith(prefix))
        excluded += rng.sample(members, min(2, len(members)))
    chosen: list[str] = []
    while len(chosen) < size - len(excluded) and any(groups.values()):
        for prefix in sorted(groups):
            if groups[prefix] and len(chosen) < size - len(excluded):
                chosen.append(groups[prefix].pop())
    chosen = sorted(chosen) + excluded
    return [(number, described[number]) for number in chosen]


def make_products(rng: random.Random, pool: list[tuple[str, str]], count: int = 2000) -> list[Product]:
    origin_cum = _cumulative([w for _, w in ORIGINS])
    products = []
    for index in range(count):
        hts10, description = pool[index % len(pool)]
        digits = hts10.replace(".", "")
        excluded = digits.startswith(EXCLUDED_PREFIXES)
        base = min(max(rng.lognormvariate(3.2, 0.95), 2.0), 1800.0)
        products.append(
            Product(
                sku=f"MF-{digits[:4]}-{index:04d}",
                description=description,
                hts10=hts10,
                base_cents=round(base * 100),
                unit_kg=round(min(max(rng.lognormvariate(-1.0, 0.8), 0.05), 25.0), 3),
                origin=ORIGINS[bisect.bisect(origin_cum, rng.random() * origin_cum[-1])][0],
                excluded=excluded,
            )
        )
    return products


def valid_exchanges(rng: random.Random, area: str, count: int = 40) -> list[str]:
    """``count`` central-office codes for ``area`` that libphonenumber accepts (no N11, no 555)."""
    candidates = [f"{e}" for e in range(200, 1000) if e % 100 != 11 and e != 555]
    rng.shuffle(candidates)
    chosen = []
    for exchange in candidates:
        number = phonenumbers.parse(f"+1{area}{exchange}{rng.randrange(10000):04d}", None)
        if phonenumbers.is_valid_number(number):
            chosen.append(exchange)
            if len(chosen) == count:
                return chosen
    raise ValueError(f"area code {area}: too few valid exchanges")


def _cumulative(weights: tuple[int, ...] | list[float]) -> list[float]:
    return list(itertools.accumulate(weights))


def _cents_text(cents: pl.Expr) -> pl.Expr:
    return pl.format("{}.{}", cents // 100, (cents % 100).cast(pl.String).str.zfill(2))


def generate(
    lines: int, seed: int = 42, hts_csv: Path = HTS_CSV
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The frame of ``lines`` order lines (all columns strings) and a few counts about it."""
    rng = random.Random(seed)
    pool = hts_pool(rng, hts_csv)
    products = make_products(rng, pool)
    product_weights = _cumulative([0.1 if p.excluded else 1.0 for p in products])

    # Consignees: name, street address, city, ZIP, area code and a valid phone.
    n_consignees = max(1, round(lines * CONSIGNEES_PER_LINE))
    exchanges = {
        area: valid_exchanges(rng, area) for area in sorted({a for *_, codes in CITIES for a in codes})
    }
    city_cum = _cumulative(CITY_WEIGHTS)
    c_name, c_addr, c_addr2, c_city, c_state, c_zip, c_phone, c_email = ([] for _ in range(8))
    for index in range(n_consignees):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, state, zips, areas = CITIES[bisect.bisect(city_cum, rng.random() * city_cum[-1])]
        low, high = rng.choice(zips)
        area = rng.choice(areas)
        c_name.append(f"{first} {last}")
        c_addr.append(f"{rng.randint(1, 9899)} {rng.choice(STREETS)}")
        c_addr2.append(rng.choice(UNITS) if rng.random() < 0.18 else None)
        c_city.append(city)
        c_state.append(state)
        c_zip.append(f"{rng.randint(low, high):05d}")
        c_phone.append((area, rng.choice(exchanges[area]), f"{rng.randrange(10000):04d}"))
        ascii_last = re.sub(r"[^a-z]", "", last.lower()) or "user"
        c_email.append(f"{first[0].lower()}{ascii_last}{index % 997}@example.com"
                       if rng.random() < 0.85 else None)

    # Shipments: every consignee gets one, the rest go to a skewed few (several a day), and
    # ~2 % of orders continue in a second lot. Lines are drawn until ``lines`` is reached.
    lines_cum = _cumulative(LINES_WEIGHTS)
    format_cum = _cumulative(PHONE_FORMAT_WEIGHTS)
    s_order, s_shipment, s_date, s_consignee, s_lines, s_phone, s_upper, s_cad, s_gift = (
        [] for _ in range(9)
    )
    s_bad_zip = []
    total = fresh = 0
    order_number = 500000
    while total < lines:
        count = LINES_PER_SHIPMENT[bisect.bisect(lines_cum, rng.random() * lines_cum[-1])]
        count = min(count, lines - total)
        continues = (
            bool(s_order) and s_shipment[-1].endswith("-01") and rng.random() < SPLIT_ORDER_SHARE
        )
        if continues:
            order_id, consignee = s_order[-1], s_consignee[-1]
            shipment_id = f"{order_id}-02"
            date = s_date[-1] if rng.random() < 0.7 else rng.choice(ARRIVAL_DATES)
            cad, gift = s_cad[-1], s_gift[-1]
        else:
            order_number += 1
            order_id = f"MF-{order_number}"
            shipment_id = f"{order_id}-01"
            # Every consignee gets a first shipment; later ones go to a skewed few.
            consignee = fresh if fresh < n_consignees else int(n_consignees * rng.random() ** 1.3)
            fresh += 1
            date = rng.choice(ARRIVAL_DATES)
            cad, gift = rng.random() < CAD_SHARE, rng.random() < GIFT_SHARE
        s_order.append(order_id)
        s_shipment.append(shipment_id)
        s_date.append(date)
        s_consignee.append(consignee)
        s_lines.append(count)
        s_phone.append(bisect.bisect(format_cum, rng.random() * format_cum[-1]))
        s_upper.append(rng.random() < 0.05)
        s_cad.append(cad)
        s_gift.append(gift)
        s_bad_zip.append(rng.random() < BAD_ZIP_SHARE)
        total += count
    n_shipments = len(s_order)
    # First-come consignee numbers follow shipment order; shuffle who is who.
    relabel = list(range(n_consignees))
    rng.shuffle(relabel)
    s_consignee = [relabel[c] for c in s_consignee]

    def phone_text(consignee: int, fmt: int) -> str:
        area, exchange, number = c_phone[consignee]
        return PHONE_FORMATS[fmt].format(a=area, e=exchange, n=number)

    def name_text(consignee: int, upper: bool) -> str:
        name = c_name[consignee]
        return name.upper() if upper else name

    def zip_text(consignee: int, bad: bool) -> str:
        code = c_zip[consignee]
        return code[:4] if bad else code

    shipments = pl.DataFrame(
        {
            "order_id": s_order,
            "shipment_id": s_shipment,
            "arrival_date": s_date,
            "consignee_name": list(map(name_text, s_consignee, s_upper)),
            "consignee_address": [c_addr[c] for c in s_consignee],
            "consignee_address2": [c_addr2[c] for c in s_consignee],
            "consignee_city": [c_city[c] for c in s_consignee],
            "consignee_state": [c_state[c] for c in s_consignee],
            "consignee_postal_code": list(map(zip_text, s_consignee, s_bad_zip)),
            "consignee_phone": list(map(phone_text, s_consignee, s_phone)),
            "consignee_email": [c_email[c] for c in s_consignee],
            "_cad": s_cad,
            "_gift": s_gift,
        },
        schema_overrides={"consignee_address2": pl.String, "consignee_email": pl.String},
    )

    # Lines: one product each, drawn with weights; numbers drawn in bulk.
    ship_index = pl.Series(
        "_ship", [i for i, count in enumerate(s_lines) for _ in range(count)], dtype=pl.Int32
    )
    product_index = [
        bisect.bisect(product_weights, rng.random() * product_weights[-1]) for _ in range(lines)
    ]
    qty_cum = _cumulative((60, 20, 10, 6, 4))
    catalog = pl.DataFrame(
        {
            "sku": [p.sku for p in products],
            "description": [p.description for p in products],
            "_hts": [p.hts10 for p in products],
            "_base": [p.base_cents for p in products],
            "_kg": [p.unit_kg for p in products],
            "country_of_origin": [p.origin for p in products],
        }
    )
    random_cols = pl.DataFrame(
        {
            "_qty": [bisect.bisect(qty_cum, rng.random() * qty_cum[-1]) + 1 for _ in range(lines)],
            "_jitter": [0.85 + 0.3 * rng.random() for _ in range(lines)],
            "_u": [rng.random() for _ in range(lines)],
            "_v": [rng.random() for _ in range(lines)],
        }
    )
    frame = (
        pl.concat(
            [
                shipments.select(pl.all().gather(ship_index)),
                catalog.select(pl.all().gather(pl.Series(product_index, dtype=pl.Int32))),
                random_cols,
            ],
            how="horizontal",
        )
        .with_columns(
            cents=(
                pl.col("_base") * pl.col("_jitter") * pl.when(pl.col("_cad")).then(CAD_PER_USD).otherwise(1.0)
            ).round(0).cast(pl.Int64).clip(lower_bound=1),
            broken_hts=pl.col("_u") < BAD_HTS_SHARE,
            zero_qty=(pl.col("_u") >= BAD_HTS_SHARE) & (pl.col("_u") < BAD_HTS_SHARE + ZERO_QTY_SHARE),
            in_lb=pl.col("_v") < 0.2,
        )
        .with_columns(
            quantity=pl.when(pl.col("zero_qty")).then(0).otherwise(pl.col("_qty")).cast(pl.String),
            unit_price=_cents_text(pl.col("cents")),
            currency=pl.when(pl.col("_cad")).then(pl.lit("CAD")).otherwise(pl.lit("USD")),
            hts_code=pl.when(pl.col("broken_hts"))
            .then(pl.lit("12345"))
            .when(pl.col("_v") < 0.7)
            .then(pl.col("_hts"))
            .otherwise(pl.col("_hts").str.replace_all(".", "", literal=True)),
            weight=(
                pl.col("_kg") * pl.col("_qty") * pl.when(pl.col("in_lb")).then(2.20462).otherwise(1.0)
            ).round(2).clip(lower_bound=0.01).cast(pl.String),
            weight_unit=pl.when(pl.col("in_lb")).then(pl.lit("lb")).otherwise(pl.lit("kg")),
            is_gift=pl.when(pl.col("_gift")).then(pl.lit("true")).otherwise(pl.lit(None, pl.String)),
            adcvd_case=pl.lit(None, pl.String),
            hazmat_un=pl.lit(None, pl.String),
            marks=pl.lit(None, pl.String),
            consignee_country=pl.lit("US"),
            **{name: pl.lit(value) for name, value in SHIPPER.items()},
        )
    )
    stats = {
        "lines": frame.height,
        "shipments": n_shipments,
        "orders": order_number - 500000,
        "consignees": n_consignees,
        "cad_lines": int(frame["_cad"].sum()),
        "broken_lines": int(
            (frame["broken_hts"] | frame["zero_qty"]).sum()
            + frame.filter(pl.col("consignee_postal_code").str.len_chars() < 5).height
        ),
    }
    _check_phones(rng, frame["consignee_phone"])
    return frame.select(COLUMNS), stats


def _check_phones(rng: random.Random, phones: pl.Series, sample: int = 1000) -> None:
    """Parse a sample of the written numbers, as the screening will, and insist they are valid."""
    values = phones.unique(maintain_order=True).to_list()
    for text in rng.sample(values, min(sample, len(values))):
        if not phonenumbers.is_valid_number(phonenumbers.parse(text, "US")):
            raise AssertionError(f"generated an invalid phone number: {text!r}")


def write_rates(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = "".join(f"{date},CAD,{rate}\n" for date, rate in CAD_RATES)
    path.write_text("date,currency,usd_per_unit\n" + rows, encoding="utf-8")
    return path


def write_orders(path: Path, lines: int, seed: int = 42, hts_csv: Path = HTS_CSV) -> dict[str, int]:
    """Write the CSV (atomically: a half-written file never looks complete) and return counts."""
    frame, stats = generate(lines, seed, hts_csv)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    frame.write_csv(partial)
    partial.replace(path)
    return stats


def default_path(lines: int, seed: int = 42) -> Path:
    suffix = "" if seed == 42 else f"_seed{seed}"
    return DATA_DIR / f"orders_{lines}{suffix}.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output", type=Path, help="CSV to write (default benchmarks/data/orders_N.csv)")
    parser.add_argument("--hts", type=Path, default=HTS_CSV, help=f"USITC HTS CSV (default {HTS_CSV})")
    args = parser.parse_args()
    if args.lines < 1:
        parser.error("--lines must be at least 1")
    path = args.output or default_path(args.lines, args.seed)
    started = time.perf_counter()
    stats = write_orders(path, args.lines, args.seed, args.hts)
    rates = write_rates(path.with_name("rates.csv"))
    elapsed = time.perf_counter() - started
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB) in {elapsed:.1f} s; rates: {rates}")
    print(", ".join(f"{key} {value:,}" for key, value in stats.items()))


if __name__ == "__main__":
    main()
