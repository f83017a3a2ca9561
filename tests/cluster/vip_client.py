"""A client in its own namespace: one HTTP request on a new connection every GAP_S to VIP:PORT, for at most
SECONDS; prints "<monotonic time> <1 or 0>" per request (the monotonic clock is the machine's, shared
by every namespace)."""

import http.client
import sys
import time

GAP_S = 0.02


def main() -> None:
    vip, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        started = time.monotonic()
        connection = http.client.HTTPConnection(vip, port, timeout=0.5)
        try:
            connection.request("GET", "/", headers={"Connection": "close"})
            ok = connection.getresponse().status == 200
        except OSError:
            ok = False
        finally:
            connection.close()
        print(f"{started} {int(ok)}", flush=True)
        time.sleep(max(0.0, GAP_S - (time.monotonic() - started)))


if __name__ == "__main__":
    main()
