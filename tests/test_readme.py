"""The README's two commands are the ones CI runs and the ones that work."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def bash_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.*?)```", text, re.DOTALL)


def test_ci_runs_exactly_the_readme_test_command():
    test_command = bash_blocks()[1].strip()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_first_command_installs_and_runs_the_default():
    first = bash_blocks()[0]
    assert "pip install ." in first and "hemasim run" in first


def test_readme_scenario_example_loads():
    from hemasim.scenario.loading import scenario_from_yaml_text

    text = (ROOT / "README.md").read_text()
    block = re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)[0]
    scenario = scenario_from_yaml_text(block, source="README.md")
    assert len([e for e in scenario.events if type(e).__name__ == "Dose"]) == 4
    assert yaml.safe_load(block)["model"] == "friberg2002-docetaxel"


def test_readme_python_example_runs(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    code = re.findall(r"```python\n(.*?)```", text, re.DOTALL)[0]
    code = code.replace('"examples/', f'"{ROOT}/examples/')
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the documented example
    assert (tmp_path / "anc.png").is_file()
    assert namespace["slower"].parameter("MTT").value == 120.0
