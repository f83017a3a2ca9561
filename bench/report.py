"""The figures of one run -> docs/benchmarks.md: machine facts, goals met or not, one section per part,
and what limits the figures (bench/findings.md, written from profiling, included as it is)."""

import math
import time
from pathlib import Path
from typing import Any

from bench import plots
from bench.context import Section, Table
from bench.stats import ms

FINDINGS = Path(__file__).with_name("findings.md")
COMMAND = "make bench"


def _table(table: Table) -> list[str]:
    lines = [f"**{table.title}**", "", "| " + " | ".join(table.headers) + " |", "|" + "---|" * len(table.headers)]
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    if table.note:
        lines += ["", table.note]
    return lines + [""]


def _verdict(met: bool | None) -> str:
    return "not measured" if met is None else ("**met**" if met else "**not met**")


def goals(figures: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    p99 = figures.get("converge_add_p99_ms")
    rows.append(["member change reaches traffic, p99 (no monitor)", "<= 50 ms",
                 "n/a" if p99 is None else f"add {ms(p99)} ms, weight {ms(figures.get('converge_weight_p99_ms', math.nan))} ms"
                 f" ({figures.get('converge_samples', '')})",
                 _verdict(None if p99 is None else p99 <= 50 and figures.get("converge_weight_p99_ms", 0) <= 50)])
    ratios: dict[str, float] | None = figures.get("dp_ratio_hand")
    if ratios:
        worst = min(ratios, key=lambda key: ratios[key])
        low, high = figures.get("dp_pair_range", (math.nan, math.nan))
        rows.append(["elbd / hand-written HAProxy, every listener type and connection mode", ">= 0.95",
                     ", ".join(f"{key} {value:.2f}" for key, value in ratios.items())
                     + f" (medians of the pairs' ratios; single pairs {low:.2f}-{high:.2f})",
                     _verdict(ratios[worst] >= 0.95)])
    else:
        rows.append(["elbd / hand-written HAProxy, every listener type and connection mode", ">= 0.95", "n/a", _verdict(None)])
    against_nginx: dict[str, float] | None = figures.get("dp_ratio_nginx")
    if against_nginx:
        worst = min(against_nginx, key=lambda key: against_nginx[key])
        low, high = figures.get("dp_nginx_range", (math.nan, math.nan))
        rows.append(["elbd / nginx (expert configuration), every listener type and connection mode", ">= 1.0",
                     ", ".join(f"{key} {value:.2f}" for key, value in against_nginx.items())
                     + f" (medians of the rounds' ratios; single rounds {low:.2f}-{high:.2f})",
                     _verdict(against_nginx[worst] >= 1.0)])
    else:
        rows.append(["elbd / nginx (expert configuration), every listener type and connection mode", ">= 1.0", "n/a", _verdict(None)])
    new_connections = figures.get("dp_new_connections_per_s")
    rows.append(["new HTTP connections per second through one load balancer (10 x Huawei's smallest flavor)", ">= 20,000/s",
                 "n/a" if new_connections is None else f"{new_connections:,.0f}/s (wrk -c50, `Connection: close`)",
                 _verdict(None if new_connections is None else new_connections >= 20_000)])
    token, aksk = figures.get("create_per_s_token_8"), figures.get("create_per_s_aksk_8")
    rows.append(["member create at 8 clients on SQLite", ">= 500/s",
                 "n/a" if token is None else f"token {token:.0f}/s, AK/SK {aksk or 0:.0f}/s with durable commits (FULL); "
                 f"token {figures.get('create_per_s_token_8_normal', 0):.0f}/s with NORMAL",
                 _verdict(None if token is None else token >= 500 and (aksk or 0) >= 500)])
    replicas, rounds = figures.get("replicas_ratio_8"), figures.get("replicas_ratio_rounds_8", [])
    rows.append(["member create at 8 clients through two API replicas on PostgreSQL (a pool of no load balancer)",
                 ">= SQLite's, same run", "n/a" if replicas is None else
                 f"{replicas:.2f} of SQLite's (median of the rounds' ratios: {', '.join(f'{one:.2f}' for one in rounds)})",
                 _verdict(None if replicas is None else replicas >= 1.0)])
    member_failures, kill_failures = figures.get("drill_member_failed"), figures.get("drill_control_kill_failed")
    rows.append(["failed requests: member add / re-weight / remove", "0",
                 "n/a" if member_failures is None else str(member_failures), _verdict(None if member_failures is None else member_failures == 0)])
    draining = figures.get("drill_draining_failed")
    rows.append(["failed requests: members of a draining pool removed and added again", "0",
                 "n/a" if draining is None else str(draining), _verdict(None if draining is None else draining == 0)])
    rows.append(["failed requests: `elbd serve` SIGKILLed and restarted", "0",
                 "n/a" if kill_failures is None else str(kill_failures), _verdict(None if kill_failures is None else kill_failures == 0)])
    members, lbs = figures.get("scale_members"), figures.get("scale_load_balancers")
    rows.append(["10,000 members in one pool", "10,000", "n/a" if members is None else f"{members:,}",
                 _verdict(None if members is None else members >= 10_000)])
    idle, add_p99 = figures.get("scale_idle_cpu"), figures.get("scale_add_p99_ms")
    rows.append(["1,000 load balancers on one machine: serving; elbd idle; a member create reaches traffic (p99)",
                 "1,000; < 5% of a core; <= 50 ms",
                 "n/a" if lbs is None else f"{lbs}; {idle:.1%}; {ms(add_p99)} ms" if idle is not None and add_p99 is not None else f"{lbs}",
                 _verdict(None if lbs is None or idle is None or add_p99 is None else lbs >= 1_000 and idle < 0.05 and add_p99 <= 50)])
    adopted, replaced = figures.get("scale_adopted_s"), figures.get("scale_adoption_replaced")
    rows.append(["1,000 load balancers: `elbd serve` restarted -> every one adopted; HAProxy processes replaced meanwhile",
                 "< 60 s; 0",
                 "n/a" if replaced is None else f"{'not within the limit' if adopted is None else '%.1f s' % adopted}; {replaced}",
                 _verdict(None if replaced is None else adopted is not None and adopted < 60 and replaced == 0)])
    tls: dict[str, float] | None = figures.get("tls_ratio_hand")
    rows.append(["HTTPS: elbd / hand-written HAProxy, full handshakes and keep-alive, ECDSA P-256 and RSA-2048", ">= 0.95",
                 "n/a" if not tls else ", ".join(f"{key} {value:.2f}" for key, value in tls.items()) + " (medians of the rounds' ratios)",
                 _verdict(None if not tls else min(tls.values()) >= 0.95)])
    tls_nginx: dict[str, float] | None = figures.get("tls_ratio_nginx")
    rows.append(["HTTPS: elbd / nginx (expert configuration), full handshakes and keep-alive, ECDSA P-256 and RSA-2048", ">= 1.0",
                 "n/a" if not tls_nginx else ", ".join(f"{key} {value:.2f}" for key, value in tls_nginx.items()) + " (medians of the rounds' ratios)",
                 _verdict(None if not tls_nginx else min(tls_nginx.values()) >= 1.0)])
    rotation_p99, rotation_failed = figures.get("tls_rotation_p99_ms"), figures.get("tls_rotation_failed")
    rows.append(["certificate rotation under load: failed requests; 200 of the PUT -> first handshake with the new certificate, p99",
                 "0; <= 50 ms",
                 "n/a" if rotation_p99 is None else f"{rotation_failed}; {ms(rotation_p99, 2)} ms "
                 f"({figures.get('tls_rotation_stale')} handshakes after a 200 got the old certificate; the PUT itself, which "
                 f"answers once the data plane rotated: p99 {ms(figures.get('tls_rotation_put_p99_ms', math.nan))} ms)",
                 _verdict(None if rotation_p99 is None else rotation_failed == 0 and rotation_p99 <= 50)])
    l7: dict[str, float] | None = figures.get("l7_ratio_hand")
    rows.append(["L7: elbd / hand-written HAProxy, 100 policies, keep-alive and Connection: close", ">= 0.95",
                 "n/a" if not l7 else ", ".join(f"{key} {value:.2f}" for key, value in l7.items()) + " (medians of the rounds' ratios)",
                 _verdict(None if not l7 else min(l7.values()) >= 0.95)])
    l7_p99, l7_failed = figures.get("l7_change_p99_ms"), figures.get("l7_change_failed")
    rows.append(["L7: a policy's 201 -> first request it routes, p99; failed probe requests during the changes", "state it; 0",
                 "n/a" if l7_p99 is None else f"{ms(l7_p99)} ms; {l7_failed}",
                 _verdict(None if l7_failed is None else l7_failed == 0)])
    guarded: dict[str, float] | None = figures.get("ipgroups_ratio_hand")
    rows.append(["IP groups: elbd / hand-written HAProxy, a 10,000-entry whitelist, Connection: close and keep-alive", ">= 0.95",
                 "n/a" if not guarded else ", ".join(f"{key} {value:.2f}" for key, value in guarded.items()) + " (medians of the rounds' ratios)",
                 _verdict(None if not guarded else min(guarded.values()) >= 0.95)])
    access_p99, access_reloads = figures.get("ipgroups_change_p99_ms"), figures.get("ipgroups_change_reloads")
    rows.append(["IP groups: a 1,000-entry ip_list PUT -> first new connection that sees it, p99; reloads", "<= 50 ms; 0",
                 "n/a" if access_p99 is None else f"{ms(access_p99)} ms; {access_reloads}",
                 _verdict(None if access_p99 is None else access_p99 <= 50 and access_reloads == 0)])
    udp_ratio = figures.get("udp_ratio_hand")
    rows.append(["UDP: elbd / hand-written nginx, request/response datagrams per second", ">= 0.95",
                 "n/a" if udp_ratio is None else f"{udp_ratio:.2f} (median of the rounds' ratios)",
                 _verdict(None if udp_ratio is None else udp_ratio >= 0.95)])
    udp_p99, udp_lost = figures.get("udp_change_p99_ms"), figures.get("udp_lost_after_delete")
    rows.append(["UDP: a member's POST -> the first datagram it answers, p99; datagrams lost to a member after its DELETE answered",
                 "<= 250 ms; 0", "n/a" if udp_p99 is None else f"{ms(udp_p99)} ms; {udp_lost}",
                 _verdict(None if udp_p99 is None else udp_p99 <= 250 and udp_lost == 0)])
    return rows


def write(path: Path, sections: list[Section], machine: dict[str, str], total_s: float, command_line: str) -> None:
    figures: dict[str, Any] = {}
    for section in sections:
        figures.update(section.figures)
    lines = [
        "# elbd benchmarks",
        "",
        (
            f"Written by `{COMMAND}` (`{command_line}`) on {time.strftime('%Y-%m-%d %H:%M %Z')}; the whole run took "
            f"{total_s:.0f} s. Every figure below was measured in that run, on loopback addresses only (127.0.0.0/8), "
            "with every load loop bounded in time. Figures are printed, never asserted; ratios compare with baselines "
            "measured in the same run. The load generators (wrk, the Python clients) share the machine's cores with "
            "elbd, HAProxy and the backends, so every figure is a lower bound of what the data plane does alone."
        ),
        "",
        "## Machine",
        "",
        "| fact | value |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine.items()],
        "",
        "## Goals of the benchmark issue",
        "",
        "| goal | target | measured | verdict |",
        "|---|---|---|---|",
        *["| " + " | ".join(row) + " |" for row in goals(figures)],
        "",
    ]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.intro:
            lines += [section.intro, ""]
        if section.error:
            lines += [f"**This part failed:** `{section.error}`", ""]
        for table in section.tables:
            lines += _table(table)
        lines += [f"- {note}" for note in section.notes]
        if section.notes:
            lines.append("")
        for paragraph in section.raw:
            lines += [paragraph, ""]
        for plot in section.plots:
            image = path.parent / f"{path.stem}-{plot.name}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            plots.draw(plot, image)
            lines += [f"![{plot.title}]({image.name})", ""]
        lines += [f"_Part time: {section.seconds:.0f} s._", ""]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text().rstrip(), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
