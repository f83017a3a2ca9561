"""The seam between the control plane and the data plane.

The store tells the driver, after each commit, which load balancers changed; the driver converges
their data plane to the stored state. Drivers are chosen by name (ELBD_DATAPLANE).
"""

from typing import Protocol

from elbd.errors import ElbError


class DataplaneDriver(Protocol):
    def start(self) -> None: ...

    def load_balancers_changed(self, load_balancer_ids: set[str]) -> None: ...

    def stop(self) -> None: ...


class NoneDriver:
    """API only: nothing serves traffic. For users who only exercise the API, and for fast tests."""

    def start(self) -> None:
        return None

    def load_balancers_changed(self, load_balancer_ids: set[str]) -> None:
        return None

    def stop(self) -> None:
        return None


def driver_named(name: str) -> DataplaneDriver:
    if name == "none":
        return NoneDriver()
    raise ElbError(500, "ELB.8906", f"unknown data-plane driver {name!r}; known: none")
