"""The busiest writes: statements sent straight to the session's
connection, and one row inserted as one statement and kept as a loaded object.

The unit of work (``session.add`` then a flush) costs far more Python than
the ``INSERT`` it sends, and ``Session.execute`` more than the same
statement on the session's connection — most for a ``SELECT`` written with
the models' columns (the rating check: 122 against 47 µs on SQLite): the
ORM's execution layer is there for statements that load objects. On the
busiest writes — a citizen's answer and the rating it gives — statements
go through :func:`execute_direct`, and the row is inserted directly and
the object handed back is made persistent from the values it was written
with, without reading it back.
"""

from __future__ import annotations

import functools

from sqlalchemy import insert
from sqlalchemy.orm import make_transient_to_detached

from portal.core.web.transactions import take_write_lock
from portal.extensions import db


@functools.cache
def _insert(table):
    return insert(table)


def execute_direct(statement, params=None):
    """Run ``statement`` on the session's connection, in the session's
    transaction, and return its result: what ``db.session.execute`` does,
    without the ORM's execution layer. As there, what the session holds
    unsaved is flushed first (unless autoflush is off, as in
    ``no_autoflush``), and after :func:`read_first` a write takes SQLite's
    write lock first.

    ``statement`` is a ``select`` of columns (``select(Model.a, Model.b)``,
    read as rows), or an ``insert``, ``update`` or ``delete`` of a table
    (``insert(Model.__table__)``): one written with the model itself
    (``update(Model)``) needs the ORM's own steps (keeping loaded objects in
    step, bulk updates by primary key) and is refused with ``ValueError``;
    use ``db.session.execute`` for it, and for statements that load objects.
    Not for use inside the session's flush events (nor is
    ``db.session.execute``)."""
    if statement.is_dml and getattr(statement, "_propagate_attrs", {}).get("compile_state_plugin") == "orm":
        raise ValueError("execute_direct() writes tables: use insert/update/delete(Model.__table__)")
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    if statement.is_dml:
        take_write_lock(session)
    return session.connection().execute(statement, params)


def insert_loaded(model, **values):
    """``INSERT`` one ``model`` row with ``values`` in the session's
    transaction and return it as a persistent object of the session. Columns
    not given take their defaults and are read when first used. A constraint
    violation raises :class:`sqlalchemy.exc.IntegrityError` at once, as a
    flush would."""
    result = execute_direct(_insert(model.__table__), values)
    row = model(**values)
    for column, key in zip(model.__table__.primary_key.columns, result.inserted_primary_key, strict=True):
        setattr(row, column.key, key)
    make_transient_to_detached(row)
    db.session.add(row)
    return row
