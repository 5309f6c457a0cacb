"""Clinical references shared by the models: toxicity grades and their source."""

from __future__ import annotations

from hemasim.model.declaration import Reference

CTCAE_5 = Reference(
    "ctcae5",
    "National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) "
    "version 5.0. US Department of Health and Human Services, 2017",
)
"""Toxicity grades (neutropenia, thrombocytopenia, leukopenia) of the models' thresholds."""
