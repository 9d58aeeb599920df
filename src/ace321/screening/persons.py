""""One person": who receives a shipment, for the per-person-per-day aggregate (19 CFR 10.151).

Two shipments go to the same person when the consignee names match once case, accents,
punctuation and spacing are folded and the postal codes match, or when the phone numbers match
in E.164. The relation is transitive (A~B by name, B~C by phone: one person), so persons are the
connected components of that graph, found by label propagation over unique keys.
"""

from __future__ import annotations

import polars as pl

from ace321.validation import plans


def folded_name(name: pl.Expr) -> pl.Expr:
    """Name with accents, case, punctuation and spaces folded away: "José  O'Brien" -> "joseobrien"."""
    return (
        name.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all(r"[^\p{L}\p{N}]", "")
    )


def postal_key(postal: pl.Expr, country: pl.Expr) -> pl.Expr:
    """Postal code without spaces or dashes; a US ZIP+4 counts as its five-digit ZIP."""
    compact = postal.str.to_uppercase().str.replace_all(r"[^A-Z0-9]", "")
    return pl.when(country == "US").then(compact.str.slice(0, 5)).otherwise(compact)


_LINKED = (pl.len().over("name_key") > 1) | (
    pl.col("phone").is_not_null() & (pl.len().over("phone") > 1)
)


def person_keys(shipments: pl.DataFrame) -> pl.Series:
    """A stable person key per shipment row: the smallest name key of its component.

    ``shipments`` needs ``name_key`` (folded name and postal key) and ``phone`` (E.164 or null).
    """
    # Most people have one name key and one phone: their label is their name key. Only pairs
    # linked to others through a shared key need propagating; when no name key and no phone
    # repeats at all, none is (a quick test that spares a small call the query).
    phones = shipments["phone"].drop_nulls()
    if shipments["name_key"].n_unique() == shipments.height and phones.n_unique() == phones.len():
        return shipments["name_key"].rename("label")
    pairs = plans.collect(
        shipments.lazy().select("name_key", "phone").unique().with_columns(_LINKED.alias("_linked")),
        shipments.height,
    )
    if not pairs["_linked"].any():
        return shipments["name_key"].rename("label")
    settled = pairs.filter(~pl.col("_linked")).select(
        "name_key", "phone", pl.col("name_key").alias("label")
    )
    pairs = pairs.filter(pl.col("_linked")).drop("_linked")
    labels = pairs.with_columns(pl.col("name_key").alias("label"))
    for _ in range(64):
        by_phone = (
            labels.filter(pl.col("phone").is_not_null())
            .group_by("phone")
            .agg(pl.col("label").min().alias("phone_label"))
        )
        step = labels.join(by_phone, on="phone", how="left").with_columns(
            pl.min_horizontal("label", "phone_label").alias("label")
        )
        by_name = step.group_by("name_key").agg(pl.col("label").min().alias("name_label"))
        step = step.join(by_name, on="name_key", how="left").select(
            "name_key", "phone", pl.min_horizontal("label", "name_label").alias("label")
        )
        changed = (
            step.join(labels, on=["name_key", "phone"], how="left", nulls_equal=True)
            .filter(pl.col("label") != pl.col("label_right"))
            .height
        )
        labels = step
        if changed == 0:
            break
    keyed = shipments.select("name_key", "phone").join(
        pl.concat([settled, labels]), on=["name_key", "phone"], how="left", nulls_equal=True,
        maintain_order="left",
    )
    return keyed["label"]
