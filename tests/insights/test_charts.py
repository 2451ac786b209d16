import itertools
import re

import pytest

from insights import charts


def test_a_page_chart_has_a_narrower_drawing_for_phones():
    html = charts.bar_chart_for_screens(["01/12", "08/12"], [3, 4], title="Notes per week")
    assert html.count("<svg") == 2
    assert 'class="chart-wide"><svg class="chart" width="100%" viewBox="0 0 640 220"' in html
    assert 'class="chart-narrow"><svg class="chart" width="100%" viewBox="0 0 340 200"' in html
    assert charts.bar_chart_for_screens([], []) == ""


@pytest.mark.parametrize("weeks", [12, 13])
def test_week_labels_never_overlap_nor_leave_the_drawing(weeks):
    labels = [f"{d:02d}/11" for d in range(1, weeks + 1)]
    html = charts.bar_chart(labels, list(range(weeks)), width=340, partial=True)
    shown = [
        (float(x), t)
        for x, t in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" font-size="11"[^>]*>([^<]+)<', html)
    ]
    assert shown[-1][1] == f"{weeks}/11*" and shown[0][1] == "01/11"
    xs = [x for x, _ in shown]
    assert all(b - a >= 38 for a, b in itertools.pairwise(xs))  # about 5 characters of 11 px type apart
    assert all(len(t) * 3.3 <= x <= 340 - len(t) * 3.3 for x, t in shown)


def test_long_bar_labels_are_shortened_to_fit_wide_letters_included():
    html = charts.hbar_chart(["My app shows cash I didn't get", "Top-ups"], [5, 3], width=340, label_width=130)
    shown = re.findall(r'text-anchor="end" font-size="13" fill="#1d2730">([^<]+)<', html)
    assert shown[1] == "Top-ups" and shown[0].endswith("…")
    assert charts._text_width(shown[0]) <= 130 - 12
