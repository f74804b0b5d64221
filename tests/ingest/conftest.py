import pytest


@pytest.fixture
def run_cli(store_url, monkeypatch, capsys):
    """Run `vigie ARGS...` in this process on the store under test: (exit code, out, err)."""
    from vigie.cli import main
    for name in [n for n in __import__("os").environ if n.startswith("VIGIE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("VIGIE_STORE_URL", store_url)

    def run(*args):
        code = 0
        try:
            main(list(args))
        except SystemExit as exit_info:
            code = exit_info.code
        out, err = capsys.readouterr()
        return code, out, err
    return run
