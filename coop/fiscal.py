"""Fiscal years: named after the calendar year they start in.

With the fiscal year starting in July, fiscal year 2026 runs from 1 July 2026 to 30 June
2027. Dues invoices and the ledger both count years this way.
"""

from datetime import date, timedelta


def fiscal_year_bounds(fiscal_year: int, start_month: int) -> tuple[date, date]:
    """First and last day of `fiscal_year` (named after the year it starts in)."""
    start = date(fiscal_year, start_month, 1)
    next_start = date(fiscal_year + 1, start_month, 1)
    return start, next_start - timedelta(days=1)


def fiscal_year_of(day: date, start_month: int) -> int:
    return day.year if day.month >= start_month else day.year - 1
