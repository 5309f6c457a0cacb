"""Documentation tables are generated from the declarations and must not drift."""

from pathlib import Path

import pytest

from hemasim.models import get_model
from hemasim.report.model_card import parameter_table, refresh_text

DOCS = Path(__file__).resolve().parents[1] / "docs" / "models"


@pytest.mark.parametrize("document", sorted(DOCS.glob("*.md")), ids=lambda p: p.name)
def test_generated_blocks_match_the_declarations(document):
    text = document.read_text()
    assert refresh_text(text) == text, (
        f"{document.name} is out of date: run python -m hemasim.report.model_card {document}")


def test_parameter_table_lists_every_parameter_with_unit_and_source():
    model = get_model("friberg2002-docetaxel")
    table = parameter_table(model)
    for parameter in model.parameters:
        assert f"`{parameter.name}`" in table
    assert "88.7 | h" in table and "friberg2002" in table and "bruno1996" in table
