"""`show stat` rows -> each member's traffic (the elbd-member-traffic extension), without HAProxy."""

from elbd.metrics.haproxy_stats import MemberTraffic, member_traffic

HEADER = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,status\n"


def test_only_the_pools_server_rows_count() -> None:
    text = HEADER + (
        "pool-a,BACKEND,0,0,3,5,,40,1000,2000,0,0,,1,2,UP\n"
        "pool-a,member-1,0,0,2,4,,30,700,1500,,0,,1,0,UP\n"
        "pool-a,member-2,0,0,1,1,,10,300,500,,0,,,2,DOWN\n"
        "pool-b,member-3,0,0,9,9,,90,9,9,,0,,0,0,UP\n"
        "listener-1,FRONTEND,,,3,5,,40,1000,2000,0,0,0,,,OPEN\n"
    )
    assert member_traffic(text, "pool-a") == [
        MemberTraffic("member-1", sessions_current=2, sessions_total=30, bytes_in=700, bytes_out=1500, connection_errors=1, response_errors=0),
        MemberTraffic("member-2", sessions_current=1, sessions_total=10, bytes_in=300, bytes_out=500, connection_errors=0, response_errors=2),
    ]


def test_an_answer_that_is_not_a_stat_table_has_no_traffic() -> None:
    assert member_traffic("Unknown command.\n", "pool-a") == []
    assert member_traffic("", "pool-a") == []
