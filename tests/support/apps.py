"""The app's tables emptied between tests, and an app disposed of after one."""

from sqlalchemy import text

from helpline import background, live
from helpline.db import db

# Kept between tests: the rollups' offset, written by their migration.
KEPT_TABLES = frozenset({"report_rollup_settings"})


def tables_to_clear() -> list[str]:
    """Every table of the models but those the migrations fill, children before parents."""
    return [table.name for table in reversed(db.metadata.sorted_tables) if table.name not in KEPT_TABLES]


def drop_schema(app) -> None:
    """Everything a previous run left in the database (tables, partitions, trigger functions)."""
    with app.app_context(), db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        else:
            names = connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
            for (name,) in list(names):
                connection.execute(text(f'DROP TABLE IF EXISTS "{name}"'))


def clear_tables(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        for table in tables_to_clear():
            connection.execute(text(f"DELETE FROM {table}"))


def dispose(app) -> None:
    """The app stopped: its pushes made, its threads ended, its connections closed."""
    # A push still being made in the background holds a connection the engine could not close.
    live.settle_pushes(app)
    assert background.stop(app), "the app's background threads did not stop"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
