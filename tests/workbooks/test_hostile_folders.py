"""Hostile folders for ``xlfuncs workbooks DIR``: DIR a file, a dangling link or not writable, and
links, other files or folders named like a template inside it.  Each is refused or kept with one
line and a non-zero exit code; nothing is written through a link.
"""

from __future__ import annotations

import os
import zipfile

import pytest

from tests.helpers.command_line import one_line_failure, run_cli
from tests.helpers.command_line import small_book as book
from xlfuncs import cli
from xlfuncs.workbooks import templates

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0

# --------------------------------------------------------------------------- xlfuncs workbooks DIR


def test_workbooks_dir_is_a_file(tmp_path):
    target = tmp_path / "afile"
    target.write_text("x")
    text = one_line_failure(run_cli("workbooks", str(target)))
    assert "not a folder" in text and target.read_text() == "x"


def test_workbooks_dir_is_a_dangling_link(tmp_path):
    link = tmp_path / "dir"
    link.symlink_to(tmp_path / "nowhere")
    text = one_line_failure(run_cli("workbooks", str(link)))
    assert "dangling" in text and not (tmp_path / "nowhere").exists()


@pytest.mark.skipif(ROOT_USER, reason="root may write into a read-only folder")
def test_workbooks_dir_not_writable(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    text = one_line_failure(run_cli("workbooks", str(folder)))
    assert "not writable" in text


@pytest.fixture
def quick_templates(monkeypatch, tmp_path_factory):
    """Building the templates replaced by copies of one small workbook: write_all's own checks and
    writes run for real, without building the real templates (18 s)."""
    small = book(tmp_path_factory.mktemp("small") / "small.xlsx")

    def build_all(paths, *args):
        for fresh in paths.values():
            fresh.write_bytes(small.read_bytes())

    monkeypatch.setattr(templates, "_build_all", build_all)
    return list(templates.TEMPLATES)


def cli_in_process(capsys, *args) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_workbooks_dangling_symlink_named_like_a_template(tmp_path, capsys, quick_templates):
    folder, outside = tmp_path / "dir", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (folder / quick_templates[0]).symlink_to(outside / "created.xlsx")
    for force in ([], ["--force"]):
        code, _, err = cli_in_process(capsys, "workbooks", str(folder), *force)
        assert code == 2 and "symbolic link" in err and len(err.strip().splitlines()) == 1
        assert list(outside.iterdir()) == []


def test_workbooks_force_never_overwrites_a_links_target(tmp_path, capsys, quick_templates):
    folder, victim = tmp_path / "dir", tmp_path / "victim.xlsx"
    folder.mkdir()
    victim.write_bytes(b"precious")
    (folder / quick_templates[0]).symlink_to(victim)
    code, _, err = cli_in_process(capsys, "workbooks", str(folder), "--force")
    assert code == 2 and "symbolic link" in err and victim.read_bytes() == b"precious"


def test_workbooks_non_xlsx_file_named_like_a_template_is_kept(tmp_path, capsys, quick_templates):
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / quick_templates[0]).write_text("my notes")
    code, out, _ = cli_in_process(capsys, "workbooks", str(folder))
    assert code == 2 and "kept" in out and (folder / quick_templates[0]).read_text() == "my notes"
    code, out, _ = cli_in_process(capsys, "workbooks", str(folder), "--force")
    assert code == 0 and zipfile.is_zipfile(folder / quick_templates[0])


def test_workbooks_folder_named_like_a_template(tmp_path, capsys, quick_templates):
    folder = tmp_path / "dir"
    (folder / quick_templates[0]).mkdir(parents=True)
    code, out, _ = cli_in_process(capsys, "workbooks", str(folder))
    assert code == 2 and "kept" in out
    code, _, err = cli_in_process(capsys, "workbooks", str(folder), "--force")
    assert code == 2 and "is a folder" in err and (folder / quick_templates[0]).is_dir()
