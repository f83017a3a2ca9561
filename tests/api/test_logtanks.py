"""/v3/{project_id}/elb/logtanks: the SDK's Logtank shape, one log tank a load balancer, updates,
filters, deletion (also with the load balancer), refusals that store nothing, isolation, and the data
plane's view (a load balancer logs while it has one). Traffic through HAProxy: tests/dataplane/test_access_logs.py."""

from typing import Any

from huaweicloudsdkelb.v3.model.logtank import Logtank as SdkLogtank

from tests.api.world import alpha, assert_elb_error, beta, ids, net, world  # noqa: F401
from tests.conftest import Api
from elbd.store.dataplane import stored_load_balancer

GROUP = "7c4bf8a8-4a0c-4d12-9e9b-1e4f6d2e0a11"
TOPIC = "0f3e5a1c-9b8d-4e2f-a7c6-5d4b3a291807"


def load_balancer(api: Api) -> str:
    return api.load_balancer(net(api).subnet)["id"]


def create(api: Api, lb_id: str, **fields: Any) -> dict[str, Any]:
    body = {"logtank": {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": TOPIC, **fields}}
    return api.ok("POST", "logtanks", body)["logtank"]


def logs(api: Api, lb_id: str) -> bool:
    with api.client.app.state.db.read() as session:
        stored = stored_load_balancer(session, lb_id)
    assert stored is not None
    return stored.access_log


def test_create_answers_the_sdks_logtank_and_turns_logging_on(alpha: Api) -> None:
    lb_id = load_balancer(alpha)
    assert not logs(alpha, lb_id)
    response = alpha.call("POST", "logtanks", {"logtank": {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": TOPIC}})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"logtank", "request_id"} and body["request_id"] == response.headers["X-Request-Id"]
    logtank = body["logtank"]
    assert set(logtank) == set(SdkLogtank.attribute_map.values())
    assert (logtank["loadbalancer_id"], logtank["log_group_id"], logtank["log_topic_id"], logtank["project_id"]) == (lb_id, GROUP, TOPIC, alpha.project_id)
    assert alpha.ok("GET", f"logtanks/{logtank['id']}")["logtank"] == logtank
    assert logs(alpha, lb_id)


def test_a_load_balancer_has_one_logtank(alpha: Api) -> None:
    lb_id = load_balancer(alpha)
    first = create(alpha, lb_id)
    again = alpha.call("POST", "logtanks", {"logtank": {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": TOPIC}})
    assert first["id"] in assert_elb_error(again, 409)["error_msg"]
    assert ids(alpha.ok("GET", f"logtanks?loadbalancer_id={lb_id}")["logtanks"]) == [first["id"]]


def test_update_renames_and_keeps_logging(alpha: Api) -> None:
    lb_id = load_balancer(alpha)
    logtank = create(alpha, lb_id)
    updated = alpha.ok("PUT", f"logtanks/{logtank['id']}", {"logtank": {"log_topic_id": "topic-2"}})["logtank"]
    assert (updated["log_group_id"], updated["log_topic_id"]) == (GROUP, "topic-2")
    assert logs(alpha, lb_id)


def test_delete_turns_logging_off(alpha: Api) -> None:
    lb_id = load_balancer(alpha)
    logtank = create(alpha, lb_id)
    alpha.ok("DELETE", f"logtanks/{logtank['id']}")
    assert_elb_error(alpha.call("GET", f"logtanks/{logtank['id']}"), 404, "ELB.8904")
    assert not logs(alpha, lb_id)
    create(alpha, lb_id)  # and the load balancer may have one again


def test_deleting_the_load_balancer_deletes_its_logtank(alpha: Api) -> None:
    lb_id = load_balancer(alpha)
    logtank = create(alpha, lb_id)
    alpha.ok("DELETE", f"loadbalancers/{lb_id}")
    assert_elb_error(alpha.call("GET", f"logtanks/{logtank['id']}"), 404, "ELB.8904")


def test_a_load_balancer_with_a_logtank_goes_to_the_recycle_bin_and_comes_back_without_it(alpha: Api) -> None:
    """The bin keeps a load balancer's own tree; its log tank is deleted with it, so a restored one logs
    nothing until it is given a log tank again."""
    lb_id = load_balancer(alpha)
    logtank = create(alpha, lb_id)
    alpha.ok("PUT", "recycle-bin", {"recycle_bin": {"enable": True}})
    try:
        assert alpha.call("DELETE", f"loadbalancers/{lb_id}/force-elb").status_code == 204
    finally:
        alpha.ok("PUT", "recycle-bin", {"recycle_bin": {"enable": False}})  # the project's other tests delete for good
    assert_elb_error(alpha.call("GET", f"logtanks/{logtank['id']}"), 404, "ELB.8904")
    alpha.ok("PUT", f"recycle-bin/loadbalancers/{lb_id}/recover")
    assert not logs(alpha, lb_id) and alpha.ok("GET", f"logtanks?loadbalancer_id={lb_id}")["logtanks"] == []
    create(alpha, lb_id)
    assert logs(alpha, lb_id)


def test_filters_and_paging(alpha: Api) -> None:
    first, second = create(alpha, load_balancer(alpha)), create(alpha, load_balancer(alpha), log_group_id="other-group")
    assert ids(alpha.ok("GET", "logtanks?log_group_id=other-group")["logtanks"]) == [second["id"]]
    assert ids(alpha.ok("GET", f"logtanks?id={first['id']}&id={second['id']}")["logtanks"]) == [first["id"], second["id"]]
    page = alpha.ok("GET", f"logtanks?id={first['id']}&id={second['id']}&limit=1")
    assert ids(page["logtanks"]) == [first["id"]] and page["page_info"]["current_count"] == 1
    assert_elb_error(alpha.call("GET", "logtanks?log_stream=x"), 400)


def test_bad_input_is_refused_and_stores_nothing(alpha: Api) -> None:
    lb_id = load_balancer(alpha)
    before = alpha.ok("GET", "logtanks")["logtanks"]
    for option in (
        {"loadbalancer_id": lb_id, "log_group_id": GROUP},  # no topic
        {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": "a b"},
        {"loadbalancer_id": lb_id, "log_group_id": "x\n" * 3, "log_topic_id": TOPIC},
        {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": "t" * 37},
        {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": TOPIC, "log_stream_id": "x"},
        {"loadbalancer_id": lb_id, "log_group_id": 5, "log_topic_id": TOPIC},
    ):
        assert_elb_error(alpha.call("POST", "logtanks", {"logtank": option}), 400)
    missing = {"loadbalancer_id": "00000000-0000-0000-0000-000000000000", "log_group_id": GROUP, "log_topic_id": TOPIC}
    assert_elb_error(alpha.call("POST", "logtanks", {"logtank": missing}), 404, "ELB.8904")
    assert alpha.ok("GET", "logtanks")["logtanks"] == before
    assert not logs(alpha, lb_id)


def test_another_projects_logtank_and_load_balancer_are_not_found(alpha: Api, beta: Api) -> None:
    lb_id = load_balancer(alpha)
    logtank = create(alpha, lb_id)
    assert_elb_error(beta.call("GET", f"logtanks/{logtank['id']}"), 404)
    assert_elb_error(beta.call("PUT", f"logtanks/{logtank['id']}", {"logtank": {"log_group_id": "x"}}), 404)
    assert_elb_error(beta.call("DELETE", f"logtanks/{logtank['id']}"), 404)
    assert_elb_error(beta.call("POST", "logtanks", {"logtank": {"loadbalancer_id": lb_id, "log_group_id": GROUP, "log_topic_id": TOPIC}}), 404)
    assert logtank["id"] not in ids(beta.ok("GET", "logtanks")["logtanks"])
