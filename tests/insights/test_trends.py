import pytest

from insights import trends


@pytest.mark.parametrize(
    ("series", "spiking"),
    [
        ([4, 5, 4, 5, 12], True),  # well over twice a baseline of 4.5
        ([4, 5, 4, 5, 8], False),  # up, but not twice
        ([0, 0, 0, 0, 4], False),  # below the minimum count
        ([0, 0, 0, 0, 5], True),  # from nothing to the minimum
        ([20, 20, 20, 20, 30], False),
        ([], False),
        ([7], True),  # no history: the minimum count decides
    ],
)
def test_spikes_need_a_minimum_count_and_twice_the_trailing_baseline(series, spiking):
    assert (trends.spike(series) is not None) is spiking


def test_a_spike_reports_its_count_baseline_and_ratio():
    found = trends.spike([2, 3, 4, 3, 12])
    assert found == trends.Spike(count=12, baseline=3.0, ratio=4.0)


def test_the_baseline_is_the_trailing_window_only():
    assert trends.spike([100, 100, 1, 1, 1, 1, 6]) is not None


def test_change_is_relative_to_the_mean_of_previous_weeks():
    assert trends.change(15, [10, 10]) == 0.5
    assert trends.change(5, [0, 0]) is None
    assert trends.change(5, []) is None
