"""Galician: Django's own, except short dates with slashes as Galician writes them (04/12/2026,
not 04-12-2026) and day-first input formats (Django's gl has none, so it would fall back to
the month-first global ones). "4 de decembro de 2026"."""

DATE_FORMAT = r"j \d\e F \d\e Y"  # 4 de decembro de 2026
TIME_FORMAT = "H:i"  # 14:45
DATETIME_FORMAT = r"j \d\e F \d\e Y \á\s H:i"  # 4 de decembro de 2026 ás 14:45
YEAR_MONTH_FORMAT = r"F \d\e Y"  # decembro de 2026
MONTH_DAY_FORMAT = r"j \d\e F"  # 4 de decembro
SHORT_DATE_FORMAT = "d/m/Y"  # 04/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 04/12/2026 14:45
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M",
]
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
