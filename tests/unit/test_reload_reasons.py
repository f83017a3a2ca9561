from elbd.dataplane.reload_reasons import SHOWN_LINES, skeleton_change


def test_names_the_lines_that_go_and_come() -> None:
    applied = "global\n    maxconn 100\nfrontend a\n    bind 127.0.0.1:80\n"
    desired = "global\n    maxconn 200\nfrontend a\n    bind 127.0.0.1:80\n"
    assert skeleton_change(applied, desired) == "-maxconn 100 | +maxconn 200"


def test_a_missing_record_and_an_equal_skeleton_are_said_so() -> None:
    assert skeleton_change(None, "global\n") == "the skeleton it runs was not recorded"
    assert skeleton_change("global\n", "global\n") == "the skeleton is the same"


def test_long_changes_are_cut_and_counted() -> None:
    applied = "".join(f"line {n}\n" for n in range(10))
    desired = "".join(f"other {n}\n" for n in range(10))
    reason = skeleton_change(applied, desired)
    assert reason.count(" | ") == SHOWN_LINES - 1
    assert reason.endswith(f"(and {20 - SHOWN_LINES} more changed lines)")
