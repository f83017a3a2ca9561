"""The heap of a long-running elbd process, kept out of the garbage collector's way."""

import gc

YOUNG_COLLECTION_EVERY = 20_000  # tracked objects allocated and not freed; CPython's default is 700


def freeze_startup_heap() -> None:
    """Move every object alive now into the collector's permanent generation, and collect the young
    generation only after YOUNG_COLLECTION_EVERY allocations.

    `elbd serve` starts with some 160,000 tracked objects (FastAPI, pydantic, SQLAlchemy, the application
    and its prebuilt statements) that live as long as the process. Every full collection walked them all
    and freed nothing: 60-80 ms pauses under load, the whole p99 of member create at 32 clients (107 ms
    with them, 30 ms without). Collected first, so that no garbage is frozen with them. What a process
    would otherwise build at its first requests is built before (`elbd serve`: api/app.py:build_routes).

    The threshold: a request or round that handles a list of a thousand entries holds several thousand
    objects for a few milliseconds (models, dicts, networks). At CPython's 700, young collections ran
    several times during one, found them all alive and moved them to the older generations, and that
    traffic started a full collection every fifteen or so PUTs of a 1,000-entry IP address group (12-30
    ms each in `elbd serve`, 5-11 ms in the agent, which holds its lists' networks). At 20,000 such short
    lives end before a collection sees them; what cycles leave behind is still collected, at most some
    20,000 objects (a few MB) later.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, *gc.get_threshold()[1:])
