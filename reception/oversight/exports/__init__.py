"""Records for the national systems, one module a mapping: the 好差评 records of GB/T 39046
(`good_bad`) and the 信访件 records of the petition information system (`petitions`). Each
module's `FIELDS` is the mapping (the README's tables are written from them); `records` gives a
scope's rows as dicts keyed by the fields' keys, Art. 30 applied to the reader's departments."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    key: str  # the record's key in the JSON export
    name: str  # the field's name in the standard (the CSV and Excel heading)
    source: str  # where the value comes from (the README's table)


def headings(fields: tuple[Field, ...]) -> list[str]:
    return [field.name for field in fields]


def rows(fields: tuple[Field, ...], records: list[dict[str, object]]) -> list[list[object]]:
    return [[record[field.key] for field in fields] for record in records]
