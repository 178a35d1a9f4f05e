"""Every module that holds services has a test module calling each service directly (tests/service_checks.py)."""

from __future__ import annotations

from tests.service_checks import service_modules


def test_every_services_module_has_its_service_tests():
    missing = [f"{module}: {test.relative_to(test.parents[2])}" for module, test in service_modules().items()
               if not test.exists() or "untested_services(" not in test.read_text()]
    assert missing == []
