"""End-to-end latency and throughput of the assistant, REST and WeChat, with Rasa's stock setup beside it.

    .venv/bin/python -m bench.latency                 # full run (about 6 minutes without --with-stock)
    .venv/bin/python -m bench.latency --quick         # short phases, for a smoke check
    .venv/bin/python -m bench.latency --with-stock    # also train + measure bench/configs/stock.yml

Starts its own action server and `rasa run` server on free loopback ports, with a freshly seeded
SQLite records database and an empty SQLite tracker store (the embedded default), then measures:

  (a) one conversation at a time: p50/p99 per message;
  (b) open-loop offered load of 25, 50 and 100 msg/s from many users: p50/p95/p99 and errors;
  (c) maximum sustained throughput with 50 closed-loop users;
  the WeChat callback (signed plain XML; safe mode with AES too) at (a) and 50 msg/s;
  cold start (`rasa run` start → first answer), training time, peak RSS of each server process.

Writes bench/out/latency.json and bench/out/latency.png and prints a table. The client runs on the
same machine as the servers and takes CPU from them: the numbers are an upper bound on latency.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from bench import servers
from bench.load_client import RestTransport, closed_loop, open_loop, sequential, summarise, wait_until_idle
from bench.wechat_client import WeChatTransport, random_aes_key

ROOT = servers.ROOT
OUT = servers.OUT
TARGETS = {"a_p50_ms": 25, "a_p99_ms": 60, "b50_p99_ms": 150, "c_msg_s": 100}
STOCK_EPOCHS = 3


# ------------------------------------------------------------------ models and training


def ours_model() -> tuple[Path, dict]:
    """The project's model (trained by scripts/train_model.py when its inputs changed)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import train_model

    target = train_model.model_path()
    info: dict[str, Any] = {"model": str(target.relative_to(ROOT))}
    if not target.exists():
        started = time.monotonic()
        target = train_model.ensure_model()
        info["training_s"] = round(time.monotonic() - started, 1)
        info["training_note"] = "trained now by scripts/train_model.py (spaCy build + rasa train)"
    return target, info


def timed_training(config: Path, out_dir: Path, name: str) -> tuple[Path, float]:
    """`rasa train` from scratch (no cache) into `out_dir`; the developer's models/ is untouched."""
    out_dir.mkdir(parents=True, exist_ok=True)
    env = servers.rasa_env()
    started = time.monotonic()
    subprocess.run(
        [servers.RASA, "train", "--config", str(config), "--out", str(out_dir), "--fixed-model-name", name,
         "--force"],
        cwd=ROOT, env={**env, "RASA_CACHE_DIRECTORY": str(out_dir / "cache")}, check=True,
        stdout=open(out_dir / f"{name}.train.log", "w"), stderr=subprocess.STDOUT,
    )
    seconds = time.monotonic() - started
    shutil.rmtree(out_dir / "cache", ignore_errors=True)
    (out_dir / f"{name}.timing.json").write_text(json.dumps(
        {"training_s": round(seconds, 1), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
         "load_average_after": os.getloadavg()}), encoding="utf-8")
    return out_dir / f"{name}.tar.gz", seconds


def earlier_training(model: Path) -> dict[str, Any]:
    """The training time recorded when bench/latency trained `model` (reused with --stock-model)."""
    timing = model.with_name(model.name.removesuffix(".tar.gz") + ".timing.json")
    return json.loads(timing.read_text(encoding="utf-8")) if timing.exists() else {}


