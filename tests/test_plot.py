"""Time-course figures: content of the panels, PNG output and atomic replacement."""

from __future__ import annotations

import numpy as np
import pytest

from hemasim.plot.timecourse import plot_timecourse, timecourse_figure
from hemasim.result import make_result

TIMES = np.linspace(0.0, 21.0, 43)


def result_with(patient_ids, status):
    """Patient k has ANC = (1 + k/10) (5 - 4 exp(-((t-8)/2)^2)); failed patients are NaN."""
    scale = 1.0 + np.arange(len(patient_ids))[:, None] / 10.0
    anc = scale * (5.0 - 4.0 * np.exp(-(((TIMES - 8.0) / 2.0) ** 2)))
    platelets = 100.0 * anc
    values = np.stack([anc, platelets], axis=-1)
    values[np.asarray(status) == 1] = np.nan
    return make_result(
        values=values,
        times=TIMES,
        variables=["ANC", "PLT"],
        units=["1e9/L", "1e9/L"],
        kinds=["observable", "species"],
        patient_ids=np.asarray(patient_ids),
        parameter_names=[],
        parameter_units=[],
        parameter_values=np.empty((len(patient_ids), 0)),
        status=status,
        messages=["" if code == 0 else "failed" for code in status],
        provenance={
            "model": "test",
            "model_hash": "0",
            "scenario": "{}",
            "scenario_name": "plot",
            "engine": "none",
            "rtol": 1e-6,
            "atol": 1e-9,
            "seed": 0,
            "hemasim_version": "0.1.0",
        },
    )


def test_cohort_panels_show_median_band_and_threshold():
    result = result_with([1, 2, 3, 4], [0, 0, 0, 1])
    figure = timecourse_figure(
        result, ["ANC", "PLT"], title="Docetaxel", thresholds={"ANC": 0.5, "Hb": 9.0}
    )
    anc_axes, platelet_axes = figure.axes
    assert anc_axes.get_ylabel() == "ANC [1e9/L]"
    assert platelet_axes.get_ylabel() == "PLT [1e9/L]"
    assert platelet_axes.get_xlabel() == "time [d]"
    assert figure.get_suptitle() == "Docetaxel"
    labels = [text.get_text() for text in anc_axes.get_legend().get_texts()]
    assert labels == ["median, 90 % band (n=3)", "threshold 0.5 1e9/L"]
    median_line, threshold_line = anc_axes.get_lines()
    expected_median = np.median(result["value"].sel(variable="ANC").values[:3], axis=0)
    np.testing.assert_allclose(median_line.get_ydata(), expected_median)
    np.testing.assert_allclose(median_line.get_xdata(), TIMES)
    assert list(threshold_line.get_ydata()) == [0.5, 0.5]
    assert len(anc_axes.collections) == 1  # the shaded 5-95 % band
    band_outline = anc_axes.collections[0].get_paths()[0].vertices[:, 1]
    successful = result["value"].sel(variable="ANC").values[:3]
    assert band_outline.max() == pytest.approx(np.percentile(successful, 95.0, axis=0).max())
    assert band_outline.min() == pytest.approx(np.percentile(successful, 5.0, axis=0).min())
    assert len(platelet_axes.get_lines()) == 1


def test_single_patient_panel_shows_its_line():
    result = result_with([7], [0])
    figure = timecourse_figure(result, ["ANC"])
    (axes,) = figure.axes
    (line,) = axes.get_lines()
    assert line.get_label() == "patient 7"
    np.testing.assert_allclose(line.get_ydata(), result["value"].sel(variable="ANC").values[0])
    assert len(axes.collections) == 0


def test_plot_timecourse_writes_png_at_150_dpi(tmp_path):
    from matplotlib.image import imread

    path = plot_timecourse(result_with([1, 2, 3], [0, 0, 0]), ["ANC", "PLT"], tmp_path / "a.png")
    assert path == tmp_path / "a.png"
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    height, width, _ = imread(path).shape
    assert (width, height) == (7 * 150, round(2 * 2.6 * 150))
    assert [entry.name for entry in tmp_path.iterdir()] == ["a.png"]


def test_failed_save_leaves_existing_png_intact(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    path = plot_timecourse(result_with([1, 2], [0, 0]), ["ANC"], tmp_path / "a.png")
    original = path.read_bytes()

    def write_half_then_fail(self, target, *args, **kwargs):
        with open(target, "wb") as handle:
            handle.write(original[: len(original) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        plot_timecourse(result_with([1, 2], [0, 0]), ["PLT"], path)
    assert path.read_bytes() == original
    assert [entry.name for entry in tmp_path.iterdir()] == ["a.png"]


def test_unknown_variable_is_an_error(tmp_path):
    with pytest.raises(KeyError, match="Hb"):
        plot_timecourse(result_with([1], [0]), ["Hb"], tmp_path / "a.png")
    assert list(tmp_path.iterdir()) == []


def test_experiment_arm_is_a_median_band_for_a_cohort_and_a_line_for_one_patient():
    from matplotlib.figure import Figure

    from hemasim.plot.experiment import _draw_arm
    from hemasim.result import series

    axes = Figure().add_subplot()
    cohort = result_with([1, 2, 3], [0, 0, 0])
    _draw_arm(axes, series(cohort, "ANC"), "with G-CSF", "C1")
    _draw_arm(axes, series(result_with([5], [0]), "ANC"), "typical", "C0")
    median_line, single_line = axes.get_lines()
    assert median_line.get_label() == "with G-CSF: median, 90 % band (n=3)"
    np.testing.assert_allclose(median_line.get_ydata(),
                               np.median(cohort["value"].sel(variable="ANC").values, axis=0))
    assert single_line.get_label() == "typical"
    assert len(axes.collections) == 1  # only the cohort has a band
