"""Concurrent writers: the stored SECTION_321 shipments of a person-day never exceed the threshold."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
from decimal import Decimal

from sqlalchemy import select

WRITERS = 20
# Each process pays the interpreter and Polars start-up: 4 by default keeps the suite fast;
# ACE321_TEST_PROCESSES=20 runs the full set.
PROCESSES = int(os.environ.get("ACE321_TEST_PROCESSES", "4"))


def _invariant(db, threshold=Decimal("800")) -> dict:
    from ace321.storage.models import Shipment

    totals: dict = {}
    with db.transaction() as session:
        for s in session.scalars(select(Shipment).where(Shipment.decision == "SECTION_321")):
            key = (s.consignee_key, s.arrival_date)
            totals[key] = totals.get(key, Decimal(0)) + s.value_usd
    assert all(total <= threshold for total in totals.values()), totals
    return totals


def test_twenty_concurrent_ingests_for_one_person_day(db, kit):
    from ace321.storage import Database

    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        database = Database.open(db.url, migrate=False)
        try:
            frame = kit.frame([kit.shipment(f"T{n:02d}", lines=[{"unit_price": "300.00"}])])
            barrier.wait()
            kit.ingest(database, frame, now=kit.NOW + dt.timedelta(seconds=n))
        except BaseException as error:
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kit.count(db, "shipments") == WRITERS
    _invariant(db)
    # Serialized, the third $300 shipment pushes the day to $900: every one loses de minimis.
    from ace321.storage.queries import list_shipments

    with db.transaction() as session:
        decisions = {row["decision"] for row in list_shipments(session)}
    assert decisions == {"INFORMAL_ENTRY"}
    assert kit.verify(db).events == 2 * WRITERS + 2  # imports, decisions, 2 re-screenings


_PROCESS = """
import datetime as dt, sys
from ace321.intake import frame_from_shipments
from ace321.rules import load_rules
from ace321.storage import BatchInfo, Database, ingest
n, url, shipment = int(sys.argv[1]), sys.argv[2], sys.argv[3]
import json
frame = frame_from_shipments([json.loads(shipment)])
db = Database.open(url, migrate=False)
ingest(db, frame, rules=load_rules(), batch=BatchInfo(f"p{n}", "0" * 64, frame.height),
       actor=f"proc{n}", now=dt.datetime(2026, 11, 22, 10, n, tzinfo=dt.UTC))
"""


def test_concurrent_processes(db, kit):
    import json

    procs = []
    for n in range(PROCESSES):
        # Two persons; each one's shipments alternate ($450 then $300), all on one day.
        person = "Ann Lee" if n % 2 else "Bo Diaz"
        phone = "+1 716-634-0101" if n % 2 else "+1 716-634-0102"
        price = "450.00" if n % 4 < 2 else "300.00"
        shipment = kit.shipment(f"Q{n:02d}", person=person, phone=phone,
                                lines=[{"unit_price": price}])
        procs.append(subprocess.Popen([sys.executable, "-c", _PROCESS, str(n), db.url,
                                       json.dumps(shipment)], stderr=subprocess.PIPE))
    failures = [p.stderr.read().decode() for p in procs if p.wait() != 0]
    assert failures == []
    assert kit.count(db, "shipments") == PROCESSES
    _invariant(db)
    assert kit.verify(db).ok
