"""Hand-made records of ``auglift evaluate``'s ``evaluation.json`` for the decision-script tests (``mixture_table``,
``depth_mixture_table``): a three-seed cell and a paired-interval comparison."""


def three_seed_cell(model: str, table: str, mean: float) -> dict:
    """A cell of ``model`` on ``table``: MPJPE ``mean`` mm over 3 seeds (std 0.5), PA-MPJPE 0.7 of it."""
    seeds = {"mean": mean, "std": 0.5, "seeds": 3}
    return {"model": model, "table": table, "mpjpe": mean, "pa_mpjpe": 0.7 * mean, "mpjpe_seeds": seeds,
            "pa_mpjpe_seeds": {**seeds, "mean": 0.7 * mean}}  # fmt: skip


def paired_interval(d: float, half: float) -> dict:
    """A comparison's MPJPE record: difference ``d`` mm with the interval ``d +- half``, relative to 100 mm."""
    low, high = d - half, d + half
    return {"difference": d, "relative": d / 100, "low": low, "high": high, "significant": low > 0 or high < 0}


def add_column(data: dict, table: str, means: dict[str, float], pairs, diffs: dict) -> None:
    """Append to an ``evaluation.json`` record the three-seed cells of ``means`` (model -> MPJPE mm) on ``table`` and
    the comparisons ``(a, b)`` of ``pairs``: MPJPE ``diffs[(a, b)]`` = (difference, half-width), else the means'
    difference +- 2 mm; PA-MPJPE 0.3 of the difference +- 9 mm."""
    data["cells"] += [three_seed_cell(m, table, v) for m, v in means.items()]
    for a, b in pairs:
        d, half = diffs.get((a, b), (means[b] - means[a], 2.0))
        data["comparisons"].append({"a": a, "b": b, "table": table, "mpjpe": paired_interval(d, half),
                                    "pa_mpjpe": paired_interval(0.3 * d, 9.0)})  # fmt: skip
