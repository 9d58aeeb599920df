"""Bulk loads: executemany with the column types' own converters, and COPY on PostgreSQL."""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy import Table
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from ace321.storage.types import StorageValueError


def copy_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """``COPY table (columns) FROM STDIN`` inside the session's transaction.

    Every row must have the same keys. Type decorators (``Money``) process each value first,
    so a value the column cannot hold raises just as it would in an INSERT.
    """
    names = list(rows[0])
    connection = session.connection()
    dialect = connection.dialect
    processors = []
    for name in names:
        column_type = table.c[name].type
        if isinstance(column_type, TypeDecorator):
            processors.append(lambda value, t=column_type: t.process_bind_param(value, dialect))
        else:
            processors.append(None)
    columns = ", ".join(f'"{name}"' for name in names)
    driver = connection.connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(
                f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([value if process is None else process(value)
                                for process, value in zip(processors, (row[n] for n in names),
                                                          strict=True)])
    except StorageValueError:
        raise
    except Exception as error:  # psycopg.Error: the transaction is rolled back by the caller
        raise StorageValueError(f"COPY into {table.name} failed: {error}") from error


def insert_rows(session: Session, table: Table, rows: list[dict[str, Any]], *,
                chunk: int = 5000) -> None:
    """One ``executemany`` per chunk, values converted by each column type's bind processor.

    Rows may differ in their keys (missing keys are NULL). This skips SQLAlchemy's per-row
    parameter handling, which dominates large inserts, but converts values the same way.
    """
    connection = session.connection()
    dialect = connection.dialect
    if dialect.paramstyle not in ("qmark", "format", "pyformat"):
        for start in range(0, len(rows), chunk):
            session.execute(table.insert(), rows[start:start + chunk])
        return
    names = list(dict.fromkeys(name for row in rows[:1] for name in row))
    names += sorted({name for row in rows for name in row} - set(names))
    processors = [table.c[name].type._cached_bind_processor(dialect) for name in names]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    preparer = dialect.identifier_preparer
    sql = (f"INSERT INTO {preparer.format_table(table)} "
           f"({', '.join(preparer.quote(name) for name in names)}) "
           f"VALUES ({', '.join(marker for _ in names)})")
    for start in range(0, len(rows), chunk):
        batch = rows[start:start + chunk]
        columns = []
        for name, process in zip(names, processors, strict=True):
            values = [row.get(name) for row in batch]
            columns.append(values if process is None else [process(v) for v in values])
        connection.exec_driver_sql(sql, list(zip(*columns, strict=True)))


FRAME_CHUNK = 50_000  # rows per executemany call / COPY buffer: bounds the memory of one write


def write_frame(session: Session, table: Table, frame: pl.DataFrame, *,
                copy_from: int = 2000) -> None:
    """Insert a frame whose columns are named after ``table``'s and already hold database values.

    The caller has converted every value to what the column's bind processor would give (hex
    UUIDs, ISO dates, decimal text on SQLite), so rows go to the driver as they are: COPY in
    CSV form on PostgreSQL (from ``copy_from`` rows), executemany on tuples otherwise. Nothing
    is converted row by row in Python, which is what makes million-row batches affordable.
    """
    if frame.is_empty():
        return
    connection = session.connection()
    dialect = connection.dialect
    preparer = dialect.identifier_preparer
    names = ", ".join(preparer.quote(table.c[name].name) for name in frame.columns)
    target = f"{preparer.format_table(table)} ({names})"
    if dialect.name == "postgresql" and frame.height >= copy_from:
        driver = connection.connection.driver_connection
        assert driver is not None
        try:
            with driver.cursor() as cursor, cursor.copy(
                    f"COPY {target} FROM STDIN WITH (FORMAT csv)") as copy:
                for start in range(0, frame.height, FRAME_CHUNK):
                    # Unquoted empty fields are NULL, quoted "" an empty string.
                    copy.write(frame.slice(start, FRAME_CHUNK).write_csv(
                        include_header=False, quote_style="necessary").encode())
        except Exception as error:  # psycopg.Error: the transaction is rolled back by the caller
            raise StorageValueError(f"COPY into {table.name} failed: {error}") from error
        return
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {target} VALUES ({', '.join(marker for _ in frame.columns)})"
    for start in range(0, frame.height, FRAME_CHUNK):
        connection.exec_driver_sql(sql, frame.slice(start, FRAME_CHUNK).rows())


def read_frame(session: Session, select_sql: str, names: list[str]) -> pl.DataFrame:
    """The rows of ``select_sql`` as a frame of String columns named ``names``, read inside the
    session's transaction.

    Every selected column must be text (``CAST(... AS TEXT)``), and ``select_sql`` holds no bind
    parameters (COPY takes none): the caller writes its literals from typed values only (ints,
    ISO dates, hex UUIDs). PostgreSQL sends the rows as COPY CSV, read by Polars; SQLite's rows
    are fetched in chunks and turned into columns, never into per-row objects of ours. On a
    million rows this is several times faster than a typed ``select`` read back through the
    ORM's result processing.
    """
    connection = session.connection()
    schema = dict.fromkeys(names, pl.String)
    driver = connection.connection.driver_connection
    assert driver is not None
    if connection.dialect.name == "postgresql":
        buffer = bytearray()
        with driver.cursor() as cursor, cursor.copy(
                f"COPY ({select_sql}) TO STDOUT WITH (FORMAT csv)") as copy:
            for block in copy:
                buffer += block
        if not buffer:
            return pl.DataFrame(schema=schema)
        # COPY writes NULL as an unquoted empty field and '' as a quoted one.
        return pl.read_csv(bytes(buffer), has_header=False, schema=schema)
    cursor = driver.cursor()
    try:
        cursor.execute(select_sql)
        frames = []
        while chunk := cursor.fetchmany(FRAME_CHUNK):
            columns = list(zip(*chunk, strict=True))
            frames.append(pl.DataFrame(
                {name: pl.Series(name, values, dtype=pl.String)
                 for name, values in zip(names, columns, strict=True)}))
    finally:
        cursor.close()
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)
