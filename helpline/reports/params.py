"""What a report request asks for: the period (from its query), and the thresholds in force."""

from dataclasses import dataclass

from flask import current_app, request

from helpline import clock
from helpline.in_force.thresholds import threshold
from helpline.reports.period import Period, local_today, parse_period


@dataclass(frozen=True)
class Thresholds:
    service_level_seconds: int
    short_abandon_seconds: int
    service_level_target: float

    def counting(self) -> dict:
        """The keyword arguments of the report functions."""
        return {"service_level_seconds": self.service_level_seconds, "short_abandon_seconds": self.short_abandon_seconds}

    def as_json(self) -> dict:
        return {
            "service_level_seconds": self.service_level_seconds,
            "short_abandon_seconds": self.short_abandon_seconds,
            "target": self.service_level_target,
        }


def utc_offset_minutes() -> int:
    return int(current_app.config["HELPLINE_UTC_OFFSET_MINUTES"])


def requested_period() -> Period:
    """The `from`/`to` of the query; PeriodError names the bad parameter."""
    offset = utc_offset_minutes()
    return parse_period(
        request.args.get("from"), request.args.get("to"), today=local_today(clock.now(), offset), utc_offset_minutes=offset
    )


def thresholds_in_force() -> Thresholds:
    return Thresholds(
        service_level_seconds=int(threshold("service_level_seconds")),
        short_abandon_seconds=int(threshold("short_abandon_seconds")),
        service_level_target=float(threshold("service_level_target")),
    )
