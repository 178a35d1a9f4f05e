import pytest


@pytest.fixture(autouse=True)
def _own_base_directory(settings, tmp_path):
    """Skin files live on disk, outside the database's rollback: each test gets its own base directory."""
    settings.CGATE_BASE = tmp_path / "base"
