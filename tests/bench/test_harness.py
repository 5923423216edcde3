"""The benchmark harness judges figures correctly: ratios from the same rounds, the p95 bar, errors."""

from __future__ import annotations

from bench.run import report


def _round(rps: float, p95: float = 10.0, errors: int = 0) -> dict:
    return {"rps": rps, "p50_ms": p95 / 2, "p95_ms": p95, "requests": int(rps * 5), "errors": errors, "bad_status": 0}


def _results(**over) -> dict:
    base = {
        "ceiling": [_round(1000), _round(500), _round(1000)],
        "api_task_list": [_round(300), _round(150), _round(300)],
        "manager_dashboard": [_round(120, p95=70), _round(60, p95=75), _round(120, p95=60)],
        "client_my_work": [_round(200), _round(100), _round(200)],
        "client_report_post": [_round(200), _round(100), _round(200)],
    }
    return {**base, **over}


def test_every_bar_met_is_not_a_failure(capsys):
    assert report(_results(), {}) is False
    out = capsys.readouterr().out
    assert "api_task_list: 0.300× ceiling" in out
    assert "MISSED" not in out


def test_ratios_come_from_the_same_round():
    # Half the throughput in a round where the ceiling also halved is the same ratio, not a miss.
    results = _results(api_task_list=[_round(260), _round(130), _round(260)])
    assert report(results, {}) is False


def test_a_slow_dashboard_p95_is_a_miss(capsys):
    results = _results(manager_dashboard=[_round(120, p95=95), _round(60, p95=90), _round(120, p95=85)])
    assert report(results, {}) is True
    assert "manager_dashboard" in capsys.readouterr().out.split("MISSED")[0].splitlines()[-1]


def test_errors_on_the_report_post_are_a_miss():
    results = _results(client_report_post=[_round(200), _round(100, errors=1), _round(200)])
    assert report(results, {}) is True


def test_a_figure_not_measured_is_a_miss(capsys):
    results = _results()
    del results["client_report_post"]
    assert report(results, {}) is True
    assert "client_report_post: not measured" in capsys.readouterr().out
