"""Taking an export: which records, for whom, audited. The page and the API both come here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reception.core.errors import Forbidden, NotFound
from reception.core.messages import N_
from reception.models import Hall, Role, User
from reception.oversight.exports import Field, good_bad, petitions
from reception.oversight.reports.scope import Scope
from reception.triage.registration import audit

KINDS = ("ratings", "petitions")
FORMATS = ("json", "csv", "xlsx")
# who may carry the petitioners' names and ID numbers to the national system
WITH_IDENTITY = (Role.SUPERVISOR.value,)


@dataclass(frozen=True)
class Export:
    kind: str
    standard: str
    fields: tuple[Field, ...]
    records: list[dict[str, Any]]

    def described(self, scope: Scope) -> dict[str, Any]:
        """The JSON export: the mapping's fields (key and standard name) and the records."""
        return {
            "standard": self.standard,
            "first": scope.first,
            "last": scope.last,
            "fields": [{"key": f.key, "name": f.name} for f in self.fields],
            "records": self.records,
        }


def take(
    kind: str,
    hall: Hall,
    scope: Scope,
    reader: User,
    *,
    fmt: str,
    reversed_codes: bool = False,
    identity: bool = False,
) -> Export:
    """The scope's records of one kind for the reader (Art. 30 holds through `scope`), with
    an audit entry saying who took which records, for which days, in which form."""
    if kind not in KINDS or fmt not in FORMATS:
        raise NotFound(N_("No such export."))
    if identity and reader.role not in WITH_IDENTITY:
        raise Forbidden(N_("Only the hall's supervisor may export the petitioners' identity."))
    if kind == "ratings":
        export = Export(
            kind,
            good_bad.STANDARD,
            good_bad.FIELDS,
            good_bad.records(hall, scope, reversed_codes=reversed_codes),
        )
    else:
        export = Export(
            kind,
            "信访信息系统",
            petitions.FIELDS,
            petitions.records(hall, scope, identity=identity),
        )
    options = " reversed codes" if reversed_codes and kind == "ratings" else ""
    options += " with identity" if identity and kind == "petitions" else ""
    audit(
        reader.id,
        f"export_{kind}",
        detail=f"{scope.first}..{scope.last} {fmt}, {len(export.records)} records{options}",
    )
    return export
