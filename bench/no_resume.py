"""wrk without TLS session resumption: bench/no_resume.c built into a library to preload (a C compiler
is needed; `make bench-tools` installs one). Without it, wrk's `Connection: close` runs resume the first
session by ticket on every later connection and measure no full handshake at all (HAProxy's `show
info` counted 0% full ones: SslFrontendSessionReuse_pct 100)."""

import subprocess
from pathlib import Path

SOURCE = Path(__file__).with_name("no_resume.c")


def build(directory: Path) -> dict[str, str]:
    """The environment that makes wrk do a full handshake per connection, with the library built into
    `directory`; RuntimeError when it cannot be built."""
    library = directory / "no_resume.so"
    if not library.exists():
        directory.mkdir(parents=True, exist_ok=True)
        built = subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(SOURCE), "-ldl"],
                               capture_output=True, text=True, timeout=60, check=False)
        if built.returncode != 0:
            raise RuntimeError(f"bench/no_resume.c did not build: {built.stderr[-2000:]}")
    return {"LD_PRELOAD": str(library)}
