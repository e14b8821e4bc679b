"""Bulk storage of data values: the rows `batch.apply_entries` reads and writes, without models.

A province workbook carries 72,000 values. Building a model object per value (to read what is
stored, then to insert or update it) costs more than reading the whole file, so the write path
reads the stored facts as plain tuples and writes them with one parameterised statement run
many times. Both databases: JSON and datetimes are adapted by the connection's own operations,
exactly as the ORM does, so a value written here reads back identically through `DataValue`.
"""

import datetime as dt
from typing import NamedTuple

from django.db import connection

from kieumau.datavalues.models import DataValue


class StoredValue(NamedTuple):
    pk: int
    value: object
    revision: int


Key = tuple[int, int, str]  # (unit id, indicator id, period code)


def lock_stored(*, unit_ids: set[int], periods: set[str], indicator_ids: set[int]) -> dict:
    """The stored facts among these units × periods × indicators, locked for this transaction.

    Protects against lost updates: on PostgreSQL the rows stay locked (FOR UPDATE) until the
    caller's transaction ends, so two imports touching the same values run one after the other
    and the second sees the first's revisions. SQLite serialises writers by itself.
    """
    rows = (
        DataValue.objects.select_for_update(of=("self",))
        .filter(unit_id__in=unit_ids, period__in=periods, indicator_id__in=indicator_ids)
        .values_list("pk", "unit_id", "indicator_id", "period", "value", "revision")
    )
    return {
        (uid, ind, period): StoredValue(pk, value, revision)
        for pk, uid, ind, period, value, revision in rows
    }


def _columns() -> dict[str, str]:
    meta = DataValue._meta
    return {f.name: f.column for f in meta.concrete_fields}


def insert_values(
    rows: list[tuple[Key, object]], *, user_id: int | None, at: dt.datetime, synthetic: bool
) -> None:
    """Insert new facts (revision 1). The caller has checked that none exists yet.

    The table's unique constraint (unit, indicator, period) still guards against a race: a
    concurrent insert of the same fact fails the whole transaction instead of doubling it.
    """
    if not rows:
        return
    ops, col = connection.ops, _columns()
    table = connection.ops.quote_name(DataValue._meta.db_table)
    names = ["unit", "indicator", "period", "value", "revision", "is_synthetic", "updated_at"]
    names.append("updated_by")
    # Identifiers come from the model's metadata, values travel as parameters.
    sql = (
        f"INSERT INTO {table} ({', '.join(ops.quote_name(col[n]) for n in names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    stamp = ops.adapt_datetimefield_value(at)
    params = [
        (uid, ind, period, ops.adapt_json_value(value, None), 1, synthetic, stamp, user_id)
        for (uid, ind, period), value in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def update_values(
    rows: list[tuple[int, object]], *, user_id: int | None, at: dt.datetime, synthetic: bool
) -> None:
    """Give existing facts (by primary key) a new value and the next revision."""
    if not rows:
        return
    ops, col = connection.ops, _columns()
    table = connection.ops.quote_name(DataValue._meta.db_table)
    q = ops.quote_name
    revision = q(col["revision"])
    assignments = (
        f"{q(col['value'])} = %s, {revision} = {revision} + 1, {q(col['updated_by'])} = %s, "
        f"{q(col['updated_at'])} = %s, {q(col['is_synthetic'])} = %s"
    )
    # Identifiers come from the model's metadata, values travel as parameters.
    sql = f"UPDATE {table} SET {assignments} WHERE {q(col['id'])} = %s"  # noqa: S608
    stamp = ops.adapt_datetimefield_value(at)
    params = [
        (ops.adapt_json_value(value, None), user_id, stamp, synthetic, pk) for pk, value in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
