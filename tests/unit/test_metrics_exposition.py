"""The Prometheus text format and HAProxy's `show stat` as metrics, without sockets."""

from elbd.metrics.exposition import Family, Sample, render
from elbd.metrics.haproxy_stats import StatsOf, families
from elbd.metrics.registry import BUCKETS, Metric, Registry

HEADER = "# pxname,svname,scur,stot,bin,bout,ereq,econ,eresp,status,chkfail,check_status,check_duration,req_tot,hrsp_2xx,hrsp_5xx"


def test_labels_are_escaped_and_histograms_are_cumulative() -> None:
    registry = Registry()
    latency = Metric("t_seconds", "histogram", "a time")
    for seconds in (0.0005, 0.003, 100.0):
        registry.observe(latency, seconds, (("route", 'a"b\\c\nd'),))
    text = render(registry.snapshot().families())
    assert '# TYPE t_seconds histogram' in text
    assert 't_seconds_bucket{route="a\\"b\\\\c\\nd",le="0.001"} 1' in text
    assert 't_seconds_bucket{route="a\\"b\\\\c\\nd",le="0.005"} 2' in text
    assert 't_seconds_bucket{route="a\\"b\\\\c\\nd",le="+Inf"} 3' in text
    assert 't_seconds_count{route="a\\"b\\\\c\\nd"} 3' in text
    assert text.count("t_seconds_bucket") == len(BUCKETS) + 1


def test_counters_add_up_per_label_set() -> None:
    registry = Registry()
    requests = Metric("r_total", "counter", "requests")
    registry.count(requests, (("status", "200"),))
    registry.count(requests, (("status", "200"),), by=2)
    registry.count(requests, (("status", "404"),))
    assert render(registry.snapshot().families()).splitlines()[2:] == ['r_total{status="200"} 3', 'r_total{status="404"} 1']


def test_show_stat_rows_become_listener_pool_and_member_metrics() -> None:
    text = "\n".join([
        HEADER,
        "elbd-placeholder,FRONTEND,0,0,0,0,0,,,OPEN,,,,0,0,0",
        "lis-1,FRONTEND,1,12,900,3000,2,,,OPEN,,,,12,11,1",
        "pool-1,m-1,0,12,900,3000,,0,1,UP,0,L7OK,3,,11,1",
        "pool-1,m-2,0,0,0,0,,4,0,DOWN,5,L4CON,1001,,0,0",
        "pool-1,BACKEND,0,12,900,3000,,4,1,UP,,,,,11,1",
        "elbd-flavor-limits,BACKEND,0,0,0,0,,0,0,UP,,,,,0,0",
        "elbd-access-log-relay,FRONTEND,1,1,0,0,0,,,OPEN,,,,0,0,0",
        "elbd-access-log-relay,elbd-agent,1,1,0,0,,0,0,no check,0,,0,,0,0",
        "elbd-access-log-relay,BACKEND,1,1,0,0,,0,0,UP,,,,,0,0",
    ])
    made = {family.name: family for family in families([StatsOf("proj", "lb", text)])}
    owner = (("project_id", "proj"), ("loadbalancer_id", "lb"))
    assert made["elbd_listener_requests_total"].samples == [Sample("", (*owner, ("listener_id", "lis-1")), 12.0)]
    assert Sample("", (*owner, ("listener_id", "lis-1"), ("code", "5xx")), 1.0) in made["elbd_listener_http_responses_total"].samples
    assert [s.value for s in made["elbd_member_up"].samples] == [1.0, 0.0]
    assert [s.value for s in made["elbd_member_check_duration_seconds"].samples] == [0.003, 1.001]
    assert made["elbd_pool_connection_errors_total"].samples == [Sample("", (*owner, ("pool_id", "pool-1")), 4.0)]
    assert all("elbd-placeholder" not in str(sample.labels) for family in made.values() for sample in family.samples)
    assert all("elbd-flavor-limits" not in str(sample.labels) for family in made.values() for sample in family.samples)
    assert all("elbd-access-log-relay" not in str(sample.labels) for family in made.values() for sample in family.samples)


def test_an_empty_family_list_renders_as_an_empty_page() -> None:
    assert render([]) == "\n" and render([Family("x", "gauge", "h")]) == "# HELP x h\n# TYPE x gauge\n"
