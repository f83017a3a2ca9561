"""The web console end to end: Debian's headless Chromium, driven through its chromedriver, against a real
`elbd serve` with HAProxy and real backends on loopback. Sign in, build a load balancer, listener, pool
and health monitor from the forms, watch a member turn ONLINE and a failing one show its reason, see
traffic and the health timeline, change a weight, remove a member, read an API refusal as the API wrote
it, and sign out (the token leaves the tab and is revoked).

With ELBD_CONSOLE_SCREENSHOTS=DIR the test also saves the main pages there as console-*.png (the README's
screenshots are made so: `ELBD_CONSOLE_SCREENSHOTS=docs pytest tests/e2e/test_console.py`)."""

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from elbd.service.identity import ProjectCredentials
from tests.conftest import LiveServer, token_request
from tests.dataplane.conftest import fetch, running_elbd, started_backends, wait_for
from tests.dataplane.fake_backend import FakeBackend
from tests.ports import free_port_on

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a test dependency: pip install -e '.[test]'")
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# Flags that run Chromium here as root, headless, and keep it from calling home.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,1000")
VIP = "127.200.17.2"  # in the default subnet every project gets (127.200.0.0/16)
BACKENDS = "127.200.17"
WAIT_S = 60  # the longest any one step may take: health checks and a busy machine's HAProxy reloads
SCREENSHOTS = os.environ.get("ELBD_CONSOLE_SCREENSHOTS")


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WebDriver]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("THE CONSOLE'S BROWSER TEST IS SKIPPED: Debian's chromium and chromium-driver are missing (make browser installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    options.add_argument(f"--user-data-dir={profile}")
    monkeypatch.setenv("SE_OFFLINE", "true")  # Selenium Manager never fetches a browser or driver: both paths are given
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT_S)
    driver.set_script_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with running_elbd(tmp_path / "data") as served:
        yield served


@pytest.fixture
def backends() -> Iterator[Callable[..., FakeBackend]]:
    with started_backends(BACKENDS) as start:  # in the default subnet, as the console's member form offers it
        yield start


class Console:
    """The console as a user reaches it: by headings, labels and button texts (so these must exist)."""

    def __init__(self, driver: WebDriver, url: str) -> None:
        self.driver = driver
        self.url = url

    def until(self, condition: Callable[[], Any], timeout_s: float = WAIT_S) -> Any:
        def attempt(_driver: WebDriver) -> Any:
            try:
                return condition()
            except (NoSuchElementException, StaleElementReferenceException):  # the page re-rendered under us
                return None

        return WebDriverWait(self.driver, timeout_s, poll_frequency=0.2).until(attempt)

    def heading(self) -> str:
        return self.driver.find_element(By.CSS_SELECTOR, "#detail h2").text

    def on(self, title: str) -> None:
        self.until(lambda: self.heading() == title)

    def form(self, title: str) -> WebElement:
        return self.until(lambda: self.driver.find_element(By.XPATH, f"//form[h3[normalize-space()='{title}']]"))

    def fill(self, title: str, values: dict[str, str], submit: str) -> None:
        form = self.form(title)
        for label, value in values.items():
            field_id = form.find_element(By.XPATH, f".//label[normalize-space()='{label}']").get_attribute("for")
            field = form.find_element(By.ID, field_id)
            if field.tag_name == "select":
                field.find_element(By.XPATH, f".//option[@value='{value}' or normalize-space()='{value}']").click()
            else:
                field.clear()
                field.send_keys(value)
        form.find_element(By.XPATH, f".//button[normalize-space()='{submit}']").click()

    def fact(self, term: str) -> str:
        return self.driver.find_element(By.XPATH, f"//dl[@class='facts']/dt[normalize-space()='{term}']/following-sibling::dd[1]").text

    def member_row(self, address: str) -> str:
        return self.driver.find_element(By.XPATH, f"//table[caption='Members']//tr[td[normalize-space()='{address}']]").text

    def alert(self) -> str:
        return self.driver.find_element(By.ID, "alert").text

    def button(self, text: str) -> None:
        self.click(f"//button[normalize-space()='{text}']")

    def click(self, xpath: str) -> None:
        """Click what `xpath` finds, found again if the page re-rendered between finding and clicking (a
        click that meets a stale element did not happen)."""

        def clicked() -> bool:
            self.driver.find_element(By.XPATH, xpath).click()
            return True

        self.until(clicked)

    def shot(self, name: str) -> None:
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            self.driver.execute_script("window.scrollTo(0, 0)")
            self.driver.save_screenshot(str(Path(SCREENSHOTS) / f"console-{name}.png"))


