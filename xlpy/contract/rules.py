"""Every validation rule, declared once as data: its id and severity. Its message, in each language,
is `rule.<id>` of the catalogue (contract/messages.py). The rules that judge a report alone are
checked by core/rules.py, those that need the record by core/record_rules.py; both are declared
here, so a rule's severity and message are known without importing the code that checks it."""
from __future__ import annotations

from dataclasses import dataclass

ERROR, WARNING, NOTICE = "error", "warning", "notice"


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str


RULES = {r.id: r for r in (
    # a report alone (core/rules.py)
    Rule("unreadable", ERROR), Rule("no-table", ERROR), Rule("missing-columns", ERROR),
    Rule("extra-column", NOTICE), Rule("required-field", ERROR), Rule("bad-date", ERROR),
    Rule("bad-number", ERROR), Rule("too-large", ERROR), Rule("excel-error", ERROR),
    Rule("unknown-rep", ERROR), Rule("inactive-rep", ERROR), Rule("unknown-region", ERROR),
    Rule("rep-region", WARNING), Rule("unknown-product", ERROR), Rule("unknown-unit", ERROR),
    Rule("unit-taken", ERROR), Rule("unit-held-by-order", ERROR), Rule("exchange-to-taken", ERROR),
    Rule("unit-not-for-sale", ERROR), Rule("unknown-deal-type", ERROR), Rule("amount-mismatch", ERROR),
    Rule("negative", ERROR), Rule("received-exceeds-amount", ERROR), Rule("future-date", ERROR),
    Rule("far-date", WARNING), Rule("missing-contract-no", ERROR), Rule("duplicate-contract", ERROR),
    Rule("below-floor", WARNING), Rule("total-mismatch", ERROR), Rule("text-too-long", ERROR),
    Rule("activity-missing", WARNING), Rule("activity-invalid", ERROR),
    # a report against the record (core/record_rules.py)
    Rule("contract-signed-before", ERROR), Rule("unknown-contract", ERROR), Rule("beyond-inventory", ERROR),
    Rule("received-beyond-outstanding", ERROR), Rule("contract-in-rejected-report", ERROR),
    Rule("contract-in-waiting-report", ERROR), Rule("same-rep-day", WARNING),
)}