def fresh_training_of_ours() -> tuple[Path, float]:
    """config.yml trained from a cold cache (spaCy pipeline build included) into bench/out/models-ours."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "bot.nlp.build_spacy", str(ROOT / "build" / "spacy_zh")],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    model, _ = timed_training(ROOT / "config.yml", OUT / "models-ours", "ours")
    return model, time.monotonic() - started


def stock_config(epochs: int) -> Path:
    """bench/configs/stock.yml with DIET, TED and UnexpecTED at `epochs` (Rasa's default policies written out).

    Inference cost does not depend on the number of epochs, so a short training is enough for a
    latency comparison; it is not a fair accuracy comparison (bench/nlu_eval does that)."""
    config = yaml.safe_load((ROOT / "bench/configs/stock.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "DIETClassifier":
            component["epochs"] = epochs
    config["policies"] = config.get("policies") or [
        {"name": "MemoizationPolicy"},
        {"name": "RulePolicy"},
        {"name": "UnexpecTEDIntentPolicy", "max_history": 5, "epochs": epochs},
        {"name": "TEDPolicy", "max_history": 5, "epochs": epochs, "constrain_similarities": True},
    ]
    path = OUT / "stock-models" / f"stock-e{epochs}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------ measurement phases


def phases(quick: bool) -> dict[str, Any]:
    if quick:
        return {"conversations": 8, "open_s": 8, "closed_s": 8, "rates": [25, 50, 100], "wechat_rate": 50}
    return {"conversations": 40, "open_s": 30, "closed_s": 30, "rates": [25, 50, 100], "wechat_rate": 50}


class CpuMeter:
    """Server CPU milliseconds per message over one phase (robust to other load on the machine)."""

    def __init__(self, stack: servers.Stack | None) -> None:
        self.stack = stack
        self.before = stack.cpu() if stack else {}

    def add_to(self, summary: dict[str, Any]) -> None:
        if not self.stack or not summary["messages"]:
            return
        after = self.stack.cpu()
        for label, seconds in after.items():
            summary[f"cpu_ms_per_msg_{label}"] = round((seconds - self.before[label]) * 1000 / summary["messages"], 1)


async def measure_channel(transport: Any, label: str, plan: dict[str, Any], rates: list[int],
                          closed_users: int | None, stack: servers.Stack | None = None) -> dict[str, Any]:
    """(a), then open loop at each rate, then optionally the closed loop; prints each line as it goes."""
    result: dict[str, Any] = {}
    await sequential(transport, 0, f"{label}-warm", warmup=1)  # one conversation of each script
    meter = CpuMeter(stack)  # after the warm-up conversations: measure the counted ones only
    recorder = await sequential(transport, plan["conversations"], f"{label}-seq2", warmup=0)
    result["a_sequential"] = summarise(recorder)
    await wait_until_idle(transport.base_url)
    meter.add_to(result["a_sequential"])
    _progress(label, "(a) one at a time", result["a_sequential"])
    result["b_open_loop"] = {}
    for rate in rates:
        started, meter = time.perf_counter(), CpuMeter(stack)
        recorder, users = await open_loop(transport, rate, plan["open_s"], f"{label}-open{rate}")
        summary = summarise(recorder, time.perf_counter() - started, offered=rate)
        summary["users"] = users
        summary["drain_s"] = round(await wait_until_idle(transport.base_url), 1)
        meter.add_to(summary)
        result["b_open_loop"][str(rate)] = summary
        _progress(label, f"(b) open loop {rate} msg/s", summary)
    if closed_users:
        meter = CpuMeter(stack)
        recorder, window = await closed_loop(transport, closed_users, plan["closed_s"], f"{label}-closed")
        summary = summarise(recorder, window)
        summary["users"] = closed_users
        summary["drain_s"] = round(await wait_until_idle(transport.base_url), 1)
        meter.add_to(summary)
        result["c_closed_loop"] = summary
        _progress(label, f"(c) closed loop {closed_users} users", summary)
    return result


def _progress(label: str, phase: str, summary: dict[str, Any]) -> None:
    print(f"  {label:<14} {phase:<28} p50 {summary.get('p50_ms', '-'):>7} ms  p99 {summary.get('p99_ms', '-'):>7} ms"
          f"  n {summary['messages']:>5}  errors {summary['errors']}  wrong {summary['wrong']}"
          + (f"  {summary['throughput_msg_s']} msg/s" if "throughput_msg_s" in summary else "")
          + (f"  cpu/msg rasa {summary['cpu_ms_per_msg_rasa']} ms actions {summary['cpu_ms_per_msg_actions']} ms"
             if "cpu_ms_per_msg_rasa" in summary else ""), flush=True)
    for example in summary.get("wrong_examples", [])[:2]:
        print(f"      wrong: {example}", flush=True)
    for kind in summary.get("error_kinds", [])[:2]:
        print(f"      error: {kind}", flush=True)


def run_stack(name: str, model: Path, plan: dict[str, Any], args: argparse.Namespace, *,
              rest: bool = True, wechat: WeChatTransport | None = None, closed: bool = True,
              workers: int = 1) -> dict[str, Any]:
    extra_env = wechat.server_env() if wechat else {}
    redis = os.environ.get("REDIS_URL") if workers > 1 else None
    if workers > 1 and not redis:
        raise SystemExit("--rasa-workers > 1 needs REDIS_URL (Rasa refuses several workers with an in-memory lock store)")
    print(f"\n== {name}: starting action server + rasa run ({model.name}, {workers} Sanic worker(s)) ...", flush=True)
    stack = servers.start_stack(name, model, extra_env=extra_env, rasa_workers=workers,
                                redis_url=redis)
    report: dict[str, Any] = {"model": model.name, "cold_start_s": round(stack.cold_start_s, 1),
                              "action_server_start_s": round(stack.action_start_s, 1),
                              "rasa_workers": workers, "logs": str(stack.workdir.relative_to(ROOT))}
    print(f"  cold start (rasa run → first answer) {stack.cold_start_s:.1f} s; action server {stack.action_start_s:.1f} s",
          flush=True)
    try:
        if rest:
            report["rest"] = asyncio.run(measure_channel(RestTransport(stack.rasa_url), f"{name}/rest", plan,
                                                         plan["rates"], args.closed_users if closed else None, stack))
        if wechat:
            wechat.base_url = stack.rasa_url
            report[wechat.name] = asyncio.run(measure_channel(wechat, f"{name}/{wechat.name}", plan,
                                                              [plan["wechat_rate"]], None, stack))
        report["peak_rss_mb"] = {k: round(v, 1) for k, v in stack.peak_rss().items() if v is not None}
        print(f"  peak RSS (MiB): {report['peak_rss_mb']}", flush=True)
    finally:
        stack.close()
    return report


# ------------------------------------------------------------------ report


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0)
    import rasa

    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_mb": mem, "python": platform.python_version(),
            "rasa": rasa.__version__, "load_average_at_start": os.getloadavg()}


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []

    def add(stack: str, channel: str, phase: str, s: dict[str, Any]) -> None:
        rows.append([stack, channel, phase, str(s.get("offered_msg_s", "")), str(s.get("throughput_msg_s", "")),
                     str(s["messages"]), str(s.get("p50_ms", "-")), str(s.get("p95_ms", "-")),
                     str(s.get("p99_ms", "-")), str(s.get("max_ms", "-")), str(s["errors"]), str(s["wrong"]),
                     str(s.get("cpu_ms_per_msg_rasa", "-")), str(s.get("cpu_ms_per_msg_actions", "-"))])

    for stack, report in results["stacks"].items():
        for channel in ("rest", "wechat", "wechat_safe"):
            if channel not in report:
                continue
            data = report[channel]
            add(stack, channel, "(a) one at a time", data["a_sequential"])
            for rate, summary in data["b_open_loop"].items():
                add(stack, channel, f"(b) open {rate}/s", summary)
            if "c_closed_loop" in data:
                add(stack, channel, f"(c) closed {data['c_closed_loop']['users']} users", data["c_closed_loop"])
    return rows


def print_table(results: dict[str, Any]) -> None:
    header = ["stack", "channel", "phase", "offered", "achieved", "n", "p50 ms", "p95 ms", "p99 ms", "max ms",
              "errors", "wrong", "cpu ms/msg rasa", "actions"]
    rows = table_rows(results)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    print("\n" + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print()
    for stack, report in results["stacks"].items():
        print(f"{stack}: cold start {report['cold_start_s']} s (action server {report['action_server_start_s']} s), "
              f"peak RSS MiB {report.get('peak_rss_mb')}")
    for key, value in results.get("training", {}).items():
        print(f"training {key}: {value}")
    print()
    for line in results.get("verdict", []):
        print(line)


def verdict(results: dict[str, Any]) -> list[str]:
    """Each target against the best of the project's stacks (the worker count that does best)."""
    ours = {name: report for name, report in results["stacks"].items()
            if name.startswith("ours") and "rest" in report}
    if not ours:
        return []
    lines = ["targets (2-core machine), project stack, REST, best worker count:"]

    def check(label: str, values: dict[str, Any], limit: float, below: bool = True) -> None:
        found = {name: value for name, value in values.items() if value is not None}
        best = (min if below else max)(found, key=found.get) if found else None
        value = found.get(best)
        met = value is not None and (value <= limit if below else value >= limit)
        where = f" — {best}, {ours[best].get('rasa_workers', 1)} Sanic worker(s)" if best else ""
        lines.append(f"  {'MET   ' if met else 'MISSED'} {label}: {value} ({'≤' if below else '≥'} {limit}){where}")

    def phase(name: str, key: str) -> dict[str, Any]:
        rest = ours[name]["rest"]
        return rest["b_open_loop"].get("50", {}) if key == "b50" else rest.get(key, {})

    def without_errors(summary: dict[str, Any], field: str) -> Any:
        return summary.get(field) if summary.get("errors") == 0 else None

    check("(a) p50 ms", {n: phase(n, "a_sequential").get("p50_ms") for n in ours}, TARGETS["a_p50_ms"])
    check("(a) p99 ms", {n: phase(n, "a_sequential").get("p99_ms") for n in ours}, TARGETS["a_p99_ms"])
    check("(b) 50 msg/s p99 ms", {n: without_errors(phase(n, "b50"), "p99_ms") for n in ours}, TARGETS["b50_p99_ms"])
    check("(c) closed-loop msg/s with 0 errors",
          {n: without_errors(phase(n, "c_closed_loop"), "throughput_msg_s") for n in ours}, TARGETS["c_msg_s"],
          below=False)
    check("cold start s", {n: ours[n].get("cold_start_s") for n in ours}, 15)
    return lines


def plot(results: dict[str, Any], path: Path) -> None:
    """Left: p50/p95/p99 against offered load (successful messages). Right: achieved vs offered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, right) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [3, 2]})
    styles = {"p50_ms": "-", "p95_ms": "--", "p99_ms": ":"}
    top = 1.0
    for stack, report in results["stacks"].items():
        for channel in ("rest", "wechat", "wechat_safe"):
            data = report.get(channel)
            if not data:
                continue
            points = [(0.0, data["a_sequential"])] + [(float(r), s) for r, s in data["b_open_loop"].items()]
            color = None
            for key, style in styles.items():
                xs = [x for x, s in points if key in s]
                ys = [s[key] for x, s in points if key in s]
                (line,) = ax.plot(xs, ys, style, marker="o", color=color,
                                  label=f"{stack}/{channel} {key.removesuffix('_ms')}")
                color = line.get_color()
            loads = [(float(r), s) for r, s in data["b_open_loop"].items()]
            right.plot([x for x, _ in loads], [s.get("throughput_msg_s", 0) for _, s in loads], marker="o",
                       color=color, label=f"{stack}/{channel} open loop")
            closed = data.get("c_closed_loop")
            if closed:
                right.axhline(closed.get("throughput_msg_s", 0), color=color, linestyle="--", linewidth=0.8,
                              label=f"{stack}/{channel} closed loop, {closed['users']} users")
            top = max([top, *(x for x, _ in loads)])
    ax.axhline(TARGETS["b50_p99_ms"], color="grey", linewidth=0.8)
    ax.text(1, TARGETS["b50_p99_ms"] * 1.05, "p99 target at 50 msg/s", color="grey", fontsize=8)
    ax.set_yscale("log")
    ax.set_xlabel("offered load (msg/s; 0 = one conversation at a time)")
    ax.set_ylabel("latency per answered message (ms, log scale)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=6, ncol=2)
    right.plot([0, top], [0, top], color="grey", linewidth=0.8, label="achieved = offered")
    right.axhline(TARGETS["c_msg_s"], color="black", linewidth=0.6, linestyle=":", label="target (c)")
    right.set_xlabel("offered load (msg/s)")
    right.set_ylabel("answered messages per second")
    right.grid(True, alpha=0.3)
    right.legend(fontsize=6)
    fig.suptitle(f"yibao assistant, bench.latency {results['date']}, {results['machine']['cpus']} CPUs "
                 f"(load average at start {results['machine']['load_average_at_start'][0]:.1f})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


# ------------------------------------------------------------------ main


def _stop_on_sigterm() -> None:
    """`kill <pid>` of the benchmark still stops the servers it started (finally blocks run)."""
    def handler(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def default_worker_counts() -> list[int]:
    if os.environ.get("SANIC_WORKERS"):
        return [int(os.environ["SANIC_WORKERS"])]
    return [1, 2] if os.environ.get("REDIS_URL") else [1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.latency", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="short phases (smoke check, noisier numbers)")
    parser.add_argument("--with-stock", action="store_true",
                        help=f"also train bench/configs/stock.yml ({STOCK_EPOCHS} epochs) and measure it")
    parser.add_argument("--stock-epochs", type=int, default=STOCK_EPOCHS)
    parser.add_argument("--stock-model", type=Path, help="reuse an already trained stock model")
    parser.add_argument("--no-safe", action="store_true", help="skip the WeChat safe-mode (AES) server")
    parser.add_argument("--time-training", action=argparse.BooleanOptionalAction, default=None,
                        help="train config.yml from a cold cache into bench/out/models-ours, time it and "
                             "benchmark that model (default: on, off with --quick)")
    parser.add_argument("--model", type=Path, help="benchmark this trained model (skips training)")
    parser.add_argument("--rasa-workers", type=int, nargs="+", default=default_worker_counts(),
                        help="Sanic worker counts of rasa run to measure (> 1 needs REDIS_URL for the lock "
                             "store); default 1 and 2 when REDIS_URL is set, else 1")
    parser.add_argument("--closed-users", type=int, default=50)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--show", type=Path, metavar="JSON", help="only print the table of an earlier run")
    args = parser.parse_args(argv)
    if args.show:
        print_table(json.loads(args.show.read_text(encoding="utf-8")))
        return 0
    _stop_on_sigterm()

    plan = phases(args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "command": " ".join([".venv/bin/python -m bench.latency", *(argv if argv is not None else sys.argv[1:])]),
        "machine": machine(), "plan": plan, "targets": TARGETS, "stacks": {}, "training": {},
    }
    print(f"bench.latency {results['date']} on {results['machine']['cpus']} CPUs ({results['machine']['cpu']}), "
          f"load average {results['machine']['load_average_at_start']}", flush=True)

    time_training = (not args.quick) if args.time_training is None else args.time_training
    if args.model:
        model, info = args.model.resolve(), {"model": str(args.model)}
    elif time_training:
        print("== training config.yml from a cold cache ...", flush=True)
        model, seconds = fresh_training_of_ours()
        info = {"model": str(model.relative_to(ROOT)), "training_s": round(seconds, 1),
                "training_note": "cold cache, spaCy pipeline build included, same machine"}
        print(f"  config.yml trained in {seconds:.1f} s", flush=True)
    else:
        model, info = ours_model()
    results["training"]["ours"] = info

    first, *more = args.rasa_workers
    wechat = WeChatTransport("")
    results["stacks"]["ours"] = run_stack("ours", model, plan, args, wechat=wechat, workers=first)
    for workers in more:  # the REST phases again with more Sanic workers
        results["stacks"][f"ours-{workers}w"] = run_stack(f"ours-{workers}w", model, plan, args, workers=workers)

    if not args.no_safe:
        safe = WeChatTransport("", aes_key=random_aes_key())
        results["stacks"]["ours-safe"] = run_stack("ours-safe", model, plan, args, rest=False, wechat=safe,
                                                   workers=first)

    if args.with_stock:
        stock_model = args.stock_model
        if stock_model is not None:
            results["training"]["stock"] = {
                "model": str(stock_model), **earlier_training(stock_model),
                "note": "reused; trained earlier by bench/latency with reduced epochs "
                        "(inference latency does not depend on the epoch count)"}
        else:
            config = stock_config(args.stock_epochs)
            print(f"\n== training the stock config ({args.stock_epochs} epochs instead of 100) ...", flush=True)
            stock_model, seconds = timed_training(config, OUT / "stock-models", f"stock-e{args.stock_epochs}")
            results["training"]["stock"] = {
                "epochs": args.stock_epochs, "training_s": round(seconds, 1),
                "note": "reduced epochs: inference latency does not depend on the epoch count"}
            print(f"  stock trained in {seconds:.1f} s", flush=True)
        results["stacks"]["stock"] = run_stack("stock", stock_model, plan, args, workers=first)

    results["verdict"] = verdict(results)
    (args.out / "latency.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    plot(results, args.out / "latency.png")
    print_table(results)
    print(f"\nwrote {args.out / 'latency.json'} and {args.out / 'latency.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
