"""Schemathesis against the app (WSGI, in-process): every operation of `/api/openapi.json` with
generated input, positive and negative, logged in with the operation's role, over seeded users
and calls; then as the anonymous and the wrong role. The service must never answer 5xx, and
every answer must be one the document describes (status, content type and body).

Bounded: few cases an operation (COVERAGE_CASES of schemathesis' boundary values, then
FUZZ_EXAMPLES random ones, REFUSED_EXAMPLES for the refusals), no example database, no deadline
(PostgreSQL on a busy machine is slow, not wrong).
"""

from datetime import timedelta
from itertools import islice
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, negative_data_rejection, response_schema_conformance, status_code_conformance
from werkzeug.security import generate_password_hash

from helpline import clock
from helpline.db import db
from helpline.models import ROLES, Call, User
from helpline.openapi.document import operations
from tests.support.apps import dispose
from tests.support.calls import queue_caller

FUZZ_EXAMPLES = 6
COVERAGE_CASES = 12
REFUSED_EXAMPLES = 1
PASSWORD = "fuzzing password"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Generated input the service must refuse with a 4xx.
NEGATIVE_CHECKS = [*CHECKS, negative_data_rejection]



def routed_operations() -> list[tuple[str, str]]:
    """Every JSON route but the document's own, from an app's routes (the document describes
    each: tests/test_openapi.py)."""
    from config import TestingConfig
    from helpline import create_app

    app = create_app(TestingConfig)
    routed = sorted({(path, method) for path, method, _view in operations(app) if path != "/api/openapi.json"})
    dispose(app)
    return routed


OPERATIONS = routed_operations()
TAKING = {("/api/queue/take", "post"), ("/api/calls/{call_sid}/take", "post")}


def operation_id(operation: tuple[str, str]) -> str:
    return f"{operation[1].upper()} {operation[0]}"


@pytest.fixture(scope="module")
def api_schema(migrated):
    """The document the app serves, loaded once (the calls go to each test's own app)."""
    from helpline import create_app

    app = create_app(migrated)
    served = app.test_client().get("/api/openapi.json")
    dispose(app)
    assert served.status_code == 200
    return schemathesis.openapi.from_dict(served.get_json())


def add_user(username: str, role: str, presence: str = "offline") -> User:
    # A cheap hash: the fuzz run logs in often, and the hash is not what it tests.
    user = User(
        username=username, role=role, language="en", presence=presence,
        password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"),
    )  # fmt: skip
    db.session.add(user)
    return user


def handled(app, call_sid: str, counselor_id: int, *, logged: bool) -> None:
    """The caller was taken by `counselor` and has hung up; the log is complete or still to do."""
    with app.app_context():
        call = db.session.get(Call, call_sid)
        now = clock.now()
        call.counselor_id, call.queue_result = counselor_id, "bridged"
        call.taken_at = call.answered_at = now - timedelta(minutes=5)
        call.ended_at, call.status, call.talk_seconds = now - timedelta(minutes=1), "completed", 240
        if logged:
            taxonomy = app.extensions["helpline.taxonomy"]
            call.call_type, call.outcome = taxonomy.call_types[0].key, taxonomy.outcomes[0].key
            call.categories, call.risk_level, call.logged_at = [taxonomy.categories[0].key], "high", now
        db.session.commit()


@pytest.fixture
def seeded(app, provider):
    """Users of every role and calls in every state, with the values path parameters may take."""
    # Nothing here may reach the real provider: its REST API is a closed local port.
    app.config["TWILIO_API_BASE_URL"] = "http://127.0.0.1:9"
    with app.app_context():
        counselor = add_user("fuzz-counselor", "counselor", presence="available")
        other = add_user("other-counselor", "counselor")
        add_user("fuzz-supervisor", "supervisor")
        add_user("fuzz-admin", "admin")
        db.session.commit()
        counselor_id, other_id = counselor.id, other.id
        user_ids = list(db.session.scalars(db.select(User.id)))
        taxonomy = app.extensions["helpline.taxonomy"]
        label_keys = sorted(taxonomy.category_keys | taxonomy.call_type_keys | taxonomy.outcome_keys)
    calls = [queue_caller(provider, digits) for digits in ("1", "9", "2")]
    calls.append(queue_caller(provider, "3", caller="anonymous"))
    handled(app, calls[0], counselor_id, logged=False)
    handled(app, calls[1], counselor_id, logged=True)
    handled(app, calls[2], other_id, logged=False)
    return SimpleNamespace(
        path_values={"call_sid": calls, "user_id": user_ids, "key": label_keys, "code": ["fa", "en", "tg"]},
        waiting=calls[3],
    )


