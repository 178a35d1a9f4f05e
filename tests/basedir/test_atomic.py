"""Files are written whole and only when their content changes."""

import os

from basedir.atomic import write_file_atomic


def test_a_file_is_replaced_whole_and_no_temporary_file_remains(tmp_path):
    target = tmp_path / "Settings" / "Main.settings"

    assert write_file_atomic(target, b"{A=1;}\n") is True
    assert write_file_atomic(target, b"{A=2;}\n") is True

    assert target.read_bytes() == b"{A=2;}\n"
    assert os.listdir(target.parent) == ["Main.settings"]


def test_unchanged_content_is_not_rewritten(tmp_path):
    target = tmp_path / "account.settings"
    write_file_atomic(target, b"same")
    before = target.stat().st_ino

    assert write_file_atomic(target, b"same") is False
    assert target.stat().st_ino == before


def test_writes_go_through_a_symlinked_folder(tmp_path):
    elsewhere = tmp_path / "disk2" / "Domains"
    elsewhere.mkdir(parents=True)
    base = tmp_path / "base"
    base.mkdir()
    (base / "Domains").symlink_to(elsewhere)

    write_file_atomic(base / "Domains" / "x.test" / "Settings" / "Domain.settings", b"{}")

    assert (base / "Domains").is_symlink()
    assert (elsewhere / "x.test" / "Settings" / "Domain.settings").read_bytes() == b"{}"
