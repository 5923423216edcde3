"""The dates Rapport writes in Russian (settings.FORMAT_MODULE_PATH); what is not set here is Django's.

A day before its month takes the genitive month ("6 декабря 2026"), format character `E`, in every form.
"""

DATE_FORMAT = "j E Y"  # 6 декабря 2026
SHORT_DATE_FORMAT = "D j E Y"  # Вс 6 декабря 2026
MONTH_DAY_FORMAT = "j E"  # 6 декабря
DATETIME_FORMAT = "j E Y, H:i"  # 6 декабря 2026, 10:00
SHORT_DATETIME_FORMAT = "D j E, H:i"  # Вс 6 декабря, 10:00
TIME_FORMAT = "H:i"  # 10:00