def session_cookie(app, username: str) -> str:
    client = app.test_client()
    assert client.post("/api/login", json={"username": username, "password": PASSWORD}).status_code == 200
    return client.get_cookie("session").value


SEEDED_USERS = {"counselor": "fuzz-counselor", "supervisor": "fuzz-supervisor", "admin": "fuzz-admin"}


def role_for(roles: list[str]) -> str:
    """The role an operation is fuzzed as: the least privileged one it admits."""
    return next(role for role in ROLES if role in roles)


def known_values(path_values: dict, names: list[str]) -> st.SearchStrategy[dict]:
    """Path parameters from the seeded data (or None: keep the generated one)."""
    return st.fixed_dictionaries({name: st.sampled_from([*path_values.get(name, []), None]) for name in names})


def strategies(operation) -> st.SearchStrategy:
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))


def is_negative(case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE


FUZZ_SETTINGS = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("operation", OPERATIONS, ids=operation_id)
def test_operation(app, seeded, api_schema, operation):
    """As its role, then as the anonymous and as every other role (one app and seed for both)."""
    path, method = operation
    if operation in TAKING:
        # Taking a waiting caller asks the provider to redirect them, and no provider answers
        # here (502, tested in test_taking.py): the caller has hung up.
        with app.app_context():
            db.session.get(Call, seeded.waiting).ended_at = clock.now()
            db.session.commit()
    api_operation = api_schema[path][method.upper()]
    # Logged in before the run: an admin's run may change these very accounts.
    sessions = {username: {"session": session_cookie(app, username)} for username in (*SEEDED_USERS.values(), "other-counselor")}
    if operation != ("/api/login", "post"):
        refused_to_others(app, api_operation, sessions)
    fuzz_as_its_role(app, seeded, api_schema, api_operation, sessions)


def fuzz_as_its_role(app, seeded, api_schema, api_operation, sessions: dict) -> None:
    """Schemathesis' boundary cases (a capped share of them), then random ones."""
    roles = api_operation.definition.raw["x-roles"]
    cookies = sessions[SEEDED_USERS[role_for(roles)]] if roles else {}
    path_names = [p["name"] for p in api_operation.definition.raw.get("parameters", []) if p["in"] == "path"]

    def call(case, known: dict) -> None:
        # Seeded values only into valid cases: a negative case keeps the value it broke.
        if not is_negative(case):
            for name, value in known.items():
                if value is not None:
                    case.path_parameters[name] = value
        case.cookies = cookies
        case.call_and_validate(app=app, checks=NEGATIVE_CHECKS if is_negative(case) else CHECKS)

    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
    boundary = api_schema.iter_coverage_cases(
        api_operation, generation_modes=modes, generation_config=api_schema.config.generation_for(operation=api_operation)
    )
    first_seeded = {name: seeded.path_values[name][0] for name in path_names if name in seeded.path_values}
    for case in islice(boundary, COVERAGE_CASES):
        call(case, first_seeded)

    @FUZZ_SETTINGS
    @given(case=strategies(api_operation), known=known_values(seeded.path_values, path_names))
    def run(case, known):
        call(case, known)

    run()


def refused_to_others(app, api_operation, sessions: dict) -> None:
    """401 anonymous, 403 every role the operation does not admit, whatever the input: the
    refusal comes before the input is read."""
    roles = api_operation.definition.raw["x-roles"]
    # Another counselor than the fuzzed one, so a counselor's refusal is not about their calls.
    usernames = {**SEEDED_USERS, "counselor": "other-counselor"}
    strangers = [sessions[usernames[role]] for role in ROLES if role not in roles]

    @settings(FUZZ_SETTINGS, max_examples=REFUSED_EXAMPLES)
    @given(case=api_operation.as_strategy(GenerationMode.POSITIVE))
    def run(case):
        case.cookies = {}
        assert case.call_and_validate(app=app, checks=CHECKS).status_code == 401
        for cookies in strangers:
            case.cookies = cookies
            assert case.call_and_validate(app=app, checks=CHECKS).status_code == 403

    run()
