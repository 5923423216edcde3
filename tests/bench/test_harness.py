"""The benchmark harness judges figures correctly: ratios from the same rounds, the bars, errors and growth."""

from __future__ import annotations

from bench.run import report


def _round(rps: float, p95: float = 10.0, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "requests": int(rps * 5), "errors": errors, "bad_status": 0}


def _results(**over) -> dict:
    base = {
        "ceiling": [_round(1000), _round(500), _round(1000)],
        "api_task_list": [_round(150), _round(75), _round(150)],
        "manager_dashboard": [_round(60, p95=170), _round(30, p95=200), _round(60, p95=150)],
        "client_my_work": [_round(80), _round(40), _round(80)],
        "client_report_post": [_round(150), _round(75), _round(150)],
    }
    return {**base, **over}


def test_every_bar_met_is_not_a_failure(capsys):
    figures, failed = report(_results(), 200, None)
    assert failed is False
    out = capsys.readouterr().out
    assert "ceiling_rps@200: 1000" in out
    assert "api_task_list@200: 0.150× ceiling" in out
    assert "MISSED" not in out
    assert figures["api_task_list"] == 0.15


def test_ratios_come_from_the_same_round():
    # Half the throughput in a round where the ceiling also halved is the same ratio, not a miss.
    _, failed = report(_results(api_task_list=[_round(110), _round(55), _round(110)]), 200, None)
    assert failed is False


def test_a_figure_under_its_bar_is_a_miss(capsys):
    _, failed = report(_results(client_my_work=[_round(40), _round(20), _round(40)]), 200, None)
    assert failed is True
    assert "client_my_work@200: 0.040× ceiling" in capsys.readouterr().out.split("MISSED")[0].splitlines()[-1]


def test_a_slow_dashboard_p95_is_a_miss(capsys):
    _, failed = report(_results(manager_dashboard=[_round(60, p95=300), _round(30, p95=290), _round(60, p95=260)]), 200, None)
    assert failed is True
    assert "manager_dashboard" in capsys.readouterr().out.split("MISSED")[0].splitlines()[-1]


def test_errors_on_the_report_post_are_a_miss():
    results = _results(client_report_post=[_round(200), _round(100, errors=1), _round(200)])
    assert report(results, 200, None)[1] is True


def test_a_figure_not_measured_is_a_miss(capsys):
    results = _results()
    del results["client_report_post"]
    assert report(results, 200, None)[1] is True
    assert "client_report_post@200: not measured" in capsys.readouterr().out


def test_growth_below_the_bar_is_a_miss_even_above_the_absolute_bar(capsys):
    # given the reference set's dashboard at 0.060× and the growth set's at 0.045× (above 0.04, but 0.75 of it)
    reference, _ = report(_results(), 200, None)
    capsys.readouterr()
    grown = _results(manager_dashboard=[_round(45, p95=170), _round(22.5, p95=200), _round(45, p95=150)])
    # when
    _, failed = report(grown, 1000, reference)
    # then
    out = capsys.readouterr().out
    assert failed is True
    line = next(ln for ln in out.splitlines() if ln.startswith("manager_dashboard@1000"))
    assert "0.75×" in line and line.endswith("MISSED")
    assert next(ln for ln in out.splitlines() if ln.startswith("api_task_list@1000")).endswith("ok")
