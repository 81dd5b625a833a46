"""Crontab expressions as APScheduler triggers, with crontab's weekdays.

APScheduler 3's `CronTrigger.from_crontab` reads day-of-week 0 as Monday, while crontab (and
every schedule in this project and its README) means Sunday: "30 4 * * 1" would run on Tuesday.
Here the weekday field is translated to day names first, so 0 and 7 are Sunday, 1 is Monday.
"""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from kommunen.errors import ConfigError

TIMEZONE = "Europe/Berlin"
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab order: 0 = Sunday


def _day(value: str, where: str) -> int:
    """A crontab weekday: 0–7 (0 and 7 are Sunday) or an English three-letter name."""
    name = value.lower()
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    if name.isdigit() and 0 <= int(name) <= 7:
        return int(name)
    raise ConfigError(f"{where}: Wochentag {value!r} unbekannt (0–7 oder sun, mon, …)")


def crontab_days(field: str, where: str = "Zeitplan") -> tuple[int, ...]:
    """The weekdays (0 = Sunday … 6 = Saturday) a crontab day-of-week field names."""
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        if step_text and not (step_text.isdigit() and int(step_text) > 0):
            raise ConfigError(f"{where}: Schrittweite {step_text!r} im Wochentag ist keine Zahl")
        step = int(step_text) if step_text else 1
        if span in ("*", "?"):
            first, last = 0, 6
        elif "-" in span:
            start, _, end = span.partition("-")
            first, last = _day(start, where), _day(end, where)
            last = 7 if last == 0 < first else last  # "fri-sun" ends on the Sunday after
        else:
            first = _day(span, where)
            last = 6 if step_text else first
        if first > last:
            raise ConfigError(f"{where}: Wochentage {span!r} rückwärts (etwa 1-5 statt 5-1)")
        days.update(day % 7 for day in range(first, last + 1, step))
    return tuple(sorted(days))


def cron_trigger(expr: str, timezone: str = TIMEZONE, where: str = "Zeitplan") -> CronTrigger:
    """The trigger for a five-field crontab expression, weekdays counted as crontab does."""
    fields = expr.split()
    if len(fields) != 5:
        raise ConfigError(
            f"{where}: {expr!r} ist kein Cron-Ausdruck (fünf Felder: Minute Stunde Tag Monat Wochentag)"
        )
    minute, hour, day, month, weekday = fields
    if weekday not in ("*", "?") and day not in ("*", "?"):
        # crontab fires when either matches, APScheduler only when both do: refuse the difference.
        raise ConfigError(f"{where}: {expr!r}: Tag des Monats und Wochentag zugleich gehen nicht, nur eines")
    day_of_week = (
        "*" if weekday in ("*", "?") else ",".join(DAY_NAMES[d] for d in crontab_days(weekday, where))
    )
    try:
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=timezone
        )
    except ValueError as exc:  # APScheduler's own message is English: the fields are named instead
        raise ConfigError(
            f"{where}: {expr!r} ist kein gültiger Cron-Ausdruck (Minute Stunde Tag Monat Wochentag)"
        ) from exc
