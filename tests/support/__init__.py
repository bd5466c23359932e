"""What the test modules share: factories of calls and users, the provider's signed requests,
servers on real ports, outages, browsers. Test modules import from here, never from each
other; fixtures that several modules use are registered by `tests/conftest.py`."""