def _answer(port: int) -> tuple[int, str] | None:
    """One request through the VIP, or None while its listener does not accept yet."""
    try:
        return fetch(port, VIP)
    except OSError:
        return None


def test_an_operator_builds_watches_and_changes_a_load_balancer_in_the_console(
    server: LiveServer, browser: WebDriver, backends: Callable[..., FakeBackend]
) -> None:
    credentials = ProjectCredentials(**json.loads(server.elbd("project", "create", "shop")))
    good = backends("good")
    failing = backends("failing", health_status=500)
    listener_port = free_port_on(VIP)
    console = Console(browser, server.url)

    browser.get(server.url + "/console")
    console.until(lambda: browser.find_element(By.ID, "user-name").is_displayed())
    console.shot("sign-in")
    browser.find_element(By.ID, "user-name").send_keys(credentials.user_name)
    browser.find_element(By.ID, "password").send_keys(credentials.password)
    browser.find_element(By.XPATH, "//button[normalize-space()='Sign in']").click()
    console.on("All load balancers")
    token = browser.execute_script("return sessionStorage.getItem('elbd.token')")
    assert token and browser.execute_script("return localStorage.length") == 0 and "elbd" not in str(browser.get_cookies())

    console.fill("Create a load balancer", {"Name": "shop-web", "VIP address (optional)": VIP}, "Create load balancer")
    console.on("Load balancer")
    console.until(lambda: console.fact("VIP address") == VIP and console.fact("name") == "shop-web")
    console.fill("Add a listener", {"Name": "web", "Protocol": "HTTP", "Port": str(listener_port)}, "Add listener")
    console.on("Listener")
    console.fill("Add a pool", {"Name": "web-pool", "Algorithm": "round robin"}, "Add pool")
    console.on("Pool")
    console.fill("Add a health monitor", {"Type": "HTTP", "Delay (s)": "1", "Timeout (s)": "1", "Retries": "1", "URL path (HTTP)": "/health"},
                 "Add health monitor")
    console.until(lambda: console.fact("URL path") == "/health")

    console.fill("Add a member", {"Name": "good", "Address": good.address, "Port": str(good.port), "Weight": "1"}, "Add member")
    good_address = f"{good.address}:{good.port}"
    console.until(lambda: "ONLINE" in console.member_row(good_address))
    # A hostile name stays text: no element is made of it anywhere on the page.
    hostile = "<img src=x onerror=window.pwned=1>"
    console.fill("Add a member", {"Name": hostile, "Address": failing.address, "Port": str(failing.port), "Weight": "1"}, "Add member")
    failing_address = f"{failing.address}:{failing.port}"
    console.until(lambda: "RESPONSE_MISMATCH (expected 200, got 500)" in console.member_row(failing_address))
    assert "OFFLINE" in console.member_row(failing_address)
    assert browser.find_elements(By.XPATH, f"//a[normalize-space()='{hostile}']")  # shown as the text it is
    assert browser.find_elements(By.CSS_SELECTOR, "img") == [] and browser.execute_script("return window.pwned") is None

    # Traffic through the VIP shows up in the good member's row.
    assert wait_for(lambda: _answer(listener_port) == (200, "good"), timeout_s=WAIT_S, interval_s=0.5)
    for _ in range(4):
        assert fetch(listener_port, VIP) == (200, "good")
    console.until(lambda: " total" in console.member_row(good_address) and " 0 total" not in console.member_row(good_address))
    console.shot("pool")

    # The member's own page: change its weight, read its timeline.
    console.click("//table[caption='Members']//a[normalize-space()='good']")
    console.on("Member")
    console.until(lambda: console.fact("operating status") == "ONLINE")
    console.until(lambda: browser.find_element(By.XPATH, "//table[caption='Health transitions, newest first']//tbody/tr[1]/td[3]").text == "ONLINE")
    console.fill("Change the weight", {"New weight (0 to 100; 0 sends it no new connections)": "7"}, "Change weight")
    console.until(lambda: console.fact("weight") == "7")
    pool_id, member_id = browser.execute_script("return location.hash").split("/")[2:4]
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Auth-Token": token}) as api:
        stored = api.get(f"/v3/{credentials.project_id}/elb/pools/{pool_id}/members/{member_id}").json()["member"]
        assert stored["weight"] == 7
        # What the traffic column reads: the pool's HAProxy counted the requests sent through the VIP.
        traffic = api.get(f"/v3/{credentials.project_id}/elb/pools/{pool_id}/elbd-member-traffic").json()["member_traffic"]
        counted = {one["member_id"]: one for one in traffic}
        assert counted[member_id]["sessions_total"] >= 5 and counted[member_id]["bytes_out"] > 0
        # The failing member's page shows why it is down, as the API keeps it.
        failing_id = next(member["id"] for member in api.get(f"/v3/{credentials.project_id}/elb/pools/{pool_id}/members").json()["members"]
                          if member["address"] == failing.address)
    console.shot("member")
    browser.get(f"{server.url}/console#/member/{pool_id}/{failing_id}")
    console.on("Member")
    console.until(lambda: console.fact("reason") == "RESPONSE_MISMATCH" and console.fact("expected response") == "200"
                  and console.fact("actual response") == "500")
    console.until(lambda: browser.find_element(By.XPATH, "//table[caption='Health transitions, newest first']//tbody/tr[1]").text.count("OFFLINE") == 1)

    # Removing it asks first, then it is gone from the pool.
    console.button("Delete this member")
    WebDriverWait(browser, WAIT_S).until(lambda driver: driver.switch_to.alert).accept()
    console.on("Pool")
    console.until(lambda: not browser.find_elements(By.XPATH, f"//table[caption='Members']//td[normalize-space()='{failing_address}']"))

    # The API's refusal is shown as the API wrote it.
    console.fill("Add a member", {"Address": "not-an-address", "Port": "80", "Weight": "1"}, "Add member")
    with httpx.Client(base_url=server.url, timeout=30, headers={"X-Auth-Token": token}) as api:
        subnet_id = api.get(f"/v1/{credentials.project_id}/subnets").json()["subnets"][0]["neutron_subnet_id"]
        refused = api.post(f"/v3/{credentials.project_id}/elb/pools/{pool_id}/members", json={"member": {
            "name": "", "address": "not-an-address", "protocol_port": 80, "weight": 1, "subnet_cidr_id": subnet_id}}).json()
    console.until(lambda: console.alert() == f"Error 400 {refused['error_code']}: {refused['error_msg']}")

    browser.get(f"{server.url}/console#/")
    console.on("All load balancers")
    console.until(lambda: "shop-web" in browser.find_element(By.XPATH, "//table[caption='Load balancers']").text)
    console.shot("load-balancers")

    # Signing out forgets the token in the tab and revokes it.
    console.button("Sign out")
    console.until(lambda: browser.find_element(By.ID, "sign-in-view").is_displayed())
    assert browser.execute_script("return sessionStorage.length") == 0
    assert browser.find_element(By.ID, "detail").text == "" and browser.find_element(By.ID, "tree").text == ""
    assert httpx.get(f"{server.url}/v3/{credentials.project_id}/elb/loadbalancers", headers={"X-Auth-Token": token}, timeout=30).status_code == 401
    # The token body an API client would send works as before: signing out revoked one token, not the user.
    assert httpx.post(f"{server.url}/v3/auth/tokens", json=token_request(credentials), timeout=30).status_code == 201


