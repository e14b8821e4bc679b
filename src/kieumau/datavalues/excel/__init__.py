"""The Excel round trip of periodic data: templates out, filled workbooks back in.

One module per job: `layout` (where things are in a template and what the hidden sheet
records), `safe_text` (text that can never become a formula), `template` (building a template),
`package` and `safety` (looking at the raw bytes before any spreadsheet parser does), `reader`
(cells → entries), `imports` (the whole pipeline, the one function every entry point calls) and
`report` (the refusal as a workbook). Everything lands through `datavalues.batch.apply_entries`.
"""

from kieumau.datavalues.excel.imports import ImportRefused, import_workbook
from kieumau.datavalues.excel.report import error_report_xlsx
from kieumau.datavalues.excel.template import build_template

__all__ = ["ImportRefused", "build_template", "error_report_xlsx", "import_workbook"]
