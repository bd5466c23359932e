"""The thresholds a report counts with, and the longest period a report covers."""

from dataclasses import dataclass

from helpline.in_force.thresholds import threshold
from helpline.periods import Period, requested_period

# A year, leap or not: a report never reads more.
MAX_DAYS = 366


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


def requested_report_period() -> Period:
    """The `from`/`to` of the query (`helpline.periods`), at most `MAX_DAYS`; ArgumentError names a bad one."""
    return requested_period(max_days=MAX_DAYS)


def thresholds_in_force() -> Thresholds:
    return Thresholds(
        service_level_seconds=int(threshold("service_level_seconds")),
        short_abandon_seconds=int(threshold("short_abandon_seconds")),
        service_level_target=float(threshold("service_level_target")),
    )
