"""The Excel import pipeline: safety → reader → `apply_entries`, all or nothing.

The one function the web upload, the background import job and `kieumau data import` call, so
that a workbook is judged the same way wherever it arrives.
"""

import datetime as dt
import hashlib
from collections.abc import Callable

from kieumau.datavalues.batch import BatchResult, apply_entries
from kieumau.datavalues.excel.errors import ImportRefused
from kieumau.datavalues.excel.reader import read_entries
from kieumau.datavalues.excel.safety import check_upload

__all__ = ["ImportRefused", "import_workbook", "source_of"]


def source_of(data: bytes) -> str:
    """The audit source of an upload: "excel:" and the file's SHA-256.

    Lets anyone holding the file prove from the audit log which upload wrote which values.
    """
    return f"excel:{hashlib.sha256(data).hexdigest()}"


Progress = Callable[[int, str], None]


def _silent(percent: int, stage: str) -> None:
    """The default progress report: nobody is watching."""


def import_workbook(
    *,
    actor,
    data: bytes,
    filename: str,
    today: dt.date | None = None,
    progress: Progress = _silent,
) -> BatchResult:
    """Import a filled template: every value lands, or none does.

    Refusals are DomainErrors carrying located problems: ImportRefused for the file itself
    (not xlsx, macros, password, size, bombs, altered template, formulas, merged cells, ...),
    ValidationFailed or Conflict from `apply_entries` for the values (types, bounds, scope,
    entry window, locked reports, the forms' checks). Uploading the same file twice changes
    nothing the second time: every value is then counted as unchanged.

    `progress(percent, stage)` is told how far the work is (the file checked, each sheet
    read, then the one transaction that validates, writes and re-evaluates), for the job's
    progress bar; reading is most of the work and the only part visible before the commit.
    """
    progress(5, "đang kiểm tra tệp")
    package = check_upload(data, filename)

    def on_sheet(done: int, total: int) -> None:
        progress(5 + 60 * done // total, f"đã đọc {done}/{total} trang")

    try:
        entries = read_entries(data, package, on_sheet)
    finally:
        package.close()
    progress(70, f"đang kiểm tra và ghi {len(entries):,} giá trị".replace(",", "."))
    return apply_entries(actor=actor, entries=entries, source=source_of(data), today=today)
