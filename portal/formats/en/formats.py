"""The dates Rapport writes in English (settings.FORMAT_MODULE_PATH); what is not set here is Django's.

Day before month everywhere ("6 Dec 2026"), never the US "12/06/2026". Django looks up only its own format
names, so templates write `{{ value|date:"SHORT_DATE_FORMAT" }}` and Python `date_format(value, "…")`.
"""

DATE_FORMAT = "j M Y"  # 6 Dec 2026
SHORT_DATE_FORMAT = "D j M Y"  # Sun 6 Dec 2026: a date with its weekday (due dates, agenda drafts)
MONTH_DAY_FORMAT = "j M"  # 6 Dec
DATETIME_FORMAT = "j M Y, H:i"  # 6 Dec 2026, 10:00
SHORT_DATETIME_FORMAT = "D j M, H:i"  # Sun 6 Dec, 10:00: a moment this season (meetings)
TIME_FORMAT = "H:i"  # 10:00