def test_the_console_deletes_what_it_created_asks_first_and_shows_refusals(live_server: LiveServer, browser: WebDriver) -> None:
    """Without a data plane (the API only): each delete asks first, a refused one shows the API's words,
    and a token revoked elsewhere ends the session at the next refresh. Signed in with the keyboard."""
    credentials = ProjectCredentials(**json.loads(live_server.elbd("project", "create", "tidy")))
    console = Console(browser, live_server.url)
    browser.get(live_server.url + "/console")
    console.until(lambda: browser.switch_to.active_element.get_attribute("id") == "user-name")  # focus starts in the form
    browser.switch_to.active_element.send_keys(credentials.user_name, Keys.TAB, credentials.password, Keys.ENTER)
    console.on("All load balancers")
    console.fill("Create a load balancer", {"Name": "tidy-lb"}, "Create load balancer")
    console.on("Load balancer")
    lb_id = browser.execute_script("return location.hash").split("/")[2]
    console.fill("Add a listener", {"Name": "tidy-listener", "Protocol": "TCP", "Port": "8443"}, "Add listener")
    console.on("Listener")
    console.fill("Add a pool", {"Name": "tidy-pool", "Protocol": "TCP", "Algorithm": "least connections"}, "Add pool")
    console.on("Pool")
    console.fill("Add a health monitor", {"Type": "TCP"}, "Add health monitor")
    console.until(lambda: console.fact("type") == "TCP")

    # The tree leads back up by keyboard: focus the load balancer's link, press Enter.
    tree_link = browser.find_element(By.XPATH, "//div[@id='tree']//a[starts-with(normalize-space(), 'tidy-lb')]")
    browser.execute_script("arguments[0].focus()", tree_link)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    console.on("Load balancer")
    console.button("Delete this load balancer")
    WebDriverWait(browser, WAIT_S).until(lambda driver: driver.switch_to.alert).accept()
    with httpx.Client(base_url=live_server.url, timeout=30, headers={"X-Auth-Token": browser.execute_script(
            "return sessionStorage.getItem('elbd.token')")}) as api:
        console.until(lambda: console.alert().startswith("Error 409 "))
        refused = api.delete(f"/v3/{credentials.project_id}/elb/loadbalancers/{lb_id}")  # refused again: it has a listener
        assert refused.status_code == 409
        assert console.alert() == f"Error 409 {refused.json()['error_code']}: {refused.json()['error_msg']}"

        # Declining the question deletes nothing.
        console.click("//table[caption='Listeners']//a")
        console.on("Listener")
        console.button("Delete this listener")
        WebDriverWait(browser, WAIT_S).until(lambda driver: driver.switch_to.alert).dismiss()
        assert len(api.get(f"/v3/{credentials.project_id}/elb/listeners").json()["listeners"]) == 1

        console.click("//table[caption='Pools']//a")
        console.on("Pool")
        for what, then in (("health monitor", "Pool"), ("pool", "Listener"), ("listener", "Load balancer"), ("load balancer", "All load balancers")):
            console.button(f"Delete this {what}")
            WebDriverWait(browser, WAIT_S).until(lambda driver: driver.switch_to.alert).accept()
            console.until(lambda: browser.find_element(By.ID, "notice").text == f"Deleted this {what}.")
            console.on(then)
        console.until(lambda: browser.find_element(By.ID, "tree").text == "No load balancer yet.")
        listings = ("loadbalancers", "listeners", "pools", "healthmonitors")
        assert [api.get(f"/v3/{credentials.project_id}/elb/{kind}").json()[kind] for kind in listings] == [[], [], [], []]

        # A token revoked elsewhere: the next refresh signs the tab out and says why.
        token = browser.execute_script("return sessionStorage.getItem('elbd.token')")
        assert api.request("DELETE", "/v3/auth/tokens", headers={"X-Subject-Token": token}).status_code == 204
    console.until(lambda: browser.find_element(By.ID, "sign-in-view").is_displayed())
    assert console.alert().startswith("Error 401 APIGW.0301") and browser.execute_script("return sessionStorage.length") == 0
