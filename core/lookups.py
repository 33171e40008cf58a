"""``field__any``: a field equal to one of a list of values, sent as ONE array parameter
(``field = ANY(%s::type[])``) instead of ``IN (%s, %s, …)``; and ``among``, the filter that
takes a queryset (a subquery) or such a list.

Why: the team lead's review narrows every figure to its 1,500 clients' ids. As ``__in`` Django
prepares, quotes and joins 1,500 parameters for each query (about 15 ms of Python a query, a
hundred a page; bench/explain/team-review*.txt); as one array it sends one. PostgreSQL plans
``IN (list)`` as ``= ANY(array)`` anyway, so the plans stay the same. A list of ids goes in
PostgreSQL's own text form of an array (``int_array``), which the query casts."""

from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler


class AnyOf(Lookup[Any]):
    lookup_name = "any"
    # The list is taken as it is: one parameter, not a value per element.
    prepare_rhs = False

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        db_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{db_type}[])", (*lhs_params, int_array(self.rhs))


# Related fields keep lookups of their own: registered on both.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)


def int_array(values: Iterable[Any]) -> str | list[Any]:
    """Integers as one string in PostgreSQL's array syntax (``{1,2,3}``), for a parameter the
    query casts (``%s::bigint[]``): psycopg adapts a list element by element, ~0.5 µs an id,
    and the team review sends a dozen lists of 1,500. Other values stay a list, adapted."""
    values = list(values)
    if all(type(value) is int for value in values):  # not bool, whose str() is no integer
        return "{" + ",".join(map(str, values)) + "}"
    return values


def among(field: str, values: QuerySet[Any, Any] | Iterable[int]) -> Q:
    """``field`` in ``values``: a subquery for a queryset, one array parameter for ids."""
    if isinstance(values, QuerySet):
        return Q(**{f"{field}__in": values})
    return Q(**{f"{field}__any": list(values)})
