from insights import charts


def test_a_page_chart_has_a_narrower_drawing_for_phones():
    html = charts.bar_chart_for_screens(["01/12", "08/12"], [3, 4], title="Notes per week")
    assert html.count("<svg") == 2
    assert 'class="chart-wide"><svg class="chart" width="100%" viewBox="0 0 640 220"' in html
    assert 'class="chart-narrow"><svg class="chart" width="100%" viewBox="0 0 340 200"' in html
    assert charts.bar_chart_for_screens([], []) == ""
